"""Who can read and write what: token kinds, expiry, scopes and roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from phase import (
    DeleteSecretOptions,
    GetAllSecretsOptions,
    GetSecretOptions,
    Phase,
)
from phase.utils.exceptions import EnvironmentNotFoundException
from phase.utils.network import fetch_phase_secrets
from phase.utils.phase_io import Phase as PhaseIO

from support import (
    APP,
    DEV,
    E2EE_APP,
    PROD,
    RESOLVED_DATABASE_URL,
    STAGING,
    SdkFactory,
    by_key,
    create,
    update,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer

UNKNOWN_TOKEN = "pss_service:v2:" + ":".join(
    ["ab" * 32, "cd" * 32, "ef" * 32, "01" * 32]
)


def all_dev(phase: Phase, app: str = APP) -> dict[str, str]:
    """Root secrets of `app`/Development as {key: resolved value}."""
    return {
        s.key: s.value
        for s in phase.get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=app))
    }


def test_legacy_service_token_reads_development(sdk: SdkFactory) -> None:
    """A legacy pss_service:v1 token (bearer type Service) reads and resolves Development."""
    values = all_dev(sdk("legacy-token"))
    assert values["DB_HOST"] == "db.dev.internal"
    assert values["DATABASE_URL"] == RESOLVED_DATABASE_URL
    assert values["STAGING_DB_HOST"] == "db.staging.internal"


def test_legacy_service_token_reads_staging_not_production(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """Its scope is Development+Staging: Production is absent and refused by the server."""
    legacy = sdk("legacy-token")
    staging = legacy.get_all_secrets(
        GetAllSecretsOptions(env_name=STAGING, app_name=APP)
    )
    assert {s.key: s.value for s in staging}["DB_HOST"] == "db.staging.internal"
    with pytest.raises(EnvironmentNotFoundException):
        legacy.get_all_secrets(GetAllSecretsOptions(env_name=PROD, app_name=APP))
    app_token = server.tokens["legacy-token"].split(":")[2]
    with pytest.raises(
        Exception, match="401: Service token cannot access this environment"
    ):
        fetch_phase_secrets("Service", app_token, server.env_id(APP, PROD), server.url)


def test_expired_token_fails(sdk: SdkFactory) -> None:
    """An expired service-account token is refused (/tokens/ answers 403); the SDK raises."""
    with pytest.raises(ValueError, match="403.*Token expired or deleted"):
        all_dev(sdk("sa-expired"))


def test_unknown_token_fails(server: PhasekitServer) -> None:
    """A well-formed token the server never minted is refused like an expired one."""
    phase = Phase(init=False, pss=UNKNOWN_TOKEN, host=server.url)
    with pytest.raises(ValueError, match="403.*Token expired or deleted"):
        all_dev(phase)
    assert server.requests()["by_endpoint"] == {"GET /secrets/tokens/": 1}


def test_malformed_token_is_rejected_by_the_sdk(server: PhasekitServer) -> None:
    """A garbage string never reaches the server: the SDK's token regex rejects it."""
    with pytest.raises(ValueError, match="Invalid Phase user token"):
        Phase(init=False, pss="not-a-phase-token", host=server.url)
    with pytest.raises(ValueError, match="Invalid Phase service token"):
        Phase(init=False, pss="pss_service:v2:zz", host=server.url)
    assert server.requests()["total"] == 0


def test_revoked_token_fails(server: PhasekitServer, sdk: SdkFactory) -> None:
    """A token revoked after it worked is refused on the next call."""
    phase = sdk("sa-token")
    assert all_dev(phase)["DB_PORT"] == "5432"
    server.admin("DELETE", "/_admin/tokens", b'{"name": "sa-token"}')
    with pytest.raises(ValueError, match="403.*Token expired or deleted"):
        all_dev(phase)


def test_staging_token_cannot_read_development(sdk: SdkFactory) -> None:
    """staging-token holds no Development key, so the SDK finds no such environment."""
    with pytest.raises(EnvironmentNotFoundException):
        all_dev(sdk("staging-token"))


def test_staging_token_refused_by_server_for_development(
    server: PhasekitServer,
) -> None:
    """Asked directly for the Development env id, the server answers 401 for staging-token."""
    app_token = server.tokens["staging-token"].split(":")[2]
    with pytest.raises(
        Exception, match="401: Service account cannot access this environment"
    ):
        fetch_phase_secrets(
            "ServiceAccount", app_token, server.env_id(APP, DEV), server.url
        )


def test_staging_token_reads_staging(sdk: SdkFactory) -> None:
    """staging-token does read Staging."""
    secrets = sdk("staging-token").get_all_secrets(
        GetAllSecretsOptions(env_name=STAGING, app_name=APP)
    )
    assert {s.key: s.value for s in secrets} == {
        "DB_HOST": "db.staging.internal",
        "DB_PORT": "5432",
    }


def test_tokens_endpoint_lists_only_granted_environments(
    server: PhasekitServer,
) -> None:
    """/secrets/tokens/ (PhaseIO.init) lists each token's apps, environments and encryption."""

    def scope(token_name: str) -> dict[str, tuple[str, list[str]]]:
        data = PhaseIO(
            init=False, pss=server.tokens[token_name], host=server.url
        ).init()
        return {
            app["name"]: (
                app["encryption"],
                sorted(k["environment"]["name"] for k in app["environment_keys"]),
            )
            for app in data["apps"]
        }

    assert scope("sa-token") == {
        APP: ("SSE", [DEV, PROD, STAGING]),
        E2EE_APP: ("E2E", [DEV, PROD]),
    }
    assert scope("alice-pat") == scope("sa-token")
    assert scope("staging-token") == {APP: ("SSE", [STAGING])}
    assert scope("reader-token") == {APP: ("SSE", [DEV])}
    # Legacy service tokens always report E2E.
    assert scope("legacy-token") == {APP: ("E2E", [DEV, STAGING])}


def test_read_only_token_reads_but_cannot_write(sdk: SdkFactory) -> None:
    """reader-token reads Development; create/update/delete are refused with 403."""
    reader = sdk("reader-token")
    assert all_dev(reader)["DATABASE_URL"] == RESOLVED_DATABASE_URL
    created = create(reader, [{"X": "1"}])
    assert created == "Error: 403"
    updated = update(reader, "DB_HOST", value="x")
    assert updated == "Error: Failed to update secret. HTTP Status Code: 403"
    with pytest.raises(ValueError, match="Status code: 403"):
        reader.delete_secret(
            DeleteSecretOptions(env_name=DEV, app_name=APP, key_to_delete="DB_HOST")
        )
    after = by_key(
        reader.get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=APP))
    )
    assert "X" not in after
    assert after["DB_HOST"].value == "db.dev.internal"


def test_legacy_service_token_can_write(sdk: SdkFactory) -> None:
    """Legacy service tokens skip role checks: they create and update within their scope."""
    legacy = sdk("legacy-token")
    created = create(legacy, [{"LEGACY_KEY": "v1"}], env=STAGING)
    assert created == "Success"
    updated = update(legacy, "LEGACY_KEY", env=STAGING, value="v2")
    assert updated == "Success"
    secret = sdk("sa-token").get_secret(
        GetSecretOptions(env_name=STAGING, app_name=APP, key_to_find="LEGACY_KEY")
    )
    assert secret is not None and secret.value == "v2"
