"""Requests per call, counted by the server: a cold get costs 2, a warm one 1."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phasekit import Client
from pkhelpers import (
    APP,
    DEV,
    E2EE_APP,
    REFS_APP,
    RESOLVED_DATABASE_URL,
    SECRETS,
    TOKENS,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer


def test_cold_get_costs_two_requests_and_warm_get_one(
    server: PhasekitServer, client: Client
) -> None:
    """First get: /secrets/tokens/ + /secrets/; each later get: one /secrets/ only
    (references within the fetched environment need no extra request)."""
    first = values(client.get(REFS_APP, DEV))
    assert first["GOOD_REF"] == "host=target-value-1234"
    assert server.requests() == {TOKENS: 1, SECRETS: 1}
    for round_ in range(2, 6):
        assert values(client.get(REFS_APP, DEV)) == first
        assert server.requests() == {TOKENS: 1, SECRETS: round_}


def test_each_operation_on_a_warm_client_costs_one_request(
    server: PhasekitServer, client: Client
) -> None:
    """get_secret, export, raw gets and end-to-end reads: one request each when warm;
    apps() and environments() are answered from the session without any."""
    client.get_secret("DB_HOST", APP)
    server.reset_requests()
    client.get_secret("DB_PORT", APP)
    client.export(APP, DEV, "json", path="/db")
    client.get(APP, DEV, raw=True)
    client.get(E2EE_APP, DEV)
    assert server.requests() == {SECRETS: 4}
    client.apps()
    client.environments(APP)
    assert server.requests() == {SECRETS: 4}


def test_references_to_other_folders_cost_one_request_per_folder(
    server: PhasekitServer, client: Client
) -> None:
    """path="/" resolving ${/db/...} and ${staging.DB_HOST}: the root listing plus one
    request for /db and one for Staging's root; raw=True needs only the listing."""
    resolved = values(client.get(APP, DEV, path="/"))
    assert resolved["DATABASE_URL"] == RESOLVED_DATABASE_URL
    assert resolved["STAGING_DB_HOST"] == "db.staging.internal"
    assert server.requests() == {TOKENS: 1, SECRETS: 3}
    server.reset_requests()
    client.get(APP, DEV, path="/", raw=True)
    assert server.requests() == {SECRETS: 1}
    server.reset_requests()
    client.get(APP, DEV)  # every folder fetched: only Staging is extra
    assert server.requests() == {SECRETS: 2}


def test_writes_cost_what_they_must(server: PhasekitServer, client: Client) -> None:
    """On a warm client: create = 1 POST; update = 1 lookup + 1 PUT; delete of two keys
    = 2 lookups + 1 DELETE; a delete finding nothing sends no DELETE."""
    client.get_secret("DB_HOST", APP)
    server.reset_requests()
    client.create([{"key": "A", "value": "1"}, {"key": "B", "value": "2"}], APP)
    assert server.requests() == {"POST /secrets/": 1}
    server.reset_requests()
    client.update("A", APP, value="3")
    assert server.requests() == {SECRETS: 1, "PUT /secrets/": 1}
    server.reset_requests()
    assert client.delete(["A", "B"], APP) == []
    assert server.requests() == {SECRETS: 2, "DELETE /secrets/": 1}
    server.reset_requests()
    assert client.delete(["A"], APP) == ["A"]
    assert server.requests() == {SECRETS: 1}
