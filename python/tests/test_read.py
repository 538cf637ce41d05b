"""Client reads: get (paths, keys, tags, references), get_secret, export, apps, environments."""

from __future__ import annotations

import csv
import io
import json
import os
from typing import TYPE_CHECKING

import pytest

import phasekit
from phasekit import Client, InvalidInputError, NotFoundError
from pkhelpers import (
    ALL_PATH_KEYS,
    APP,
    DB_VALUES,
    DEV,
    E2EE_APP,
    PROD,
    REFS_APP,
    RESOLVED_DATABASE_URL,
    ROOT_RAW,
    STAGING,
    by_key,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer


def test_get_without_path_returns_every_folder_resolved(client: Client) -> None:
    """get() with no path returns all folders, references resolved, every field filled."""
    secrets = client.get(APP, DEV)
    assert sorted((s.path, s.key) for s in secrets) == ALL_PATH_KEYS
    found = {(s.path, s.key): s for s in secrets}
    assert found[("/", "DATABASE_URL")].value == RESOLVED_DATABASE_URL
    assert found[("/", "STAGING_DB_HOST")].value == "db.staging.internal"
    assert found[("/one", "FEATURE_FLAG")].value == "flag-one-value"
    assert found[("/two", "FEATURE_FLAG")].value == "flag-two-value"
    password = found[("/db", "DB_PASSWORD")]
    assert password.value == "dev-Pa55w0rd!"
    assert password.comment == "rotated monthly"
    assert password.tags == ["database"]
    assert found[("/", "DB_HOST")].comment == "primary database host"
    assert found[("/", "DB_PORT")].comment == ""
    assert found[("/", "EMPTY_VALUE")].value == ""
    assert found[("/", "MULTILINE_CERT")].value == ROOT_RAW["MULTILINE_CERT"]
    assert found[("/", "UNICODE_VALUE")].value == "héllo wörld ✓ 日本語"
    for secret in secrets:
        assert (secret.app, secret.env) == (APP, DEV)
        assert (secret.type, secret.lifecycle, secret.version) == (
            "secret",
            "static",
            1,
        )
        assert not secret.overridden and not secret.is_dynamic
        assert secret.dynamic_group is None and secret.lease_id is None
        assert secret.lease_expires_at is None
    assert len({s.id for s in secrets}) == len(secrets), "ids are unique"


def test_get_with_a_path_returns_only_that_folder(client: Client) -> None:
    """path="/db" returns the /db folder only; path="/" the root only, in seed order."""
    db = client.get(APP, DEV, path="/db")
    assert values(db) == DB_VALUES
    assert {s.path for s in db} == {"/db"}
    root = client.get(APP, DEV, path="/")
    assert [s.key for s in root] == list(ROOT_RAW)
    assert {s.path for s in root} == {"/"}
    assert client.get(APP, DEV, path="/nowhere") == []


def test_get_filters_by_keys(client: Client) -> None:
    """keys= keeps only the named secrets (one key or several); unknown keys give nothing."""
    two = client.get(APP, DEV, keys=["DB_HOST", "DATABASE_URL"])
    assert values(two) == {
        "DB_HOST": "db.dev.internal",
        "DATABASE_URL": RESOLVED_DATABASE_URL,
    }
    one = client.get(APP, DEV, keys=["DB_PASSWORD"])
    assert [(s.path, s.key, s.value) for s in one] == [
        ("/db", "DB_PASSWORD", "dev-Pa55w0rd!")
    ]
    assert client.get(APP, DEV, keys=["NO_SUCH_KEY"]) == []


def test_get_filters_by_tag_with_phase_matching_rules(client: Client) -> None:
    """tag= matches case-insensitively, by part, with `_` and space alike."""
    assert [s.key for s in client.get(APP, DEV, tag="payments")] == [
        "STRIPE_SECRET_KEY"
    ]
    assert [s.key for s in client.get(APP, DEV, tag="PAY")] == ["STRIPE_SECRET_KEY"]
    assert [s.key for s in client.get(APP, DEV, tag="DataBase")] == ["DB_PASSWORD"]
    assert client.get(APP, DEV, tag="no-such-tag") == []


def test_raw_returns_references_as_written(client: Client) -> None:
    """raw=True returns stored values; the default resolves same-env, cross-folder and
    cross-environment references."""
    raw = client.get(APP, DEV, path="/", raw=True)
    assert values(raw) == ROOT_RAW
    resolved = values(client.get(APP, DEV, path="/"))
    assert resolved["DATABASE_URL"] == RESOLVED_DATABASE_URL
    assert resolved["STAGING_DB_HOST"] == "db.staging.internal"
    assert {k: v for k, v in resolved.items() if "${" not in ROOT_RAW[k]} == {
        k: v for k, v in ROOT_RAW.items() if "${" not in v
    }


def test_unresolvable_reference_is_kept_unless_strict(client: Client) -> None:
    """A reference to a missing key stays as written; strict=True raises SecretReferenceError."""
    lenient = values(client.get(REFS_APP, DEV))
    assert lenient == {
        "GOOD_REF": "host=target-value-1234",
        "TARGET": "target-value-1234",
        "BROKEN_REF": "x-${MISSING_KEY}-y",
    }
    with pytest.raises(phasekit.SecretReferenceError) as caught:
        client.get(REFS_APP, DEV, strict=True)
    assert caught.value.code == "reference_unresolved"
    assert "${MISSING_KEY}" in caught.value.message
    assert isinstance(caught.value, phasekit.PhaseError)
    # Strictness only concerns what is returned: a resolvable subset passes.
    strict_good = client.get(REFS_APP, DEV, keys=["GOOD_REF"], strict=True)
    assert values(strict_good) == {"GOOD_REF": "host=target-value-1234"}
    assert values(client.get(REFS_APP, DEV, raw=True, strict=True))["GOOD_REF"] == (
        "host=${TARGET}"
    )


def test_circular_references_raise_even_without_strict(client: Client) -> None:
    """A reference cycle is a SecretReferenceError (reference_cycle); raw=True still reads it."""
    with pytest.raises(phasekit.SecretReferenceError) as caught:
        client.get(REFS_APP, PROD)
    assert caught.value.code == "reference_cycle"
    assert values(client.get(REFS_APP, PROD, raw=True)) == {
        "CYCLE_A": "a-${CYCLE_B}",
        "CYCLE_B": "b-${CYCLE_A}",
    }


def test_app_and_environment_can_be_given_by_id(
    server: PhasekitServer, client: Client
) -> None:
    """app_id= selects the app, and env may be an environment id instead of a name."""
    app_id = server.app_id(APP)
    by_id = client.get(app_id=app_id, env=server.env_id(APP, PROD))
    assert values(by_id) == {"DB_HOST": "db.prod.internal", "DB_PORT": "6432"}
    assert {(s.app, s.env) for s in by_id} == {(APP, PROD)}
    assert values(client.get(app_id=app_id, env=STAGING)) == {
        "DB_HOST": "db.staging.internal",
        "DB_PORT": "5432",
    }


def test_app_names_match_exactly_then_by_shortest_part(client: Client) -> None:
    """An exact name wins (any case); else the shortest name containing it (interop-app)."""
    assert values(client.get("INTEROP-APP", PROD))["DB_HOST"] == "db.prod.internal"
    assert values(client.get("interop", PROD))["DB_HOST"] == "db.prod.internal"
    assert values(client.get("e2ee", DEV)) == {"DSN": "postgres://app:e2ee@db/app"}
    assert values(client.get(APP, "prod"))["DB_PORT"] == "6432"


def test_end_to_end_app_reads_decrypt_locally(client: Client) -> None:
    """An app without server-side encryption reads the same way."""
    secrets = client.get(E2EE_APP, DEV)
    assert values(secrets) == {"DSN": "postgres://app:e2ee@db/app"}
    assert client.get(E2EE_APP, PROD) == []


def test_get_secret_reads_one_secret_at_a_path(
    server: PhasekitServer, client: Client
) -> None:
    """get_secret defaults to the root folder, resolves references, and takes path/app_id."""
    host = client.get_secret("DB_HOST", APP)
    assert (host.key, host.value, host.path, host.env) == (
        "DB_HOST",
        "db.dev.internal",
        "/",
        DEV,
    )
    assert client.get_secret("DATABASE_URL", APP).value == RESOLVED_DATABASE_URL
    assert client.get_secret("DB_USER", APP, path="/db").value == "app_user"
    assert client.get_secret("DB_HOST", APP, PROD).value == "db.prod.internal"
    by_id = client.get_secret("DB_PORT", app_id=server.app_id(APP), env=PROD)
    assert by_id.value == "6432" and by_id.comment == "pgbouncer"
    assert client.get_secret("FEATURE_FLAG", APP, path="/two").value == (
        "flag-two-value"
    )
    with pytest.raises(NotFoundError) as caught:
        client.get_secret("DB_USER", APP)  # it lives in /db, not at the root
    assert caught.value.code == "secret_not_found"


def test_personal_access_token_sees_its_override(
    client: Client, pat_client: Client
) -> None:
    """alice's override of DB_PORT is her value, flagged overridden, and used by references."""
    mine = by_key(pat_client.get(APP, DEV, path="/"))
    assert mine["DB_PORT"].value == "15432" and mine["DB_PORT"].overridden
    assert mine["DATABASE_URL"].value.endswith("@db.dev.internal:15432/app")
    shared = by_key(client.get(APP, DEV, path="/"))
    assert shared["DB_PORT"].value == "5432" and not shared["DB_PORT"].overridden


def test_export_dotenv(client: Client) -> None:
    """dotenv export: KEY="value" lines, escapes for quotes and newlines, references
    resolved, first folder wins for a key in several folders."""
    text = client.export(APP, DEV)
    lines = text.splitlines()
    assert 'DB_HOST="db.dev.internal"' in lines
    assert f'DATABASE_URL="{RESOLVED_DATABASE_URL}"' in lines
    assert 'EMPTY_VALUE=""' in lines
    assert (
        'MULTILINE_CERT="-----BEGIN CERT-----\\nMIIBinterop\\n-----END CERT-----"'
        in (lines)
    )
    assert 'UNICODE_VALUE="héllo wörld ✓ 日本語"' in lines
    assert [line for line in lines if line.startswith("FEATURE_FLAG=")] == [
        'FEATURE_FLAG="flag-one-value"'
    ]
    assert len(lines) == len({key for _, key in ALL_PATH_KEYS})
    assert client.export(APP, DEV, "env", path="/db") == (
        'DB_USER="app_user"\nDB_PASSWORD="dev-Pa55w0rd!"\n'
    )


def test_export_json(client: Client) -> None:
    """json export parses to {key: resolved value}, keys in order of appearance."""
    exported = json.loads(client.export(APP, DEV, "json", path="/"))
    expected = dict(ROOT_RAW)
    expected["DATABASE_URL"] = RESOLVED_DATABASE_URL
    expected["STAGING_DB_HOST"] = "db.staging.internal"
    assert exported == expected
    assert list(exported) == list(ROOT_RAW)
    assert json.loads(client.export(E2EE_APP, PROD, format="json")) == {}


def test_export_yaml(client: Client) -> None:
    """yaml export: one `"KEY": "value"` line per secret, double-quoted JSON scalars."""
    for name in ("yaml", "yml"):
        text = client.export(APP, DEV, name, path="/db")
        assert text == '"DB_USER": "app_user"\n"DB_PASSWORD": "dev-Pa55w0rd!"\n'
    root = client.export(APP, DEV, format="yaml", path="/")
    parsed = {}
    for line in root.splitlines():
        parsed.update(json.loads("{" + line + "}"))
    assert parsed["MULTILINE_CERT"] == ROOT_RAW["MULTILINE_CERT"]
    assert parsed["UNICODE_VALUE"] == ROOT_RAW["UNICODE_VALUE"]
    assert parsed["DATABASE_URL"] == RESOLVED_DATABASE_URL


def test_export_takes_every_format_of_the_core(client: Client) -> None:
    """The format string goes to the core as it is: csv, kv and the others work here too."""
    rows = list(csv.reader(io.StringIO(client.export(APP, DEV, "csv", path="/db"), newline="")))
    assert rows == [["Key", "Value"], ["DB_USER", "app_user"], ["DB_PASSWORD", "dev-Pa55w0rd!"]]
    assert client.export(APP, DEV, "kv", path="/db") == "DB_USER=app_user\nDB_PASSWORD=dev-Pa55w0rd!\n"
    with pytest.raises(InvalidInputError) as caught:
        client.export(APP, DEV, "kv", path="/")  # MULTILINE_CERT has line breaks
    assert "MULTILINE_CERT" in caught.value.message


def test_export_rejects_an_unknown_format_before_any_request(
    server: PhasekitServer, client: Client
) -> None:
    """format="docx" is an InvalidInputError raised without contacting the server."""
    with pytest.raises(InvalidInputError) as caught:
        client.export(APP, DEV, format="docx")  # type: ignore[arg-type]
    assert caught.value.code == "invalid_input"
    assert "docx" in caught.value.message
    assert server.requests() == {}


def test_apps_lists_apps_and_environments(
    server: PhasekitServer, client: Client
) -> None:
    """apps() returns every accessible app with id, encryption mode and environments."""
    apps = {app.name: app for app in client.apps()}
    assert sorted(apps) == [
        "interop-app",
        "interop-e2ee",
        "refs-app",
        "twin-alpha",
        "twin-bravo",
    ]
    for name, app in apps.items():
        assert app.id == server.app_id(name)
        for env in app.environments:
            assert env.id == server.env_id(name, env.name)
    assert apps[APP].encryption == "SSE"
    assert apps[E2EE_APP].encryption == "E2E"
    assert [(e.name, e.env_type) for e in apps[APP].environments] == [
        ("Development", "DEV"),
        ("Staging", "STAGING"),
        ("Production", "PROD"),
    ]
    assert repr(apps[APP]) == (
        f'App(name="interop-app", id="{server.app_id(APP)}", environments=3)'
    )


def test_apps_are_limited_to_the_tokens_access(server: PhasekitServer) -> None:
    """A token scoped to one environment sees one app with one environment."""
    apps = server.client("reader-token").apps()
    assert [(a.name, [e.name for e in a.environments]) for a in apps] == [(APP, [DEV])]


def test_environments_by_name_and_by_id(server: PhasekitServer, client: Client) -> None:
    """environments() lists an app's environments, by app name or app_id."""
    by_name = client.environments(APP)
    assert [(e.name, e.id) for e in by_name] == [
        (env, server.env_id(APP, env)) for env in (DEV, STAGING, PROD)
    ]
    by_id = client.environments(app_id=server.app_id(E2EE_APP))
    assert [(e.name, e.env_type) for e in by_id] == [(DEV, "DEV"), (PROD, "PROD")]
    assert repr(by_id[0]) == (
        f'Environment(name="Development", id="{server.env_id(E2EE_APP, DEV)}")'
    )
    assert [e.name for e in server.client("staging-token").environments(APP)] == [
        STAGING
    ]


def test_load_env_sets_missing_variables_and_keeps_existing_ones(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_env puts the resolved secrets of a folder into os.environ; a variable that is
    already set stays unless override=True; the keys set are returned."""
    monkeypatch.delenv("DB_USER", raising=False)
    monkeypatch.setenv("DB_PASSWORD", "from-the-shell")
    assert client.load_env(APP, DEV, path="/db") == ["DB_USER"]
    assert os.environ["DB_USER"] == "app_user"
    assert os.environ["DB_PASSWORD"] == "from-the-shell"
    assert client.load_env(APP, DEV, path="/db", override=True) == [
        "DB_USER",
        "DB_PASSWORD",
    ]
    assert os.environ["DB_PASSWORD"] == "dev-Pa55w0rd!"
