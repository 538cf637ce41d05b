"""Process start of the client benchmark (bench/startup.py): load the SDK, build a client, get
every secret once, print one line of JSON and exit.

    python start.py --sdk phasekit|phase-dev --url URL --token TOKEN --app APP --env ENV [...]

The other options of the benchmark's driver protocol are accepted and ignored. It imports
nothing but `sys` and `time` besides the SDK: a start is the SDK's, not a harness's (importing
argparse and json alone takes longer than importing phasekit).
"""

import sys
import time

options = dict(zip(sys.argv[1::2], sys.argv[2::2]))
sdk, url, token = options["--sdk"], options["--url"], options["--token"]
app, env = options["--app"], options["--env"]

if sdk == "phasekit":
    import phasekit

    began = time.perf_counter()
    secrets = phasekit.Client(token, url).get(app=app, env=env)
elif sdk == "phase-dev":
    from phase import GetAllSecretsOptions, Phase

    began = time.perf_counter()
    phase = Phase(init=False, pss=token, host=url)
    secrets = phase.get_all_secrets(GetAllSecretsOptions(env_name=env, app_name=app))
else:
    sys.exit(f"--sdk must be phasekit or phase-dev, not {sdk}")
took_ms = (time.perf_counter() - began) * 1e3

checksum = sum(len(text.encode()) for s in secrets for text in (s.key, s.value, s.comment) if text)
print(f'{{"secrets": {len(secrets)}, "checksum": {checksum}, "times_ms": [{took_ms}]}}')
