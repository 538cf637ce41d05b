"""Cloud identity login: `login_aws_iam` (the core signs with the given keys, the local server
checks the signature as STS would) and `login_azure` (an Entra ID access token, minted here as
an HS256 JWT with the seeded tenant key, or workload identity through the server's stand-in
token endpoint) return clients that read secrets. Refusals are AuthenticationErrors, bad
arguments InvalidInputErrors; no message or repr shows a key, a JWT or the minted token.

Each test replaces the server's world with IDENTITY_SEED (the next test's fixture puts the
usual seed back).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import phasekit
from phasekit import (
    AsyncClient,
    AuthenticationError,
    Client,
    InvalidInputError,
    PhaseError,
)
from pkhelpers import assert_leak_free, values

if TYPE_CHECKING:
    from conftest import PhasekitServer

TENANT = "3c1f7a52-8d4e-4b6a-9f21-5e0d7c9b8a10"
TENANT_KEY = "python-tenant-signing-key"
OID = "b7e2d9c4-1a3f-4e8b-a6d5-2c9f0e1b3a47"
CLIENT_ID = "e4a8c1f9-6b2d-4f7e-8a3c-9d5b1e7f2c60"
FEDERATED_KEY = "python-federated-issuer-key"
RESOURCE = "https://management.azure.com/"

WEB_KEY = "AKIAPYWEB00000000001"
WEB_SECRET = "python-web-secret/Key+1zzzzzzzzzzzzzzzzz"
TEMP_KEY = "ASIAPYTEMP0000000002"
TEMP_SECRET = "python-temp-secret/Key+2zzzzzzzzzzzzzzzz"
TEMP_SESSION = "FQoGZXIvYXdzEpython-session-token-2"
WRONG_SECRET = "not-the-right-secret/Key+9zzzzzzzzzzzzzz"

APP = "cloud-app"
DEV = "Development"
VALUE = "cloud-db.python.example"

IDENTITY_SEED: dict[str, Any] = {
    "organisation": "phasekit Python identities",
    "apps": [
        {
            "name": APP,
            "environments": [DEV],
            "secrets": {DEV: [{"key": "CLOUD_DB_HOST", "value": VALUE}]},
        }
    ],
    "service_accounts": [
        {
            "name": "deployer",
            "access": {APP: "*"},
            "server_side_key_management": True,
            "identities": [
                {
                    "provider": "aws_iam",
                    "trusted_principals": [
                        "arn:aws:sts::210987654321:assumed-role/python-*/*"
                    ],
                    "max_ttl": 7200,
                },
                {
                    "provider": "azure_entra",
                    "tenant_id": TENANT,
                    "resource": RESOURCE,
                    "allowed_service_principal_ids": [OID],
                    "max_ttl": 7200,
                },
            ],
        }
    ],
    "aws_credentials": [
        {
            "access_key_id": WEB_KEY,
            "secret_access_key": WEB_SECRET,
            "arn": "arn:aws:sts::210987654321:assumed-role/python-web/i-0py",
        },
        {
            "access_key_id": TEMP_KEY,
            "secret_access_key": TEMP_SECRET,
            "session_token": TEMP_SESSION,
            "arn": "arn:aws:sts::210987654321:assumed-role/python-worker/s-1",
        },
    ],
    "azure_tenants": [
        {
            "tenant_id": TENANT,
            "signing_key": TENANT_KEY,
            "workload_identities": [
                {
                    "client_id": CLIENT_ID,
                    "object_id": OID,
                    "federated_token_key": FEDERATED_KEY,
                }
            ],
        }
    ],
}
SECRETS = [WEB_SECRET, TEMP_SECRET, TEMP_SESSION, WRONG_SECRET, TENANT_KEY, VALUE]


@pytest.fixture
def account(server: PhasekitServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of the "deployer" service account in the identity world. The machine's AWS
    and Azure settings are cleared: every test says what it signs with."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_AUTHORITY_HOST",
        "PHASE_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    answer = server.admin("PUT", "/_admin/world", json.dumps(IDENTITY_SEED).encode())
    return str(
        next(a["id"] for a in answer["state"]["accounts"] if a["name"] == "deployer")
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hs256_jwt(key: str, claims: dict[str, Any]) -> str:
    """A JWT signed with HMAC-SHA256, as the server's stand-in for Entra ID verifies."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(key.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def entra_jwt(key: str = TENANT_KEY, **changes: Any) -> str:
    """An Entra ID (v1) access token of the test tenant for the identity's resource."""
    now = int(time.time())
    claims = {
        "aud": RESOURCE,
        "iss": f"https://sts.windows.net/{TENANT}/",
        "iat": now - 10,
        "nbf": now - 10,
        "exp": now + 600,
        "oid": OID,
        "sub": OID,
        "tid": TENANT,
        "ver": "1.0",
        **changes,
    }
    return hs256_jwt(key, claims)


