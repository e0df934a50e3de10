"""The contenders' servers: one gunicorn each, all with the project's settings.

The settings (worker class, workers, threads, timeouts, access log) are read
from the project's own ``gunicorn.conf.py``, so the bare Flask app and Isso
run exactly as this service does. Every server is started in its own
process group and stopped in ``finally`` blocks, also when a run fails.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil

from moderation import PROJECT_ROOT
from moderation.embedded import EmbeddedRedis

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
GUNICORN_CONF = os.path.join(PROJECT_ROOT, "gunicorn.conf.py")
START_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 60

# gunicorn.conf.py names → command-line flags, for the contenders that are not this service.
SHARED_SETTINGS = {
    "worker_class": "--worker-class",
    "workers": "--workers",
    "threads": "--threads",
    "worker_connections": "--worker-connections",
    "keepalive": "--keep-alive",
    "timeout": "--timeout",
    "graceful_timeout": "--graceful-timeout",
    "backlog": "--backlog",
    "reuse_port": "--reuse-port",
    "accesslog": "--access-logfile",
    "access_log_format": "--access-logformat",
}


# Prints the settings a gunicorn config file defines, as JSON.
PROBE = ("import json, runpy, sys; ns = runpy.run_path(sys.argv[1]); "
         "print(json.dumps({k: ns[k] for k in sys.argv[2:] if k in ns}))")


class ServerError(RuntimeError):
    """A server did not start or did not stop."""


def gunicorn_settings(workdir):
    """The project's gunicorn settings under this environment, which every server inherits.

    Read in a child process whose ``INSTANCE_PATH`` is in the bench's folder:
    the file does things when it is read (it empties its metrics folder in
    the instance), and a developer's instance must not be touched. Only
    gunicorn calls its hooks (they start Redis).
    """
    env = dict(os.environ, INSTANCE_PATH=os.path.join(workdir, "settings-probe"))
    run = subprocess.run([sys.executable, "-c", PROBE, GUNICORN_CONF, *SHARED_SETTINGS], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    if run.returncode != 0:
        raise ServerError(f"could not read {GUNICORN_CONF}: {run.stderr.strip()}")
    settings = json.loads(run.stdout.strip().splitlines()[-1])
    return {name: value for name, value in settings.items() if value is not None}


def gunicorn_flags(settings):
    flags = []
    for name, value in settings.items():
        if value is True:  # a switch: the flag alone
            flags.append(SHARED_SETTINGS[name])
        elif value is not False:
            flags += [SHARED_SETTINGS[name], str(value)]
    return flags


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn master (and whatever it starts), its port and its log."""

    def __init__(self, name, command, *, env, port, log_path, ready_path="/", cwd=PROJECT_ROOT):
        self.name = name
        self.command = command
        self.env = env
        self.port = port
        self.log_path = log_path
        self.ready_path = ready_path
        self.cwd = cwd
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.answers():
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise ServerError(f"{self.name} did not answer within {START_TIMEOUT_SECONDS} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def answers(self):
        """Any HTTP answer counts: the bare app has no GET route."""
        try:
            with urllib.request.urlopen(self.url + self.ready_path, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def stop(self):
        """SIGTERM the master (gunicorn stops its workers, ours then its Redis); SIGKILL its group if stuck."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this Server started
            self.process.wait(10)
            raise ServerError(f"{self.name} did not stop within {STOP_TIMEOUT_SECONDS} s; killed") from None

    def cpu_seconds(self):
        """CPU time (user and system) its gunicorn workers have used so far."""
        if self.process is None:
            return 0.0
        return sum(process_cpu(worker.pid) for worker in psutil.Process(self.process.pid).children())

    def redis_cpu_seconds(self):
        """CPU time its own redis-server has used so far; None when it has none."""
        redis_server = getattr(self, "redis", None)
        pid = redis_server.pid() if redis_server is not None else None
        return process_cpu(pid) if pid else None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except FileNotFoundError:
            return ""


def process_cpu(pid):
    try:
        return sum(psutil.Process(pid).cpu_times()[:2])
    except psutil.NoSuchProcess:
        return 0.0


class OurServer(Server):
    """This service: ``gunicorn -c gunicorn.conf.py wsgi:app`` with its embedded Redis in a temporary folder
    (or, given ``redis_url``, on that Redis: a server over TCP, a cluster)."""

    def __init__(self, name, workdir, secret_key, environ, redis_url=None):
        self.instance = os.path.join(workdir, name)
        os.makedirs(self.instance, exist_ok=True)
        port = free_port()
        env = dict(environ, INSTANCE_PATH=self.instance, SECRET_KEY=secret_key, HOST="127.0.0.1", PORT=str(port))
        env.pop("REDIS_URL", None)  # unset: the service starts its own Redis in the instance folder
        if redis_url:
            env["REDIS_URL"] = redis_url
        command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", GUNICORN_CONF, "wsgi:app"]
        super().__init__(name, command, env=env, port=port, log_path=os.path.join(workdir, f"{name}.log"),
                         ready_path="/healthz")
        self.redis = EmbeddedRedis(self.instance)

    def stop(self):
        try:
            super().stop()
        finally:
            # gunicorn's on_exit stops Redis; this only catches a master that died without it.
            if self.redis.is_running():
                self.redis.stop()


class FloorServer(Server):
    """The floors (``floor_app.py``) under the project's gunicorn settings, with a redis-server of their own."""

    def __init__(self, name, workdir, settings, environ, secret_key):
        folder = os.path.join(workdir, f"{name}-redis")
        self.redis = EmbeddedRedis(folder)
        port = free_port()
        command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), *gunicorn_flags(settings),
                   "--bind", f"127.0.0.1:{port}", "--pythonpath", BENCH_DIR, "floor_app:app"]
        env = dict(environ, FLOOR_REDIS_SOCKET=self.redis.socket_path, SECRET_KEY=secret_key)
        super().__init__(name, command, env=env, port=port, log_path=os.path.join(workdir, f"{name}.log"),
                         cwd=workdir)

    def start(self):
        self.redis.start()
        super().start()

    def stop(self):
        try:
            super().stop()
        finally:
            self.redis.stop()


def bare_server(workdir, settings, environ):
    port = free_port()
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), *gunicorn_flags(settings),
               "--bind", f"127.0.0.1:{port}", "--pythonpath", BENCH_DIR, "bare_app:app"]
    # Not from the project's folder: gunicorn reads ./gunicorn.conf.py by default, whose hooks start Redis.
    return Server("bare-flask", command, env=dict(environ), port=port, log_path=os.path.join(workdir, "bare-flask.log"),
                  cwd=workdir)


def isso_server(workdir, settings, environ, *, venv, config_path, port):
    command = [os.path.join(venv, "bin", "gunicorn"), *gunicorn_flags(settings), "--bind", f"127.0.0.1:{port}",
               "isso.run:application"]
    env = dict(environ, ISSO_SETTINGS=config_path)
    env.pop("PYTHONPATH", None)
    # From the bench's folder, where no gunicorn.conf.py waits to be read.
    return Server("isso", command, env=env, port=port, log_path=os.path.join(workdir, "isso.log"), ready_path="/info",
                  cwd=workdir)
