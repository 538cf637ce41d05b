"""Reading through the official SDK: paths, keys, tags, comments, odd values, references."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from phase import GetAllSecretsOptions, GetSecretOptions
from phase.utils.phase_io import Phase as PhaseIO

from support import (
    APP,
    DB_KEYS,
    DEV,
    PROD,
    RESOLVED_DATABASE_URL,
    ROOT_KEYS,
    STAGING,
    SdkFactory,
    by_key,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer


def test_get_all_secrets_returns_root_path_only(sdk: SdkFactory) -> None:
    """get_all_secrets defaults to path "/": exactly the seeded root secrets."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP)
    )
    # Like the real server's, the listing order is not part of the contract.
    assert sorted(s.key for s in secrets) == sorted(ROOT_KEYS)
    assert {s.path for s in secrets} == {"/"}
    assert {(s.application, s.environment) for s in secrets} == {(APP, DEV)}
    values = by_key(secrets)
    assert values["DB_HOST"].value == "db.dev.internal"
    assert values["DB_PORT"].value == "5432"
    assert values["STRIPE_SECRET_KEY"].value == "sk_test_51Interop"
    assert not any(s.overridden for s in secrets)


def test_get_secret_one_key(sdk: SdkFactory) -> None:
    """get_secret finds one key through its KeyDigest lookup and returns its value."""
    secret = sdk("sa-token").get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find="STRIPE_SECRET_KEY")
    )
    assert secret is not None
    assert (secret.key, secret.value, secret.path) == (
        "STRIPE_SECRET_KEY",
        "sk_test_51Interop",
        "/",
    )
    assert secret.tags == ["payments"]


def test_get_secret_missing_key_is_none(sdk: SdkFactory) -> None:
    """A key that does not exist yields None (the digest matches nothing)."""
    secret = sdk("sa-token").get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find="NO_SUCH_KEY")
    )
    assert secret is None


def test_get_secret_is_path_scoped(sdk: SdkFactory) -> None:
    """A /db key is invisible at the default root path and found with secret_path="/db"."""
    phase = sdk("sa-token")
    at_root = phase.get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find="DB_USER")
    )
    in_db = phase.get_secret(
        GetSecretOptions(
            env_name=DEV, app_name=APP, key_to_find="DB_USER", secret_path="/db"
        )
    )
    assert at_root is None
    assert in_db is not None
    assert (in_db.value, in_db.path) == ("app_user", "/db")


def test_path_filter_db(sdk: SdkFactory) -> None:
    """secret_path="/db" returns exactly the two /db secrets (exact folder match)."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, secret_path="/db")
    )
    assert sorted(s.key for s in secrets) == sorted(DB_KEYS)
    values = by_key(secrets)
    assert values["DB_USER"].value == "app_user"
    assert values["DB_PASSWORD"].value == "dev-Pa55w0rd!"
    assert {s.path for s in secrets} == {"/db"}


def test_path_filter_is_normalized_by_server(sdk: SdkFactory) -> None:
    """A trailing-slash path ("/db/") is normalized server-side to the /db folder."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, secret_path="/db/")
    )
    assert sorted(s.key for s in secrets) == sorted(DB_KEYS)


def test_all_paths_through_phase_io(server: PhasekitServer) -> None:
    """PhaseIO.get with path "" sends no Path header and gets every folder's secrets."""
    io = PhaseIO(init=False, pss=server.tokens["sa-token"], host=server.url)
    secrets = io.get(env_name=DEV, app_name=APP, path="")
    assert sorted(s["key"] for s in secrets) == sorted(ROOT_KEYS + DB_KEYS)
    paths = {s["key"]: s["path"] for s in secrets}
    assert paths["DB_USER"] == paths["DB_PASSWORD"] == "/db"
    assert paths["DB_HOST"] == "/"
    # PhaseIO.get does not resolve references.
    assert by_key(secrets)["STAGING_DB_HOST"]["value"] == "${staging.DB_HOST}"


def test_tag_payments(sdk: SdkFactory) -> None:
    """tag="payments" keeps only STRIPE_SECRET_KEY (tags arrive as names)."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, tag="payments")
    )
    assert [(s.key, s.value, s.tags) for s in secrets] == [
        ("STRIPE_SECRET_KEY", "sk_test_51Interop", ["payments"])
    ]


def test_tag_database_in_db_path(sdk: SdkFactory) -> None:
    """tag="database" with secret_path="/db" keeps only DB_PASSWORD."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(
            env_name=DEV, app_name=APP, tag="database", secret_path="/db"
        )
    )
    assert [(s.key, s.value, s.tags) for s in secrets] == [
        ("DB_PASSWORD", "dev-Pa55w0rd!", ["database"])
    ]


