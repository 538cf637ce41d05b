"""python/examples/typed_quickstart.py type-checks with mypy --strict and runs; the
installed stubs are what mypy sees."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pkhelpers import APP, DEV, RESOLVED_DATABASE_URL, seeded_secret_values

if TYPE_CHECKING:
    from conftest import PhasekitServer

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "typed_quickstart.py"

needs_mypy = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (pip install -r python/tests/requirements.txt)",
)


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for this module's runs, outside the work tree."""
    return tmp_path_factory.mktemp("mypy-cache")


def mypy_strict(cache: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """Runs `mypy --strict` with this interpreter (so against the installed phasekit)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-color-output",
            "--cache-dir",
            str(cache),
            *targets,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=EXAMPLE.parent,
    )


@needs_mypy
def test_typed_quickstart_passes_mypy_strict(mypy_cache: Path) -> None:
    """mypy --strict finds no issue in the example."""
    done = mypy_strict(mypy_cache, str(EXAMPLE))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 1 source file" in done.stdout


@needs_mypy
def test_mypy_sees_the_stubs(mypy_cache: Path, tmp_path: Path) -> None:
    """Misuse is caught: the package's stubs are used (py.typed), not an implicit Any."""
    snippet = tmp_path / "misuse.py"
    snippet.write_text(textwrap.dedent("""
            from phasekit import Client

            client = Client("token")
            secrets: list[str] = client.get(app="a", env=1)
            client.export(app="a", format="docx")
            client.create([{"key": "K"}], app="a")
            """))
    done = mypy_strict(mypy_cache, str(snippet))
    assert done.returncode == 1, done.stdout
    assert 'Argument "env" to "get" of "Client" has incompatible type "int"' in (
        done.stdout
    )
    assert '"list[Secret]", variable has type "list[str]"' in done.stdout
    assert 'Argument "format" to "export" of "Client"' in done.stdout
    assert 'Missing key "value" for TypedDict "NewSecret"' in done.stdout


@needs_mypy
def test_returning_inside_with_client_type_checks(
    mypy_cache: Path, tmp_path: Path
) -> None:
    """`return` inside `with Client(...)` needs no extra return after the block."""
    snippet = tmp_path / "return_in_with.py"
    snippet.write_text(textwrap.dedent("""
            from phasekit import Client


            def host() -> str:
                with Client("token") as client:
                    return client.host
            """))
    done = mypy_strict(mypy_cache, str(snippet))
    assert done.returncode == 0, done.stdout


@needs_mypy
def test_the_cache_watch_and_login_api_type_checks(
    mypy_cache: Path, tmp_path: Path
) -> None:
    """get_result, stats, watch with its callbacks and the logins pass mypy --strict as
    documented; a callback of the wrong type and an unknown source are caught."""
    good = tmp_path / "good_api.py"
    good.write_text(textwrap.dedent("""
            from pathlib import Path

            import phasekit
            from phasekit import AsyncClient, Change, Client, PhaseError, Stats, Watch


            def on_change(change: Change) -> None:
                print(change.added, change.changed, change.removed)


            def on_error(error: PhaseError) -> None:
                print(error.code)


            def blocking() -> int:
                client = Client(cache_ttl=60, offline_cache_dir=Path("/tmp/phase"))
                result = client.get_result("app", "Production", path="/")
                if result.source == "offline":
                    print(len(result.secrets))
                stats: Stats = client.stats()
                watch: Watch = client.watch(
                    "app", "Production", "/db", interval=5.0, on_change=on_change,
                    on_error=on_error,
                )
                with watch:
                    pass
                login = phasekit.login_aws_iam(
                    "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21", region="eu-west-1", ttl=900
                )
                azure = phasekit.login_azure(
                    "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21", jwt="a.b.c", cache_ttl=30
                )
                return stats.requests + len(login.get("app")) + len(azure.get("app"))


            async def asyncio_() -> float:
                client: AsyncClient = await phasekit.async_login_azure(
                    "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21", jwt="a.b.c"
                )
                result = await client.get_result("app", keys=["A"])
                client.watch("app", on_change=on_change).close()
                return client.stats().decrypt_time + len(result.secrets)
            """))
    done = mypy_strict(mypy_cache, str(good))
    assert done.returncode == 0, done.stdout + done.stderr

    bad = tmp_path / "bad_api.py"
    bad.write_text(textwrap.dedent("""
            from phasekit import Client


            def on_change(change: str) -> None: ...


            client = Client()
            client.watch("app", on_change=on_change)
            if client.get_result("app").source == "cache":
                pass
            """))
    done = mypy_strict(mypy_cache, str(bad))
    assert done.returncode == 1, done.stdout
    assert 'Argument "on_change" to "watch" of "Client"' in done.stdout
    assert "Non-overlapping equality check" in done.stdout, done.stdout


def run_example(
    server: PhasekitServer, token_name: str
) -> subprocess.CompletedProcess[str]:
    """The typed quickstart run as a user runs it: PHASE_SERVICE_TOKEN (the seeded token
    `token_name`) and PHASE_HOST in its environment, APP and DEV as its arguments."""
    env = {
        **os.environ,
        "PHASE_SERVICE_TOKEN": server.tokens[token_name],
        "PHASE_HOST": server.url,
    }
    return subprocess.run(
        [sys.executable, str(EXAMPLE), APP, DEV],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_typed_quickstart_runs_against_the_server(server: PhasekitServer) -> None:
    """The example reads, reports a NotFoundError, writes and deletes through the async
    client, exits 0 and prints no secret value."""
    done = run_example(server, "sa-token")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"{APP} has Development, Staging, Production at {server.url}"
    assert lines[1] == "as expected: secret_not_found (no status)"
    assert lines[2] == f"12 secrets in {APP}/{DEV} (from network):"
    assert "  /db/DB_PASSWORD: 13 chars [database]" in lines
    assert f"  DATABASE_URL: {len(RESOLVED_DATABASE_URL)} chars" in lines
    assert lines[-1] == "created and deleted TYPED_EXAMPLE in /"
    for value in seeded_secret_values():
        assert value not in done.stdout
    assert server.requests()["POST /secrets/"] == 1
    assert server.requests()["DELETE /secrets/"] == 1


def test_typed_quickstart_reports_errors_by_code(server: PhasekitServer) -> None:
    """With an expired token the example exits 1 and prints the error code."""
    done = run_example(server, "sa-expired")
    assert done.returncode == 1
    assert done.stderr.startswith("unauthorized: ")
    assert done.stdout == ""
