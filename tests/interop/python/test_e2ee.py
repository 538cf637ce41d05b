"""The end-to-end-only app interop-e2ee: the SDK works, the server sees ciphertext only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from phase import (
    DeleteSecretOptions,
    GetAllSecretsOptions,
    GetSecretOptions,
)

from support import APP, DEV, E2EE_APP, SdkFactory, create, raw_request, update

if TYPE_CHECKING:
    from conftest import PhasekitServer

DSN = "postgres://app:e2ee@db/app"


def is_ph_v1(text: str) -> bool:
    """True for a `ph:v1:<64 hex>:<base64>` ciphertext."""
    parts = text.split(":")
    return (
        len(parts) == 4
        and parts[:2] == ["ph", "v1"]
        and len(parts[2]) == 64
        and all(c in "0123456789abcdef" for c in parts[2])
        and len(parts[3]) > 0
    )


def test_e2ee_app_reads_through_sdk(sdk: SdkFactory) -> None:
    """The SDK reads interop-e2ee/Development and decrypts DSN locally."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=E2EE_APP)
    )
    assert [(s.key, s.value, s.application) for s in secrets] == [
        ("DSN", DSN, E2EE_APP)
    ]


def test_e2ee_app_reads_for_alice(sdk: SdkFactory) -> None:
    """alice's personal access token reads the same plaintext."""
    secret = sdk("alice-pat").get_secret(
        GetSecretOptions(env_name=DEV, app_name=E2EE_APP, key_to_find="DSN")
    )
    assert secret is not None and secret.value == DSN


def test_e2ee_server_holds_only_ciphertext(server: PhasekitServer) -> None:
    """The raw /service/secrets/ answer carries ph:v1 ciphertexts and no plaintext."""
    status, body = raw_request(
        server.url,
        server.tokens["sa-token"],
        "/service/secrets/",
        {"Environment": server.env_id(E2EE_APP, DEV)},
    )
    assert status == 200
    assert len(body) == 1
    (secret,) = body
    assert is_ph_v1(secret["key"]) and is_ph_v1(secret["value"])
    assert secret["comment"] == ""
    assert len(secret["key_digest"]) == 64
    text = json.dumps(body, ensure_ascii=False)
    # The key name is too short to search for in base64 without false alarms.
    for plaintext in (DSN, "e2ee@db", "postgres://"):
        assert plaintext not in text


def test_e2ee_public_api_is_refused(server: PhasekitServer) -> None:
    """The plaintext REST API needs SSE: 400 for interop-e2ee, plaintext for interop-app."""
    token = server.tokens["sa-token"]
    status, body = raw_request(
        server.url,
        token,
        f"/service/public/v1/secrets/?app_id={server.app_id(E2EE_APP)}&env={DEV}",
    )
    assert (status, body) == (400, {"error": "SSE is not enabled for this App"})
    status, body = raw_request(
        server.url,
        token,
        f"/service/public/v1/secrets/?app_id={server.app_id(APP)}&env=development&key=DB_HOST",
    )
    assert status == 200
    assert [(s["key"], s["value"]) for s in body] == [("DB_HOST", "db.dev.internal")]


def test_e2ee_write_round_trip(server: PhasekitServer, sdk: SdkFactory) -> None:
    """Create, update and delete in the E2E app through the SDK, each read back."""
    phase = sdk("sa-token")
    created = create(phase, [{"E2EE_NEW": "first"}], app=E2EE_APP)
    assert created == "Success"
    updated = update(phase, "E2EE_NEW", app=E2EE_APP, value="second")
    assert updated == "Success"
    values = {
        s.key: s.value
        for s in phase.get_all_secrets(
            GetAllSecretsOptions(env_name=DEV, app_name=E2EE_APP)
        )
    }
    assert values == {"DSN": DSN, "E2EE_NEW": "second"}
    status, body = raw_request(
        server.url,
        server.tokens["sa-token"],
        "/service/secrets/",
        {"Environment": server.env_id(E2EE_APP, DEV)},
    )
    assert status == 200 and "second" not in json.dumps(body)
    assert (
        phase.delete_secret(
            DeleteSecretOptions(
                env_name=DEV, app_name=E2EE_APP, key_to_delete="E2EE_NEW"
            )
        )
        == []
    )
    remaining = phase.get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name=E2EE_APP)
    )
    assert [s.key for s in remaining] == ["DSN"]


def test_e2ee_production_is_empty(sdk: SdkFactory) -> None:
    """An environment without secrets yields an empty list, not an error."""
    secrets = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name="Production", app_name=E2EE_APP)
    )
    assert secrets == []
