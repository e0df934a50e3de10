"""`make bench-scaleout`: this service on one Redis server and on a Redis Cluster, side by side, and what WAIT costs.

Four instances of this service, all under the project's gunicorn settings,
differ only in their Redis:

1. the embedded server over its unix socket (`make run`);
2. the same binary and ``queue/redis.conf`` alone on a TCP port (what a
   production Redis costs in network round trips, on loopback);
3. a Redis Cluster of three primaries and three replicas (``tests/topologies``),
   every node with ``queue/redis.conf``;
4. that cluster with ``REDIS_MIN_REPLICAS=1``: each comment is acknowledged
   only once its shard's replica has it (WAIT).

Each gets the comment form at 64 connections and the page of a thread of
1,000 approved comments at 16, in turns within each run, so a drift of this
shared machine hits them alike. Writes ``bench/SCALEOUT.md`` with medians
and ratios to the first; the README's "Scaling out" section reads its
capacity figures from it.
"""
# ruff: noqa: E402 (the service's package is importable only once its folder is on the path)

import argparse
import contextlib
import datetime
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.dirname(BENCH_DIR))

import loadgen
import seeding
import servers
import workload
from corpus import Corpus, address
from run import ARABIC, FORM, READ_THREAD, RELAXED, SECRET_KEY, SUBMIT_THREADS, TOKEN_MIN_AGE_SECONDS, now_ms

from moderation.config import from_environment
from tests.topologies import Cluster, Server, free_port

SUBMIT_CONNECTIONS, READ_CONNECTIONS = 64, 16
FULL = {"runs": 3, "seconds": 10, "thread_size": 1000}
QUICK = {"runs": 1, "seconds": 1, "thread_size": 20}


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one 1 s run at tiny sizes: proves the harness")
    parser.add_argument("--runs", type=int, help="runs; the report shows the median (3)")
    parser.add_argument("--seconds", type=int, help="length of each run (10)")
    parser.add_argument("--thread-size", type=int, help="approved comments in the thread that is read (1000)")
    parser.add_argument("--output", help="report file (bench/SCALEOUT.md; --quick: a temporary file)")
    opts = parser.parse_args(argv)
    for name, default in (QUICK if opts.quick else FULL).items():
        if getattr(opts, name) is None:
            setattr(opts, name, default)
    if opts.output is None:
        opts.output = (tempfile.mkstemp(prefix="bench-scaleout-", suffix=".md")[1] if opts.quick
                       else os.path.join(BENCH_DIR, "SCALEOUT.md"))
    return opts


class Contender:
    def __init__(self, name, label, server, loader):
        self.name, self.label, self.server, self.loader = name, label, server, loader
        self.results = {"submit": [], "page": []}


