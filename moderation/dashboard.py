"""The dashboard page (``/moderate/dashboard``): how the queue is going, in charts with a table behind each.

Every moderator sees it. The figures come from the scripts' buckets (``figures``), the pictures from
``charts``; this module puts the two together in the page's language and numerals.
"""

import functools
from datetime import UTC, datetime

from babel import Locale
from babel.numbers import format_decimal
from flask import Blueprint, g, render_template
from flask_babel import format_date, format_time, get_locale
from flask_login import login_required

from . import charts, figures, sites
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .moderate import SIGNAL_LABELS
from .services import now_ms

bp = Blueprint("dashboard", __name__, url_prefix="/moderate")

ACTION_NAMES = {"approved": _l("Approved"), "rejected": _l("Rejected"), "undone": _l("Undone"),
                "removed": _l("Taken down")}


def number(value):
    """A count in the page's language, in the digits its locale writes (CLDR's default numbering)."""
    return formatted(round(value), g.numbers_locale)


@functools.lru_cache(maxsize=8192)
def formatted(value, locale, pattern=None):
    # A page writes about two thousand numbers, mostly the same few hundred: Babel takes 100 µs for each.
    return in_digits(format_decimal(value, format=pattern, locale=locale, numbering_system="default"), locale)


# Babel knows which numbering system a locale writes (CLDR's default) and its separators, not its digits.
DIGITS = {"arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}


@functools.lru_cache(maxsize=64)
def digit_table(locale):
    digits = DIGITS.get(Locale.parse(locale).default_numbering_system)
    return str.maketrans("0123456789", digits) if digits else None


def in_digits(text, locale):
    """``text`` with its Western digits written as ``locale`` writes them."""
    table = digit_table(locale)
    return text.translate(table) if table else text


def duration(seconds):
    """A wait in minutes below an hour, else in hours with a tenth."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return _("%(count)s min", count=number(seconds / 60))
    return _("%(count)s h", count=formatted(round(seconds / 3600, 1), g.numbers_locale, "#,##0.#"))


def hour_label(ms):
    return in_digits(format_time(datetime.fromtimestamp(ms / 1000, UTC), "HH:mm"), g.numbers_locale)


def day_label(day):
    return in_digits(format_date(day, "d MMM"), g.numbers_locale)


def minutes(seconds):
    return None if seconds is None else seconds / 60


@bp.get("/dashboard")
@login_required
def dashboard():
    site = sites.current()
    found = figures.work_out(site.stats, now_ms(), site.settings.timezone)
    locale = get_locale()
    g.numbers_locale, rtl = str(locale), locale.text_direction == "rtl"
    in_minutes = lambda value: duration(value * 60)  # noqa: E731 — the axis of a chart drawn in minutes
    hours = [hour_label(ms) for ms, *_ in found.wait_hours]
    days = [day_label(d) for d, *_ in found.wait_days]
    pictures = {
        "depth_day": charts.line_chart([hour_label(ms) for ms, _ in found.depth_day],
                                       [[depth for _, depth in found.depth_day]], fmt=number, rtl=rtl, every=18),
        "depth_month": charts.bar_chart(days, [[depth] for _, depth in found.depth_month], fmt=number, rtl=rtl,
                                        every=5, names=[_("waiting")]),
        "wait_hours": charts.line_chart(hours, [[minutes(p50) for _, p50, _, _ in found.wait_hours],
                                                [minutes(p95) for _, _, p95, _ in found.wait_hours]],
                                        fmt=in_minutes, rtl=rtl, every=3),
        "wait_days": charts.line_chart(days, [[minutes(p50) for _, p50, _, _ in found.wait_days],
                                              [minutes(p95) for _, _, p95, _ in found.wait_days]],
                                       fmt=in_minutes, rtl=rtl, every=5),
        "door_days": charts.bar_chart(days, [[c, s, r] for _, c, s, r in found.door_days], fmt=number, rtl=rtl,
                                      every=5, names=[_("caught"), _("slipped through"), _("false alarms")]),
        "caught": charts.ranked_chart([(signal_name(n), c) for n, c in found.caught], fmt=number, rtl=rtl),
        "rules": charts.ranked_chart([(signal_name(n), c) for n, c in found.rules], fmt=number, rtl=rtl),
        "busiest": charts.ranked_chart(found.busiest, fmt=number, rtl=rtl),
    }
    moderator_days = [day_label(d) for d in found.moderator_days]
    per_moderator = {name: charts.bar_chart(moderator_days, list(zip(*(series[a] for a in figures.ACTIONS),
                                                                      strict=True)),
                                            fmt=number, rtl=rtl, every=7,
                                            names=[str(ACTION_NAMES[a]) for a in figures.ACTIONS])
                     for name, series in found.moderators.items()}
    return render_template("moderate/dashboard.html", found=found, pictures=pictures, per_moderator=per_moderator,
                           hours=hours, days=days, moderator_days=moderator_days, number=number,
                           duration=duration, day_label=day_label, hour_label=hour_label,
                           signal_name=signal_name, actions=figures.ACTIONS, action_names=ACTION_NAMES,
                           timezone=site.settings.timezone)


def signal_name(code):
    return str(SIGNAL_LABELS.get(code, code))
