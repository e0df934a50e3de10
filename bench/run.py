"""`make bench`: this service beside the bare-Flask ceiling and Isso, under one gunicorn setup, with wrk.

This file owns the order of a run: install what is missing, start the
servers, seed them, measure every figure ``--runs`` times with the
contenders interleaved (so a drift of the machine hits them all alike), stop
every server, and write the report (``bench/RESULTS.md``; ``--quick`` writes
to a temporary file instead). The exit status is non-zero when a step
crashed, never because a target was missed. ``bench/README.md`` says what
each figure means.
"""
# ruff: noqa: E402 (the service's package is importable only once its folder is on the path)

import argparse
import contextlib
import datetime
import importlib.metadata
import itertools
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
# `python bench/run.py` puts bench/ on the path; the service's package lives one level up.
sys.path.append(os.path.dirname(BENCH_DIR))

import console
import erasing
import floor_app
import importing
import loadgen
import peer
import seeding
import servers
import workload
from corpus import ARTICLES, Corpus, address, addresses, thread_keys
from report import Memory, Report, render

from moderation import PROJECT_ROOT
from moderation.config import from_environment
from moderation.embedded import executable as redis_executable

SECRET_KEY = "bench-secret-key-for-signing-form-tokens-0123456789"
MODERATOR = "bench"
PASSWORD = "bench-password-long-enough"  # a throwaway account in a temporary instance
FLOOR_SESSION, FLOOR_CSRF = "bench-floor-session", "bench-floor-csrf-token"
READ_THREAD = ARTICLES[0]
# Submissions go elsewhere: pending comments on the read thread would slow Isso's list (it scans them).
SUBMIT_THREADS = ARTICLES[1:]
# The form's time trap refuses tokens younger than 3 s; tokens are minted before this much has passed.
TOKEN_MIN_AGE_SECONDS = 4
# Every request comes from 127.0.0.1: the per-address guards are relaxed, as Isso's rate limits are.
RELAXED = {"FLOOD_SECONDS": "0", "SUBMIT_RATE_LIMIT": "1000000000/minute"}

FULL = {"runs": 3, "seconds": 15, "warmup": 3, "thread_size": 1000, "queue_sizes": "1000,1000000",
        "approvals": 500, "connections": "16,64", "read_connections": 16, "queue_connections": 4,
        "token_rate": 3000, "batch": 2000, "import_comments": 1_000_000,
        "erase_comments": 1_000_000}
QUICK = dict(FULL, runs=1, seconds=1, warmup=0, thread_size=20, queue_sizes="100,1000", approvals=20,
             token_rate=2000, import_comments=20_000, erase_comments=5_000)

