"""The dashboard's figures, worked out from the scripts' buckets (``store_stats``): series, not pictures.

Everything here is arithmetic over at most a few thousand buckets: the queue's depth carried from one
change to the next, percentiles of the time-to-decision histograms, sums of days.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import buckets

HOURS = 24
DAYS = 30
MODERATOR_DAYS = 14
BUSIEST_DAYS = 7
# The 24-hour depth chart: one point per this many minutes, each the highest depth within them.
DEPTH_STEP_MINUTES = 10
ACTIONS = ("approved", "rejected", "undone", "removed")


@dataclass
class Figures:
    """What the dashboard shows; every series oldest first."""

    depth_now: int
    depth_day: list  # [(ms of the step's start, highest depth in it)]
    depth_month: list  # [(date, highest depth that day)]
    wait_hours: list  # [(ms of the hour's start, p50 s, p95 s, decisions)]: None when nothing was decided
    wait_days: list  # [(date, p50 s, p95 s, decisions)]
    moderators: dict  # name → {action: [count per day]} over the last MODERATOR_DAYS days
    moderator_days: list  # those days
    door_days: list  # [(date, caught, slipped, rescued)]
    caught: list  # [(trap or rule, comments)] over DAYS, most first
    slipped: int
    rescued: int
    rules: list  # [(rule, times fired)] over DAYS, most first
    busiest: list = field(default_factory=list)  # [(thread, comments)] over BUSIEST_DAYS


def quantile(q, histogram):
    """The ``q`` quantile, in seconds, of a time-to-decision histogram (its fields, as the buckets hold
    them), linear within a bucket as Prometheus's histogram_quantile is; None when it is empty."""
    counts = [histogram.get(name, 0) for name in buckets.WAIT_FIELDS]
    total = sum(counts)
    if not total:
        return None
    rank, seen, lower = q * total, 0, 0
    for bound, count in zip((*buckets.WAIT_BOUNDS, None), counts, strict=True):
        if count and seen + count >= rank:
            if bound is None:
                return lower  # "more than the last bound": the bound is all it can say
            return lower + (bound - lower) * (rank - seen) / count
        seen += count
        lower = bound if bound is not None else lower
    return lower


def added(dicts, prefix=""):
    """The fields starting with ``prefix`` of several buckets, added up."""
    total = Counter()
    for bucket in dicts:
        total.update({name: value for name, value in bucket.items() if name.startswith(prefix)})
    return total


def peaks(buckets_in_order, now_depth):
    """The highest depth of the queue in each bucket. Where nothing changed, the depth is carried from the
    last change; before the first change of the period, it is what that change started from."""
    first = next((b for b in buckets_in_order if "depth" in b), None)
    depth = first["depth_open"] if first else now_depth
    highest = []
    for bucket in buckets_in_order:
        opened = bucket.get("depth_open", depth)
        depth = bucket.get("depth", depth)
        highest.append(max(opened, depth, bucket.get("depth_max", depth)))
    return highest


def minute_of(hour, minute):
    """A minute's depths from its hour's bucket, named as a day bucket names them."""
    depth = hour.get(f"depth:{minute}")
    return {} if depth is None else {"depth_open": hour[f"depth_open:{minute}"], "depth": depth}


def waits(bucket):
    """The median, the 95th percentile (seconds) and the number of decisions of a bucket's histogram."""
    return quantile(0.5, bucket), quantile(0.95, bucket), sum(bucket.get(n, 0) for n in buckets.WAIT_FIELDS)


def days_before(today, count):
    """``count`` dates up to ``today``, oldest first."""
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


def work_out(store, now_ms, timezone):
    """The Figures at ``now_ms`` of a site (its StatsStore and time zone)."""
    this_minute = buckets.minute_of(now_ms)
    # Whole hours: the last is the hour under way.
    hours = list(range(now_ms // buckets.HOUR_MS - HOURS + 1, now_ms // buckets.HOUR_MS + 1))
    minutes = list(range(hours[0] * 60, this_minute + 1))
    today = date.fromisoformat(buckets.day_of(now_ms, timezone))
    days = days_before(today, DAYS)
    per_hour, per_day, depth_now = store.read(hours, [d.isoformat() for d in days])
    per_minute = [minute_of(per_hour[(m - minutes[0]) // 60], m % 60) for m in minutes]

    minute_peaks = peaks(per_minute, depth_now)
    depth_day = [(minutes[i] * buckets.MINUTE_MS, max(minute_peaks[i:i + DEPTH_STEP_MINUTES]))
                 for i in range(0, len(minutes), DEPTH_STEP_MINUTES)]
    day_peaks = peaks(per_day, depth_now)

    wait_hours = [(hour * buckets.HOUR_MS, *waits(bucket)) for hour, bucket in zip(hours, per_hour, strict=True)]
    wait_days = [(d, *waits(bucket)) for d, bucket in zip(days, per_day, strict=True)]

    recent = per_day[-MODERATOR_DAYS:]
    moderators = {}
    for i, bucket in enumerate(recent):
        for name, count in bucket.items():
            if name.startswith("by:"):
                _, action, moderator = name.split(":", 2)
                series = moderators.setdefault(moderator, {a: [0] * len(recent) for a in ACTIONS})
                if action in series:
                    series[action][i] += count

    caught = added(per_day, "caught:")
    door_days = [(d, sum(v for n, v in b.items() if n.startswith("caught:")), b.get("slipped", 0), b.get("rescued", 0))
                 for d, b in zip(days, per_day, strict=True)]
    return Figures(
        depth_now=depth_now, depth_day=depth_day, depth_month=list(zip(days, day_peaks, strict=True)),
        wait_hours=wait_hours, wait_days=wait_days,
        moderators=dict(sorted(moderators.items())), moderator_days=days[-MODERATOR_DAYS:],
        door_days=door_days, caught=ranked(caught, "caught:"), slipped=sum(b.get("slipped", 0) for b in per_day),
        rescued=sum(b.get("rescued", 0) for b in per_day),
        rules=ranked(added(per_day, "rule:"), "rule:"),
        busiest=store.busiest([d.isoformat() for d in days[-BUSIEST_DAYS:]]),
    )


def ranked(counts, prefix, size=10):
    """The ``size`` largest counts, their names without ``prefix``, most first (then by name)."""
    named = ((name.removeprefix(prefix), n) for name, n in counts.items() if n)
    return sorted(named, key=lambda pair: (-pair[1], pair[0]))[:size]
