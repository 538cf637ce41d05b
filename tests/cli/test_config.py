"""Where the app and environment come from: flags, then PHASE_APP/PHASE_ENV, then a
`.phase.json` written as the official CLI's `phase init` writes it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import APP, Cli


def phase_init(cli: Cli, directory: Path, env: str, monorepo: bool = False) -> None:
    """The file `phase init` writes (phase-cli 1.21.3, cmd/init.py): the same keys, order,
    indentation and mode."""
    server = cli.server
    config = {
        "version": "2",
        "phaseApp": APP,
        "appId": server.app_id(APP),
        "defaultEnv": env,
        "envId": server.env_id(APP, env),
        "monorepoSupport": monorepo,
    }
    path = directory / ".phase.json"
    path.write_text(json.dumps(config, indent=2))
    os.chmod(path, 0o600)


def test_phase_json_gives_app_and_default_environment(cli: Cli) -> None:
    phase_init(cli, cli.cwd, "Production")
    assert cli.child_env()["DB_HOST"] == "db.prod.internal"
    assert cli.child_env("--env", "Staging")["DB_HOST"] == "db.staging.internal"


def test_environment_variables_win_over_phase_json_and_flags_over_both(cli: Cli) -> None:
    phase_init(cli, cli.cwd, "Production")
    staging = cli.env(PHASE_ENV="Staging")
    assert cli.child_env(env=staging)["DB_HOST"] == "db.staging.internal"
    assert cli.child_env("--env", "Development", env=staging)["DB_HOST"] == "db.dev.internal"
    # PHASE_APP names the app: .phase.json's default environment no longer applies.
    by_env = cli.env(PHASE_APP="twin-alpha")
    assert cli.child_env(env=by_env)["WHO"] == "alpha-twin-secret"
    assert cli.child_env("--app", "twin-bravo", env=by_env)["WHO"] == "bravo-twin-secret"


def test_parent_directories_need_monorepo_support_within_the_search_depth(cli: Cli) -> None:
    nested = cli.cwd / "a" / "b"
    nested.mkdir(parents=True)
    inside = Cli(server=cli.server, cwd=nested)
    phase_init(cli, cli.cwd, "Production", monorepo=False)
    done = inside("run", "--", "true")
    assert done.returncode == 1 and "error[invalid_input]" in done.stderr
    phase_init(cli, cli.cwd, "Production", monorepo=True)
    assert inside.child_env()["DB_HOST"] == "db.prod.internal"
    shallow = inside.env(PHASE_CONFIG_PARENT_DIR_SEARCH_DEPTH="1")
    assert inside("run", "--", "true", env=shallow).returncode == 1


def test_host_flag_wins_over_phase_host(cli: Cli) -> None:
    wrong = cli.env(PHASE_HOST="http://127.0.0.1:9")
    assert cli("secrets", "list", "--app", APP, env=wrong).returncode == 5
    out = cli.ok("secrets", "list", "--app", APP, "--host", cli.server.url, env=wrong)
    assert "DB_HOST" in out


def test_missing_token_and_bad_token(cli: Cli) -> None:
    no_token = {k: v for k, v in cli.env().items() if k != "PHASE_SERVICE_TOKEN"}
    done = cli("apps", "list", env=no_token)
    assert done.returncode == 3 and "error[invalid_token]" in done.stderr
    expired = Cli(server=cli.server, cwd=cli.cwd, token_name="sa-expired")
    done = expired("apps", "list")
    assert done.returncode == 3 and "error[unauthorized]" in done.stderr


def test_core_warnings_and_debug_lines_reach_stderr_without_secrets(cli: Cli) -> None:
    insecure = cli("apps", "list", env=cli.env(PHASE_VERIFY_SSL="false"))
    assert insecure.returncode == 0
    assert "phasekit: warn: TLS certificate verification is disabled" in insecure.stderr
    debug = cli("run", "--app", APP, "--", "true", env=cli.env(PHASE_DEBUG="1"))
    assert debug.returncode == 0
    assert "phasekit: info: " in debug.stderr and "/secrets/" in debug.stderr
    token = cli.env()["PHASE_SERVICE_TOKEN"]
    assert token.split(":")[2] not in debug.stderr and "db.dev.internal" not in debug.stderr
    quiet = cli("apps", "list")
    assert quiet.stderr == ""
