"""Client writes: create, update and delete, with comments, tags, paths, types, overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from phasekit import (
    AmbiguousError,
    Client,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    Secret,
)
from pkhelpers import APP, DEV, E2EE_APP, PROD, STAGING, by_key, values

if TYPE_CHECKING:
    from conftest import PhasekitServer


def one(client: Client, key: str, path: str = "/", env: str = DEV) -> Secret:
    """The secret `key` at `path`, read raw (exactly as stored)."""
    found = client.get(APP, env, path=path, keys=[key], raw=True)
    assert len(found) == 1, f"{key} at {path}: {found}"
    return found[0]


def test_create_with_comment_tags_path_and_type(client: Client) -> None:
    """Every field of a created secret reads back as given; defaults fill the rest."""
    client.create(
        [
            {
                "key": "NEW_API_KEY",
                "value": "created-value-1",
                "comment": "made by a test",
                "tags": ["payments", "beta"],
                "path": "/svc",
                "type": "config",
            },
            {"key": "PLAIN_KEY", "value": "plain-value-2"},
            {"key": "lower_case_Key", "value": "kept as written", "comment": None},
        ],
        APP,
        DEV,
    )
    created = one(client, "NEW_API_KEY", "/svc")
    assert (created.value, created.comment, created.tags) == (
        "created-value-1",
        "made by a test",
        ["payments", "beta"],
    )
    assert (created.path, created.type, created.version) == ("/svc", "config", 1)
    plain = one(client, "PLAIN_KEY")
    assert (plain.value, plain.comment, plain.tags, plain.type) == (
        "plain-value-2",
        "",
        [],
        "secret",
    )
    assert one(client, "lower_case_Key").value == "kept as written"
    assert client.get_secret("NEW_API_KEY", APP, path="/svc").value == (
        "created-value-1"
    )


def test_create_in_another_environment_and_by_app_id(
    server: PhasekitServer, client: Client
) -> None:
    """env= and app_id= address the environment written to; others are untouched."""
    client.create(
        [{"key": "ONLY_IN_STAGING", "value": "s"}],
        app_id=server.app_id(APP),
        env=STAGING,
    )
    assert client.get_secret("ONLY_IN_STAGING", APP, STAGING).value == "s"
    assert client.get(APP, DEV, keys=["ONLY_IN_STAGING"]) == []
    assert client.get(APP, PROD, keys=["ONLY_IN_STAGING"]) == []


def test_create_sealed_secret_keeps_its_value_on_update(client: Client) -> None:
    """A sealed secret is created with its value; the server ignores later value changes
    (as Phase does) and refuses a type change."""
    client.create([{"key": "SEALED", "value": "sealed-v1", "type": "sealed"}], APP)
    assert (one(client, "SEALED").value, one(client, "SEALED").type) == (
        "sealed-v1",
        "sealed",
    )
    client.update("SEALED", APP, value="sealed-v2")
    assert one(client, "SEALED").value == "sealed-v1"
    with pytest.raises(InvalidInputError) as caught:
        client.update("SEALED", APP, type="secret")
    assert caught.value.status == 400


def test_create_nothing_sends_nothing(server: PhasekitServer, client: Client) -> None:
    """create([]) returns None without a single request."""
    untyped: Any = client  # the stub says None; check the runtime agrees
    assert untyped.create([], APP) is None
    assert server.requests() == {}


def test_create_personal_override_with_a_personal_access_token(
    client: Client, pat_client: Client
) -> None:
    """ "override" (pss_user only) is alice's active value; others see the shared one."""
    pat_client.create(
        [{"key": "WITH_OVERRIDE", "value": "shared-value", "override": "alice-value"}],
        APP,
    )
    mine = one(pat_client, "WITH_OVERRIDE")
    assert (mine.value, mine.overridden) == ("alice-value", True)
    theirs = one(client, "WITH_OVERRIDE")
    assert (theirs.value, theirs.overridden) == ("shared-value", False)


def test_create_override_needs_a_personal_token(
    server: PhasekitServer, client: Client
) -> None:
    """A service account asking for an override gets InvalidInputError; nothing is sent."""
    with pytest.raises(InvalidInputError) as caught:
        client.create([{"key": "NOPE", "value": "v", "override": "o"}], APP)
    assert "personal access token" in caught.value.message
    assert server.requests() == {}
    assert client.get(APP, DEV, keys=["NOPE"]) == []


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ({"key": "K", "value": "v", "colour": "red"}, "unknown field"),
        ({"key": "K"}, "needs a value"),
        ({"value": "v"}, "needs a key"),
        ({"key": "K", "value": 5}, "value must be a string"),
        ({"key": "K", "value": "v", "tags": "one"}, "tags must be a list"),
        ("K=v", "is a dict"),
        ({"key": "K", "value": "v", "type": "bogus"}, "unknown secret type"),
        ({"key": "  ", "value": "v"}, "must not be empty"),
    ],
)
def test_create_rejects_malformed_secrets_without_writing(
    server: PhasekitServer, client: Client, item: Any, fragment: str
) -> None:
    """Malformed input is an InvalidInputError naming the problem; no POST is sent."""
    with pytest.raises(InvalidInputError) as caught:
        client.create([item], APP)
    assert fragment in caught.value.message
    assert "POST /secrets/" not in server.requests()