def main(argv=None):
    opts = options(argv)
    loadgen.ensure_wrk()
    workdir = tempfile.mkdtemp(prefix="bench-scaleout-")
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | RELAXED
    corpus, mint, commenters = Corpus(), workload.TokenMint(SECRET_KEY), map(address, itertools.count())
    settings = from_environment(RELAXED)
    try:
        with contextlib.ExitStack() as stack:
            tcp = Server(os.path.join(workdir, "tcp-redis"), free_port())
            stack.callback(tcp.stop)
            tcp.start()
            cluster = Cluster(os.path.join(workdir, "cluster"))
            stack.callback(cluster.stop)
            cluster.start()
            plans = [
                ("single", "one server, unix socket (embedded)", None, {}),
                ("tcp", "one server, TCP on loopback", f"redis://127.0.0.1:{tcp.port}", {}),
                ("cluster", "Redis Cluster, 3 primaries + 3 replicas", cluster.url, {}),
                ("wait", "the cluster, REDIS_MIN_REPLICAS=1 (WAIT)", cluster.url,
                 {"REDIS_MIN_REPLICAS": "1", "REDIS_REPLICA_WAIT_MS": "1000"}),
            ]
            contenders = []
            for name, label, url, extra in plans:
                server = servers.OurServer(name, workdir, SECRET_KEY, environ | extra, redis_url=url)
                stack.callback(server.stop)
                server.start()
                if name == "wait":  # the same data as "cluster": the thread is seeded once
                    contenders.append(Contender(name, label, server, contenders[-1].loader))
                    continue
                loader = seeding.Loader(server.instance, SECRET_KEY, settings, url=url)
                stack.callback(loader.close)
                seeding.approved_thread(loader, corpus, READ_THREAD, count=opts.thread_size,
                                        start_ms=now_ms() - 86_400_000)
                contenders.append(Contender(name, label, server, loader))
            page = os.path.join(workdir, "page.requests")
            workload.write_gets(page, [workload.thread_path(READ_THREAD)])
            forms = {}
            for contender, run in itertools.product(contenders, range(opts.runs)):
                forms[contender.name, run] = os.path.join(workdir, f"forms-{contender.name}-{run}.requests")
                workload.write_form_posts(forms[contender.name, run], corpus, SUBMIT_THREADS,
                                          count=opts.seconds * 3000 + 100, mint=mint, commenters=commenters)
            time.sleep(TOKEN_MIN_AGE_SECONDS)
            for contender in contenders:  # every worker renders the page once, before anything counts
                loadgen.run_wrk(contender.server.url, page, connections=READ_CONNECTIONS, seconds=2, expected=[200],
                                headers=["Accept: text/html", ARABIC])
            for run in range(opts.runs):
                for contender in contenders:
                    submit = loadgen.run_wrk(contender.server.url, forms[contender.name, run],
                                             connections=SUBMIT_CONNECTIONS, seconds=opts.seconds, expected=[303],
                                             headers=[FORM, ARABIC])
                    read = loadgen.run_wrk(contender.server.url, page, connections=READ_CONNECTIONS,
                                           seconds=opts.seconds, expected=[200], headers=["Accept: text/html", ARABIC])
                    contender.results["submit"].append(submit)
                    contender.results["page"].append(read)
                    print(f"run {run + 1}: {contender.label}: submit {submit.rate:,.0f}/s (p99 {submit.p99_ms:.0f} ms, "
                          f"errors {submit.errors}), page {read.rate:,.0f}/s (p99 {read.p99_ms:.0f} ms)", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write(opts, contenders)


def median(results, attribute):
    return statistics.median(getattr(r, attribute) for r in results)


def write(opts, contenders):
    base = contenders[0]
    lines = [
        "# This service on one Redis and on a Redis Cluster, side by side",
        "",
        f"Written by `bench/scaleout.py` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC "
        f"({opts.runs} runs of {opts.seconds} s, contenders in turns within a run; medians). Every contender: "
        f"`gunicorn -c gunicorn.conf.py` with its defaults, `queue/redis.conf` on every Redis (append-only file, "
        f"`appendfsync always`), all on this machine's {os.cpu_count()} cores together with wrk and every "
        "redis-server. Comment form at 64 connections (each post a new comment); the page of a thread of "
        f"{opts.thread_size:,} approved comments at 16.",
        "",
        "| Redis | submit/s | submit p50 ms | submit p99 ms | × one server | page/s | page p99 ms | × one server |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in contenders:
        s, p = c.results["submit"], c.results["page"]
        lines.append(
            f"| {c.label} | {median(s, 'rate'):,.0f} | {median(s, 'p50_ms'):.1f} | {median(s, 'p99_ms'):.1f} | "
            f"{median(s, 'rate') / median(base.results['submit'], 'rate'):.2f} | {median(p, 'rate'):,.0f} | "
            f"{median(p, 'p99_ms'):.1f} | {median(p, 'rate') / median(base.results['page'], 'rate'):.2f} |")
    by_name = {c.name: c for c in contenders}
    cluster, wait = by_name["cluster"].results["submit"], by_name["wait"].results["submit"]
    lines += [
        "",
        f"WAIT for one replica: submit {median(wait, 'rate') / median(cluster, 'rate'):.2f} × the cluster without "
        f"it; p50 {median(wait, 'p50_ms') - median(cluster, 'p50_ms'):+.1f} ms, "
        f"p99 {median(wait, 'p99_ms') - median(cluster, 'p99_ms'):+.1f} ms.",
        "",
        "Errors (answers other than the expected status, socket errors, timeouts) in every run: "
        + "; ".join(f"{c.name} {sum(r.errors for r in c.results['submit'] + c.results['page'])}" for c in contenders)
        + ".",
    ]
    if opts.quick:
        lines.insert(2, "**Quick run: proves the harness only; the figures mean nothing.**\n")
    with open(opts.output, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report: {opts.output}")


if __name__ == "__main__":
    main()
