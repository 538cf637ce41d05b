"""Writing through the official SDK: create, update and delete, each read back."""

from __future__ import annotations

import pytest
from phase import (
    DeleteSecretOptions,
    GetAllSecretsOptions,
    GetSecretOptions,
    Phase,
    PhaseSecret,
)

from support import APP, DEV, SdkFactory, by_key, create, update


def read(phase: Phase, key: str, path: str = "/") -> PhaseSecret | None:
    """One secret by key through get_secret (a KeyDigest lookup)."""
    return phase.get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find=key, secret_path=path)
    )


def found(phase: Phase, key: str, path: str = "/") -> PhaseSecret:
    """The secret that must exist: read() that fails the test when it finds nothing."""
    secret = read(phase, key, path)
    assert secret is not None, f"{key} not found in {path}"
    return secret


def test_create_then_read_back(sdk: SdkFactory) -> None:
    """create_secrets stores a new key that get_secret and get_all_secrets then return."""
    phase = sdk("sa-token")
    result = create(phase, [{"NEW_API_KEY": "new-value-1"}])
    assert result == "Success"
    secret = found(phase, "NEW_API_KEY")
    assert (secret.value, secret.path, secret.tags, secret.comment) == (
        "new-value-1",
        "/",
        [],
        None,
    )
    everything = by_key(
        phase.get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=APP))
    )
    assert everything["NEW_API_KEY"].value == "new-value-1"
    assert len(everything) == 9


def test_create_several_in_a_new_path(sdk: SdkFactory) -> None:
    """Several pairs in one request land in a new folder; odd values survive the trip."""
    phase = sdk("sa-token")
    pairs = [
        {"SVC_TOKEN": "tok-123"},
        {"SVC_CERT": "line one\nline two\n"},
        {"SVC_GREETING": "grüß dich ✓ 你好"},
        {"SVC_BLANK": ""},
    ]
    result = create(phase, pairs, secret_path="/services/api")
    assert result == "Success"
    created = phase.get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, secret_path="/services/api")
    )
    assert {s.key: s.value for s in created} == {
        "SVC_TOKEN": "tok-123",
        "SVC_CERT": "line one\nline two\n",
        "SVC_GREETING": "grüß dich ✓ 你好",
        "SVC_BLANK": "",
    }
    assert {s.path for s in created} == {"/services/api"}
    assert read(phase, "SVC_TOKEN") is None  # not at the root


def test_create_duplicate_is_rejected(sdk: SdkFactory) -> None:
    """Creating an existing (path, key) is a 409 "Duplicate secret found", raised by the SDK."""
    phase = sdk("sa-token")
    with pytest.raises(Exception, match="409: Duplicate secret found"):
        create(phase, [{"DB_HOST": "again"}])
    secret = found(phase, "DB_HOST")
    assert secret.value == "db.dev.internal"


def test_same_key_in_another_path_is_not_a_duplicate(sdk: SdkFactory) -> None:
    """Uniqueness is per (path, key): DB_HOST may also exist under /db."""
    phase = sdk("sa-token")
    result = create(phase, [{"DB_HOST": "db-in-folder"}], secret_path="/db")
    assert result == "Success"
    assert found(phase, "DB_HOST", path="/db").value == "db-in-folder"
    assert found(phase, "DB_HOST").value == "db.dev.internal"


def test_update_value_then_read_back(sdk: SdkFactory) -> None:
    """update_secret changes the value; every later read sees the new one."""
    phase = sdk("sa-token")
    result = update(phase, "DB_HOST", value="db2.dev.internal")
    assert result == "Success"
    secret = found(phase, "DB_HOST")
    assert secret.value == "db2.dev.internal"
    url = found(phase, "DATABASE_URL")
    assert url.value == "postgres://app_user:dev-Pa55w0rd!@db2.dev.internal:5432/app"


