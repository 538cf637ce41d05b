"""Quickstart: fetch and decrypt the secrets of one environment.

    PHASE_SERVICE_TOKEN=pss_service:v2:... PHASE_HOST=https://console.phase.dev \
        python examples/python/quickstart.py demo-app Development
"""

import sys

from phasekit import Client, PhaseError


def main() -> int:
    app = sys.argv[1] if len(sys.argv) > 1 else "demo-app"
    env = sys.argv[2] if len(sys.argv) > 2 else "Development"
    try:
        with Client.from_env() as client:
            secrets = client.get(app=app, env=env)
    except PhaseError as err:
        print(f"{err.code}: {err}", file=sys.stderr)
        return 1
    print(f"{len(secrets)} secrets in {app}/{env}:")
    for secret in secrets:
        folder = "" if secret.path == "/" else secret.path + "/"
        print(f"  {folder}{secret.key} = {secret.value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