def test_tag_database_at_default_root_path_is_empty(sdk: SdkFactory) -> None:
    """The tagged DB_PASSWORD lives in /db, so the root-only default finds nothing."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, tag="database")
    )
    assert secrets == []


def test_tag_match_is_fuzzy(server: PhasekitServer, sdk: SdkFactory) -> None:
    """The SDK's rule: case-insensitive substring of a tag name ("PAY", "base", "data")."""
    phase = sdk("sa-token")
    pay = phase.get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, tag="PAY")
    )
    assert [s.key for s in pay] == ["STRIPE_SECRET_KEY"]
    for fragment in ("base", "Data"):
        found = phase.get_all_secrets(
            GetAllSecretsOptions(
                env_name=DEV, app_name=APP, tag=fragment, secret_path="/db"
            )
        )
        assert [s.key for s in found] == ["DB_PASSWORD"], fragment
    io = PhaseIO(init=False, pss=server.tokens["sa-token"], host=server.url)
    everywhere = io.get(env_name=DEV, app_name=APP, tag="a", path="")
    assert sorted(s["key"] for s in everywhere) == ["DB_PASSWORD", "STRIPE_SECRET_KEY"]
    none = phase.get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, tag="nope")
    )
    assert none == []


def test_comments(sdk: SdkFactory) -> None:
    """Comments decrypt to their text; a secret without one has comment None."""
    phase = sdk("sa-token")
    root = by_key(
        phase.get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=APP))
    )
    assert root["DB_HOST"].comment == "primary database host"
    assert root["DB_PORT"].comment is None
    db = by_key(
        phase.get_all_secrets(
            GetAllSecretsOptions(env_name=DEV, app_name=APP, secret_path="/db")
        )
    )
    assert db["DB_PASSWORD"].comment == "rotated monthly"
    assert db["DB_USER"].comment is None
    prod = phase.get_secret(
        GetSecretOptions(env_name=PROD, app_name=APP, key_to_find="DB_PORT")
    )
    assert prod is not None and prod.comment == "pgbouncer"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        # An encrypted empty plaintext round-trips as the empty string.
        ("EMPTY_VALUE", ""),
        # Newlines survive encryption, JSON and decryption unchanged.
        ("MULTILINE_CERT", "-----BEGIN CERT-----\nMIIBinterop\n-----END CERT-----"),
        # Non-ASCII UTF-8 (accents, symbols, CJK) survives unchanged.
        ("UNICODE_VALUE", "héllo wörld ✓ 日本語"),
    ],
)
def test_unusual_values_round_trip(sdk: SdkFactory, key: str, value: str) -> None:
    """Empty, multi-line and non-ASCII values come back exactly as seeded."""
    secret = sdk("sa-token").get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find=key)
    )
    assert secret is not None
    assert secret.value == value


def test_other_environments(sdk: SdkFactory) -> None:
    """Staging and Production hold their own values; "prod" picks Production by substring."""
    phase = sdk("sa-token")
    staging = phase.get_all_secrets(
        GetAllSecretsOptions(env_name=STAGING, app_name=APP)
    )
    assert {s.key: s.value for s in staging} == {
        "DB_HOST": "db.staging.internal",
        "DB_PORT": "5432",
    }
    prod = phase.get_all_secrets(GetAllSecretsOptions(env_name="prod", app_name=APP))
    assert {s.key: s.value for s in prod} == {
        "DB_HOST": "db.prod.internal",
        "DB_PORT": "6432",
    }
    assert {s.environment for s in prod} == {PROD}


def test_reference_database_url(sdk: SdkFactory) -> None:
    """DATABASE_URL's local and /db path references are resolved by the SDK."""
    secrets = by_key(
        sdk("sa-token").get_all_secrets(
            GetAllSecretsOptions(env_name=DEV, app_name=APP)
        )
    )
    assert secrets["DATABASE_URL"].value == RESOLVED_DATABASE_URL


def test_reference_cross_environment(sdk: SdkFactory) -> None:
    """STAGING_DB_HOST = ${staging.DB_HOST} resolves by fetching the Staging environment."""
    secrets = by_key(
        sdk("sa-token").get_all_secrets(
            GetAllSecretsOptions(env_name=DEV, app_name=APP)
        )
    )
    assert secrets["STAGING_DB_HOST"].value == "db.staging.internal"


def test_get_secret_resolves_references(sdk: SdkFactory) -> None:
    """get_secret alone resolves every reference of the one value it returns."""
    phase = sdk("sa-token")
    url = phase.get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find="DATABASE_URL")
    )
    staging = phase.get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find="STAGING_DB_HOST")
    )
    assert url is not None and url.value == RESOLVED_DATABASE_URL
    assert staging is not None and staging.value == "db.staging.internal"