FORM = "Content-Type: application/x-www-form-urlencoded"
JSON = "Content-Type: application/json"
ARABIC = "Accept-Language: ar,en;q=0.8"


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 s runs, one run: proves the harness")
    parser.add_argument("--runs", type=int, help="runs per figure; the report shows the median (3)")
    parser.add_argument("--seconds", type=int, help="length of each run (15)")
    parser.add_argument("--warmup", type=int, help="seconds of unrecorded load before each figure (3)")
    parser.add_argument("--connections", help="submit concurrency levels, comma separated (16,64)")
    parser.add_argument("--read-connections", type=int, help="concurrency of the read figures (16)")
    parser.add_argument("--queue-connections", type=int, help="concurrency of the moderator figures (4)")
    parser.add_argument("--thread-size", type=int, help="approved comments in the thread that is read (1000)")
    parser.add_argument("--queue-sizes", help="pending comments at which the queue is measured (1000,1000000)")
    parser.add_argument("--approvals", type=int, help="approve requests per run, each a different comment (500)")
    parser.add_argument("--token-rate", type=int, help="form tokens minted per second of a submit run (3000)")
    parser.add_argument("--batch", type=int, help="commands per Redis pipeline when loading (2000)")
    parser.add_argument("--import-comments", type=int, help="comments in the WXR file imported (1000000)")
    parser.add_argument("--erase-comments", type=int,
                        help="comments of one address erased while the console is read (1000000)")
    parser.add_argument("--output", help="report file (bench/RESULTS.md; --quick: a temporary file)")
    parser.add_argument("--no-isso", action="store_true", help="leave the peer out")
    parser.add_argument("--no-grid", action="store_true", help="leave out the grid of gunicorn workers and threads")
    parser.add_argument("--no-import", action="store_true", help="leave out the import of a WXR file")
    parser.add_argument("--no-erase", action="store_true",
                        help="leave out the erasure of one address's comments while the console is read")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with logs and data")
    args = parser.parse_args(argv)
    # Flags win over BENCH_* environment variables, which win over the mode's defaults.
    for name, default in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            text = os.environ.get(f"BENCH_{name.upper()}")
            setattr(args, name, type(default)(text) if text else default)
    args.connections = sorted(int(c) for c in str(args.connections).split(","))
    args.queue_sizes = sorted(int(s) for s in str(args.queue_sizes).split(","))
    if args.output is None:
        args.output = os.environ.get("BENCH_OUTPUT") or (
            quick_report_path() if args.quick else os.path.join(BENCH_DIR, "RESULTS.md"))
    return args


def quick_report_path():
    """A fresh temporary file: a quick run never writes over bench/RESULTS.md."""
    fd, path = tempfile.mkstemp(prefix="bench-quick-", suffix=".md")
    os.close(fd)
    return path


