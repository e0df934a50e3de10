"""The dashboard's charts as geometry for an SVG template: lines, stacked bars and ranked bars.

Drawn on the server, so a page is whole without JavaScript and with nothing fetched from elsewhere. In a
right-to-left language the picture is mirrored: time runs from right to left and bars grow leftwards, as
an Arabic reader reads them. Labels arrive formatted (``fmt``), in the page's language and digits.
"""

import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
# Room for the value axis's labels on one side, the time labels below.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 56, 12, 28
RANK_ROW, RANK_LABEL = 26, 200


@dataclass
class Chart:
    width: int
    height: int
    rtl: bool
    lines: list = field(default_factory=list)  # [(series index, "x,y x,y ...")]
    dots: list = field(default_factory=list)  # [(series index, x, y)]: a value with none beside it
    bars: list = field(default_factory=list)  # [(series index, x, y, width, height, label)]
    x_ticks: list = field(default_factory=list)  # [(x, label)]
    y_ticks: list = field(default_factory=list)  # [(y, label)]
    texts: list = field(default_factory=list)  # ranked charts: [(x, y, label, anchor)]
    axis_x: float = 0  # where the value axis is drawn

    def markup(self):
        """The SVG elements, written here rather than in Jinja: a page holds a few thousand, and only the
        labels need escaping."""
        parts = []
        for y, label in self.y_ticks:
            parts.append(f'<line class="grid" x1="0" x2="{self.width}" y1="{y}" y2="{y}"></line>'
                         f'<text class="tick" x="{self.axis_x}" y="{y}" text-anchor="end" '
                         f'dominant-baseline="middle">{escape(label)}</text>')
        parts += [f'<rect class="series-{i}" x="{x}" y="{y}" width="{w}" height="{h}"><title>{escape(label)}</title>'
                  '</rect>' for i, x, y, w, h, label in self.bars]
        parts += [f'<polyline class="line series-{i}" points="{points}"></polyline>' for i, points in self.lines]
        parts += [f'<circle class="series-{i}" cx="{x}" cy="{y}" r="3.5"></circle>' for i, x, y in self.dots]
        parts += [f'<text class="tick" x="{x}" y="{self.height - 8}" text-anchor="middle">{escape(label)}</text>'
                  for x, label in self.x_ticks]
        parts += [f'<text class="label" x="{x}" y="{y}" text-anchor="{anchor}" dominant-baseline="middle">'
                  f'{escape(label)}</text>' for x, y, label, anchor in self.texts]
        return Markup("".join(parts))  # noqa: S704 — every text in it went through escape()


def tick_step(value):
    """A round step (1, 2 or 5 times a power of ten) that cuts 0…``value`` into two to four parts (a quiet day: 0…4)."""
    quarter = max(value, 4) / 4
    power = 10 ** math.floor(math.log10(quarter))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= quarter)


class Frame:
    """The plotting area of a time chart, mirrored in RTL, and its value axis."""

    def __init__(self, count, top_value, rtl):
        self.count, self.rtl = count, rtl
        self.step = tick_step(top_value)
        self.top = self.step * max(math.ceil(top_value / self.step), 1)
        self.left = MARGIN_SIDE if not rtl else 8
        self.right = WIDTH - 8 if not rtl else WIDTH - MARGIN_SIDE
        self.bottom = HEIGHT - MARGIN_BOTTOM
        self.slot = (self.right - self.left) / max(count, 1)

    def x(self, i):
        """The middle of slot ``i`` (0 the oldest)."""
        offset = (i + 0.5) * self.slot
        return round(self.right - offset if self.rtl else self.left + offset, 1)

    def y(self, value):
        return round(self.bottom - (self.bottom - MARGIN_TOP) * value / self.top, 1)

    def chart(self, labels, fmt, every):
        ticks = [(self.x(i), labels[i]) for i in range(0, self.count, every)]
        values = [(self.y(k * self.step), fmt(k * self.step)) for k in range(round(self.top / self.step) + 1)]
        return Chart(WIDTH, HEIGHT, self.rtl, x_ticks=ticks, y_ticks=values,
                     axis_x=self.left - 6 if not self.rtl else self.right + 6)


def line_chart(labels, series, *, fmt, rtl, every=4):
    """One line per series (lists of numbers or None, oldest first, as long as ``labels``); a gap where
    a value is None."""
    known = [v for values in series for v in values if v is not None]
    frame = Frame(len(labels), max(known, default=0), rtl)
    chart = frame.chart(labels, fmt, every)
    for index, values in enumerate(series):
        run = []
        for i, value in enumerate([*values, None]):
            if value is None:
                if len(run) > 1:
                    chart.lines.append((index, " ".join(f"{x},{y}" for x, y in run)))
                elif run:
                    chart.dots.append((index, *run[0]))
                run = []
            else:
                run.append((frame.x(i), frame.y(value)))
    return chart


def bar_chart(labels, stacks, *, fmt, rtl, every=4, names=()):
    """A bar per label, its series stacked (``stacks``: one list of numbers per label)."""
    frame = Frame(len(labels), max((sum(s) for s in stacks), default=0), rtl)
    chart = frame.chart(labels, fmt, every)
    width = round(frame.slot * 0.7, 1)
    for i, stack in enumerate(stacks):
        base = 0
        for index, value in enumerate(stack):
            if value:
                y = frame.y(base + value)
                name = names[index] if index < len(names) else ""
                chart.bars.append((index, round(frame.x(i) - width / 2, 1), y, width, round(frame.y(base) - y, 1),
                                   f"{labels[i]}: {name} {fmt(value)}".strip()))
                base += value
    return chart


def ranked_chart(items, *, fmt, rtl):
    """Horizontal bars, largest first (``items``: [(label, number)]); they grow from the reading side."""
    height = max(len(items), 1) * RANK_ROW + 8
    chart = Chart(WIDTH, height, rtl)
    top = max((n for _, n in items), default=0) or 1
    room = WIDTH - RANK_LABEL - 60
    for row, (label, number) in enumerate(items):
        y = 4 + row * RANK_ROW
        length = round(room * number / top, 1)
        start = WIDTH - RANK_LABEL if rtl else RANK_LABEL
        x = start - length if rtl else start
        chart.bars.append((0, x, y, max(length, 1), RANK_ROW - 8, f"{label}: {fmt(number)}"))
        label_x = WIDTH - 4 if rtl else 4
        chart.texts.append((label_x, y + RANK_ROW / 2, label, "start"))
        value_x = x - 6 if rtl else x + length + 6
        chart.texts.append((value_x, y + RANK_ROW / 2, fmt(number), "start"))
    return chart
