"""`make bench-workers`: which gunicorn workers and threads serve this service best on this machine.

Starts this service once per candidate setting (worker class ``gthread``:
the design rules out sync workers, which an idle keep-alive connection pins),
all at the same time, each with its own embedded Redis, a thread of 1,000
approved comments, 1,000 pending comments and a moderator. Then, round after
round, each candidate in turn gets the comment form at 64 connections, the
thread page at 16 and the moderator's queue page at 4, so a drift of this
shared machine hits every candidate alike. All the bench's traffic comes
from 127.0.0.1, so every comment submitted would join one network wave of
thousands, and the queue page would measure the waves panel instead of the
queue: the candidates run with waves shown only from a size no run reaches
(``WAVE_MIN_SIZE``). ``make bench`` runs the same grid
as one of its steps and shows it in RESULTS.md; alone, this writes
``bench/WORKERS.md``. ``gunicorn.conf.py``'s defaults come from it.
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

import console
import loadgen
import seeding
import servers
import workload
from corpus import Corpus, address, addresses, thread_keys
from run import ARABIC, FORM, PASSWORD, READ_THREAD, RELAXED, SECRET_KEY, SUBMIT_THREADS, TOKEN_MIN_AGE_SECONDS, now_ms

from moderation.config import from_environment

CANDIDATES = ((2, 4), (2, 8), (3, 4), (4, 2), (4, 4))
DEFAULT = (2, 4)  # gunicorn.conf.py's WEB_WORKERS, WEB_THREADS
FIGURES = (("submit", "comment form", 64), ("page", "thread page", 16), ("queue", "queue page", 4))
MODERATOR = "grid"
NO_WAVES = {"WAVE_MIN_SIZE": "1000000000"}


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the report shows the median (3)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each run (8)")
    parser.add_argument("--output", default=os.path.join(BENCH_DIR, "WORKERS.md"), help="report file")
    return parser.parse_args(argv)


def measure_grid(workdir, environ, *, rounds, seconds, thread_size=1000, pending=1000):
    """{(candidate, figure): [wrk Result, one a round]} for every candidate and figure."""
    corpus, mint, commenters = Corpus(), workload.TokenMint(SECRET_KEY), map(address, itertools.count())
    results = {(c, figure): [] for c in CANDIDATES for figure, _, _ in FIGURES}
    with contextlib.ExitStack() as stack:
        started = {}
        for workers, threads in CANDIDATES:
            server = servers.OurServer(f"grid-w{workers}-t{threads}", workdir, SECRET_KEY,
                                       environ | NO_WAVES | {"WEB_WORKERS": str(workers), "WEB_THREADS": str(threads)})
            stack.callback(server.stop)
            server.start()
            console.create_moderator(server.env, MODERATOR, PASSWORD)
            loader = seeding.Loader(server.instance, SECRET_KEY, from_environment(RELAXED))
            stack.callback(loader.close)
            seeding.approved_thread(loader, corpus, READ_THREAD, count=thread_size, start_ms=now_ms() - 86_400_000)
            loader.submit(seeding.pending_comments(corpus, pending, threads=thread_keys(8), emails=addresses(200),
                                                   start_ms=now_ms() - 3_600_000))
            loader.wait_for_background()
            cookie, _csrf = console.log_in(server.url, MODERATOR, PASSWORD)
            started[workers, threads] = (server, cookie)
        page = os.path.join(workdir, "grid-page.requests")
        workload.write_gets(page, [workload.thread_path(READ_THREAD)])
        queue = os.path.join(workdir, "grid-queue.requests")
        workload.write_gets(queue, ["/moderate/"])
        forms = {}
        for key, n in itertools.product(started, range(rounds)):
            forms[key, n] = os.path.join(workdir, f"grid-forms-{key[0]}-{key[1]}-{n}.requests")
            workload.write_form_posts(forms[key, n], corpus, SUBMIT_THREADS, count=seconds * 3000 + 100, mint=mint,
                                      commenters=commenters)
        time.sleep(TOKEN_MIN_AGE_SECONDS)
        for server, cookie in started.values():  # every worker renders the pages once, before anything counts
            loadgen.run_wrk(server.url, page, connections=16, seconds=2, expected=[200],
                            headers=["Accept: text/html", ARABIC])
            loadgen.run_wrk(server.url, queue, connections=4, seconds=2, expected=[200],
                            headers=[f"Cookie: {cookie}", "Accept: text/html", ARABIC])
        for n in range(rounds):
            for key, (server, cookie) in started.items():
                runs = {
                    "submit": (forms[key, n], [303], [FORM, ARABIC]),
                    "page": (page, [200], ["Accept: text/html", ARABIC]),
                    "queue": (queue, [200], [f"Cookie: {cookie}", "Accept: text/html", ARABIC]),
                }
                line = []
                for figure, _name, connections in FIGURES:
                    path, expected, headers = runs[figure]
                    result = loadgen.run_wrk(server.url, path, connections=connections, seconds=seconds,
                                             expected=expected, headers=headers)
                    results[key, figure].append(result)
                    line.append(f"{figure} {result.rate:,.0f}/s (p99 {result.p99_ms:.0f} ms)")
                print(f"round {n + 1}: {key[0]} workers x {key[1]} threads: " + ", ".join(line), flush=True)
    return results


def grid_table(results):
    """The grid as a markdown table (medians), and why the default is what it is."""
    header = "| workers × threads | " + " | ".join(
        f"{name} at {c} connections: requests/s, p99 ms" for _, name, c in FIGURES) + " |"
    lines = [header, "|---|" + "---|" * len(FIGURES)]
    medians = {}
    for candidate in CANDIDATES:
        cells = []
        for figure, _, _ in FIGURES:
            runs = results[candidate, figure]
            rate = statistics.median(r.rate for r in runs) if runs else 0.0
            p99 = statistics.median(r.p99_ms for r in runs) if runs else 0.0
            medians[candidate, figure] = rate
            cells.append(f"{rate:,.0f}, {p99:,.0f}")
        mark = " (default)" if candidate == DEFAULT else ""
        lines.append(f"| {candidate[0]} × {candidate[1]}{mark} | " + " | ".join(cells) + " |")
    lines += ["", why(medians)]
    return "\n".join(lines)


def why(medians):
    """Which candidate served each figure best, and how the default stands against it."""
    said, shares = [], []
    for figure, name, _ in FIGURES:
        best = max(CANDIDATES, key=lambda c: medians[c, figure])
        share = medians[DEFAULT, figure] / medians[best, figure] if medians[best, figure] else 0.0
        shares.append(share)
        said.append(f"{name}: best {best[0]} × {best[1]}" + ("" if best == DEFAULT else
                                                              f", the default at {share:.2f} × it"))
    first = sum(share == 1.0 for share in shares)
    return (f"Best median rate by figure: {'; '.join(said)}. The default, {DEFAULT[0]} × {DEFAULT[1]}, came first "
            f"on {first} of {len(FIGURES)} figures and within {1 - min(shares):.0%} of the best on the others; "
            "rounds of one candidate differ by more than that on this shared machine. On two cores more processes "
            "only contend for them, and each keeps its own rendered pages; threads cover the waits for Redis's "
            "fsync.")


def main(argv=None):
    opts = options(argv)
    loadgen.ensure_wrk()
    workdir = tempfile.mkdtemp(prefix="bench-workers-")
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | RELAXED
    try:
        results = measure_grid(workdir, environ, rounds=opts.rounds, seconds=opts.seconds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = ["# gunicorn settings for this service, measured side by side", "",
            f"Written by `bench/workers.py` ({opts.rounds} rounds of {opts.seconds} s; candidates in turns within "
            "a round; medians). Worker class `gthread` throughout.", "", grid_table(results)]
    with open(opts.output, "w", encoding="utf-8") as f:
        f.write("\n".join(text) + "\n")
    print(f"report: {opts.output}")


if __name__ == "__main__":
    main()
