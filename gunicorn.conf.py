"""gunicorn settings for `make run` and production, read from the environment.

Threaded workers (gthread): a browser's idle keep-alive connection would pin
a sync worker for its whole timeout when no buffering proxy stands in front.
With REDIS_URL unset, the master starts the instance's embedded redis-server
before the workers and stops it after they have gone.
"""

import os


def _metrics_folder():
    """Every worker writes its metrics here and /metrics adds them up. It must be
    set before prometheus-client is first imported, so before the app is."""
    root = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(os.path.abspath(os.environ.get("INSTANCE_PATH") or os.path.join(root, "instance")),
                          "prometheus")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))  # samples of an earlier run
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


_metrics_folder()

from moderation import PROJECT_ROOT  # noqa: E402
from moderation.config import instance_path  # noqa: E402 (not `config`: gunicorn reads that name as a setting)
from moderation.embedded import EmbeddedRedis  # noqa: E402

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Measured side by side in `make bench` and `make bench-workers` (bench/WORKERS.md,
# the grid in bench/RESULTS.md): on 2 cores, 2 processes of 4 threads served the
# comment form and the thread page best of 2 x 8, 3 x 4, 4 x 2 and 4 x 4, and the
# queue page within a tenth of the best, and keep the fewest copies of the
# rendered pages (one per process). Threads cover the Redis fsync waits.
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel
# spreads new connections evenly. On one shared socket the first worker to
# wake accepts a whole burst of keep-alive connections: measured, all 16 of
# wrk's went to one worker, which served them on one core at 1.4 ms of CPU a
# request while the other worker idled (0.5 ms a request when spread).
reuse_port = True
graceful_timeout = 20
# gunicorn's largest request line (its default is half this): /api/v1/counts carries up to 100 thread
# keys in its query, and Arabic keys are six bytes a letter once percent-encoded. The API schema states it.
limit_request_line = 8190
# The app logs one JSON line per request (route, status, latency); no gunicorn access log.
accesslog = None

_embedded = None
_worker = None


def on_starting(server):
    global _embedded
    if not os.environ.get("REDIS_URL"):
        _embedded = EmbeddedRedis(instance_path(PROJECT_ROOT))
        if _embedded.start():
            server.log.info("embedded redis-server started: %s", _embedded.url)
        else:
            server.log.info("embedded redis-server already running: %s", _embedded.url)
            _embedded = None  # someone else started it; they stop it


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def start_worker(server):
    """With RUN_WORKER set (``make run``), one background worker beside the web workers. In a session of
    its own, so that Ctrl-C reaches gunicorn only, which stops the worker before the embedded Redis."""
    global _worker
    import subprocess
    import sys

    from moderation import PROJECT_ROOT

    _worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=PROJECT_ROOT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    server.log.info("background worker started (pid %d)", _worker.pid)


def stop_worker(server):
    import signal
    import subprocess

    if _worker is None or _worker.poll() is not None:
        return
    _worker.send_signal(signal.SIGTERM)
    try:
        _worker.wait(timeout=graceful_timeout)
    except subprocess.TimeoutExpired:
        _worker.kill()  # what it held stays pending in Redis; the next worker claims it
        _worker.wait()
    server.log.info("background worker stopped")


def on_exit(server):
    stop_worker(server)
    if _embedded is not None:
        _embedded.stop()
        server.log.info("embedded redis-server stopped")


def when_ready(server):
    """For each site with no moderator yet, print a one-time link to create its first admin."""
    from moderation import create_app, sites
    from moderation.accounts import issue_setup_token
    from moderation.errors import StoreUnavailable

    if os.environ.get("RUN_WORKER"):
        start_worker(server)
    app = create_app()
    try:
        for site in app.extensions["sites"]:
            with app.app_context():
                sites.use(site)
                try:
                    token = issue_setup_token()
                except StoreUnavailable as error:
                    server.log.warning("could not check site %s for moderators, Redis unavailable: %s",
                                       site.key, error)
                    continue
            if token:
                announce_setup_link(server, site, token)
    finally:
        app.extensions["redis"].close()


def announce_setup_link(server, site, token):
    host, port = bind.rsplit(":", 1)
    host = "127.0.0.1" if host in {"0.0.0.0", "::", "[::]"} else host  # noqa: S104 (a link to print)
    if site.settings.hosts:
        host = site.settings.hosts[0]
    link = f"http://{host}:{port}/moderate/setup?token={token}"
    which = f" of site {site.key} ({site.name})" if site.settings.hosts else ""
    server.log.info("no moderator yet%s; create the first admin at %s", which, link)
    print(f"\n  No moderator yet{which}. Create the first admin here (the link works once):\n  {link}\n",
          flush=True)
