"""TLS from Python against phasekit-server serving HTTPS with a certificate from a throwaway
certificate authority (made with the openssl command): verification is on by default
(TlsError), ca_bundle= makes it work, and verify_ssl=False / PHASE_VERIFY_SSL=false work
but always log a warning through `logging`.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from local_server import server_process
from phasekit import AsyncClient, Client, TlsError
from pkhelpers import APP, SEED_PATH, assert_leak_free

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="the openssl command is not installed"
)

DISABLED_WARNING = "TLS certificate verification is disabled"


@dataclass
class TlsServer:
    url: str
    token: str
    ca_bundle: str
    other_ca_bundle: str


def openssl(*arguments: str, cwd: Path) -> None:
    subprocess.run(
        ["openssl", *arguments], cwd=cwd, check=True, capture_output=True, timeout=60
    )


def make_ca(directory: Path, name: str) -> None:
    """{name}.pem and {name}.key: a self-signed certificate authority, valid for a day."""
    openssl(
        "req", "-x509", "-new", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "1",
        "-subj", f"/CN=phasekit test {name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )  # fmt: skip


def make_leaf(directory: Path, ca: str) -> None:
    """leaf.pem and leaf.key: a server certificate for the IP address 127.0.0.1 (the URL
    the server announces), signed by `ca`; rustls accepts no self-signed leaf."""
    (directory / "leaf.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1\n"
    )
    openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1",
        cwd=directory,
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "1", "-extfile", "leaf.ext",
        cwd=directory,
    )  # fmt: skip


@pytest.fixture(scope="module")
def tls_server() -> Iterator[TlsServer]:
    """phasekit-server with the bindings seed over HTTPS, for this module's reads."""
    with tempfile.TemporaryDirectory(prefix="phasekit-tls-") as tmp:
        directory = Path(tmp)
        make_ca(directory, "ca")
        make_ca(directory, "other-ca")
        make_leaf(directory, "ca")
        with server_process(
            SEED_PATH,
            directory,
            *("--tls-cert", str(directory / "leaf.pem")),
            *("--tls-key", str(directory / "leaf.key")),
        ) as (summary, _, _):
            assert summary["url"].startswith("https://127.0.0.1:"), summary["url"]
            yield TlsServer(
                url=summary["url"],
                token=summary["tokens"]["sa-token"],
                ca_bundle=str(directory / "ca.pem"),
                other_ca_bundle=str(directory / "other-ca.pem"),
            )


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name.startswith("phasekit") and r.levelno >= logging.WARNING
    ]


@pytest.fixture
def warned(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="phasekit")
    return caplog


def assert_tls_error(tls_server: TlsServer, error: TlsError) -> None:
    assert (error.code, error.status, error.retryable) == ("tls", None, False)
    assert "certificate" in error.message.lower()
    assert_leak_free(error, [tls_server.token])


def test_an_unknown_authority_is_a_tls_error(
    tls_server: TlsServer, warned: pytest.LogCaptureFixture
) -> None:
    """Verification is on by default: a certificate from an authority the system does not
    trust is a TlsError (a NetworkError, code tls, not retried), for both classes."""
    with pytest.raises(TlsError) as caught:
        Client(tls_server.token, tls_server.url).get(APP)
    assert_tls_error(tls_server, caught.value)

    async def main() -> None:
        with pytest.raises(TlsError) as caught:
            await AsyncClient(tls_server.token, tls_server.url).get(APP)
        assert_tls_error(tls_server, caught.value)

    asyncio.run(main())
    assert warnings_of(warned) == []


def test_ca_bundle_makes_the_authority_trusted(
    tls_server: TlsServer, warned: pytest.LogCaptureFixture
) -> None:
    """ca_bundle= with the authority's certificate: reads work, without any warning."""
    client = Client(tls_server.token, tls_server.url, ca_bundle=tls_server.ca_bundle)
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"

    async def main() -> str:
        async_client = AsyncClient(
            tls_server.token, tls_server.url, ca_bundle=tls_server.ca_bundle
        )
        return (await async_client.get_secret("DB_PORT", APP)).value

    assert asyncio.run(main()) == "5432"
    assert warnings_of(warned) == []


def test_ca_bundle_of_another_authority_or_another_name_fails(
    tls_server: TlsServer,
) -> None:
    """Trusting some other authority does not help; nor does the right authority when the
    name in the URL (localhost) is not the certificate's (127.0.0.1)."""
    other = Client(
        tls_server.token, tls_server.url, ca_bundle=tls_server.other_ca_bundle
    )
    with pytest.raises(TlsError) as caught:
        other.get(APP)
    assert_tls_error(tls_server, caught.value)
    by_name = tls_server.url.replace("127.0.0.1", "localhost")
    misnamed = Client(tls_server.token, by_name, ca_bundle=tls_server.ca_bundle)
    with pytest.raises(TlsError) as caught:
        misnamed.get(APP)
    assert_tls_error(tls_server, caught.value)


def test_verify_ssl_false_works_and_warns(
    tls_server: TlsServer, warned: pytest.LogCaptureFixture
) -> None:
    """verify_ssl=False connects despite the unknown authority, and constructing such a
    client (either class) logs a WARNING on phasekit.transport naming the host."""
    client = Client(tls_server.token, tls_server.url, verify_ssl=False)
    records = warnings_of(warned)
    assert len(records) == 1, "warned at construction, before any request"
    assert records[0].name == "phasekit.transport"
    assert records[0].levelno == logging.WARNING
    assert DISABLED_WARNING in records[0].getMessage()
    assert tls_server.url in records[0].getMessage()
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"

    async def main() -> str:
        async_client = AsyncClient(tls_server.token, tls_server.url, verify_ssl=False)
        return (await async_client.get_secret("DB_PORT", APP)).value

    assert asyncio.run(main()) == "5432"
    assert len(warnings_of(warned)) == 2
    assert all(DISABLED_WARNING in r.getMessage() for r in warnings_of(warned))


def test_phase_verify_ssl_false_from_the_environment(
    tls_server: TlsServer,
    warned: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PHASE_VERIFY_SSL=false makes from_env() skip verification, with the same warning;
    without it, from_env() verifies."""
    monkeypatch.setenv("PHASE_SERVICE_TOKEN", tls_server.token)
    monkeypatch.setenv("PHASE_HOST", tls_server.url)
    monkeypatch.delenv("PHASE_VERIFY_SSL", raising=False)
    with pytest.raises(TlsError):
        Client.from_env().get(APP)
    assert warnings_of(warned) == []
    monkeypatch.setenv("PHASE_VERIFY_SSL", "false")
    client = Client.from_env()
    assert [DISABLED_WARNING in r.getMessage() for r in warnings_of(warned)] == [True]
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"


def test_explicit_verify_ssl_true_wins_over_the_environment(
    tls_server: TlsServer,
    warned: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Code that asks for verification gets it, whatever PHASE_VERIFY_SSL says."""
    monkeypatch.setenv("PHASE_VERIFY_SSL", "false")
    client = Client(tls_server.token, tls_server.url, verify_ssl=True)
    assert warnings_of(warned) == []
    with pytest.raises(TlsError):
        client.get(APP)
