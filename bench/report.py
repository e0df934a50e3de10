"""What a bench run found, and RESULTS.md written from it: figures, ratios, targets met or not.

Each figure keeps every run; the tables show the median of the runs and the
runs themselves, and ratios are taken between medians of the same run of
``make bench``.
"""

import statistics
from dataclasses import dataclass, field

# The targets of issue 7.
SUBMIT_RATIO = 0.6
SUBMIT_P99_MS = 50
READ_OVER_ISSO = 100
NOT_MODIFIED_RATIO = 0.8
QUEUE_GROWTH = 1.5
APPROVE_P99_MS = 10
OVERHEAD_BYTES = 400


def median(values):
    values = list(values)
    return statistics.median(values) if values else None


@dataclass
class Figure:
    """The runs of one kind of request against one contender."""

    label: str
    runs: list = field(default_factory=list)
    unavailable: str = ""  # why it was not measured

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
        return [name, "—", "—", "—", "—", "not measured"]
    if figure.unavailable:
        return [name, "—", "—", "—", "—", figure.unavailable]
    runs = ", ".join(number(r.rate) for r in figure.runs)
    errors = number(figure.errors) + (f" ({figure.statuses})" if figure.statuses else "")
    return [name, number(figure.rate), number(figure.p50, 1), number(figure.p99, 1), errors, runs]


FIGURE_HEADER = ["", "requests/s (median)", "p50 ms", "p99 ms", "errors (all runs)", "requests/s of each run"]


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
    parts += section("Targets", table(["target", "measured", ""], targets(report)))
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
        for contender, name in (("ours", "this service"), ("bare", "bare Flask"), ("isso", "Isso 0.14")):
            figure = report.figures.get(("submit", contender, connections))
            rows.append(figure_row(f"{name}, {connections} connections", figure))
    ratios = []
    for connections in report.submit_connections:
        bare = report.get(("submit", "bare", connections))
        for contender, name in (("ours", "this service"), ("isso", "Isso")):
            figure = report.get(("submit", contender, connections))
            value = divide(figure.rate if figure else None, bare.rate if bare else None)
            ratios.append(f"- {name} / bare Flask at {connections} connections: {ratio_text(value)}")
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
    for kind, name in (("page", "queue page `GET /moderate/`"), ("approve", "approve `POST …/approve`")):
        a = report.get(("queue", kind, small))
        b = report.get(("queue", kind, large))
        rows.append([
            name,
            f"{number(a.p50, 1)} / {number(a.p99, 1)}" if a else "—",
            f"{number(b.p50, 1)} / {number(b.p99, 1)}" if b else "—",
            ratio_text(divide(b.p50, a.p50) if a and b else None),
            ratio_text(divide(b.p99, a.p99) if a and b else None),
            f"{number(a.errors) if a else '—'} / {number(b.errors) if b else '—'}",
            f"{number(a.requests) if a else '—'} / {number(b.requests) if b else '—'}",
        ])
    header = ["", f"p50 / p99 ms at {small:,}", f"p50 / p99 ms at {large:,}", f"p50 {large:,}/{small:,}",
              f"p99 {large:,}/{small:,}", "errors", "requests (all runs)"]
    floor = floor_figure(report)
    note = (f"The framework's floor at the same {report.queue_connections} connections, from the submit runs: "
            f"the bare-Flask form POST, p50 {number(floor.p50, 1)} ms, p99 {number(floor.p99, 1)} ms."
            if floor else "The bare-Flask form POST was not measured at the moderator figures' concurrency.")
    return section("Queue scale: pending comments", table(header, rows) + "\n\n" + note)


def floor_figure(report):
    """The bare-Flask form POST at the moderator figures' concurrency: no approve can answer sooner."""
    return report.get(("submit", "bare", report.queue_connections))


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


def verdict(ok):
    return "met" if ok else "**not met**"


def targets(report):
    rows = []
    top = max(report.submit_connections) if report.submit_connections else None
    ours, bare = report.get(("submit", "ours", top)), report.get(("submit", "bare", top))
    value = divide(ours.rate if ours else None, bare.rate if bare else None)
    rows.append(target(f"submit throughput ≥ {SUBMIT_RATIO} times bare Flask at {top} connections",
                       ratio_text(value), value is not None and value >= SUBMIT_RATIO))
    p99 = ours.p99 if ours else None
    rows.append(target(f"submit p99 ≤ {SUBMIT_P99_MS} ms at {top} connections",
                       f"{number(p99, 1)} ms" if p99 is not None else None, p99 is not None and p99 <= SUBMIT_P99_MS))
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
    rows += queue_targets(report)
    memory = report.memory
    rows.append(target(f"Redis overhead per pending comment ≤ {OVERHEAD_BYTES} bytes",
                       f"{number(memory.overhead)} bytes" if memory else None,
                       memory is not None and memory.overhead <= OVERHEAD_BYTES))
    return rows


def queue_targets(report):
    if len(report.queue_sizes) < 2:
        return [target("queue page and approve within 1.5 times as the queue grows", None, False)]
    small, large = report.queue_sizes[0], report.queue_sizes[-1]
    rows = []
    for kind, name in (("page", "queue page"), ("approve", "approve")):
        a, b = report.get(("queue", kind, small)), report.get(("queue", kind, large))
        value = divide(b.p50, a.p50) if a and b else None
        rows.append(target(f"{name} p50 at {large:,} pending ≤ {QUEUE_GROWTH} times at {small:,}", ratio_text(value),
                           value is not None and value <= QUEUE_GROWTH))
    approves = [report.get(("queue", "approve", size)) for size in report.queue_sizes]
    worst = max((f.p99 for f in approves if f and f.p99 is not None), default=None)
    floor = floor_figure(report)
    beside = f" (bare Flask's form POST: {number(floor.p99, 1)} ms)" if floor else ""
    rows.append(target(f"approve p99 ≤ {APPROVE_P99_MS} ms (worst of the sizes)",
                       f"{number(worst, 1)} ms{beside}" if worst is not None else None,
                       worst is not None and worst <= APPROVE_P99_MS))
    return rows


def target(name, measured, ok):
    if measured is None or measured == "—":
        return [name, "—", "not measured"]
    return [name, measured, verdict(ok)]
