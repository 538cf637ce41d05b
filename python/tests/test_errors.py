"""Every error family: class, .code, .status, .retry_after, .retryable, and no leaks.

Each provoked error is checked by `expect`: it is the expected class, a PhaseError, its code
is in ERROR_CODES, and neither its message, repr, args nor traceback contains a seeded secret
value or a secret part of any token.
"""

from __future__ import annotations

import base64
import builtins
import json
import os
import time
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

import phasekit
from phasekit import (
    ERROR_CODES,
    AmbiguousError,
    AuthenticationError,
    Client,
    ConflictError,
    DecryptionError,
    InvalidInputError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    PhaseError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)
from pkhelpers import (
    APP,
    DEV,
    E2EE_APP,
    REFS_APP,
    STABLE_ERROR_CODES,
    assert_leak_free,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer

E = TypeVar("E", bound=PhaseError)


def expect(
    server: PhasekitServer,
    kind: type[E],
    call: Callable[[], object],
    *extra_secrets: str,
) -> E:
    """Runs `call`, which must raise `kind`; checks the common contract and returns it."""
    with pytest.raises(kind) as caught:
        call()
    error = caught.value
    assert isinstance(error, PhaseError) and isinstance(error, Exception)
    assert error.code in ERROR_CODES
    assert isinstance(error.message, str) and error.message
    assert str(error).startswith(f"{error.code}: ")
    assert isinstance(error.retryable, bool)
    assert error.status is None or isinstance(error.status, int)
    assert error.retry_after is None or isinstance(error.retry_after, float)
    assert_leak_free(error, server.tokens.values(), extra_secrets)
    return error


def fault_after_a_read(server: PhasekitServer, client: Client, **faults: Any) -> None:
    """One read first, so that the session is cached and what follows asks only for
    secrets; then zeroed request counters and `faults` injected."""
    client.get_secret("DB_HOST", APP)
    server.reset_requests()
    server.faults(**faults)


def test_error_classes_form_one_hierarchy() -> None:
    """Every exported error derives from PhaseError (an Exception); timeouts and TLS
    failures are NetworkErrors; ERROR_CODES is the stable list of codes."""
    families = [
        phasekit.AuthenticationError,
        phasekit.PermissionDeniedError,
        phasekit.NotFoundError,
        phasekit.AmbiguousError,
        phasekit.ConflictError,
        phasekit.InvalidInputError,
        phasekit.RateLimitError,
        phasekit.NetworkError,
        phasekit.RequestTimeoutError,
        phasekit.TlsError,
        phasekit.ServerError,
        phasekit.ProtocolError,
        phasekit.DecryptionError,
        phasekit.SecretReferenceError,
        phasekit.OfflineError,
    ]
    assert issubclass(PhaseError, Exception)
    for family in families:
        assert issubclass(family, PhaseError), family
        assert family.__module__ == "phasekit"
    assert issubclass(RequestTimeoutError, NetworkError)
    assert issubclass(phasekit.TlsError, NetworkError)
    assert not issubclass(phasekit.SecretReferenceError, builtins.ReferenceError)
    assert ERROR_CODES == STABLE_ERROR_CODES


def test_error_classes_are_the_cores_families() -> None:
    """The exception classes are exactly the core's error families (ERROR_FAMILIES, the
    core's table), each exported by the package, and every code belongs to one family.
    """
    from phasekit import _phasekit

    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(sub) for sub in found))

    classes = {cls.__name__ for cls in subclasses(PhaseError)}
    assert classes == set(_phasekit.ERROR_FAMILIES)
    assert classes <= set(phasekit.__all__)
    codes = [code for family in _phasekit.ERROR_FAMILIES.values() for code in family]
    assert sorted(codes) == sorted(ERROR_CODES)


def test_malformed_token_is_an_authentication_error(server: PhasekitServer) -> None:
    """A token that is not a Phase token fails at construction with invalid_token, and
    the message repeats no part of it."""
    garbage = expect(
        server, AuthenticationError, lambda: Client("not-a-token", server.url)
    )
    assert (garbage.code, garbage.status, garbage.retryable) == (
        "invalid_token",
        None,
        False,
    )
    real = server.tokens["sa-token"]
    fields = real.split(":")
    truncated = ":".join(fields[:5] + [fields[5][:-1]])  # wrap key one digit short
    error = expect(server, AuthenticationError, lambda: Client(truncated, server.url))
    assert error.code == "invalid_token"
    assert "wrap key" in error.message
    assert_leak_free(error, [real, truncated])
    assert fields[5][:-1] not in str(error)
    unknown_version = "pss_service:v9:" + ":".join(fields[2:])
    error = expect(
        server, AuthenticationError, lambda: Client(unknown_version, server.url)
    )
    assert error.code == "invalid_token"
    assert server.requests() == {}


