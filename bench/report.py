"""What a bench run found, and RESULTS.md written from it: figures, ratios, targets met or not.

Each figure keeps every run; the tables show the median of the runs and the
runs themselves, and ratios are taken between medians of the same run of
``make bench``.
"""

import statistics
from dataclasses import dataclass, field

# The targets (issue 14): each hot path against the floor of its own work (floor_app.py), in the same run.
SUBMIT_OVER_FLOOR = 0.6  # throughput
SUBMIT_P99_OVER_FLOOR = 2.0
SUBMIT_CPU_OVER_FLOOR = 1.7  # the workers' CPU per request
APPROVE_P50_OVER_FLOOR = 1.5
APPROVE_P99_OVER_FLOOR = 2.0
QUEUE_PAGE_CPU_MS = 15
QUEUE_GROWTH = 1.5  # p50 at the largest queue over the smallest, in each run
# Kept from the first round.
READ_OVER_ISSO = 100
NOT_MODIFIED_RATIO = 0.8
OVERHEAD_BYTES = 400
# Import (issue 15): a WXR file of a million comments.
IMPORT_RATE = 5000  # comments a second
IMPORT_RSS_MB = 200
# The dashboard (issue 18): p50 of one moderator loading it, every bucket full, at the largest queue.
DASHBOARD_MS = 100


def median(values):
    values = list(values)
    return statistics.median(values) if values else None


@dataclass
class Figure:
    """The runs of one kind of request against one contender."""

    label: str
    runs: list = field(default_factory=list)
    unavailable: str = ""  # why it was not measured
    worker_cpu_ms: list = field(default_factory=list)  # the server's gunicorn workers, per request, each run
    redis_cpu_ms: list = field(default_factory=list)  # its own redis-server, per request, each run

    @property
    def measured(self):
        return bool(self.runs) and not self.unavailable

    @property
    def rate(self):
        return median(r.rate for r in self.runs)

    @property
    def p50(self):
        # A run that got no answer at all has no latency; it still counts in the rate.
        return median(r.p50_ms for r in self.runs if r.requests)

    @property
    def p99(self):
        return median(r.p99_ms for r in self.runs if r.requests)

    @property
    def errors(self):
        return sum(r.errors for r in self.runs)

    @property
    def requests(self):
        return sum(r.requests for r in self.runs)

    @property
    def statuses(self):
        return " ".join(sorted({s for r in self.runs for s in r.statuses.split()}))

    @property
    def wrapped(self):
        return sum(r.wrapped for r in self.runs)

    @property
    def worker_cpu(self):
        return median(self.worker_cpu_ms)

    @property
    def redis_cpu(self):
        return median(self.redis_cpu_ms)


@dataclass
class Memory:
    comments: int
    per_comment: float  # INFO used_memory delta over the load, per comment
    own: float  # bytes of the comment's field values
    parts: dict  # MEMORY USAGE breakdown, bytes per comment

    @property
    def overhead(self):
        return self.per_comment - self.own


@dataclass
class Report:
    title: str
    mode: str
    machine: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    memory: Memory | None = None
    importing: object = None  # importing.ImportFigure
    erasure: object = None  # erasing.ErasureFigure
    grid: str = ""  # bench/workers.py's table
    timings: list = field(default_factory=list)  # (what, seconds)
    notes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    submit_connections: tuple = ()
    read_connections: int = 16
    queue_connections: int = 4
    thread_size: int = 0
    queue_sizes: tuple = ()

    def figure(self, key, label):
        if key not in self.figures:
            self.figures[key] = Figure(label)
        return self.figures[key]

    def get(self, key):
        figure = self.figures.get(key)
        return figure if figure is not None and figure.measured else None