def test_update_value_keeps_comment_and_tags(client: Client) -> None:
    """update(value=...) changes the value only (also to ""), bumping the version and
    updated_at while created_at stays."""
    before = one(client, "DB_PASSWORD", "/db")
    client.update("DB_PASSWORD", APP, path="/db", value="new-Pa55")
    updated = one(client, "DB_PASSWORD", "/db")
    assert before.created_at is not None and before.updated_at is not None
    assert updated.created_at == before.created_at
    # ISO 8601 UTC as the server writes it: later times sort later as text.
    assert updated.updated_at is not None and updated.updated_at > before.updated_at
    assert (updated.value, updated.comment, updated.tags, updated.version) == (
        "new-Pa55",
        "rotated monthly",
        ["database"],
        2,
    )
    client.update("DB_PASSWORD", APP, path="/db", value="")
    emptied = one(client, "DB_PASSWORD", "/db")
    assert (emptied.value, emptied.comment, emptied.tags, emptied.version) == (
        "",
        "rotated monthly",
        ["database"],
        3,
    )
    # A key that exists in one folder only needs no path.
    client.update("DB_HOST", APP, value="db2.dev.internal")
    assert one(client, "DB_HOST").value == "db2.dev.internal"
    assert one(client, "DB_HOST").comment == "primary database host"


def test_update_comment_and_tags(client: Client) -> None:
    """comment= replaces ("" clears it), tags= replaces the set ([] clears it)."""
    client.update("DB_PASSWORD", APP, path="/db", comment="rotated weekly")
    assert one(client, "DB_PASSWORD", "/db").comment == "rotated weekly"
    assert one(client, "DB_PASSWORD", "/db").value == "dev-Pa55w0rd!"
    client.update("DB_PASSWORD", APP, path="/db", tags=["database", "critical"])
    assert one(client, "DB_PASSWORD", "/db").tags == ["database", "critical"]
    assert one(client, "DB_PASSWORD", "/db").comment == "rotated weekly"
    client.update("DB_PASSWORD", APP, path="/db", tags=[], comment="")
    cleared = one(client, "DB_PASSWORD", "/db")
    assert (cleared.tags, cleared.comment, cleared.value) == ([], "", "dev-Pa55w0rd!")


def test_update_new_path_moves_the_secret(client: Client) -> None:
    """new_path= moves a secret to another folder, keeping its value and comment."""
    client.update("DB_HOST", APP, new_path="/moved")
    moved = one(client, "DB_HOST", "/moved")
    assert (moved.value, moved.comment) == ("db.dev.internal", "primary database host")
    assert client.get(APP, DEV, path="/", keys=["DB_HOST"]) == []
    with pytest.raises(NotFoundError):
        client.get_secret("DB_HOST", APP)


def test_update_type(client: Client) -> None:
    """type= changes secret to config and back."""
    client.update("DB_PORT", APP, type="config")
    assert one(client, "DB_PORT").type == "config"
    client.update("DB_PORT", APP, type="secret")
    assert one(client, "DB_PORT").type == "secret"


def test_update_override_value_and_toggle_override(
    client: Client, pat_client: Client
) -> None:
    """override_value= sets alice's override; toggle_override flips it off and on;
    the shared value never changes."""

    def alices_port() -> tuple[str, bool]:
        port = one(pat_client, "DB_PORT")
        return port.value, port.overridden

    assert alices_port() == ("15432", True)
    pat_client.update("DB_PORT", APP, toggle_override=True)
    assert alices_port() == ("5432", False)
    pat_client.update("DB_PORT", APP, toggle_override=True)
    assert alices_port() == ("15432", True)
    pat_client.update("DB_PORT", APP, override_value="25432")
    assert alices_port() == ("25432", True)
    pat_client.update("DB_HOST", APP, override_value="alice.local")
    assert one(pat_client, "DB_HOST").value == "alice.local"
    assert values(client.get(APP, DEV, path="/", keys=["DB_PORT", "DB_HOST"])) == {
        "DB_HOST": "db.dev.internal",
        "DB_PORT": "5432",
    }