def malformed_tokens(real: str) -> dict[str, str]:
    """Ways to get a token wrong, built from a real one so that its secret parts are there
    to leak if a message repeated the input."""
    fields = real.split(":")
    return {
        "empty": "",
        "prefix only": ":".join(fields[:2]) + ":",
        "one field too many": real + ":" + fields[5],
        "key share not hex": ":".join(fields[:4] + ["zz" + fields[4][2:], fields[5]]),
        "line break in the bearer": ":".join(
            fields[:2] + [fields[2][:32] + "\n" + fields[2][32:]] + fields[3:]
        ),
        "with an auth scheme": "Bearer " + real,
        "personal kind, service version": ":".join(["pss_user", "v2"] + fields[2:]),
    }


@pytest.mark.parametrize(
    "variant", list(malformed_tokens("pss_service:v2:a:b:c:d:e"))  # names only
)
def test_more_malformed_tokens_are_invalid_token(
    server: PhasekitServer, variant: str
) -> None:
    """Empty, truncated, over-long, non-hex, split by a line break, prefixed by an auth
    scheme, or of an unknown kind/version pair: AuthenticationError (invalid_token) at
    construction, no request, and no part of the token in the error."""
    real = server.tokens["sa-token"]
    bad = malformed_tokens(real)[variant]
    error = expect(server, AuthenticationError, lambda: Client(bad, server.url))
    assert (error.code, error.status, error.retryable) == ("invalid_token", None, False)
    assert_leak_free(error, [real, bad])
    assert server.requests() == {}


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("get", {"app": APP, "path": "/a\nb"}),
        ("get_secret", {"key": "DB_HOST", "app": APP, "path": "/db\r\nX-Injected: 1"}),
        ("export", {"app": APP, "path": "/db\x00"}),
        ("update", {"key": "DB_HOST", "app": APP, "path": "/\n", "value": "v-new"}),
        ("delete", {"keys": ["DB_HOST"], "app": APP, "path": "/\r"}),
    ],
)
def test_paths_that_cannot_be_sent_are_invalid_input(
    server: PhasekitServer, client: Client, method: str, arguments: dict[str, Any]
) -> None:
    """A path with a line break or NUL cannot go into the Path header: InvalidInputError
    before anything is sent (no header injection), not retried, the path not echoed."""
    call = getattr(client, method)
    error = expect(server, InvalidInputError, lambda: call(**arguments))
    assert error.code == "invalid_input" and not error.retryable
    assert "path" in error.message and "X-Injected" not in error.message
    assert server.count("GET /secrets/") == 0
    assert set(server.requests()) <= {"GET /secrets/tokens/"}


def test_expired_token_is_unauthorized(server: PhasekitServer) -> None:
    """An expired token is rejected by /secrets/tokens/ with 403: code unauthorized."""
    client = server.client("sa-expired")
    error = expect(server, AuthenticationError, lambda: client.get(APP))
    assert (error.code, error.status, error.retryable) == ("unauthorized", 403, False)
    assert "/secrets/tokens/" in error.message
    assert server.requests() == {"GET /secrets/tokens/": 1}, "not retried"


def test_revoked_token_is_unauthorized_also_mid_session(server: PhasekitServer) -> None:
    """Deleting a token makes new sessions fail (403) and cached sessions fail (401)."""
    cached = server.client()
    cached.get_secret("DB_HOST", APP)
    server.admin("DELETE", "/_admin/tokens", {"name": "sa-token"})
    fresh = expect(server, AuthenticationError, lambda: server.client().get(APP))
    assert (fresh.code, fresh.status) == ("unauthorized", 403)
    stale = expect(server, AuthenticationError, lambda: cached.get(APP))
    assert (stale.code, stale.status) == ("unauthorized", 401)