def number(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def ratio_text(value):
    return "—" if value is None else f"{value:.2f}x"


def divide(a, b):
    return a / b if a is not None and b else None


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def figure_row(name, figure):
    if figure is None:
        return [name, "—", "—", "—", "—", "—", "not measured"]
    if figure.unavailable:
        return [name, "—", "—", "—", "—", "—", figure.unavailable]
    runs = ", ".join(number(r.rate) for r in figure.runs)
    errors = number(figure.errors) + (f" ({figure.statuses})" if figure.statuses else "")
    cpu = number(figure.worker_cpu, 2) + (f" + {number(figure.redis_cpu, 2)}" if figure.redis_cpu is not None else "")
    return [name, number(figure.rate), number(figure.p50, 1), number(figure.p99, 1), cpu, errors, runs]


FIGURE_HEADER = ["", "requests/s (median)", "p50 ms", "p99 ms", "CPU ms a request: workers + Redis",
                 "errors (all runs)", "requests/s of each run"]


def render(report):
    parts = [f"# {report.title}", ""]
    parts += [f"Mode: **{report.mode}**. Written by `bench/run.py`; how to run it and what each figure means: "
              "[README.md](README.md).", ""]
    parts += section("Machine", table(["", ""], report.machine.items()))
    parts += section("Versions", table(["", ""], report.versions.items()))
    parts += section("Settings", table(["", ""], report.settings.items()))
    parts += submit_section(report)
    parts += read_section(report)
    parts += queue_section(report)
    parts += memory_section(report)
    parts += import_section(report)
    parts += erasure_section(report)
    parts += section("Targets", table(["target", "measured", ""], targets(report)))
    parts += section("Workers and threads (gunicorn.conf.py's defaults)", report.grid or "not measured")
    if report.timings:
        parts += section("How long each step took",
                         table(["step", "seconds"], [(what, number(s, 1)) for what, s in report.timings]))
    if report.notes:
        parts += section("Notes", "\n".join(f"- {note}" for note in report.notes))
    if report.errors:
        parts += section("Errors", "\n\n".join(f"```\n{error.strip()}\n```" for error in report.errors))
    return "\n".join(parts).rstrip() + "\n"


def section(title, body):
    return [f"## {title}", "", body, ""]


def submit_section(report):
    rows = []
    for connections in report.submit_connections:
        for contender, name in (("ours", "this service"), ("floor", "submit floor"), ("bare", "bare Flask"),
                                ("isso", "Isso 0.14")):
            figure = report.figures.get(("submit", contender, connections))
            rows.append(figure_row(f"{name}, {connections} connections", figure))
    ratios = []
    for connections in report.submit_connections:
        ours = report.get(("submit", "ours", connections))
        for contender, name in (("floor", "the submit floor"), ("bare", "bare Flask")):
            base = report.get(("submit", contender, connections))
            value = divide(ours.rate if ours else None, base.rate if base else None)
            ratios.append(f"- this service / {name} at {connections} connections: {ratio_text(value)}")
        bare, isso = report.get(("submit", "bare", connections)), report.get(("submit", "isso", connections))
        ratios.append(f"- Isso / bare Flask at {connections} connections: "
                      f"{ratio_text(divide(isso.rate if isso else None, bare.rate if bare else None))}")
    body = table(FIGURE_HEADER, rows) + "\n\n" + "\n".join(ratios)
    return section("Submit: POST of the comment form", body)


def read_section(report):
    rows = [
        figure_row("thread page `GET /threads/<thread>`", report.figures.get(("read", "page"))),
        figure_row("JSON API `GET /api/v1/threads/<thread>/comments`", report.figures.get(("read", "api"))),
        figure_row("JSON API with `If-None-Match` (304)", report.figures.get(("read", "api-304"))),
        figure_row("Isso comment list `GET /?uri=…`", report.figures.get(("read", "isso"))),
    ]
    isso = report.get(("read", "isso"))
    bare = report.get(("submit", "bare", report.read_connections))
    ratios = []
    for key, name in (("page", "thread page"), ("api", "JSON API")):
        figure = report.get(("read", key))
        value = divide(figure.rate if figure else None, isso.rate if isso else None)
        ratios.append(f"- {name} / Isso's list: {ratio_text(value)}")
    figure = report.get(("read", "api-304"))
    value = divide(figure.rate if figure else None, bare.rate if bare else None)
    ratios.append(f"- 304 answer / bare-Flask form POST at {report.read_connections} connections: "
                  f"{ratio_text(value)}")
    title = f"Read: a thread of {report.thread_size:,} approved comments, {report.read_connections} connections"
    return section(title, table(FIGURE_HEADER, rows) + "\n\n" + "\n".join(ratios))


def queue_section(report):
    if len(report.queue_sizes) < 2:
        return section("Queue scale", "not measured")
    small, large = report.queue_sizes[0], report.queue_sizes[-1]
    rows = []
    for kind, name in (("page", "queue page `GET /moderate/`"), ("approve", "approve `POST …/approve`"),
                       ("dashboard", "dashboard `GET /moderate/dashboard`, 1 connection, every bucket full")):
        a = report.get(("queue", kind, small))
        b = report.get(("queue", kind, large))
        rows.append([
            name,
            f"{number(a.p50, 1)} / {number(a.p99, 1)}" if a else "—",
            f"{number(b.p50, 1)} / {number(b.p99, 1)}" if b else "—",
            ratio_text(divide(b.p50, a.p50) if a and b else None),
            ", ".join(ratio_text(x) for x in run_ratios(a, b)) if a and b else "—",
            f"{cpu_text(a)} / {cpu_text(b)}",
            f"{number(a.errors) if a else '—'} / {number(b.errors) if b else '—'}",
            f"{number(a.requests) if a else '—'} / {number(b.requests) if b else '—'}",
        ])
    header = ["", f"p50 / p99 ms at {small:,}", f"p50 / p99 ms at {large:,}", f"p50 {large:,}/{small:,}",
              "the same, each run", f"CPU ms a request, workers + Redis, at {small:,} / {large:,}", "errors",
              "requests (all runs)"]
    floor = report.get(("queue", "approve", "floor"))
    bare = report.get(("submit", "bare", report.queue_connections))
    notes = [
        f"- The approve floor at the same {report.queue_connections} connections: " + (
            f"p50 {number(floor.p50, 1)} ms, p99 {number(floor.p99, 1)} ms, {number(floor.rate)}/s, "
            f"workers {number(floor.worker_cpu, 2)} ms of CPU a request" if floor else "not measured"),
        f"- The bare-Flask form POST at {report.queue_connections} connections, from the submit runs: " + (
            f"p50 {number(bare.p50, 1)} ms, p99 {number(bare.p99, 1)} ms" if bare else "not measured"),
    ]
    return section("Queue scale: pending comments", table(header, rows) + "\n\n" + "\n".join(notes))


def cpu_text(figure):
    if figure is None:
        return "—"
    redis_cpu = f" + {number(figure.redis_cpu, 2)}" if figure.redis_cpu is not None else ""
    return number(figure.worker_cpu, 2) + redis_cpu


def run_ratios(a, b):
    """p50 of ``b`` over ``a`` in each run (they take turns within a run)."""
    return [divide(y.p50_ms, x.p50_ms) for x, y in zip(a.runs, b.runs, strict=False)]


def memory_section(report):
    memory = report.memory
    if memory is None:
        return section("Memory", "not measured")
    lines = [
        f"Over a load of {memory.comments:,} pending comments (`INFO memory` used_memory after minus before):",
        "",
        f"- Redis bytes per pending comment: **{number(memory.per_comment)}**",
        f"- the comment's own bytes (its field values, UTF-8): {number(memory.own)}",
        f"- overhead beyond the comment's own bytes: **{number(memory.overhead)}**",
        "",
        "Where it goes (`MEMORY USAGE` of samples, bytes per comment):",
        "",
        table(["key", "bytes per comment"], [(name, number(value)) for name, value in memory.parts.items()]
              + [("sum", number(sum(memory.parts.values())))]),
    ]
    return section("Memory", "\n".join(lines))


def import_section(report):
    figure = report.importing
    if figure is None:
        return section("Import", "not measured")
    return section("Import: `flask --app wsgi comments import` of a WXR file (bench/importing.py)", table(
        ["comments", "file", "seconds, the whole command", "comments a second", "peak memory of the command"],
        [[f"{figure.comments:,}", f"{number(figure.file_mb)} MB", number(figure.seconds, 1), number(figure.rate),
          f"{number(figure.peak_rss_mb)} MB"]]) + f"\n\nIts report: `{figure.summary}`")


def erasure_section(report):
    figure = report.erasure
    if figure is None:
        return section("Erasure", "not measured")
    idle, during = figure.idle, figure.during
    rows = [figure_row("queue page `GET /moderate/`, no erasure running", idle),
            figure_row("the same while the worker erases", during)]
    ratios = [
        f"- p50 during / without: {ratio_text(divide(during.p50, idle.p50) if idle and during else None)}; "
        f"p99 during / without: {ratio_text(divide(during.p99, idle.p99) if idle and during else None)}",
        f"- the erasure: {figure.erased:,} comments in {number(figure.seconds, 1)} s, "
        f"**{number(figure.rate)} comments a second**, from the console's request to the job's end; "
        f"the request itself answered in {number(figure.request_ms)} ms; nothing of the address left",
    ]
    if figure.ended_before_the_run:
        ratios.append("- the erasure ended before the page's run did: part of that run had no erasure to "
                      "compete with (raise --erase-comments)")
    title = (f"Erasure: {figure.comments:,} comments of one address, by the worker, while the console is read "
             "(bench/erasing.py)")
    return section(title, table(FIGURE_HEADER, rows) + "\n\n" + "\n".join(ratios))


def verdict(ok):
    return "met" if ok else "**not met**"


def targets(report):
    rows = []
    top = max(report.submit_connections) if report.submit_connections else None
    ours, floor = report.get(("submit", "ours", top)), report.get(("submit", "floor", top))
    value = divide(ours.rate if ours else None, floor.rate if floor else None)
    rows.append(target(f"submit throughput ≥ {SUBMIT_OVER_FLOOR} × the submit floor at {top} connections",
                       ratio_text(value), value is not None and value >= SUBMIT_OVER_FLOOR))
    value = divide(ours.p99 if ours else None, floor.p99 if floor else None)
    rows.append(target(f"submit p99 ≤ {SUBMIT_P99_OVER_FLOOR} × the floor's at {top} connections",
                       f"{ratio_text(value)} ({number(ours.p99, 1)} / {number(floor.p99, 1)} ms)" if value else None,
                       value is not None and value <= SUBMIT_P99_OVER_FLOOR))
    value = divide(ours.worker_cpu if ours else None, floor.worker_cpu if floor else None)
    rows.append(target(f"submit: workers' CPU per request ≤ {SUBMIT_CPU_OVER_FLOOR} × the floor's",
                       f"{ratio_text(value)} ({number(ours.worker_cpu, 2)} / {number(floor.worker_cpu, 2)} ms)"
                       if value else None, value is not None and value <= SUBMIT_CPU_OVER_FLOOR))
    rows += queue_targets(report)
    isso = report.get(("read", "isso"))
    for key, name in (("page", "thread page"), ("api", "JSON API")):
        figure = report.get(("read", key))
        value = divide(figure.rate if figure else None, isso.rate if isso else None)
        goal = f"{name} of a {report.thread_size:,}-comment thread ≥ {READ_OVER_ISSO} times Isso's read rate"
        rows.append(target(goal, ratio_text(value), value is not None and value >= READ_OVER_ISSO))
    figure = report.get(("read", "api-304"))
    bare = report.get(("submit", "bare", report.read_connections))
    value = divide(figure.rate if figure else None, bare.rate if bare else None)
    rows.append(target(f"304 answer ≥ {NOT_MODIFIED_RATIO} times the bare-Flask ceiling", ratio_text(value),
                       value is not None and value >= NOT_MODIFIED_RATIO))
    memory = report.memory
    rows.append(target(f"Redis overhead per pending comment ≤ {OVERHEAD_BYTES} bytes",
                       f"{number(memory.overhead)} bytes" if memory else None,
                       memory is not None and memory.overhead <= OVERHEAD_BYTES))
    figure = report.importing
    rows.append(target(f"import of a {figure.comments if figure else 0:,}-comment WXR file ≥ {IMPORT_RATE:,} "
                       "comments a second", f"{number(figure.rate)}/s" if figure else None,
                       figure is not None and figure.rate >= IMPORT_RATE))
    rows.append(target(f"import: peak memory of the command < {IMPORT_RSS_MB} MB",
                       f"{number(figure.peak_rss_mb)} MB" if figure else None,
                       figure is not None and figure.peak_rss_mb < IMPORT_RSS_MB))
    return rows


def queue_targets(report):
    if len(report.queue_sizes) < 2:
        return [target("approve and the queue page against their floors and as the queue grows", None, False)]
    small, large = report.queue_sizes[0], report.queue_sizes[-1]
    rows = []
    floor = report.get(("queue", "approve", "floor"))
    for size in (small, large):
        approve = report.get(("queue", "approve", size))
        for stat, bound in (("p50", APPROVE_P50_OVER_FLOOR), ("p99", APPROVE_P99_OVER_FLOOR)):
            ours_ms = getattr(approve, stat) if approve else None
            floor_ms = getattr(floor, stat) if floor else None
            value = divide(ours_ms, floor_ms)
            rows.append(target(f"approve {stat} ≤ {bound} × the approve floor's at {size:,} pending",
                               f"{ratio_text(value)} ({number(ours_ms, 1)} / {number(floor_ms, 1)} ms)"
                               if value else None, value is not None and value <= bound))
    page = report.get(("queue", "page", small))
    cpu = page.worker_cpu if page else None
    rows.append(target(f"queue page: ≤ {QUEUE_PAGE_CPU_MS} ms of the workers' CPU a page at {small:,} pending",
                       f"{number(cpu, 1)} ms" if cpu is not None else None,
                       cpu is not None and cpu <= QUEUE_PAGE_CPU_MS))
    a, b = page, report.get(("queue", "page", large))
    ratios = run_ratios(a, b) if a and b else []
    rows.append(target(f"queue page p50 at {large:,} pending ≤ {QUEUE_GROWTH} × at {small:,}, in each run",
                       ", ".join(ratio_text(x) for x in ratios) if ratios else None,
                       bool(ratios) and all(x is not None and x <= QUEUE_GROWTH for x in ratios)))
    dashboard = report.get(("queue", "dashboard", large))
    p50 = dashboard.p50 if dashboard else None
    rows.append(target(f"dashboard p50 < {DASHBOARD_MS} ms at {large:,} comments, every bucket full",
                       f"{number(p50, 1)} ms" if p50 is not None else None, p50 is not None and p50 < DASHBOARD_MS))
    return rows


def target(name, measured, ok):
    if measured is None or measured == "—":
        return [name, "—", "not measured"]
    return [name, measured, verdict(ok)]