def test_toggle_override_without_one_is_invalid(pat_client: Client) -> None:
    """Toggling an override that does not exist is an InvalidInputError."""
    with pytest.raises(InvalidInputError) as caught:
        pat_client.update("STRIPE_SECRET_KEY", APP, toggle_override=True)
    assert "no personal override" in caught.value.message
    assert one(pat_client, "STRIPE_SECRET_KEY").value == "sk_test_51Interop"


def test_override_updates_need_a_personal_token(
    server: PhasekitServer, client: Client
) -> None:
    """override_value/toggle_override with a service token: InvalidInputError, no request."""
    with pytest.raises(InvalidInputError):
        client.update("DB_PORT", APP, override_value="x")
    with pytest.raises(InvalidInputError):
        client.update("DB_PORT", APP, toggle_override=True)
    assert server.requests() == {}


def test_update_of_a_key_in_two_folders_needs_a_path(client: Client) -> None:
    """FEATURE_FLAG lives in /one and /two: without path it is ambiguous; with one it works."""
    with pytest.raises(AmbiguousError) as caught:
        client.update("FEATURE_FLAG", APP, value="x")
    assert "/one" in caught.value.message and "/two" in caught.value.message
    client.update("FEATURE_FLAG", APP, path="/two", value="flag-two-changed")
    assert one(client, "FEATURE_FLAG", "/two").value == "flag-two-changed"
    assert one(client, "FEATURE_FLAG", "/one").value == "flag-one-value"


def test_update_of_a_missing_secret_is_not_found(client: Client) -> None:
    """Updating an unknown key, or a key at the wrong path, is a NotFoundError."""
    with pytest.raises(NotFoundError) as caught:
        client.update("NO_SUCH_KEY", APP, value="x")
    assert caught.value.code == "secret_not_found"
    with pytest.raises(NotFoundError):
        client.update("DB_HOST", APP, path="/db", value="x")


def test_delete_returns_the_keys_not_found(client: Client) -> None:
    """delete() removes what exists and returns, in order, the keys it did not find."""
    missing = client.delete(
        ["DB_HOST", "NOT_THERE", "STRIPE_SECRET_KEY", "ALSO_NOT"], APP
    )
    assert missing == ["NOT_THERE", "ALSO_NOT"]
    remaining = by_key(client.get(APP, DEV, path="/", raw=True))
    assert "DB_HOST" not in remaining and "STRIPE_SECRET_KEY" not in remaining
    assert "DB_PORT" in remaining
    assert client.delete(["DB_HOST"], APP) == ["DB_HOST"]


def test_delete_with_a_path(client: Client) -> None:
    """path= picks the folder; a key in two folders without a path is ambiguous."""
    with pytest.raises(AmbiguousError):
        client.delete(["FEATURE_FLAG"], APP)
    assert client.delete(["FEATURE_FLAG"], APP, path="/one") == []
    assert [s.path for s in client.get(APP, DEV, keys=["FEATURE_FLAG"])] == ["/two"]
    assert client.delete(["DB_USER"], APP, path="/") == ["DB_USER"]
    assert client.delete(["DB_USER"], APP, DEV, path="/db") == []
    assert client.get(APP, DEV, path="/db", raw=True)[0].key == "DB_PASSWORD"


def test_delete_nothing_sends_nothing(server: PhasekitServer, client: Client) -> None:
    """delete([]) returns [] without a request."""
    assert client.delete([], APP) == []
    assert server.requests() == {}


def test_duplicate_create_is_a_conflict(client: Client) -> None:
    """Creating an existing key at the same path is a ConflictError (409); another path
    is fine."""
    with pytest.raises(ConflictError) as caught:
        client.create([{"key": "DB_HOST", "value": "again"}], APP)
    assert (caught.value.code, caught.value.status) == ("conflict", 409)
    assert one(client, "DB_HOST").value == "db.dev.internal"
    client.create([{"key": "DB_HOST", "value": "elsewhere", "path": "/other"}], APP)
    assert one(client, "DB_HOST", "/other").value == "elsewhere"


def test_end_to_end_app_round_trip(client: Client) -> None:
    """On an app whose server holds only ciphertext, create/update/delete all work."""
    client.create(
        [{"key": "E2EE_NEW", "value": "e2ee-secret", "comment": "c"}], E2EE_APP
    )
    assert client.get_secret("E2EE_NEW", E2EE_APP).value == "e2ee-secret"
    client.update("E2EE_NEW", E2EE_APP, value="e2ee-changed")
    changed = client.get_secret("E2EE_NEW", E2EE_APP)
    assert (changed.value, changed.comment) == ("e2ee-changed", "c")
    assert client.delete(["E2EE_NEW", "DSN"], E2EE_APP) == []
    assert client.get(E2EE_APP, DEV) == []
