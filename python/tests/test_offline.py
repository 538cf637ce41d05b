"""The offline cache (`offline_cache_dir=`, `offline=`, PHASE_OFFLINE_CACHE_DIR,
PHASE_OFFLINE): answers kept as ciphertext in private files; served to a new client when the
server fails (source "offline"), never in place of a refusal; offline mode makes no request
and refuses what needs the server with OfflineError (code offline_unavailable).
"""

from __future__ import annotations

import asyncio
import logging
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from phasekit import (
    InvalidInputError,
    OfflineError,
    PermissionDeniedError,
)
from pkhelpers import (
    APP,
    DB_VALUES,
    DEV,
    PROD,
    ROOT_RAW,
    assert_text_leak_free,
    seeded_secret_values,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer

DB = "/db"


@pytest.fixture(autouse=True)
def no_offline_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets itself: the core reads these when a client is built."""
    monkeypatch.delenv("PHASE_OFFLINE_CACHE_DIR", raising=False)
    monkeypatch.delenv("PHASE_OFFLINE", raising=False)


def fill(server: PhasekitServer, cache: Path | str) -> dict[str, str]:
    """Reads interop-app/Development/db online into the offline cache; the values read."""
    return values(server.client(offline_cache_dir=cache).get(APP, DEV, path=DB))


def test_answers_are_kept_as_ciphertext_in_private_files(
    server: PhasekitServer, tmp_path: Path
) -> None:
    """A pathlib.Path works as the directory; files are 0600 in 0700 directories and hold
    no value and no key name of the seed."""
    cache = tmp_path / "phase-cache"
    result = server.client(offline_cache_dir=cache).get_result(APP, DEV)
    assert result.source == "network"
    files = [path for path in cache.rglob("*") if path.is_file()]
    folders = [cache, *(path for path in cache.rglob("*") if path.is_dir())]
    assert len(files) >= 2  # the session and the listing at least
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        text = path.read_text(encoding="utf-8", errors="replace")
        for plain in [*seeded_secret_values(), *ROOT_RAW]:
            assert plain not in text, f"{plain!r} in {path.name}"
    for path in folders[1:]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


def test_a_new_client_falls_back_to_the_cache_while_the_server_fails(
    server: PhasekitServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every request failing with 503: a client that never talked to the server reads the
    cache ("offline", with a warning on the phasekit logger); once the server answers
    again, "network"."""
    caplog.set_level(logging.WARNING, logger="phasekit")
    fresh = fill(server, str(tmp_path))
    assert fresh == DB_VALUES
    cold = server.client(offline_cache_dir=str(tmp_path), max_retries=0)
    server.faults(fail_next=1000, fail_status=503)
    result = cold.get_result(APP, DEV, path=DB)
    assert result.source == "offline"
    assert values(result.secrets) == fresh
    assert cold.stats().offline_served >= 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("serving the offline cache" in message for message in warnings)
    assert_text_leak_free(
        "\n".join(warnings), "the warnings", tokens=[server.tokens["sa-token"]]
    )

    server.clear_faults()
    assert cold.get_result(APP, DEV, path=DB).source == "network"


def test_a_refusal_is_not_papered_over(server: PhasekitServer, tmp_path: Path) -> None:
    """A 403 with a filled cache is raised as the refusal it is."""
    fill(server, tmp_path)
    server.faults(fail_next=1000, fail_status=403)
    with pytest.raises(PermissionDeniedError) as caught:
        server.client(offline_cache_dir=tmp_path, max_retries=0).get(APP, DEV, path=DB)
    assert not isinstance(caught.value, OfflineError)
    assert caught.value.status == 403
    assert caught.value.retryable is False


def test_offline_mode_makes_no_request_and_refuses_writes(
    server: PhasekitServer, tmp_path: Path
) -> None:
    """offline=True: reads (one key too) come from the cache with no request at all;
    writes and scopes never fetched raise OfflineError with code offline_unavailable."""
    fresh = fill(server, tmp_path)
    server.reset_requests()
    offline = server.client(offline_cache_dir=tmp_path, offline=True)

    result = offline.get_result(APP, DEV, path=DB)
    assert result.source == "offline"
    assert values(result.secrets) == fresh
    one = offline.get(APP, DEV, path=DB, keys=["DB_USER"])
    assert values(one) == {"DB_USER": DB_VALUES["DB_USER"]}

    with pytest.raises(OfflineError) as caught:
        offline.create([{"key": "OFFLINE_NEW", "value": "v", "path": DB}], APP, DEV)
    assert caught.value.code == "offline_unavailable"
    assert "offline mode" in caught.value.message
    with pytest.raises(OfflineError):
        offline.delete(["DB_USER"], APP, DEV, path=DB)
    with pytest.raises(OfflineError) as never_fetched:
        offline.get(APP, PROD)
    assert never_fetched.value.code == "offline_unavailable"

    assert offline.stats().requests == 0
    assert server.requests() == {}


def test_offline_mode_needs_a_directory(server: PhasekitServer) -> None:
    """offline=True with no directory (argument or PHASE_OFFLINE_CACHE_DIR) is refused."""
    with pytest.raises(InvalidInputError, match="offline cache directory"):
        server.client(offline=True)


def test_the_environment_configures_the_offline_cache(
    server: PhasekitServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PHASE_OFFLINE_CACHE_DIR and PHASE_OFFLINE=1 make a plain client offline;
    offline=False given to the constructor wins over PHASE_OFFLINE."""
    fresh = fill(server, tmp_path)
    monkeypatch.setenv("PHASE_OFFLINE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("PHASE_OFFLINE", "1")
    server.reset_requests()
    result = server.client().get_result(APP, DEV, path=DB)
    assert (result.source, values(result.secrets)) == ("offline", fresh)
    assert server.requests() == {}

    assert server.client(offline=False).get_result(APP, DEV, path=DB).source == (
        "network"
    )


def test_the_async_client_reads_offline(server: PhasekitServer, tmp_path: Path) -> None:
    """AsyncClient takes the same options and reports the same source."""
    fresh = fill(server, tmp_path)
    client = server.async_client(offline_cache_dir=tmp_path, offline=True)

    async def main() -> tuple[str, dict[str, str]]:
        result = await client.get_result(APP, DEV, path=DB)
        return result.source, values(result.secrets)

    assert asyncio.run(main()) == ("offline", fresh)


def test_an_offline_cache_dir_of_the_wrong_type_is_refused(
    server: PhasekitServer,
) -> None:
    """Only str and os.PathLike name a directory, and an empty one names none."""
    with pytest.raises(TypeError):
        server.client(offline_cache_dir=42)
    with pytest.raises(InvalidInputError, match="offline_cache_dir must not be empty"):
        server.client(offline_cache_dir="", offline=True)
