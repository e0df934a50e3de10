"""Rate limits on submissions: what ``SUBMIT_RATE_LIMIT`` says, and which
counters one submission is checked against.

Each address and each email address may submit ``SUBMIT_RATE_LIMIT`` comments
(for example ``5/minute;30/hour``: fixed windows). The submit script counts
them in the same step that takes the comment in, so a submission stays one
round trip (and one fsync) to Redis; only comments taken in are counted.
"""

import hashlib
import re
from dataclasses import dataclass

from .keys import ascii_lower

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
ONE_LIMIT = re.compile(r"(\d+)\s*(?:/|per)\s*(\d*)\s*(second|minute|hour|day)s?", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    count: int
    seconds: int


@dataclass(frozen=True)
class Counter:
    """One limit for one sender in the current window: its key's tail, the
    most it may reach, and the seconds until the window ends."""

    name: str
    count: int
    seconds_left: int


def parse(text, setting="SUBMIT_RATE_LIMIT"):
    """``"5/minute;30/hour"`` (also ``5 per minute``, ``10/5 minutes``) as Windows;
    ``off`` (or nothing) for none."""
    if text.strip().lower() == "off":
        return ()
    windows = []
    for part in filter(None, (p.strip() for p in re.split(r"[;,]", text))):
        match = ONE_LIMIT.fullmatch(part)
        if not match:
            raise ValueError(f"{setting}: {part!r} is not like '5/minute' or '30 per hour'")
        count, multiple, unit = match.groups()
        windows.append(Window(int(count), int(multiple or 1) * UNITS[unit.lower()]))
    return tuple(windows)


def report_counters(windows, address, now):
    """The counters a reader's report from ``address`` at ``now`` (seconds) counts against."""
    found = []
    for window in windows:
        index, into = divmod(int(now), window.seconds)
        found.append(Counter(f"report-address:{address or '-'}:{window.seconds}:{index}", window.count,
                             window.seconds - into))
    return found


def counters(windows, address, email, now):
    """The counters a submission from ``address`` and ``email`` at ``now`` (seconds) counts against.

    The email is hashed: the counter's key must not reveal it.
    """
    email_digest = hashlib.sha256(ascii_lower(email.strip()).encode()).hexdigest()[:32]
    found = []
    for window in windows:
        index, into = divmod(int(now), window.seconds)
        for sender in ("address:" + (address or "-"), "email:" + email_digest):
            found.append(Counter(f"{sender}:{window.seconds}:{index}", window.count, window.seconds - into))
    return found