def read(client: Client) -> dict[str, str]:
    return values(client.get(APP, DEV))


def login_aws_keys(
    server: PhasekitServer,
    account: str,
    access_key_id: str,
    secret_access_key: str,
    **settings: Any,
) -> Client:
    """login_aws_iam with explicit keys, signed for us-east-1 (the STS the server checks)."""
    return phasekit.login_aws_iam(
        account,
        host=server.url,
        region="us-east-1",
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        **settings,
    )


def test_aws_login_returns_a_client_that_reads_secrets(
    server: PhasekitServer, account: str
) -> None:
    """Static keys, and temporary keys with their session token: one login request each,
    a client of the login's host whose repr shows nothing else."""
    client = login_aws_keys(server, account, WEB_KEY, WEB_SECRET, ttl=900)
    assert isinstance(client, Client)
    assert read(client) == {"CLOUD_DB_HOST": VALUE}
    assert repr(client) == f'Client(host="{server.url}")'
    assert server.count("POST /public/identities/external/v1/aws/iam/auth/") == 1

    temporary = login_aws_keys(
        server, account, TEMP_KEY, TEMP_SECRET, session_token=TEMP_SESSION
    )
    assert read(temporary) == {"CLOUD_DB_HOST": VALUE}


def test_aws_login_reads_the_environment_and_takes_client_options(
    server: PhasekitServer, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys and region from AWS_* variables; the client options apply to the client."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", WEB_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", WEB_SECRET)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    client = phasekit.login_aws_iam(account, host=server.url, cache_ttl=60)
    assert client.get_result(APP, DEV).source == "network"
    assert client.get_result(APP, DEV).source == "memory"


def test_a_wrong_aws_key_is_an_authentication_error(
    server: PhasekitServer, account: str
) -> None:
    """A wrong secret key fails STS's signature check: AuthenticationError (401), and no
    key shows in the error; temporary keys without their session token fail the same way.
    """
    with pytest.raises(AuthenticationError) as caught:
        login_aws_keys(server, account, WEB_KEY, WRONG_SECRET)
    assert caught.value.code == "unauthorized"
    assert caught.value.status == 401
    assert "AWS STS validation failed" in caught.value.message
    assert_leak_free(caught.value, secret_values=SECRETS)

    with pytest.raises(AuthenticationError) as no_session:
        login_aws_keys(server, account, TEMP_KEY, TEMP_SECRET)
    assert_leak_free(no_session.value, secret_values=SECRETS)


def test_azure_login_with_a_jwt_returns_a_client(
    server: PhasekitServer, account: str
) -> None:
    """An Entra ID access token whose oid is allowed: a client that reads secrets."""
    jwt = entra_jwt()
    client = phasekit.login_azure(account, host=server.url, jwt=jwt, ttl=600)
    assert read(client) == {"CLOUD_DB_HOST": VALUE}
    assert server.count("POST /public/identities/external/v1/azure/entra/auth/") == 1
    assert jwt not in repr(client)


def test_azure_workload_identity_exchanges_the_federated_token(
    server: PhasekitServer, account: str, tmp_path: Path
) -> None:
    """No JWT given: the federated token file is traded at the (stand-in) Entra ID token
    endpoint for an access token, which logs in."""
    now = int(time.time())
    federated = hs256_jwt(
        FEDERATED_KEY,
        {
            "aud": "api://AzureADTokenExchange",
            "iss": "https://cluster.example/issuer",
            "sub": "system:serviceaccount:default:python",
            "iat": now,
            "exp": now + 600,
        },
    )
    token_file = tmp_path / "federated-token"
    token_file.write_text(federated)
    client = phasekit.login_azure(
        account,
        host=server.url,
        token_file=token_file,
        client_id=CLIENT_ID,
        tenant_id=TENANT,
        authority_host=f"{server.url}/_entra/",
    )
    assert read(client) == {"CLOUD_DB_HOST": VALUE}


@pytest.mark.parametrize(
    "jwt",
    [entra_jwt(key="another-tenant-key"), entra_jwt(oid=CLIENT_ID)],
    ids=["wrong-signature", "untrusted-oid"],
)
def test_a_refused_azure_jwt_is_an_authentication_error(
    server: PhasekitServer, account: str, jwt: str
) -> None:
    """A JWT signed with another key (401) or naming another principal (403): a refusal
    that never shows the JWT."""
    with pytest.raises(PhaseError) as caught:
        phasekit.login_azure(account, host=server.url, jwt=jwt)
    assert caught.value.status in (401, 403)
    assert caught.value.retryable is False
    if caught.value.status == 401:
        assert isinstance(caught.value, AuthenticationError)
    assert_leak_free(caught.value, secret_values=[*SECRETS, jwt, jwt.split(".")[2]])


def test_the_async_logins_return_async_clients(
    server: PhasekitServer, account: str
) -> None:
    """async_login_aws_iam and async_login_azure are awaitables of AsyncClients."""

    async def main() -> list[dict[str, str]]:
        aws = await phasekit.async_login_aws_iam(
            account,
            host=server.url,
            region="us-east-1",
            access_key_id=WEB_KEY,
            secret_access_key=WEB_SECRET,
        )
        azure = await phasekit.async_login_azure(
            account, host=server.url, jwt=entra_jwt()
        )
        assert isinstance(aws, AsyncClient) and isinstance(azure, AsyncClient)
        return [values(await c.get(APP, DEV)) for c in (aws, azure)]

    assert asyncio.run(main()) == [{"CLOUD_DB_HOST": VALUE}] * 2

    async def refused() -> None:
        await phasekit.async_login_azure(
            account, host=server.url, jwt=entra_jwt(key="another-tenant-key")
        )

    with pytest.raises(AuthenticationError) as caught:
        asyncio.run(refused())
    assert_leak_free(caught.value, secret_values=SECRETS)


@pytest.mark.parametrize(
    "arguments",
    [
        {"service_account_id": "not-a-uuid"},
        {"access_key_id": WEB_KEY},
        {"secret_access_key": WEB_SECRET},
        {"session_token": TEMP_SESSION},
        {"ttl": 0},
        {"ttl": 2**70},
        {"cache_stale_if_error": 5.0},
    ],
    ids=[
        "account-id",
        "key-id-alone",
        "secret-alone",
        "session-alone",
        "zero-ttl",
        "huge-ttl",
        "client-option",
    ],
)
def test_bad_arguments_are_invalid_input(
    server: PhasekitServer, account: str, arguments: dict[str, Any]
) -> None:
    """Refused before any login request, without showing a secret argument."""
    given = {
        "service_account_id": account,
        "host": server.url,
        "region": "us-east-1",
        **arguments,
    }
    with pytest.raises(InvalidInputError) as caught:
        phasekit.login_aws_iam(**given)
    assert_leak_free(caught.value, secret_values=SECRETS)
    assert server.count("POST /public/identities/external/v1/aws/iam/auth/") == 0


def test_a_ttl_over_the_identity_maximum_is_refused(
    server: PhasekitServer, account: str
) -> None:
    """The server refuses more than the identity's max_ttl (7200 s)."""
    with pytest.raises(PhaseError, match="TTL"):
        phasekit.login_azure(account, host=server.url, jwt=entra_jwt(), ttl=7201)
