"""The dashboard's time buckets: which minute and which day a moment falls in, and how long each is kept.

The scripts count into the buckets (``queue/lib/stats.lua``); they get what this module computes in their
options, so the periods, the retention and the time-to-decision bounds are written down once, here. A day
is the site's own (its time zone), a minute and an hour (of UTC) the same everywhere.
"""

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
KEEP_HOURS = 48
KEEP_DAYS = 400
# Time to decision, in seconds: the upper bounds of the histogram's buckets (then "more"). A newsroom
# promises minutes or hours; the buckets are finest there.
WAIT_BOUNDS = (60, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 604800)
# Reasons of a rejection that say the door let spam in (the console's reason, and a wave rejected at once).
SPAM_REASONS = ("spam", "spam wave")
WAIT_FIELDS = (*(f"wait:{bound}" for bound in WAIT_BOUNDS), "wait:inf")


@functools.lru_cache(maxsize=32)
def zone(name):
    return ZoneInfo(name)


def minute_of(ms):
    return ms // MINUTE_MS


def day_of(ms, timezone):
    """The date of ``ms`` in ``timezone``, as the day buckets name it (YYYY-MM-DD)."""
    return datetime.fromtimestamp(ms / 1000, zone(timezone)).date().isoformat()


def when(ms, timezone):
    """What a script needs to count at ``ms``: the options ``stats`` of queue/lib/stats.lua."""
    return {"hour": ms // HOUR_MS, "minute": minute_of(ms) % 60, "day": day_of(ms, timezone), "bounds": WAIT_BOUNDS,
            # A little over the period shown, so that the oldest bucket of a chart is still whole.
            "keep_hour_seconds": (KEEP_HOURS + 1) * 3600, "keep_day_seconds": (KEEP_DAYS + 1) * 86400}
