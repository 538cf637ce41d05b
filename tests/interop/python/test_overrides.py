"""Personal overrides: shown to the user who owns them (a personal access token) only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phase import (
    GetAllSecretsOptions,
    GetSecretOptions,
    Phase,
    PhaseSecret,
    UpdateSecretOptions,
)
from phase.utils.phase_io import Phase as PhaseIO

from support import APP, DEV, SdkFactory, by_key, update

if TYPE_CHECKING:
    from conftest import PhasekitServer


def read(phase: Phase, key: str) -> PhaseSecret:
    """One root secret of interop-app/Development, which must exist."""
    secret = phase.get_secret(
        GetSecretOptions(env_name=DEV, app_name=APP, key_to_find=key)
    )
    assert secret is not None, key
    return secret


def create_with_override(
    server: PhasekitServer, token_name: str, key: str, value: str, override: str
) -> None:
    """Creates `key` through PhaseIO.create(override_value=...), the SDK's only way to send an
    override along with a new secret, as the seeded token `token_name`."""
    io = PhaseIO(init=False, pss=server.tokens[token_name], host=server.url)
    response = io.create(
        key_value_pairs=[(key, value)],
        env_name=DEV,
        app_name=APP,
        override_value=override,
    )
    assert response.status_code == 200


def test_override_seen_by_alice_only(sdk: SdkFactory) -> None:
    """DB_PORT reads 15432 (overridden) for alice's PAT and 5432 for the service account."""
    alice = read(sdk("alice-pat"), "DB_PORT")
    service = read(sdk("sa-token"), "DB_PORT")
    assert (alice.value, alice.overridden) == ("15432", True)
    assert service.value == "5432"
    assert not service.overridden


def test_override_flows_into_references_for_alice(sdk: SdkFactory) -> None:
    """alice's get_all_secrets resolves ${DB_PORT} from her overridden value."""
    alice = by_key(
        sdk("alice-pat").get_all_secrets(
            GetAllSecretsOptions(env_name=DEV, app_name=APP)
        )
    )
    service = by_key(
        sdk("sa-token").get_all_secrets(
            GetAllSecretsOptions(env_name=DEV, app_name=APP)
        )
    )
    assert alice["DATABASE_URL"].value.endswith("@db.dev.internal:15432/app")
    assert service["DATABASE_URL"].value.endswith("@db.dev.internal:5432/app")
    assert [k for k, s in alice.items() if s.overridden] == ["DB_PORT"]


def test_legacy_and_readonly_tokens_see_no_override(sdk: SdkFactory) -> None:
    """Overrides are never returned to non-user tokens."""
    for name in ("legacy-token", "reader-token"):
        secret = read(sdk(name), "DB_PORT")
        assert (secret.value, bool(secret.overridden)) == ("5432", False), name


def test_toggle_override_off_and_on(sdk: SdkFactory) -> None:
    """toggle_override flips is_active: alice sees 5432, then 15432 again."""
    alice = sdk("alice-pat")
    toggle = UpdateSecretOptions(
        env_name=DEV, app_name=APP, key="DB_PORT", toggle_override=True
    )
    assert alice.update_secret(toggle) == "Success"
    off = read(alice, "DB_PORT")
    assert (off.value, bool(off.overridden)) == ("5432", False)
    assert alice.update_secret(toggle) == "Success"
    on = read(alice, "DB_PORT")
    assert (on.value, on.overridden) == ("15432", True)
    assert read(sdk("sa-token"), "DB_PORT").value == "5432"


def test_alice_creates_override_with_update(sdk: SdkFactory) -> None:
    """update_secret(override=True) adds an override for alice; the shared value stays."""
    alice = sdk("alice-pat")
    result = update(alice, "DB_HOST", value="localhost", override=True)
    assert result == "Success"
    mine = read(alice, "DB_HOST")
    assert (mine.value, mine.overridden, mine.comment) == (
        "localhost",
        True,
        "primary database host",
    )
    assert read(sdk("sa-token"), "DB_HOST").value == "db.dev.internal"


def test_alice_changes_override_value(sdk: SdkFactory) -> None:
    """update_secret(override=True) on an existing override replaces its value."""
    alice = sdk("alice-pat")
    result = update(alice, "DB_PORT", value="25432", override=True)
    assert result == "Success"
    assert read(alice, "DB_PORT").value == "25432"
    assert read(sdk("sa-token"), "DB_PORT").value == "5432"


def test_alice_updates_shared_value_and_keeps_override(sdk: SdkFactory) -> None:
    """A plain update by alice changes the shared value; her override still wins for her."""
    alice = sdk("alice-pat")
    result = update(alice, "DB_PORT", value="5433")
    assert result == "Success"
    assert read(sdk("sa-token"), "DB_PORT").value == "5433"
    mine = read(alice, "DB_PORT")
    assert (mine.value, mine.overridden) == ("15432", True)


def test_alice_creates_secret_with_override(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """PhaseIO.create(override_value=...) stores a shared value plus alice's override."""
    create_with_override(server, "alice-pat", "FEATURE_FLAG", "off", override="on")
    mine = read(sdk("alice-pat"), "FEATURE_FLAG")
    assert (mine.value, mine.overridden) == ("on", True)
    shared = read(sdk("sa-token"), "FEATURE_FLAG")
    assert (shared.value, bool(shared.overridden)) == ("off", False)


def test_service_account_override_is_ignored(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """Override input from a service account is ignored: nobody gets an override."""
    service = sdk("sa-token")
    result = update(service, "DB_HOST", value="sa-local", override=True)
    assert result == "Success"
    assert read(service, "DB_HOST").value == "db.dev.internal"
    alice = read(sdk("alice-pat"), "DB_HOST")
    assert (alice.value, bool(alice.overridden)) == ("db.dev.internal", False)
    create_with_override(server, "sa-token", "SA_FLAG", "shared", override="mine")
    assert read(service, "SA_FLAG").value == "shared"
    assert read(sdk("alice-pat"), "SA_FLAG").value == "shared"