def test_update_keeps_comment_and_tags(sdk: SdkFactory) -> None:
    """The SDK echoes existing tags and comment ciphertext; the server keeps both."""
    phase = sdk("sa-token")
    assert (
        update(phase, "DB_PASSWORD", value="rotated!", secret_path="/db") == "Success"
    )
    secret = found(phase, "DB_PASSWORD", path="/db")
    assert (secret.value, secret.comment, secret.tags) == (
        "rotated!",
        "rotated monthly",
        ["database"],
    )
    tagged = phase.get_all_secrets(
        GetAllSecretsOptions(
            env_name=DEV, app_name=APP, tag="database", secret_path="/db"
        )
    )
    assert [s.key for s in tagged] == ["DB_PASSWORD"]


def test_update_without_value_blanks_it(sdk: SdkFactory) -> None:
    """Python SDK semantics (PROTOCOL §5.3): an update without a value stores ""."""
    phase = sdk("sa-token")
    result = update(phase, "DB_PORT")
    assert result == "Success"
    secret = found(phase, "DB_PORT")
    assert secret.value == ""


def test_update_missing_key_reports_not_found(sdk: SdkFactory) -> None:
    """Updating a key that does not exist sends nothing and says so."""
    phase = sdk("sa-token")
    result = update(phase, "NO_SUCH_KEY", value="x")
    assert result == "Key 'NO_SUCH_KEY' doesn't exist in path '/'."


def test_update_moves_secret_to_another_path(sdk: SdkFactory) -> None:
    """destination_path moves the secret: gone from "/", present in the new folder."""
    phase = sdk("sa-token")
    result = update(
        phase, "STRIPE_SECRET_KEY", value="sk_test_moved", destination_path="/billing"
    )
    assert result == "Success"
    assert read(phase, "STRIPE_SECRET_KEY") is None
    moved = found(phase, "STRIPE_SECRET_KEY", path="/billing")
    assert (moved.value, moved.path, moved.tags) == (
        "sk_test_moved",
        "/billing",
        ["payments"],
    )


def test_delete_then_gone(sdk: SdkFactory) -> None:
    """delete_secret removes the key: it reports nothing missing and reads find nothing."""
    phase = sdk("sa-token")
    not_found = phase.delete_secret(
        DeleteSecretOptions(env_name=DEV, app_name=APP, key_to_delete="EMPTY_VALUE")
    )
    assert not_found == []
    assert read(phase, "EMPTY_VALUE") is None
    keys = [
        s.key
        for s in phase.get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=APP))
    ]
    assert "EMPTY_VALUE" not in keys
    assert len(keys) == 7


def test_delete_missing_key_reports_not_found(sdk: SdkFactory) -> None:
    """Deleting a key that does not exist returns it in the not-found list."""
    phase = sdk("sa-token")
    not_found = phase.delete_secret(
        DeleteSecretOptions(env_name=DEV, app_name=APP, key_to_delete="NO_SUCH_KEY")
    )
    assert not_found == ["NO_SUCH_KEY"]
    assert (
        len(phase.get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=APP)))
        == 8
    )


def test_delete_in_a_path(sdk: SdkFactory) -> None:
    """Deleting in /db removes only that folder's key."""
    phase = sdk("sa-token")
    not_found = phase.delete_secret(
        DeleteSecretOptions(
            env_name=DEV, app_name=APP, key_to_delete="DB_USER", secret_path="/db"
        )
    )
    assert not_found == []
    remaining = phase.get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=APP, secret_path="/db")
    )
    assert [s.key for s in remaining] == ["DB_PASSWORD"]


def test_delete_then_recreate(sdk: SdkFactory) -> None:
    """A deleted key no longer counts as a duplicate: it can be created again."""
    phase = sdk("sa-token")
    assert (
        phase.delete_secret(
            DeleteSecretOptions(env_name=DEV, app_name=APP, key_to_delete="DB_HOST")
        )
        == []
    )
    result = create(phase, [{"DB_HOST": "reborn"}])
    assert result == "Success"
    secret = found(phase, "DB_HOST")
    assert (secret.value, secret.comment) == ("reborn", None)
