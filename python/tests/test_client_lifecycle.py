"""Client construction and session: from_env, host, refresh, close, context manager, TTL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING, Any

import pytest

from phasekit import AuthenticationError, Client, InvalidInputError
from pkhelpers import (
    APP,
    DEV,
    PROD,
    SECRETS,
    TOKENS,
    seeded_secret_values,
    token_parts_after_prefix,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer


def test_from_env_reads_token_and_host(
    server: PhasekitServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Client.from_env() (and Client()) take PHASE_SERVICE_TOKEN and PHASE_HOST."""
    monkeypatch.setenv("PHASE_SERVICE_TOKEN", server.tokens["sa-token"])
    monkeypatch.setenv("PHASE_HOST", server.url + "/")
    client = Client.from_env()
    assert client.host == server.url
    assert client.get_secret("DB_HOST", APP, PROD).value == "db.prod.internal"
    implicit = Client()
    assert implicit.host == server.url
    assert values(implicit.get(APP, DEV, path="/db"))["DB_USER"] == "app_user"


def test_explicit_arguments_win_over_the_environment(
    server: PhasekitServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token and host passed in beat PHASE_SERVICE_TOKEN/PHASE_HOST."""
    monkeypatch.setenv("PHASE_SERVICE_TOKEN", server.tokens["sa-expired"])
    monkeypatch.setenv("PHASE_HOST", "http://127.0.0.1:9")
    client = Client(server.tokens["sa-token"], server.url)
    assert client.host == server.url
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"


def test_from_env_without_a_token_is_an_authentication_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No PHASE_SERVICE_TOKEN: AuthenticationError with code invalid_token, at once."""
    monkeypatch.delenv("PHASE_SERVICE_TOKEN", raising=False)
    with pytest.raises(AuthenticationError) as caught:
        Client.from_env()
    assert caught.value.code == "invalid_token"
    assert "PHASE_SERVICE_TOKEN" in caught.value.message


def test_from_env_defaults_to_phase_cloud(
    server: PhasekitServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PHASE_HOST the host is Phase Cloud (no request is made to know it)."""
    monkeypatch.setenv("PHASE_SERVICE_TOKEN", server.tokens["sa-token"])
    monkeypatch.delenv("PHASE_HOST", raising=False)
    assert Client.from_env().host == "https://console.phase.dev"


def test_host_is_normalized_and_shown_in_repr(server: PhasekitServer) -> None:
    """A trailing slash and a /service suffix are dropped; repr shows only the host."""
    token = server.tokens["sa-token"]
    for given in (server.url, server.url + "/", server.url + "/service/"):
        client = Client(token, given)
        assert client.host == server.url
        assert repr(client) == f'Client(host="{server.url}")'
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"


@pytest.mark.parametrize(
    "options",
    [
        {"host": "ftp://example.com"},
        {"host": "not a url"},
        {"host": ""},
        {"host": "http://"},
        {"host": "127.0.0.1:8080"},
        {"host": "https://example.com/?next=1"},
        {"host": "https://example.com/#top"},
        {"timeout": 0.0},
        {"timeout": -1.0},
        {"connect_timeout": float("nan")},
        {"session_ttl": 0.0},
        {"ca_bundle": "/nonexistent/ca.pem"},
        # Every setting of the core is a keyword argument, the newest included.
        {"offline_max_age": -1.0},
    ],
)
def test_invalid_settings_are_rejected_at_construction(
    server: PhasekitServer, options: dict[str, object]
) -> None:
    """Bad hosts (no scheme or host name, a query or fragment), non-positive durations and
    unreadable CA bundles: InvalidInputError."""
    settings = {"host": server.url, **options}
    with pytest.raises(InvalidInputError) as caught:
        Client(server.tokens["sa-token"], **settings)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_input"
    assert server.requests() == {}


def test_an_unknown_setting_is_a_type_error(server: PhasekitServer) -> None:
    """A misspelt keyword argument is refused as Python refuses any unknown one."""
    with pytest.raises(TypeError, match="unexpected keyword argument 'cache_tll'"):
        Client(server.tokens["sa-token"], server.url, cache_tll=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="offline must be a bool, not str"):
        Client(server.tokens["sa-token"], server.url, offline="yes")  # type: ignore[arg-type]
    assert server.requests() == {}


def test_refresh_drops_the_cached_session(
    server: PhasekitServer, client: Client
) -> None:
    """After refresh() the next get fetches the keys again (one more /secrets/tokens/)."""
    client.get(APP, DEV, path="/db")
    client.get(APP, DEV, path="/db")
    assert server.requests() == {TOKENS: 1, SECRETS: 2}
    untyped: Any = client  # the stub says None; check the runtime agrees
    assert untyped.refresh() is None
    assert server.requests() == {TOKENS: 1, SECRETS: 2}, "refresh itself sends nothing"
    assert values(client.get(APP, DEV, path="/db"))["DB_USER"] == "app_user"
    assert server.requests() == {TOKENS: 2, SECRETS: 3}


def test_refresh_picks_up_a_new_world(server: PhasekitServer, client: Client) -> None:
    """refresh() makes a client see access granted after its session was cached."""
    reader = server.client("reader-token")
    assert [a.name for a in reader.apps()] == [APP]
    server.admin(
        "POST",
        "/_admin/access",
        {"account": "reader-sa", "app": APP, "environment": PROD},
    )
    assert [e.name for e in reader.environments(APP)] == [DEV], "still cached"
    reader.refresh()
    assert [e.name for e in reader.environments(APP)] == [DEV, PROD]
    assert reader.get_secret("DB_PORT", APP, PROD).value == "6432"


def test_context_manager_returns_the_client_and_closes_it(
    server: PhasekitServer,
) -> None:
    """`with Client(...) as c` yields the same object; leaving it drops the session,
    and the client stays usable afterwards."""
    client = server.client()
    with client as entered:
        assert entered is client
        assert entered.get_secret("DB_HOST", APP).value == "db.dev.internal"
    assert server.requests() == {TOKENS: 1, SECRETS: 1}
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"
    assert server.requests() == {TOKENS: 2, SECRETS: 2}
    client.close()
    client.get_secret("DB_HOST", APP)
    assert server.requests() == {TOKENS: 3, SECRETS: 3}


def test_context_manager_does_not_swallow_exceptions(server: PhasekitServer) -> None:
    """__exit__ returns False: an exception raised in the block propagates unchanged."""
    marker = RuntimeError("boom")
    with pytest.raises(RuntimeError) as caught:
        with server.client() as client:
            client.get_secret("DB_HOST", APP)
            raise marker
    assert caught.value is marker
    assert not server.client().__exit__(None, None, None)


def test_session_ttl_expires_the_cached_keys(server: PhasekitServer) -> None:
    """With session_ttl=0.3 s, a get after 0.5 s fetches /secrets/tokens/ again."""
    client = server.client(session_ttl=0.3)
    client.get_secret("DB_HOST", APP)
    client.get_secret("DB_HOST", APP)
    assert server.requests()[TOKENS] == 1
    time.sleep(0.5)
    client.get_secret("DB_HOST", APP)
    assert server.requests() == {TOKENS: 2, SECRETS: 3}


def test_debug_logs_requests_without_values(server: PhasekitServer) -> None:
    """debug=True (and PHASE_DEBUG=1) log each request (method and path) through the
    logging module, here to stderr by basicConfig, never a value or a token part."""
    script = textwrap.dedent(f"""
        import logging, sys
        import phasekit
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
        client = phasekit.Client({server.tokens["sa-token"]!r}, {server.url!r}, debug=True)
        print(len(client.get({APP!r})))
        """)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PHASE_DEBUG": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "12"
    for value in seeded_secret_values():
        assert value not in done.stderr
    for part in token_parts_after_prefix(server.tokens["sa-token"]):
        assert part not in done.stderr
    assert "/secrets/" in done.stderr, "no request was logged"