def test_read_only_account_cannot_write(server: PhasekitServer) -> None:
    """A read_only service account reads, but create/update/delete are 403 forbidden."""
    reader = server.client("reader-token")
    assert reader.get_secret("DB_HOST", APP).value == "db.dev.internal"
    writes: list[Callable[[], object]] = [
        lambda: reader.create([{"key": "NEW", "value": "v"}], APP),
        lambda: reader.update("DB_HOST", APP, value="changed-by-reader"),
        lambda: reader.delete(["DB_HOST"], APP),
    ]
    for write in writes:
        error = expect(server, PermissionDeniedError, write, "changed-by-reader")
        assert (error.code, error.status, error.retryable) == ("forbidden", 403, False)
        assert "permission" in error.message
    assert reader.get_secret("DB_HOST", APP).value == "db.dev.internal"


def test_not_found_app_environment_and_secret(
    server: PhasekitServer, client: Client
) -> None:
    """Unknown app, environment (also one the token may not see) and secret: NotFoundError
    with app_not_found / env_not_found / secret_not_found."""
    app = expect(server, NotFoundError, lambda: client.get("no-such-app"))
    assert app.code == "app_not_found" and "interop-app" in app.message
    by_id = expect(server, NotFoundError, lambda: client.get(app_id="nope"))
    assert by_id.code == "app_not_found"
    env = expect(server, NotFoundError, lambda: client.get(APP, "Nowhere"))
    assert env.code == "env_not_found"
    staging_only = server.client("staging-token")
    hidden = expect(server, NotFoundError, lambda: staging_only.get(APP, DEV))
    assert hidden.code == "env_not_found" and "Staging" in hidden.message
    secret = expect(server, NotFoundError, lambda: client.get_secret("NOPE", APP))
    assert (secret.code, secret.status) == ("secret_not_found", None)
    for error in (app, by_id, env, hidden, secret):
        assert not error.retryable


def test_ambiguous_app_name_and_folder(server: PhasekitServer, client: Client) -> None:
    """ "twin" matches twin-alpha and twin-bravo equally; FEATURE_FLAG is in two folders."""
    apps = expect(server, AmbiguousError, lambda: client.get("twin"))
    assert apps.code == "ambiguous"
    assert "twin-alpha" in apps.message and "twin-bravo" in apps.message
    assert values(client.get("twin-alpha")) == {"WHO": "alpha-twin-secret"}
    folders = expect(
        server, AmbiguousError, lambda: client.delete(["FEATURE_FLAG"], APP)
    )
    assert "give a path" in folders.message
    assert len(client.get(APP, keys=["FEATURE_FLAG"])) == 2, "nothing was deleted"


def test_duplicate_create_is_a_conflict(server: PhasekitServer, client: Client) -> None:
    """Creating DB_HOST again at / is a ConflictError with status 409."""
    error = expect(
        server,
        ConflictError,
        lambda: client.create([{"key": "DB_HOST", "value": "dup-value-xyz"}], APP),
        "dup-value-xyz",
    )
    assert (error.code, error.status, error.retryable) == ("conflict", 409, False)


@pytest.mark.parametrize(
    "method",
    [
        "get",
        "get_secret",
        "create",
        "update",
        "delete",
        "environments",
        "export",
        "lease_generate",
        "lease_renew",
        "lease_revoke",
    ],
)
def test_every_method_needs_app_or_app_id(
    server: PhasekitServer, client: Client, method: str
) -> None:
    """Without app= or app_id=, each method raises InvalidInputError before any request."""
    arguments: dict[str, tuple[Any, ...]] = {
        "get_secret": ("DB_HOST",),
        "create": ([{"key": "K", "value": "v"}],),
        "update": ("DB_HOST",),
        "delete": (["DB_HOST"],),
        "lease_generate": ("some-id",),
        "lease_renew": ("some-lease", 60),
        "lease_revoke": ("some-lease",),
    }
    call = getattr(client, method)
    error = expect(server, InvalidInputError, lambda: call(*arguments.get(method, ())))
    assert error.code == "invalid_input" and "app_id" in error.message
    assert server.requests() == {}


def test_other_invalid_input(server: PhasekitServer, client: Client) -> None:
    """A bad export format, an empty app name, an unknown type: InvalidInputError."""
    fmt = expect(
        server,
        InvalidInputError,
        lambda: client.export(APP, format="docx"),  # type: ignore[arg-type]
    )
    assert "docx" in fmt.message
    empty = expect(server, InvalidInputError, lambda: client.get(""))
    assert "empty" in empty.message
    kind = expect(
        server,
        InvalidInputError,
        lambda: client.update("DB_HOST", APP, type="vault"),  # type: ignore[arg-type]
    )
    assert "vault" in kind.message
    sse = expect(
        server, InvalidInputError, lambda: client.lease_generate("x", E2EE_APP)
    )
    assert sse.status == 400


