"""The load client: Debian's wrk driven by ``rotate.lua``, and its figures.

A pure-Python client would eat a third of two shared cores; wrk costs a
fraction of one. Every run is bounded by wrk's own duration, and only ever
aims at 127.0.0.1.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(BENCH_DIR, "rotate.lua")
# wrk's own run is bounded by -d; this only guards against a wrk that hangs.
GRACE_SECONDS = 60


class LoadError(RuntimeError):
    """wrk failed or printed no figures."""


@dataclass(frozen=True)
class Result:
    """One wrk run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    unexpected: int  # answers with another status than the one expected
    wrapped: int
    statuses: str

    @property
    def rate(self):
        """Answers with the expected status per second: a server failing fast is not fast."""
        return max(self.requests - self.unexpected, 0) / self.seconds if self.seconds else 0.0


def ensure_wrk():
    """Install Debian's wrk when it is missing (needs root, as on CI); returns its path."""
    found = shutil.which("wrk")
    if found:
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise LoadError("wrk is not installed and apt-get did not install it")
    return found


def wrk_version():
    run = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (run.stdout or run.stderr).splitlines()[0].split(" Copyright")[0].strip()


def run_wrk(base_url, request_file, *, connections, seconds, expected, headers=(), mode="wrap", threads=1,
            timeout_seconds=30):
    """Send the file's requests to ``base_url`` for ``seconds`` over ``connections`` connections."""
    if not base_url.startswith("http://127.0.0.1:"):
        raise LoadError(f"refusing to load anything but 127.0.0.1: {base_url}")
    threads = max(1, min(threads, connections))
    command = [
        "wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
        "--timeout", f"{timeout_seconds}s", "-s", SCRIPT, base_url,
        "--", request_file, mode, str(threads), ",".join(str(code) for code in expected), *headers,
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + GRACE_SECONDS, check=False)
    for line in run.stdout.splitlines():
        if line.startswith("BENCH "):
            return parse(json.loads(line[len("BENCH "):]))
    raise LoadError(f"wrk exited with {run.returncode} and no figures: {run.stderr.strip() or run.stdout.strip()}")


def parse(figures):
    errors = sum(figures[name] for name in ("connect", "read", "write", "timeout", "unexpected"))
    return Result(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
        unexpected=figures["unexpected"],
        wrapped=figures["wrapped"],
        statuses=figures["statuses"].strip(),
    )
