"""Every command but `run`: secrets, apps, dynamic secrets and leases, completions, help."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import APP, PHASEKIT_BIN, Cli
from local_server import LocalServer


def test_apps_list(cli: Cli) -> None:
    apps = {app["name"]: app for app in cli.json("apps", "list")}
    assert set(apps) == {"interop-app", "interop-e2ee", "refs-app", "twin-alpha", "twin-bravo"}
    envs = {env["name"] for env in apps[APP]["environments"]}
    assert envs == {"Development", "Staging", "Production"}
    table = cli.ok("apps", "list")
    assert f"{APP}\t{cli.server.app_id(APP)}\tDevelopment" in table


def test_secrets_list_masks_values_unless_show(cli: Cli) -> None:
    table = cli.ok("secrets", "list", "--app", APP)
    rows = {line.split("\t")[0]: line.split("\t") for line in table.splitlines()}
    assert rows["DB_HOST"][1] == "********"
    assert "db.dev.internal" not in table
    assert rows["DB_PASSWORD"][2] == "/db", "every folder when no --path"
    shown = cli.ok("secrets", "list", "--app", APP, "--show")
    assert "DB_HOST\tdb.dev.internal\t/\t\tprimary database host" in shown
    assert "MULTILINE_CERT\t-----BEGIN CERT-----\\nMIIBinterop" in shown
    items = cli.json("secrets", "list", "--app", APP, "--path", "/db")
    assert {i["key"] for i in items} == {"DB_USER", "DB_PASSWORD"}
    assert all("value" not in i for i in items)
    shown_items = cli.json("secrets", "list", "--app", APP, "--path", "/db", "--show")
    assert {i["key"]: i["value"] for i in shown_items}["DB_USER"] == "app_user"
    tagged = cli.json("secrets", "list", "--app", APP, "--tags", "database")
    assert [i["key"] for i in tagged] == ["DB_PASSWORD"]


def test_secrets_get(cli: Cli) -> None:
    secret = cli.json("secrets", "get", "DB_HOST", "--app", APP)
    assert secret["value"] == "db.dev.internal"
    assert secret["comment"] == "primary database host"
    nested = cli.json("secrets", "get", "DB_PASSWORD", "--app", APP, "--path", "/db")
    assert nested["tags"] == ["database"]
    missing = cli("secrets", "get", "NOPE", "--app", APP)
    assert missing.returncode == 4 and "error[secret_not_found]" in missing.stderr


def test_create_update_delete(cli: Cli) -> None:
    cli.ok("secrets", "create", "NEW_KEY", "--app", APP, "--comment", "made here",
           "--tag", "database", input="first value\n")
    secret = cli.json("secrets", "get", "NEW_KEY", "--app", APP)
    assert (secret["value"], secret["comment"], secret["tags"]) == ("first value", "made here", ["database"])
    again = cli("secrets", "create", "NEW_KEY", "--app", APP, input="x")
    assert again.returncode == 1 and "error[conflict]" in again.stderr

    cli.ok("secrets", "update", "NEW_KEY", "--app", APP, input="two\nlines")
    secret = cli.json("secrets", "get", "NEW_KEY", "--app", APP)
    assert (secret["value"], secret["comment"]) == ("two\nlines", "made here")
    cli.ok("secrets", "update", "NEW_KEY", "--app", APP, "--updated-path", "/moved", input="")
    moved = cli.json("secrets", "get", "NEW_KEY", "--app", APP, "--path", "/moved")
    assert moved["value"] == "", "a piped empty value is a value"

    partly = cli("--json", "secrets", "delete", "NEW_KEY", "GHOST", "--app", APP, "--path", "/moved")
    assert partly.returncode == 4, "a key that was not found fails the command"
    assert json.loads(partly.stdout) == {"deleted": ["NEW_KEY"], "not_found": ["GHOST"]}
    assert cli("secrets", "delete", "GHOST", "--app", APP).returncode == 4
    assert cli("secrets", "get", "NEW_KEY", "--app", APP, "--path", "/moved").returncode == 4


def test_import_then_export_round_trips(cli: Cli) -> None:
    env_file = cli.cwd / "import.env"
    env_file.write_text('# comment\nexport IMPORTED_A=plain\nIMPORTED_B="with \\"quotes\\"\\nand a line"\n')
    assert cli.json("secrets", "import", str(env_file), "--app", APP, "--path", "/imported") == {
        "created": ["IMPORTED_A", "IMPORTED_B"]}
    dotenv = cli.ok("secrets", "export", "--app", APP, "--path", "/imported")
    assert dotenv == 'IMPORTED_A="plain"\nIMPORTED_B="with \\"quotes\\"\\nand a line"\n'
    only_a = cli.ok("secrets", "export", "IMPORTED_A", "--app", APP, "--path", "/imported", "--format", "kv")
    assert only_a == "IMPORTED_A=plain\n"
    bad = cli("secrets", "export", "--app", APP, "--format", "docx")
    assert bad.returncode == 1 and "error[invalid_input]" in bad.stderr and "java_properties" in bad.stderr
    broken = cli.cwd / "broken.env"
    broken.write_text("OK=1\nsecret-without-equals\n")
    done = cli("secrets", "import", str(broken), "--app", APP)
    assert done.returncode == 1 and "line 2" in done.stderr
    assert "secret-without-equals" not in done.stderr


def test_dynamic_secrets_and_leases(cli: Cli) -> None:
    listed = cli.json("dynamic-secrets", "list", "--app", APP)
    assert {i["key"] for i in listed} == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert all(i["lease_id"] is None for i in listed), "listing generates no lease"
    secret_id = listed[0]["id"]
    credentials = cli.json("lease", "generate", secret_id, "--app", APP, "--lease-ttl", "300")
    assert {c["key"] for c in credentials} == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    lease_id = credentials[0]["lease_id"]
    assert lease_id and all(c["value"] for c in credentials)
    renewed = cli.json("dynamic-secrets", "lease", "renew", lease_id, "600", "--app", APP)
    assert renewed["lease_id"] == lease_id and renewed["message"]
    leases = cli.json("lease", "list", secret_id, "--app", APP)
    assert [(l["id"], l["status"]) for l in leases] == [(lease_id, "active")]
    assert "value" not in json.dumps(leases), "a listing shows no credentials"
    assert cli.ok("lease", "revoke", lease_id, "--app", APP).strip()
    revoked = cli.json("dynamic-secrets", "lease", "get", secret_id, "--app", APP)
    assert [(l["id"], l["status"]) for l in revoked] == [(lease_id, "revoked")]
    table = cli.ok("dynamic-secrets", "list", "--app", APP)
    assert "AWS_ACCESS_KEY_ID\taws-creds" in table


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completions(shell: str) -> None:
    script = subprocess.run([str(PHASEKIT_BIN), "completions", shell], capture_output=True,
                            text=True, check=True).stdout
    assert "phasekit" in script and "secrets" in script and "dynamic-secrets" in script


def test_bash_completion_loads() -> None:
    script = subprocess.run([str(PHASEKIT_BIN), "completions", "bash"], capture_output=True,
                            text=True, check=True).stdout
    probe = script + "\ncomplete -p phasekit\n"
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0 and "phasekit" in done.stdout, done.stderr


@pytest.mark.parametrize("command", [
    [], ["run"], ["shell"], ["secrets"], ["secrets", "list"], ["secrets", "get"],
    ["secrets", "create"], ["secrets", "update"], ["secrets", "delete"], ["secrets", "import"],
    ["secrets", "export"], ["apps", "list"], ["dynamic-secrets", "list"],
    ["dynamic-secrets", "lease", "generate"], ["lease", "list"], ["lease", "renew"], ["lease", "revoke"],
    ["completions"],
])
def test_every_command_has_help(command: list[str]) -> None:
    done = subprocess.run([str(PHASEKIT_BIN), *command, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Usage: phasekit" in done.stdout


def test_usage_errors_exit_2(server: LocalServer) -> None:
    done = subprocess.run([str(PHASEKIT_BIN), "secrets", "frobnicate"], capture_output=True, text=True)
    assert done.returncode == 2
    done = subprocess.run([str(PHASEKIT_BIN), "run"], capture_output=True, text=True)
    assert done.returncode == 2


def test_random_values(cli: Cli) -> None:
    cli.ok("secrets", "create", "RANDOM_HEX", "--app", APP, "--random", "hex", "--length", "16")
    first = cli.json("secrets", "get", "RANDOM_HEX", "--app", APP)["value"]
    assert len(first) == 32 and all(c in "0123456789abcdef" for c in first)
    cli.ok("secrets", "update", "RANDOM_HEX", "--app", APP, "--random", "alphanumeric", "--length", "20")
    second = cli.json("secrets", "get", "RANDOM_HEX", "--app", APP)["value"]
    assert len(second) == 20 and second.isalnum() and second != first
    bad = cli("secrets", "create", "RANDOM_BAD", "--app", APP, "--random", "uuid")
    assert bad.returncode == 1 and "error[invalid_input]" in bad.stderr
    assert cli("secrets", "create", "R", "--app", APP, "--length", "8").returncode == 2, "--length needs --random"
