"""phasekit and the official Python SDK read each other's writes on the same server.

phasekit is driven through its example command line (examples/rust/secrets.rs), built by
`make interop`; its path comes from $PHASEKIT_CLI_BIN, else the Makefile's explicit-target
build directory.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from phase import (
    DeleteSecretOptions,
    GetAllSecretsOptions,
)
from phase.utils.phase_io import Phase as PhaseIO

from support import APP, DEV, RESOLVED_DATABASE_URL, SdkFactory, by_key, create, update

if TYPE_CHECKING:
    from conftest import PhasekitServer

REPO = Path(__file__).resolve().parents[3]


def _cli() -> Path:
    configured = os.environ.get("PHASEKIT_CLI_BIN")
    if configured:
        return Path(configured)
    triple = f"{platform.machine()}-unknown-linux-gnu"
    return REPO / "target" / triple / "debug" / "examples" / "secrets"


def phasekit(server: PhasekitServer, token: str, *args: str) -> Any:
    """Runs the phasekit command line with a seeded token; returns its JSON output."""
    cli = _cli()
    if not cli.exists():
        pytest.fail(f"{cli} is missing: run `make interop` (it builds the example)")
    env = {
        **os.environ,
        "PHASE_SERVICE_TOKEN": server.tokens[token],
        "PHASE_HOST": server.url,
    }
    done = subprocess.run(
        [str(cli), *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_phasekit_reads_every_folder_like_the_official_sdk(
    server: PhasekitServer,
) -> None:
    """Same keys, paths and raw values over all folders; references resolve alike."""
    io = PhaseIO(init=False, pss=server.tokens["sa-token"], host=server.url)
    official = {
        (s["path"], s["key"]): s["value"]
        for s in io.get(env_name=DEV, app_name=APP, path="")
    }
    ours = phasekit(server, "sa-token", "get", APP, DEV, "--raw")
    assert {(s["path"], s["key"]): s["value"] for s in ours} == official
    resolved = by_key(phasekit(server, "sa-token", "get", APP, DEV))
    assert resolved["DATABASE_URL"]["value"] == RESOLVED_DATABASE_URL
    assert resolved["STAGING_DB_HOST"]["value"] == "db.staging.internal"


def test_personal_overrides_read_alike(server: PhasekitServer) -> None:
    """alice's personal access token sees her override of DB_PORT in both clients."""
    ours = by_key(phasekit(server, "alice-pat", "get", APP, DEV, "--path", "/"))
    assert ours["DB_PORT"]["value"] == "15432"
    assert ours["DB_PORT"]["overridden"] is True
    assert ours["DATABASE_URL"]["value"].endswith(":15432/app")


def test_what_phasekit_writes_the_official_sdk_reads(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """create, update and delete by phasekit, each checked through phase-dev."""
    phasekit(
        server, "sa-token", "set", APP, DEV, "FROM_PHASEKIT", "v1 ✓", "--comment", "c"
    )
    official = sdk("sa-token")

    def read() -> dict[str, Any]:
        options = GetAllSecretsOptions(env_name=DEV, app_name=APP)
        return by_key(official.get_all_secrets(options))

    assert read()["FROM_PHASEKIT"].value == "v1 ✓"
    assert read()["FROM_PHASEKIT"].comment == "c"
    phasekit(server, "sa-token", "update", APP, DEV, "FROM_PHASEKIT", "")
    assert read()["FROM_PHASEKIT"].value == ""
    assert read()["FROM_PHASEKIT"].comment == "c", "phasekit keeps the comment"
    assert phasekit(
        server, "sa-token", "delete", APP, DEV, "FROM_PHASEKIT", "NOPE"
    ) == ["NOPE"]
    assert "FROM_PHASEKIT" not in read()


def test_what_the_official_sdk_writes_phasekit_reads(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """create, update and delete by phase-dev, each checked through phasekit."""
    official = sdk("sa-token")
    create(official, [{"FROM_PHASE_DEV": "hello\nworld"}], secret_path="/svc")

    def read() -> dict[str, Any]:
        return by_key(phasekit(server, "sa-token", "get", APP, DEV, "--path", "/svc"))

    assert read()["FROM_PHASE_DEV"]["value"] == "hello\nworld"
    update(official, "FROM_PHASE_DEV", value="changed", secret_path="/svc")
    assert read()["FROM_PHASE_DEV"]["value"] == "changed"
    official.delete_secret(
        DeleteSecretOptions(
            env_name=DEV,
            app_name=APP,
            key_to_delete="FROM_PHASE_DEV",
            secret_path="/svc",
        )
    )
    assert "FROM_PHASE_DEV" not in read()


def test_the_end_to_end_app_round_trips(
    server: PhasekitServer, sdk: SdkFactory
) -> None:
    """On an app whose server holds only ciphertext, both clients read both writes."""
    phasekit(server, "sa-token", "set", "interop-e2ee", DEV, "E2EE_NEW", "secret")
    official = sdk("sa-token").get_all_secrets(
        GetAllSecretsOptions(env_name=DEV, app_name="interop-e2ee")
    )
    assert by_key(official)["E2EE_NEW"].value == "secret"
    ours = by_key(phasekit(server, "sa-token", "get", "interop-e2ee", DEV))
    assert ours["DSN"]["value"] == "postgres://app:e2ee@db/app"