class Bench:
    """One run of the benchmark: its options, its temporary folder, its report."""

    def __init__(self, opts):
        self.opts = opts
        self.workdir = tempfile.mkdtemp(prefix="bench-")
        self.environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | RELAXED
        self.settings = from_environment(RELAXED)
        self.corpus = Corpus()
        self.isso_venv = None
        self.gunicorn = {}  # the project's gunicorn settings, read by describe()
        self.failed = False
        self.report = Report(
            title="Benchmark: this service, the bare-Flask ceiling and Isso 0.14",
            mode="quick (proves the harness only; the figures mean nothing)" if opts.quick else "full",
            submit_connections=tuple(opts.connections), read_connections=opts.read_connections,
            queue_connections=opts.queue_connections,
            thread_size=opts.thread_size, queue_sizes=tuple(opts.queue_sizes))

    def run(self):
        started = time.monotonic()
        try:
            if self.step("wrk", loadgen.ensure_wrk):
                self.step("describe the machine", self.describe)
                if not self.opts.no_isso:
                    self.step("Isso venv", self.install_isso)
                self.step("readers: submit and read", self.readers)
                self.step("moderators: queue scale and memory", self.moderators)
                if not self.opts.no_import:
                    self.step("import a WXR file", self.import_file)
                if not self.opts.no_erase:
                    self.step("erase one address's comments while the console is read", self.erase_address)
                if not self.opts.no_grid:
                    self.step("workers and threads", self.grid)
        finally:
            self.report.timings.append(("total", time.monotonic() - started))
            self.write()
            if self.opts.keep:
                print(f"kept {self.workdir}")
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)
        return 1 if self.failed else 0

    def step(self, name, action):
        print(f"== {name}", flush=True)
        started = time.monotonic()
        try:
            action()
            return True
        except Exception:  # recorded in the report and in the exit status, never hidden
            self.failed = True
            self.report.errors.append(f"{name}:\n{traceback.format_exc()}")
            traceback.print_exc()
            return False
        finally:
            self.report.timings.append((name, time.monotonic() - started))

    @contextlib.contextmanager
    def timed(self, what):
        started = time.monotonic()
        yield
        self.report.timings.append((what, time.monotonic() - started))

    def write(self):
        with open(self.opts.output, "w", encoding="utf-8") as f:
            f.write(render(self.report))
        print(f"report: {self.opts.output}", flush=True)

    # What ran, where

    def describe(self):
        report, opts = self.report, self.opts
        self.gunicorn = servers.gunicorn_settings(self.workdir)
        report.machine = machine()
        report.versions = versions()
        report.settings = {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "gunicorn (every contender)": ", ".join(f"{k}={v}" for k, v in self.gunicorn.items()
                                                    if k != "access_log_format"),
            "this service's Redis": "embedded, queue/redis.conf (appendonly yes, appendfsync always), unix socket",
            "this service's per-address guards (all traffic is from 127.0.0.1)":
                ", ".join(f"{k}={v}" for k, v in RELAXED.items()),
            "Isso": "moderation on, guard on with ratelimit and direct-reply at 10^9, reply-to-self on",
            "runs per figure": f"{opts.runs} (tables show the median)",
            "seconds per run": f"{opts.seconds}, after {opts.warmup} s of unrecorded warm-up per figure",
            "wrk": f"1 thread, --latency, timeout {self.timeout()} s, bench/rotate.lua",
            "connections": f"submit {', '.join(map(str, opts.connections))}; read {opts.read_connections}; "
                           f"moderator {opts.queue_connections}",
            "read thread": f"{opts.thread_size:,} approved comments, 20 % of them replies",
            "queue sizes": ", ".join(f"{s:,}" for s in opts.queue_sizes) + " pending comments",
            "approvals per run": f"{self.approvals():,}, each a different pending comment",
            "form tokens per submit run": f"{self.pool_size():,} (none is sent twice)",
        }

    def import_file(self):
        self.report.importing = importing.measure(self.workdir, self.opts.import_comments, self.environ, SECRET_KEY)
        figure = self.report.importing
        print(f"   import: {figure.rate:,.0f} comments/s, peak {figure.peak_rss_mb:,.0f} MB", flush=True)

    def erase_address(self):
        """bench/erasing.py: the queue page with no erasure running, then while the worker erases."""
        count, c = self.opts.erase_comments, self.opts.queue_connections
        with contextlib.ExitStack() as stack:
            ours = self.start(stack, servers.OurServer("erase", self.workdir, SECRET_KEY, self.environ))
            console.create_moderator(ours.env, MODERATOR, PASSWORD)
            loader = seeding.Loader(ours.instance, SECRET_KEY, self.settings, batch=self.opts.batch)
            stack.callback(loader.close)
            with self.timed(f"load {count:,} comments of one address (and {erasing.OTHERS} of others)"):
                loader.submit(erasing.comments(self.corpus, count, start_ms=now_ms() - 24 * 3600 * 1000),
                              sample_every=count + erasing.OTHERS + 1)
                loader.wait_for_background()
            worker = erasing.start_worker(ours.env, os.path.join(self.workdir, "erase-worker.log"))
            stack.callback(erasing.stop_worker, worker)
            erasing.wait_for_worker(loader, worker)
            cookie, csrf = console.log_in(ours.url, MODERATOR, PASSWORD)
            headers = [f"Cookie: {cookie}", "Accept: text/html", ARABIC]
            page = self.file("erase-queue-page", targets=["/moderate/"])
            self.warm(ours, page, connections=c, expected=[200], headers=headers)
            self.measure(("erase", "idle"), "queue page, no erasure", ours, page, connections=c, expected=[200],
                         headers=headers)
            request_ms = erasing.ask(ours.url, cookie, csrf)
            self.measure(("erase", "during"), "queue page during the erasure", ours, page, connections=c,
                         expected=[200], headers=headers)
            ended = erasing.job(loader).get("state") == "done"
            with self.timed(f"the rest of the erasure of {count:,} comments"):
                erased, seconds = erasing.finished(erasing.wait_until_done(loader))
            erasing.check_nothing_left(loader, count)
        figure = erasing.ErasureFigure(comments=count, erased=erased, seconds=seconds, request_ms=request_ms,
                                       idle=self.report.get(("erase", "idle")),
                                       during=self.report.get(("erase", "during")), ended_before_the_run=ended)
        self.report.erasure = figure
        print(f"   erasure: {erased:,} comments in {seconds:,.1f} s ({figure.rate:,.0f}/s); the request "
              f"{request_ms:,.0f} ms", flush=True)

    def install_isso(self):
        try:
            self.isso_venv = peer.install()
            self.report.versions["Isso"] = peer.version(self.isso_venv)
        except (peer.PeerUnavailable, subprocess.TimeoutExpired) as error:
            self.report.versions["Isso"] = "not installed"
            self.report.notes.append(f"Isso could not be installed, so it is left out: {error}")

    def timeout(self):
        return max(10, 2 * self.opts.seconds)

    def approvals(self):
        # Half the smallest queue at most: the queue keeps its size while it is measured.
        return max(1, min(self.opts.approvals, self.opts.queue_sizes[0] // 2))

    def pool_size(self):
        return self.opts.seconds * self.opts.token_rate + 100

    # Servers

    def start(self, stack, server):
        stack.callback(server.stop)
        server.start()
        return server

    def start_isso(self, stack):
        if self.isso_venv is None:
            return None
        folder = os.path.join(self.workdir, "isso")
        config = peer.write_config(folder, site_port=servers.free_port())
        server = servers.isso_server(self.workdir, self.gunicorn, self.environ, venv=self.isso_venv,
                                     config_path=config, port=servers.free_port())
        try:
            return self.start(stack, server)
        except servers.ServerError as error:
            self.report.notes.append(f"Isso did not start, so it is left out: {error}")
            return None

    def measure(self, key, label, server, path, *, connections, expected, headers, mode="wrap"):
        """One wrk run, with the CPU the server's workers (and its Redis) spent on it, per request."""
        workers, redis_cpu = server.cpu_seconds(), server.redis_cpu_seconds()
        result = loadgen.run_wrk(server.url, path, connections=connections, seconds=self.opts.seconds,
                                 expected=expected, headers=headers, mode=mode, timeout_seconds=self.timeout())
        figure = self.report.figure(key, label)
        figure.runs.append(result)
        answered = max(result.requests, 1)
        figure.worker_cpu_ms.append((server.cpu_seconds() - workers) * 1000 / answered)
        if redis_cpu is not None:
            figure.redis_cpu_ms.append((server.redis_cpu_seconds() - redis_cpu) * 1000 / answered)
        print(f"   {label}: {result.rate:,.0f}/s p50 {result.p50_ms:.1f} ms p99 {result.p99_ms:.1f} ms "
              f"errors {result.errors} {result.statuses}; workers {figure.worker_cpu_ms[-1]:.2f} ms of CPU "
              "a request", flush=True)
        return result

    def warm(self, server, path, *, connections, expected, headers):
        if self.opts.warmup > 0:
            loadgen.run_wrk(server.url, path, connections=connections, seconds=self.opts.warmup,
                            expected=expected, headers=headers, timeout_seconds=self.timeout())

    # Readers: submit and read

    def readers(self):
        with contextlib.ExitStack() as stack:
            ours = self.start(stack, servers.OurServer("ours", self.workdir, SECRET_KEY, self.environ))
            bare = self.start(stack, servers.bare_server(self.workdir, self.gunicorn, self.environ))
            floor = self.start(stack, servers.FloorServer("submit-floor", self.workdir, self.gunicorn, self.environ,
                                                          SECRET_KEY))
            isso = self.start_isso(stack)
            loader = seeding.Loader(ours.instance, SECRET_KEY, self.settings, batch=self.opts.batch)
            stack.callback(loader.close)
            with self.timed(f"seed this service's thread of {self.opts.thread_size:,}"):
                seeding.approved_thread(loader, self.corpus, READ_THREAD, count=self.opts.thread_size,
                                        start_ms=now_ms() - 10 * 24 * 3600 * 1000)
            if isso is not None:
                with self.timed(f"seed Isso's thread of {self.opts.thread_size:,} through its API"):
                    isso = self.seed_isso(isso)
            reads = self.read_figures(ours, isso)
            submits = self.submit_figures(ours, bare, floor, isso)
            for spec in submits + reads:
                self.warm(spec.server, spec.warmup, connections=spec.connections, expected=spec.expected,
                          headers=spec.headers)
            for run in range(self.opts.runs):
                print(f"-- run {run + 1} of {self.opts.runs}", flush=True)
                for spec in submits + reads:
                    self.measure(spec.key, spec.label, spec.server, spec.files[run], connections=spec.connections,
                                 expected=spec.expected, headers=spec.headers)
            self.check_pools()
            self.check_intake(loader)

    def seed_isso(self, isso):
        """Isso's read thread, approved, and one comment on each submit thread (creating it)."""
        try:
            uri = workload.thread_path(READ_THREAD)
            ids = peer.seed_thread(isso.url, uri, READ_THREAD, self.corpus, count=self.opts.thread_size)
            peer.activate(os.path.join(self.workdir, "isso"), ids)
            for thread in SUBMIT_THREADS:
                path = workload.thread_path(thread)
                peer.post_comment(isso.url, path, peer.comment_json(self.corpus.submission(), path))
        except (OSError, KeyError, ValueError) as error:
            self.report.notes.append(f"Isso could not be seeded through its API, so it is left out: {error!r}\n"
                                     f"{isso.log_tail()}")
            return None
        return isso

    def submit_figures(self, ours, bare, floor, isso):
        """One spec per contender and concurrency; each of our runs has its own token file."""
        mint = workload.TokenMint(SECRET_KEY)
        commenters = map(address, itertools.count())
        started = time.monotonic()
        specs = []
        for c in self.opts.connections:
            forms = [self.file(f"forms-{c}-{run}") for run in range(self.opts.runs)]
            warmup = self.file(f"forms-{c}-warmup")
            for path in [*forms, warmup]:
                workload.write_form_posts(path, self.corpus, SUBMIT_THREADS, count=self.pool_size(), mint=mint,
                                          commenters=commenters)
            # The bare app reads the same bodies; it checks no token, so it may send one twice.
            specs.append(Spec(key=("submit", "bare", c), label=f"bare Flask, {c} connections", server=bare,
                              files=forms, warmup=warmup, connections=c, expected=[303], headers=[FORM]))
            specs.append(Spec(key=("submit", "ours", c), label=f"this service, {c} connections", server=ours,
                              files=forms, warmup=warmup, connections=c, expected=[303], headers=[FORM, ARABIC]))
            # The submit floor checks the same tokens: it gets the same bodies.
            specs.append(Spec(key=("submit", "floor", c), label=f"submit floor, {c} connections", server=floor,
                              files=forms, warmup=warmup, connections=c, expected=[303], headers=[FORM]))
            if isso is None:
                self.report.figure(("submit", "isso", c), "Isso").unavailable = "Isso not available"
                continue
            posts = self.file(f"isso-posts-{c}")
            uris = [workload.thread_path(t) for t in SUBMIT_THREADS]
            workload.write_isso_posts(posts, self.corpus, uris, min(self.pool_size(), 5000))
            specs.append(Spec(key=("submit", "isso", c), label=f"Isso, {c} connections", server=isso,
                              files=[posts] * self.opts.runs, warmup=posts, connections=c, expected=[201, 202],
                              headers=[JSON]))
        q = self.opts.queue_connections
        if q not in self.opts.connections:
            # The floor of the moderator figures: the framework's own form POST at their concurrency.
            first = specs[0]
            specs.append(Spec(key=("submit", "bare", q), label=f"bare Flask, {q} connections", server=bare,
                              files=first.files, warmup=first.warmup, connections=q, expected=[303], headers=[FORM]))
        minted = time.monotonic() - started
        self.report.timings.append(("mint form tokens and write request files", minted))
        time.sleep(max(0.0, TOKEN_MIN_AGE_SECONDS - minted))
        return specs

    def read_figures(self, ours, isso):
        c, runs = self.opts.read_connections, self.opts.runs
        page = self.file("read-page", targets=[workload.thread_path(READ_THREAD)])
        specs = [Spec(key=("read", "page"), label="thread page", server=ours, files=[page] * runs, warmup=page,
                      connections=c, expected=[200], headers=["Accept: text/html", ARABIC])]
        api_path = "/api/v1/threads/" + urllib.parse.quote(READ_THREAD, safe="") + "/comments"
        etag, missing = probe_api(ours.url + api_path)
        if missing:
            self.report.figure(("read", "api"), "JSON API").unavailable = missing
            self.report.figure(("read", "api-304"), "JSON API 304").unavailable = missing
        else:
            api = self.file("read-api", targets=[api_path])
            accept = "Accept: application/json"
            specs.append(Spec(key=("read", "api"), label="JSON API", server=ours, files=[api] * runs, warmup=api,
                              connections=c, expected=[200], headers=[accept]))
            if etag:
                specs.append(Spec(key=("read", "api-304"), label="JSON API 304", server=ours, files=[api] * runs,
                                  warmup=api, connections=c, expected=[304],
                                  headers=[accept, f"If-None-Match: {etag}"]))
            else:
                self.report.figure(("read", "api-304"), "JSON API 304").unavailable = "no ETag, or no 304 for it"
        if isso is None:
            self.report.figure(("read", "isso"), "Isso list").unavailable = "Isso not available"
            return specs
        query = urllib.parse.urlencode({"uri": workload.thread_path(READ_THREAD)})
        listing = self.file("read-isso", targets=[f"/?{query}"])
        specs.append(Spec(key=("read", "isso"), label="Isso list", server=isso, files=[listing] * runs,
                          warmup=listing, connections=c, expected=[200], headers=["Accept: application/json"]))
        return specs

    def check_pools(self):
        for connections in self.opts.connections:
            figure = self.report.figures.get(("submit", "ours", connections))
            if figure is not None and figure.wrapped:
                self.report.notes.append(
                    f"This service at {connections} connections used up its form tokens and sent some twice "
                    f"(idempotent replays, cheaper than new comments): raise --token-rate.")

    def check_intake(self, loader):
        """Say where the submitted comments went: a comment caught as spam costs less than a queued one."""
        counts = {"pending": loader.pending_count(), "spam": loader.size(loader.keys.spam)}
        self.report.notes.append(
            f"This service took in {counts['pending']:,} comments for moderation during the submit runs "
            f"and set {counts['spam']:,} aside as spam (should be none: the bench sends no spam).")

    def file(self, name, targets=None):
        path = os.path.join(self.workdir, f"{name}.requests")
        if targets is not None:
            workload.write_gets(path, targets)
        return path

    # Workers and threads

    def grid(self):
        """bench/workers.py's grid, in this run: the defaults of gunicorn.conf.py, measured against the others."""
        import workers  # it reads this module's constants

        results = workers.measure_grid(self.workdir, self.environ, rounds=self.opts.runs, seconds=self.opts.seconds,
                                       thread_size=self.opts.thread_size, pending=self.opts.queue_sizes[0])
        self.report.grid = workers.grid_table(results)

    # Moderators: queue scale and memory

    def moderators(self):
        """Each queue size in an instance of its own, measured in turns like the contenders
        of the reader figures: a drift of the machine hits every size alike."""
        sizes = self.opts.queue_sizes
        with contextlib.ExitStack() as stack:
            queues = []
            for size in sizes:
                ours = self.start(stack, servers.OurServer(f"queue-{size}", self.workdir, SECRET_KEY, self.environ))
                console.create_moderator(ours.env, MODERATOR, PASSWORD)
                loader = seeding.Loader(ours.instance, SECRET_KEY, self.settings, batch=self.opts.batch)
                stack.callback(loader.close)
                queue = Queue(loader, self.corpus, largest=sizes[-1])
                self.fill(queue, size, measure_memory=size == sizes[-1])
                seeding.full_dashboard(loader, now_ms())
                queues.append(QueueUnderTest(size, ours, queue, *console.log_in(ours.url, MODERATOR, PASSWORD)))
            floor = self.start(stack, servers.FloorServer("approve-floor", self.workdir, self.gunicorn,
                                                          self.environ, SECRET_KEY))
            floor_app.seed(floor.redis.socket_path, self.approvals() * (self.opts.runs + 1), FLOOR_SESSION,
                           FLOOR_CSRF)
            self.queue_figures(queues, floor)

    def fill(self, queue, size, measure_memory):
        before = None
        if measure_memory:
            before = queue.loader.used_memory()
            queue.loader.samples.clear()  # the breakdown samples this load alone
        started = time.monotonic()
        loaded = queue.fill(size)
        seconds = max(time.monotonic() - started, 1e-6)
        with self.timed(f"wait for Redis's snapshot or rewrite after loading (to {size:,})"):
            queue.loader.wait_for_background()
        self.report.timings.append((f"load {loaded:,} pending comments into Redis (to {size:,})", seconds))
        print(f"   loaded {loaded:,} pending comments in {seconds:.1f} s ({loaded / seconds:,.0f}/s)", flush=True)
        if measure_memory and loaded:
            self.report.memory = queue.memory(before, loaded)

    def queue_figures(self, queues, floor):
        c = self.opts.queue_connections
        page = self.file("queue-page", targets=["/moderate/"])
        dashboard = self.file("dashboard", targets=["/moderate/dashboard"])
        for q in queues:
            self.warm(q.server, page, connections=c, expected=[200], headers=q.page_headers())
            self.warm(q.server, dashboard, connections=1, expected=[200], headers=q.page_headers())
        floor_headers = [f"Cookie: {floor_app.SESSION_COOKIE}={FLOOR_SESSION}", FORM]
        # The approve floor's ids: a batch for each run, one more for the warm-up, each approved once.
        batches = [range(i * self.approvals() + 1, (i + 1) * self.approvals() + 1) for i in range(self.opts.runs + 1)]
        warm = self.file("approve-floor-warmup")
        workload.write_approvals(warm, batches[-1], FLOOR_CSRF)
        loadgen.run_wrk(floor.url, warm, connections=c, seconds=max(self.opts.warmup, 1), expected=[303],
                        headers=floor_headers, mode="stop", timeout_seconds=self.timeout())
        for run in range(self.opts.runs):
            print(f"-- run {run + 1} of {self.opts.runs}", flush=True)
            for q in queues:
                q.queue.fill(q.size)  # back to its size after the approvals of the run before
                q.queue.loader.wait_for_background()
                self.measure(("queue", "page", q.size), f"queue page at {q.size:,}", q.server, page, connections=c,
                             expected=[200], headers=q.page_headers())
                # One moderator at a time: how long the page takes to load, not how many a second.
                self.measure(("queue", "dashboard", q.size), f"dashboard at {q.size:,}", q.server, dashboard,
                             connections=1, expected=[200], headers=q.page_headers())
            for q in queues:
                approvals = self.file(f"approve-{q.size}-{run}")
                workload.write_approvals(approvals, q.queue.loader.random_pending(self.approvals()), q.csrf)
                self.measure(("queue", "approve", q.size), f"approve at {q.size:,}", q.server, approvals,
                             connections=c, expected=[303], headers=[f"Cookie: {q.cookie}", FORM], mode="stop")
            approvals = self.file(f"approve-floor-{run}")
            workload.write_approvals(approvals, batches[run], FLOOR_CSRF)
            self.measure(("queue", "approve", "floor"), "approve floor", floor, approvals, connections=c,
                         expected=[303], headers=floor_headers, mode="stop")


@dataclass(frozen=True)
class QueueUnderTest:
    """One queue size: its instance, its queue, and a moderator's session there."""

    size: int
    server: object
    queue: object
    cookie: str
    csrf: str

    def page_headers(self):
        return [f"Cookie: {self.cookie}", "Accept: text/html", ARABIC]


class Queue:
    """The queue of one instance, filled to a size with comments from a fixed set of threads and commenters."""

    def __init__(self, loader, corpus, largest):
        self.loader = loader
        self.corpus = corpus
        self.threads = thread_keys(max(8, largest // 500))
        self.emails = addresses(max(10, largest // 5))
        self.clock = now_ms() - 30 * 24 * 3600 * 1000  # comments a few weeks old, 1 ms apart

    def fill(self, size):
        """Load pending comments until ``size`` wait; returns how many were loaded."""
        loaded = 0
        for _ in range(10):  # a few rounds: the service may refuse one (a rare duplicate text)
            missing = size - self.loader.pending_count()
            if missing <= 0:
                break
            comments = seeding.pending_comments(self.corpus, missing, threads=self.threads, emails=self.emails,
                                                start_ms=self.clock)
            ids = self.loader.submit(comments, sample_every=max(1, missing // seeding.SAMPLES))
            self.clock += missing
            loaded += len(ids)
        return loaded

    def memory(self, before, loaded):
        after = self.loader.used_memory()
        parts, own = seeding.memory_breakdown(self.loader)
        return Memory(comments=loaded, per_comment=(after - before) / loaded, own=own, parts=parts)


@dataclass(frozen=True)
class Spec:
    """One figure: what to send to which server, and what it should answer."""

    key: tuple
    label: str
    server: object
    files: list  # one request file per run
    warmup: str
    connections: int
    expected: list
    headers: list


def probe_api(url):
    """(ETag, None) when the JSON API answers, and answers 304 to its ETag; (None, why) when it does not."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/json"}),
                                    timeout=60) as response:
            etag = response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        return None, "not available yet" if error.code == 404 else f"answered {error.code}"
    if not etag:
        return None, None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"If-None-Match": etag}), timeout=60):
            return None, None  # a 200: the ETag is never matched
    except urllib.error.HTTPError as error:
        return (etag, None) if error.code == 304 else (None, None)


def now_ms():
    return int(time.time() * 1000)


def machine():
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    memory = "unknown"
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        kib = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "CPU": cpu,
        "cores": f"{os.cpu_count()}, shared by wrk and every server",
        "memory": memory,
        "system": f"{os_name()}, Linux {platform.release()}",
        # Other work on the machine skews every figure; this shows whether there was any.
        "load average at the start (1, 5, 15 min)": ", ".join(f"{n:.2f}" for n in os.getloadavg()),
    }


def os_name():
    with contextlib.suppress(OSError), open("/etc/os-release") as f:
        for line in f:
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return platform.system()


def versions():
    found = {"this service": git_revision(), "Python": platform.python_version()}
    for package in ("Flask", "Werkzeug", "gunicorn", "redis", "hiredis", "itsdangerous", "Jinja2"):
        found[package] = importlib.metadata.version(package)
    run = subprocess.run([redis_executable(), "--version"], capture_output=True, text=True, check=False)
    found["redis-server (embedded)"] = next(
        (word[2:] for word in run.stdout.split() if word.startswith("v=")), run.stdout.strip())
    found["wrk"] = loadgen.wrk_version()
    return found


def git_revision():
    def git(*args):
        return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()

    revision = git("rev-parse", "--short", "HEAD") or "unknown"
    # Untracked files (a linked .venv, logs) do not change what is measured.
    return revision + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def main(argv=None):
    # A SIGTERM (a CI timeout) unwinds like Ctrl-C, so every server is still stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return Bench(options(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
