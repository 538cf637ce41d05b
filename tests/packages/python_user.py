"""What a user of the installed phasekit wheel does, run from a fresh virtual environment
outside the repository against the local server (PHASE_HOST, PHASE_SERVICE_TOKEN): the package
imports from site-packages, reads and decrypts secrets with both clients, and raises its typed
errors. Run by tests/packages/check-python.sh.
"""

from __future__ import annotations

import asyncio
import os
import sysconfig
from pathlib import Path

import phasekit
from phasekit import AsyncClient, AuthenticationError, Client, NotFoundError, PhaseError

EXPECTED_DEVELOPMENT = {"DB_HOST", "DB_PORT", "DB_PASSWORD", "DATABASE_URL", "API_KEY"}


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"python_user: {what}")


def main() -> None:
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    installed = Path(phasekit.__file__).resolve()
    check(site_packages in installed.parents, f"phasekit imported from {installed}")

    with Client.from_env() as client:
        secrets = {s.key: s for s in client.get(app="demo-app", env="Development")}
        check(set(secrets) == EXPECTED_DEVELOPMENT, f"keys {sorted(secrets)}")
        check(
            secrets["DATABASE_URL"].value
            == "postgres://app:dev-password@localhost:5432/app",
            "references resolved",
        )
        check("dev-password" not in repr(secrets["DB_PASSWORD"]), "repr hides the value")
        try:
            client.get(app="no-such-app", env="Development")
            check(False, "an unknown app raised nothing")
        except NotFoundError as error:
            check(error.code == "app_not_found", f"code {error.code}")
            check(isinstance(error, PhaseError), "NotFoundError is a PhaseError")

    try:
        Client("not-a-token", os.environ["PHASE_HOST"])
        check(False, "a malformed token raised nothing")
    except AuthenticationError as error:
        check(error.code == "invalid_token", f"code {error.code}")

    async def read_async() -> set[str]:
        async with AsyncClient.from_env() as client:
            return {s.key for s in await client.get(app="demo-app", env="Production")}

    check(asyncio.run(read_async()) == {"DB_HOST", "API_KEY"}, "AsyncClient reads")
    print(f"python_user: ok (phasekit {phasekit.__version__} from {installed.parent})")


if __name__ == "__main__":
    main()
