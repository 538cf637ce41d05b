"""Dynamic secrets: get(dynamic=, lease=, lease_ttl=) and lease_generate/renew/revoke."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest

from phasekit import Client, InvalidInputError, NotFoundError, Secret
from pkhelpers import APP, DEV, E2EE_APP

if TYPE_CHECKING:
    from conftest import PhasekitServer

CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
GROUP = "aws-creds (aws)"
GENERATED = re.compile(r"^[0-9a-f]{40}$")


def dynamic(secrets: list[Secret]) -> list[Secret]:
    """The dynamic entries of a get() result."""
    return [s for s in secrets if s.is_dynamic]


def seconds_until(timestamp: str) -> float:
    """Seconds from now until an RFC 3339 UTC timestamp such as 2026-01-01T00:00:00.5Z."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return (moment - datetime.now(timezone.utc)).total_seconds()


def test_dynamic_secrets_are_left_out_by_default(client: Client) -> None:
    """A plain get() returns no dynamic entries."""
    assert dynamic(client.get(APP, DEV)) == []


def test_dynamic_lists_credential_names_without_values(client: Client) -> None:
    """dynamic=True adds one entry per credential name, empty, with no lease."""
    secrets = client.get(APP, DEV, dynamic=True)
    entries = dynamic(secrets)
    assert [s.key for s in entries] == CREDENTIALS
    assert [s.key for s in secrets[-2:]] == CREDENTIALS, "dynamic entries come last"
    for entry in entries:
        assert (entry.value, entry.type, entry.lifecycle) == ("", "dynamic", "dynamic")
        assert (entry.dynamic_group, entry.lease_id, entry.lease_expires_at) == (
            GROUP,
            None,
            None,
        )
        assert (entry.app, entry.env, entry.path) == (APP, DEV, "/")
    assert entries[0].id == entries[1].id, "both credentials belong to one secret"
    static = [s for s in secrets if not s.is_dynamic]
    assert len(static) == 12


def test_lease_generates_credentials_with_the_default_ttl(client: Client) -> None:
    """lease=True returns generated credentials under one lease expiring in ~600 s."""
    entries = dynamic(client.get(APP, DEV, lease=True))
    assert [s.key for s in entries] == CREDENTIALS
    assert all(GENERATED.match(s.value) for s in entries)
    assert entries[0].value != entries[1].value
    lease_ids = {s.lease_id for s in entries}
    assert len(lease_ids) == 1 and None not in lease_ids
    expires = entries[0].lease_expires_at
    assert expires is not None and 540 < seconds_until(expires) <= 601


def test_lease_ttl_and_fresh_credentials_per_lease(client: Client) -> None:
    """lease_ttl=60 shortens the lease; each lease has its own credentials and id."""
    first = dynamic(client.get(APP, DEV, dynamic=True, lease=True, lease_ttl=60))
    second = dynamic(client.get(APP, DEV, lease=True, lease_ttl=60))
    assert first[0].lease_expires_at is not None
    assert 0 < seconds_until(first[0].lease_expires_at) <= 61
    assert first[0].lease_id != second[0].lease_id
    assert first[0].value != second[0].value


def test_lease_generate_renew_revoke(client: Client) -> None:
    """lease_generate → credentials; lease_renew → new expiry; lease_revoke → revoked,
    idempotently; a revoked lease cannot be renewed."""
    secret_id = dynamic(client.get(APP, DEV, dynamic=True))[0].id
    leased = client.lease_generate(secret_id, APP, DEV, ttl=120)
    assert [s.key for s in leased] == CREDENTIALS
    assert all(GENERATED.match(s.value) for s in leased)
    assert all(s.is_dynamic and s.dynamic_group == GROUP for s in leased)
    lease_id = leased[0].lease_id
    assert lease_id is not None and leased[1].lease_id == lease_id
    assert leased[0].lease_expires_at is not None
    assert 0 < seconds_until(leased[0].lease_expires_at) <= 121

    renewed = client.lease_renew(lease_id, 3600, APP, DEV)
    assert renewed.startswith("Lease renewed successfully. Updated expiry: ")
    new_expiry = renewed.rsplit(" ", 1)[1]
    assert 3500 < seconds_until(new_expiry) <= 3601

    assert client.lease_revoke(lease_id, APP, DEV) == "Lease revoked successfully"
    assert client.lease_revoke(lease_id, APP) == "Lease was already revoked"
    with pytest.raises(InvalidInputError) as caught:
        client.lease_renew(lease_id, 60, APP)
    assert caught.value.status == 400
    assert "revoked" in caught.value.message


def test_lease_by_app_id_with_default_ttl(
    server: PhasekitServer, client: Client
) -> None:
    """lease_generate without ttl uses the secret's default (600 s); app_id= works."""
    app_id = server.app_id(APP)
    secret_id = dynamic(client.get(app_id=app_id, dynamic=True))[0].id
    leased = client.lease_generate(secret_id, app_id=app_id)
    assert leased[0].lease_expires_at is not None
    assert 540 < seconds_until(leased[0].lease_expires_at) <= 601
    assert leased[0].lease_id is not None
    assert client.lease_revoke(leased[0].lease_id, app_id=app_id) == (
        "Lease revoked successfully"
    )


def test_lease_errors(client: Client) -> None:
    """Unknown secret or lease: NotFoundError; a TTL above the maximum or an end-to-end
    app (no server-side encryption): InvalidInputError."""
    with pytest.raises(NotFoundError) as missing_secret:
        client.lease_generate("00000000-0000-0000-0000-000000000000", APP)
    assert missing_secret.value.status == 404
    with pytest.raises(NotFoundError) as missing_lease:
        client.lease_renew("no-such-lease", 60, APP)
    assert missing_lease.value.status == 404
    with pytest.raises(NotFoundError):
        client.lease_revoke("no-such-lease", APP)
    secret_id = dynamic(client.get(APP, DEV, dynamic=True))[0].id
    lease_id = client.lease_generate(secret_id, APP)[0].lease_id
    assert lease_id is not None
    with pytest.raises(InvalidInputError) as too_long:
        client.lease_renew(lease_id, 7201, APP)
    assert "7200" in too_long.value.message
    with pytest.raises(InvalidInputError) as e2ee:
        client.lease_generate(secret_id, E2EE_APP)
    assert "SSE is not enabled" in e2ee.value.message
