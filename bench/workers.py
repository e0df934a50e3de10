"""`make bench-workers`: which gunicorn workers and threads serve this service best on this machine.

Starts this service once per candidate setting (worker class ``gthread``:
the design rules out sync workers, which an idle keep-alive connection pins),
all at the same time, each with its own embedded Redis and a thread of 1,000
approved comments. Then, round after round, each candidate in turn gets the
comment form at 64 connections and the thread page at 16, so a drift of this
shared machine hits every candidate alike. Writes ``bench/WORKERS.md`` with
the medians; ``gunicorn.conf.py``'s defaults come from it.
"""
# ruff: noqa: E402 (the service's package is importable only once its folder is on the path)

import argparse
import contextlib
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

CANDIDATES = ((2, 4), (2, 8), (3, 4), (4, 2), (4, 4))
SUBMIT_CONNECTIONS, READ_CONNECTIONS = 64, 16


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the report shows the median (3)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each run (8)")
    parser.add_argument("--output", default=os.path.join(BENCH_DIR, "WORKERS.md"), help="report file")
    return parser.parse_args(argv)


def main(argv=None):
    opts = options(argv)
    loadgen.ensure_wrk()
    workdir = tempfile.mkdtemp(prefix="bench-workers-")
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | RELAXED
    corpus, mint, commenters = Corpus(), workload.TokenMint(SECRET_KEY), map(address, itertools.count())
    rates = {(c, figure): [] for c in CANDIDATES for figure in ("submit", "page")}
    p99 = {(c, figure): [] for c in CANDIDATES for figure in ("submit", "page")}
    try:
        with contextlib.ExitStack() as stack:
            started = {}
            for workers, threads in CANDIDATES:
                server = servers.OurServer(f"w{workers}-t{threads}", workdir, SECRET_KEY,
                                           environ | {"WEB_WORKERS": str(workers), "WEB_THREADS": str(threads)})
                stack.callback(server.stop)
                server.start()
                loader = seeding.Loader(server.instance, SECRET_KEY, from_environment(RELAXED))
                stack.callback(loader.close)
                seeding.approved_thread(loader, corpus, READ_THREAD, count=1000, start_ms=now_ms() - 86_400_000)
                started[workers, threads] = server
            page = os.path.join(workdir, "page.requests")
            workload.write_gets(page, [workload.thread_path(READ_THREAD)])
            forms = {}
            for key in started:
                for n in range(opts.rounds):
                    forms[key, n] = os.path.join(workdir, f"forms-{key[0]}-{key[1]}-{n}.requests")
                    workload.write_form_posts(forms[key, n], corpus, SUBMIT_THREADS, count=opts.seconds * 3000 + 100,
                                              mint=mint, commenters=commenters)
            time.sleep(TOKEN_MIN_AGE_SECONDS)
            for server in started.values():  # every worker renders the page once, before anything counts
                loadgen.run_wrk(server.url, page, connections=READ_CONNECTIONS, seconds=3, expected=[200],
                                headers=["Accept: text/html", ARABIC])
            for n in range(opts.rounds):
                for key, server in started.items():
                    submit = loadgen.run_wrk(server.url, forms[key, n], connections=SUBMIT_CONNECTIONS,
                                             seconds=opts.seconds, expected=[303], headers=[FORM, ARABIC])
                    read = loadgen.run_wrk(server.url, page, connections=READ_CONNECTIONS, seconds=opts.seconds,
                                           expected=[200], headers=["Accept: text/html", ARABIC])
                    for figure, result in (("submit", submit), ("page", read)):
                        rates[key, figure].append(result.rate)
                        p99[key, figure].append(result.p99_ms)
                    print(f"round {n + 1}: {key[0]} workers x {key[1]} threads: submit {submit.rate:,.0f}/s "
                          f"(p99 {submit.p99_ms:.0f} ms), page {read.rate:,.0f}/s", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write(opts, rates, p99)


def write(opts, rates, p99):
    lines = [
        "# gunicorn settings for this service, measured side by side",
        "",
        f"Written by `bench/workers.py` ({opts.rounds} rounds of {opts.seconds} s; candidates in turns within a "
        f"round; medians). Worker class `gthread` throughout. Comment form at {SUBMIT_CONNECTIONS} connections, "
        f"thread page of 1,000 comments at {READ_CONNECTIONS}.",
        "",
        "| workers × threads | submit requests/s | submit p99 ms | page requests/s | page p99 ms | "
        "submit of each round |",
        "|---|---|---|---|---|---|",
    ]
    for workers, threads in CANDIDATES:
        key = (workers, threads)
        lines.append(
            f"| {workers} × {threads} | {statistics.median(rates[key, 'submit']):,.0f} | "
            f"{statistics.median(p99[key, 'submit']):,.0f} | {statistics.median(rates[key, 'page']):,.0f} | "
            f"{statistics.median(p99[key, 'page']):,.0f} | "
            + ", ".join(f"{r:,.0f}" for r in rates[key, "submit"]) + " |")
    with open(opts.output, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report: {opts.output}")


if __name__ == "__main__":
    main()