def test_throttling_is_a_rate_limit_error_with_retry_after(
    server: PhasekitServer, client: Client
) -> None:
    """429 with Retry-After: 120 (over the client's 30 s cap) fails at once with
    retry_after == 120.0 and retryable True; the next call succeeds."""
    fault_after_a_read(server, client, throttle_next=1, retry_after=120)
    started = time.monotonic()
    error = expect(server, RateLimitError, lambda: client.get(APP))
    assert time.monotonic() - started < 5
    assert (error.code, error.status) == ("rate_limited", 429)
    assert error.retry_after == 120.0
    assert error.retryable is True
    assert server.requests() == {"GET /secrets/": 1}
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"


def test_short_retry_after_is_waited_for_and_retried(
    server: PhasekitServer, client: Client
) -> None:
    """A 429 with Retry-After: 1 is retried after about a second and then succeeds."""
    fault_after_a_read(server, client, throttle_next=1, retry_after=1)
    started = time.monotonic()
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"
    assert time.monotonic() - started >= 0.9
    assert server.requests() == {"GET /secrets/": 2}


def test_rate_limit_window(server: PhasekitServer) -> None:
    """With a 1-request-per-60 s window, the second call is a RateLimitError whose
    retry_after is the rest of the window."""
    server.faults(rate_limit={"requests": 1, "per_seconds": 60})
    client = server.client("reader-token")
    error = expect(server, RateLimitError, lambda: client.get(APP))
    assert error.retry_after is not None and 55.0 <= error.retry_after <= 60.0
    assert error.retryable


def test_closed_port_is_a_network_error(
    server: PhasekitServer, closed_port_url: str
) -> None:
    """Connection refused: NetworkError (not a timeout), code network, retryable."""
    client = Client(server.tokens["sa-token"], closed_port_url, max_retries=0)
    error = expect(server, NetworkError, lambda: client.get(APP))
    assert not isinstance(error, RequestTimeoutError)
    assert (error.code, error.status, error.retryable) == ("network", None, True)


def test_dropped_connection_is_a_network_error_and_retried(
    server: PhasekitServer,
) -> None:
    """A connection closed without an answer is a NetworkError without retries, and is
    retried transparently (reads are idempotent) with the default policy."""
    server.faults(drop_next=1)
    error = expect(server, NetworkError, lambda: server.client(max_retries=0).get(APP))
    assert error.code == "network" and error.retryable
    server.faults(drop_next=1)
    assert server.client().get_secret("DB_HOST", APP).value == "db.dev.internal"


def test_slow_server_is_a_request_timeout(server: PhasekitServer) -> None:
    """latency 1000 ms against timeout=0.2 s: RequestTimeoutError (a NetworkError),
    code timeout, retryable, raised after about 0.2 s."""
    server.faults(latency_ms=1000)
    client = server.client(timeout=0.2, max_retries=0)
    started = time.monotonic()
    error = expect(server, RequestTimeoutError, lambda: client.get(APP))
    elapsed = time.monotonic() - started
    assert 0.15 < elapsed < 0.9
    assert isinstance(error, NetworkError)
    assert (error.code, error.status, error.retryable) == ("timeout", None, True)


def test_a_mispasted_token_is_a_wrong_token(server: PhasekitServer) -> None:
    """A token whose id part the server knows but whose wrap key was changed while copying is
    an AuthenticationError (invalid_token) saying so, not a decryption failure."""
    parts = server.tokens["sa-token"].split(":")
    parts[-1] = ("1" if parts[-1][0] == "0" else "0") + parts[-1][1:]
    mispasted = ":".join(parts)
    client = Client(mispasted, server.url)
    error = expect(server, AuthenticationError, lambda: client.get(APP), *parts[2:])
    assert error.code == "invalid_token"
    assert "not copied whole" in error.message


def test_https_to_a_plain_http_port_is_a_tls_error(server: PhasekitServer) -> None:
    """https:// to a port that speaks plain HTTP fails the TLS handshake: TlsError."""
    client = Client(
        server.tokens["sa-token"], server.url.replace("http://", "https://")
    )
    error = expect(server, phasekit.TlsError, lambda: client.get(APP))
    assert error.code == "tls" and not error.retryable
    assert "http://" in error.message


