"""phasekit and the official Phase Python SDK (phase-dev==2.1.2) read each other's writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from phase import (
    CreateSecretsOptions,
    DeleteSecretOptions,
    GetAllSecretsOptions,
    Phase,
    UpdateSecretOptions,
)
from phase.utils.phase_io import Phase as PhaseIO

from phasekit import Client, NotFoundError
from pkhelpers import APP, DEV, E2EE_APP, PROD, RESOLVED_DATABASE_URL, values

if TYPE_CHECKING:
    from conftest import PhasekitServer


@pytest.fixture
def official(server: PhasekitServer) -> Callable[[str], Phase]:
    """Builds an official-SDK client for one of the seeded tokens, by token name."""

    def build(token_name: str = "sa-token") -> Phase:
        return Phase(init=False, pss=server.tokens[token_name], host=server.url)

    return build


def official_read(sdk: Phase, app: str, env: str, path: str = "/") -> dict[str, Any]:
    """The official SDK's view of a folder: {key: PhaseSecret}."""
    options = GetAllSecretsOptions(env_name=env, app_name=app, secret_path=path)
    return {secret.key: secret for secret in sdk.get_all_secrets(options)}


def test_both_read_the_same_raw_secrets(server: PhasekitServer, client: Client) -> None:
    """Over all folders, phasekit (raw) and phase-dev return the same (path, key, value)."""
    io = PhaseIO(init=False, pss=server.tokens["sa-token"], host=server.url)
    theirs = {
        (s["path"], s["key"]): s["value"]
        for s in io.get(env_name=DEV, app_name=APP, path="")
    }
    ours = {(s.path, s.key): s.value for s in client.get(APP, DEV, raw=True)}
    assert ours == theirs
    assert len(ours) == 12


def test_both_resolve_references_alike(
    client: Client, official: Callable[[str], Phase]
) -> None:
    """Resolved root values agree, including cross-folder and cross-environment ones."""
    theirs = official_read(official("sa-token"), APP, DEV)
    ours = values(client.get(APP, DEV, path="/"))
    assert ours["DATABASE_URL"] == RESOLVED_DATABASE_URL
    assert {key: secret.value for key, secret in theirs.items()} == ours


def test_what_phasekit_writes_the_official_sdk_reads(
    client: Client, official: Callable[[str], Phase]
) -> None:
    """create (comment, tags, folder, multi-line, unicode), update (to "") and delete by
    phasekit, each checked through phase-dev."""
    client.create(
        [
            {
                "key": "FROM_PHASEKIT",
                "value": "v1 ✓\nline two",
                "comment": "written by phasekit",
                "tags": ["interop"],
                "path": "/svc",
            },
            {"key": "ROOT_FROM_PHASEKIT", "value": 'quote " and $dollar'},
        ],
        APP,
        DEV,
    )
    sdk = official("sa-token")
    svc = official_read(sdk, APP, DEV, "/svc")
    assert svc["FROM_PHASEKIT"].value == "v1 ✓\nline two"
    assert svc["FROM_PHASEKIT"].comment == "written by phasekit"
    assert svc["FROM_PHASEKIT"].path == "/svc"
    assert official_read(sdk, APP, DEV)["ROOT_FROM_PHASEKIT"].value == (
        'quote " and $dollar'
    )
    client.update("FROM_PHASEKIT", APP, DEV, value="")
    after_update = official_read(sdk, APP, DEV, "/svc")["FROM_PHASEKIT"]
    assert (after_update.value, after_update.comment) == ("", "written by phasekit")
    assert client.delete(["FROM_PHASEKIT", "NOT_THERE"], APP, path="/svc") == [
        "NOT_THERE"
    ]
    assert "FROM_PHASEKIT" not in official_read(sdk, APP, DEV, "/svc")


def test_what_the_official_sdk_writes_phasekit_reads(
    client: Client, official: Callable[[str], Phase]
) -> None:
    """create, update and delete by phase-dev, each checked through phasekit."""
    sdk = official("sa-token")
    sdk.create_secrets(
        CreateSecretsOptions(
            env_name=PROD,
            app_name=APP,
            key_value_pairs=[{"FROM_PHASE_DEV": "hello\nwörld"}],
            secret_path="/svc",
        )
    )
    created = client.get_secret("FROM_PHASE_DEV", APP, PROD, path="/svc")
    assert (created.value, created.path, created.env) == ("hello\nwörld", "/svc", PROD)
    sdk.update_secret(
        UpdateSecretOptions(
            env_name=PROD,
            app_name=APP,
            key="FROM_PHASE_DEV",
            value="changed",
            secret_path="/svc",
        )
    )
    assert client.get_secret("FROM_PHASE_DEV", APP, PROD, path="/svc").value == (
        "changed"
    )
    sdk.delete_secret(
        DeleteSecretOptions(
            env_name=PROD,
            app_name=APP,
            key_to_delete="FROM_PHASE_DEV",
            secret_path="/svc",
        )
    )
    with pytest.raises(NotFoundError):
        client.get_secret("FROM_PHASE_DEV", APP, PROD, path="/svc")


def test_end_to_end_app_round_trips_both_ways(
    client: Client, official: Callable[[str], Phase]
) -> None:
    """On an app whose server holds only ciphertext, each client reads the other's write."""
    client.create([{"key": "E2EE_FROM_PHASEKIT", "value": "pk-secret"}], E2EE_APP)
    sdk = official("sa-token")
    assert official_read(sdk, E2EE_APP, DEV)["E2EE_FROM_PHASEKIT"].value == "pk-secret"
    sdk.create_secrets(
        CreateSecretsOptions(
            env_name=DEV,
            app_name=E2EE_APP,
            key_value_pairs=[{"E2EE_FROM_PHASE_DEV": "dev-secret"}],
        )
    )
    assert values(client.get(E2EE_APP, DEV)) == {
        "DSN": "postgres://app:e2ee@db/app",
        "E2EE_FROM_PHASEKIT": "pk-secret",
        "E2EE_FROM_PHASE_DEV": "dev-secret",
    }


def test_personal_override_set_by_phasekit_is_seen_by_the_official_sdk(
    pat_client: Client, official: Callable[[str], Phase]
) -> None:
    """alice sets an override with phasekit; phase-dev with her token reads it, while a
    service account's phase-dev still reads the shared value."""
    pat_client.update("DB_HOST", APP, override_value="alice.local")
    mine = official_read(official("alice-pat"), APP, DEV)["DB_HOST"]
    assert (mine.value, mine.overridden) == ("alice.local", True)
    shared = official_read(official("sa-token"), APP, DEV)["DB_HOST"]
    assert shared.value == "db.dev.internal"
