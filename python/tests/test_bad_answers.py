"""Broken answers with status 200: truncated JSON, an HTML page, JSON of the wrong shape,
tampered ciphertexts and enormous bodies, from /secrets/tokens/ (the session) and from
/secrets/ (the secrets). Each is a typed exception that names what failed and shows no
secret; the same client then works again (nothing of the bad answer was kept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from phasekit import (
    AsyncClient,
    Client,
    DecryptionError,
    InvalidInputError,
    PhaseError,
    ProtocolError,
)
from pkhelpers import APP, DB_VALUES, DEV, assert_leak_free, invoke, values

if TYPE_CHECKING:
    from conftest import PhasekitServer

ENDPOINTS = ["/secrets/tokens/", "/secrets/"]
KINDS = ["blocking", "asyncio"]
LIMIT = 64 << 10
HUGE_BYTES = 1 << 20


def make_client(
    server: PhasekitServer, kind: str, **options: Any
) -> Client | AsyncClient:
    if kind == "blocking":
        return server.client(**options)
    return server.async_client(**options)


def read_db(client: Client | AsyncClient) -> dict[str, str]:
    """values() of the /db folder, through either class."""
    return values(invoke(client, lambda c: c.get(APP, DEV, path="/db")))


def corrupted_read(
    server: PhasekitServer, kind: str, endpoint: str, corruption: str, **options: Any
) -> tuple[Client | AsyncClient, PhaseError]:
    """A get whose answer from `endpoint` is corrupted: the client and what it raised,
    checked to show no secret and no part of any token."""
    client = make_client(server, kind, **options)
    server.faults(
        path=endpoint, corrupt_next=1, corruption=corruption, huge_bytes=HUGE_BYTES
    )
    with pytest.raises(PhaseError) as caught:
        read_db(client)
    assert_leak_free(caught.value, server.tokens.values())
    assert caught.value.code in ("protocol", "decrypt_failed")
    assert not caught.value.retryable
    # Not retried: the server did answer, and a broken answer is not a transient failure.
    assert server.count(f"GET {endpoint}") == 1
    return client, caught.value


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("corruption", ["truncate", "not_json", "wrong_shape"])
def test_unreadable_answers_are_protocol_errors(
    server: PhasekitServer, kind: str, endpoint: str, corruption: str
) -> None:
    """Half a JSON body, an HTML sign-in page, a list for an object (or the reverse):
    ProtocolError naming the request; the next call works."""
    client, error = corrupted_read(server, kind, endpoint, corruption)
    assert isinstance(error, ProtocolError), repr(error)
    assert error.code == "protocol" and error.status is None
    assert f"GET {endpoint}" in error.message
    assert read_db(client) == DB_VALUES


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("endpoint", "what"),
    [("/secrets/tokens/", "environment seed"), ("/secrets/", "secret")],
)
def test_tampered_ciphertexts_are_decryption_errors(
    server: PhasekitServer, kind: str, endpoint: str, what: str
) -> None:
    """One character changed in every ciphertext: DecryptionError (decrypt_failed) naming
    the request and what could not be decrypted, never a wrong plaintext; the session is
    dropped, so the next call fetches the keys again and works."""
    client, error = corrupted_read(server, kind, endpoint, "tamper")
    assert isinstance(error, DecryptionError), repr(error)
    assert error.code == "decrypt_failed"
    assert f"GET {endpoint}" in error.message
    assert what in error.message and "altered" in error.message
    server.reset_requests()
    assert read_db(client) == DB_VALUES
    assert server.count("GET /secrets/tokens/") == 1, "the session was fetched again"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_over_max_response_bytes_is_refused(
    server: PhasekitServer, kind: str, endpoint: str
) -> None:
    """A 1 MiB body against max_response_bytes=64 KiB: ProtocolError naming the path and
    the limit (the body is a valid empty list, which read whole means "no secrets")."""
    client, error = corrupted_read(
        server, kind, endpoint, "huge", max_response_bytes=LIMIT
    )
    assert isinstance(error, ProtocolError), repr(error)
    assert f"{endpoint}: the response is larger than the {LIMIT}-byte limit" in (
        error.message
    )
    assert read_db(client) == DB_VALUES


def test_max_response_bytes_applies_to_every_answer(server: PhasekitServer) -> None:
    """A limit below the size of the session's answer makes even a healthy server's
    answer a ProtocolError: the option is really applied."""
    client = server.client(max_response_bytes=256)
    with pytest.raises(ProtocolError) as caught:
        client.apps()
    assert "larger than the 256-byte limit" in caught.value.message


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"max_response_bytes": 0}, "max_response_bytes must be a whole number"),
        ({"max_response_bytes": -1}, "max_response_bytes must be a whole number"),
        ({"max_response_bytes": 1 << 64}, "max_response_bytes must be a whole number"),
        ({"max_retries": -1}, "max_retries must be a whole number from 0"),
        ({"max_retries": 1 << 32}, "max_retries must be a whole number from 0"),
        ({"deadline": 0.0}, "deadline must be a positive"),
        ({"deadline": -1.0}, "deadline must be a positive"),
        ({"deadline": float("inf")}, "deadline must be a positive"),
    ],
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_out_of_range_options_are_invalid_input(
    server: PhasekitServer,
    cls: type[Client] | type[AsyncClient],
    options: dict[str, Any],
    fragment: str,
) -> None:
    """deadline and max_response_bytes (and max_retries) out of range: InvalidInputError
    at construction, not an OverflowError, and no request."""
    with pytest.raises(InvalidInputError) as caught:
        cls(server.tokens["sa-token"], server.url, **options)
    assert fragment in caught.value.message
    assert server.requests() == {}