def test_a_call_cut_off_by_its_deadline_says_so_once(server: PhasekitServer) -> None:
    """A request still unanswered when the call's deadline passes ends the call with one
    mention of the deadline."""
    server.faults(latency_ms=2000)
    client = server.client(deadline=0.5)
    error = expect(server, RequestTimeoutError, lambda: client.get(APP))
    assert error.message.count("deadline") == 1, error.message


def test_server_failure_is_a_server_error(
    server: PhasekitServer, client: Client
) -> None:
    """An injected 500 is a ServerError, status 500, not retryable (not retried)."""
    fault_after_a_read(server, client, fail_next=1, fail_status=500)
    error = expect(server, ServerError, lambda: client.get(APP))
    assert (error.code, error.status, error.retryable) == ("server", 500, False)
    assert server.requests() == {"GET /secrets/": 1}
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"


def test_unavailable_server_is_retried(server: PhasekitServer, client: Client) -> None:
    """A 503 is retryable: one injected 503 is retried and the read succeeds; with
    max_retries=0 it surfaces as a retryable ServerError."""
    fault_after_a_read(server, client, fail_next=1, fail_status=503)
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"
    assert server.requests() == {"GET /secrets/": 2}
    server.faults(fail_next=1, fail_status=503)
    error = expect(server, ServerError, lambda: server.client(max_retries=0).get(APP))
    assert (error.status, error.retryable) == (503, True)


def test_tampered_ciphertext_is_a_decryption_error(
    server: PhasekitServer, client: Client
) -> None:
    """A record whose ciphertext was encrypted to another key (posted around the SDK)
    makes get() raise DecryptionError (decrypt_failed), naming no plaintext."""
    fake = "ph:v1:" + "ab" * 32 + ":" + base64.b64encode(os.urandom(60)).decode()
    body = {
        "secrets": [
            {
                "key": fake,
                "value": fake,
                "comment": "",
                "keyDigest": "00" * 32,
                "path": "/tampered",
                "tags": [],
            }
        ]
    }
    bearer = server.tokens["sa-token"].split(":")[2]
    request = urllib.request.Request(
        server.url + "/service/secrets/",
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Authorization": f"Bearer ServiceAccount {bearer}",
            "Environment": server.env_id(APP, DEV),
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    error = expect(server, DecryptionError, lambda: client.get(APP, DEV))
    assert (error.code, error.retryable) == ("decrypt_failed", False)
    assert fake not in str(error)
    assert len(client.get(APP, DEV, path="/")) == 8, "other folders still read"


def test_reference_errors(server: PhasekitServer, client: Client) -> None:
    """Unresolvable (strict) and circular references are ReferenceErrors."""
    missing = expect(
        server, phasekit.SecretReferenceError, lambda: client.get(REFS_APP, strict=True)
    )
    assert missing.code == "reference_unresolved"
    cycle = expect(
        server,
        phasekit.SecretReferenceError,
        lambda: client.get(REFS_APP, "Production"),
    )
    assert cycle.code == "reference_cycle"


def test_error_attributes_are_plain_python_values(
    server: PhasekitServer, client: Client
) -> None:
    """args hold exactly the rendered text, and a caught error re-raises as a PhaseError."""
    error = expect(server, NotFoundError, lambda: client.get_secret("NOPE", APP))
    assert error.args == (str(error),)
    with pytest.raises(PhaseError):
        raise error


def test_errors_survive_pickling(server: PhasekitServer, client: Client) -> None:
    """A PhaseError crosses process boundaries (multiprocessing pickles exceptions) with
    its class and attributes intact."""
    import pickle

    server.faults(throttle_next=1, retry_after=120)
    original = expect(server, RateLimitError, lambda: client.get(APP))
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is RateLimitError
    assert (copy.code, copy.status, copy.retry_after, copy.retryable) == (
        "rate_limited",
        429,
        120.0,
        True,
    )
    assert (str(copy), copy.message) == (str(original), original.message)


@pytest.mark.parametrize(
    "setting", ["timeout", "connect_timeout", "session_ttl", "deadline"]
)
def test_huge_durations_are_invalid_input(server: PhasekitServer, setting: str) -> None:
    """timeout/connect_timeout/session_ttl/deadline of 1e20 s are InvalidInputError."""
    caught: BaseException | None = None
    options: dict[str, Any] = {setting: 1e20}
    try:
        Client(server.tokens["sa-token"], server.url, **options)
    except BaseException as error:  # noqa: BLE001 - a PanicException is a BaseException
        caught = error
    assert isinstance(
        caught, InvalidInputError
    ), f"{type(caught).__module__}.{type(caught).__name__}: {caught}"
