"""``make api-fuzz``: schemathesis against the service, started the way ``make run`` starts it.

gunicorn with gunicorn.conf.py and its embedded redis-server, in a fresh instance folder of a
temporary directory, on a free port of 127.0.0.1; then ``st run`` on its ``/api/v1/openapi.json``
with every check, a fixed seed and a fixed number of examples, failing on any finding; then the
service is stopped and the folder removed.

The service guards submissions per address (a minimum time to fill the form, a flood interval,
rate limits) and every request here comes from 127.0.0.1, so the run lifts those three settings
through the environment; 429 stays documented, and tests/test_api.py checks it. Everything else
is as configured by default. Extra arguments go to ``st run`` (e.g. ``--max-examples 500``).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Seed and examples: every operation gets its coverage cases and 60 generated ones each way, some
# 500 requests in all, in well under a minute on two shared cores.
SEED = 19
MAX_EXAMPLES = 60
LIFTED = {"FORM_MIN_SECONDS": "0", "FLOOD_SECONDS": "0", "SUBMIT_RATE_LIMIT": "off"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"api-fuzz: gunicorn exited with {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"api-fuzz: the service did not answer {base}/readyz within {seconds} s")


def main(extra):
    folder = tempfile.mkdtemp(prefix="api-fuzz-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "SITES", "SECRET_KEY"}}
    env.update(LIFTED, INSTANCE_PATH=os.path.join(folder, "instance"), HOST="127.0.0.1", PORT=str(port))
    print(f"api-fuzz: gunicorn on {base}, instance folder {env['INSTANCE_PATH']}; lifted for one-address "
          f"traffic: {', '.join(f'{k}={v}' for k, v in LIFTED.items())}", flush=True)
    log = open(os.path.join(folder, "gunicorn.log"), "wb")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    status = 1
    try:
        wait_ready(base, server)
        command = [str(BIN / "st"), "run", f"{base}/api/v1/openapi.json", "--checks", "all",
                   "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
                   "--generation-database", "none", "--no-color", *extra]
        started = time.monotonic()
        # Run in the temporary folder, so that schemathesis's cache of past failures (.schemathesis/, which it
        # replays first) starts empty and goes with the folder: every run is the seeded run.
        hooks = {"SCHEMATHESIS_HOOKS": "tests.api_fuzz_hooks", "PYTHONPATH": str(ROOT)}
        status = subprocess.call(command, cwd=folder, env={**os.environ, **hooks})
        print(f"api-fuzz: schemathesis took {time.monotonic() - started:.1f} s and exited with {status}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)  # the master stops its workers, then its redis-server
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if status != 0:
            sys.stdout.write(Path(folder, "gunicorn.log").read_text(errors="replace")[-4000:])
        shutil.rmtree(folder, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
