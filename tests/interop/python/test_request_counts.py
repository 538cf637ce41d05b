"""HTTP round trips per SDK call, counted by the server (PROTOCOL §6.2).

phase-dev 2.1.2 fetches /secrets/tokens/ once for the user data and once more inside every
decrypt() of a wrapped seed or salt; each reference it cannot serve from the current result
is a full single-key get of its own (4 requests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from phase import (
    DeleteSecretOptions,
    GetAllSecretsOptions,
    GetSecretOptions,
)

from support import (
    APP,
    DEV,
    E2EE_APP,
    PROD,
    SECRETS,
    TOKENS,
    SdkFactory,
    create,
    update,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer


def test_get_all_secrets_costs_three_requests(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """One get_all_secrets without references: /tokens/ twice + /secrets/ once = 3."""
    phase = sdk("sa-token")
    secrets = phase.get_all_secrets(GetAllSecretsOptions(env_name=PROD, app_name=APP))
    assert len(secrets) == 2
    assert server.requests() == {"total": 3, "by_endpoint": {TOKENS: 2, SECRETS: 1}}
    server.reset_requests()
    phase.get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=E2EE_APP))
    assert server.requests() == {"total": 3, "by_endpoint": {TOKENS: 2, SECRETS: 1}}


def test_get_secret_costs_four_requests(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """A single-key get also decrypts the salt for the digest: one more /tokens/ = 4."""
    secret = sdk("sa-token").get_secret(
        GetSecretOptions(env_name=PROD, app_name=APP, key_to_find="DB_PORT")
    )
    assert secret is not None and secret.value == "6432"
    assert server.requests() == {"total": 4, "by_endpoint": {TOKENS: 3, SECRETS: 1}}


def test_references_cost_four_requests_each(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """Development's root has 3 references outside the fetched root folder (2 in /db, 1 in
    Staging): 3 + 3 x 4 = 15 requests."""
    sdk("sa-token").get_all_secrets(GetAllSecretsOptions(env_name=DEV, app_name=APP))
    assert server.requests() == {"total": 15, "by_endpoint": {TOKENS: 11, SECRETS: 4}}


def test_write_request_counts(server: PhasekitServer, sdk: SdkFactory) -> None:
    """create = 3 (tokens, salt, POST); update = 5 (tokens, list, seed, salt, PUT);
    delete = 4 (tokens, seed, list, DELETE)."""
    phase = sdk("sa-token")
    create(phase, [{"COUNTED": "1"}])
    assert server.requests() == {
        "total": 3,
        "by_endpoint": {TOKENS: 2, "POST /secrets/": 1},
    }
    server.reset_requests()
    update(phase, "COUNTED", value="2")
    assert server.requests() == {
        "total": 5,
        "by_endpoint": {TOKENS: 3, SECRETS: 1, "PUT /secrets/": 1},
    }
    server.reset_requests()
    phase.delete_secret(
        DeleteSecretOptions(env_name=DEV, app_name=APP, key_to_delete="COUNTED")
    )
    assert server.requests() == {
        "total": 4,
        "by_endpoint": {TOKENS: 2, SECRETS: 1, "DELETE /secrets/": 1},
    }
