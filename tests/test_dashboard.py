"""The dashboard: the scripts count in the same step as they decide, and the page draws those counts."""

import calendar
import re
import time

import pytest

from moderation import buckets, figures
from moderation.intake import Traps
from moderation.intake import decide as intake_decide
from moderation.models import Decision, Intake, NewComment
from moderation.rules import BLOCKED_EMAIL, Signal

from .conftest import logged_in

MINUTE = 60_000


def new(body, email="reader@example.com", thread="story"):
    return NewComment(thread=thread, author="نور", email=email, body=body)


def submitted(store, body, now, **options):
    return store.submit(new(body, **{k: options.pop(k) for k in ("email", "thread") if k in options}),
                        nonce=f"n-{body}", now_ms=now, **options).id


def day(store, now):
    return store.client.hgetall(store.keys.stats_day(buckets.day_of(now, store.timezone)))


# Noon of a day (UTC), so that every moment of a test falls on that day and in whole hours.
NOON = calendar.timegm(time.strptime("2026-12-07 12:00", "%Y-%m-%d %H:%M")) * 1000


def test_a_decision_counts_its_wait_its_moderator_and_the_queue_in_the_same_script(store):
    now = NOON
    first = submitted(store, "one", now - 20 * MINUTE)
    second = submitted(store, "two", now - 20 * MINUTE)
    store.decide(first, Decision.APPROVE, "mona", now - 10 * MINUTE)  # waited 10 minutes
    store.decide(second, Decision.REJECT, "ali", now, reason="spam")  # 20 minutes, and spam that got in
    counts = day(store, now)
    assert counts["submitted"] == "2" and counts["decided"] == "2"
    assert counts["by:approved:mona"] == "1" and counts["by:rejected:ali"] == "1"
    assert counts["wait:600"] == "1" and counts["wait:1800"] == "1"
    assert counts["slipped"] == "1"
    assert counts["depth_max"] == "2" and counts["depth"] == "0"
    hour = store.client.hgetall(store.keys.stats_hour(now // buckets.HOUR_MS))
    minute = buckets.minute_of(now) % 60
    assert hour[f"depth_open:{minute}"] == "1" and hour[f"depth:{minute}"] == "0"
    assert hour["wait:1800"] == "1"
    earlier = store.client.hgetall(store.keys.stats_hour((now - 10 * MINUTE) // buckets.HOUR_MS))
    assert earlier["wait:600"] == "1"
    total = store.client.hgetall(store.keys.stats_total)
    assert total["wait_ms"] == str(30 * MINUTE)


def test_the_door_counts_what_caught_the_spam_and_the_rules_that_fired(store):
    now = int(time.time() * 1000)
    trapped = intake_decide(Traps(honeypot_filled=True), 0)
    blocked = intake_decide(Traps(), 0, signals=[Signal(BLOCKED_EMAIL, "spam", "on the list")])
    submitted(store, "bot", now, intake=trapped)
    spam = submitted(store, "blocked", now, intake=blocked)
    submitted(store, "person", now)
    store.rescue(spam, "mona", now)
    counts = day(store, now)
    assert counts["caught:honeypot"] == "1" and counts["caught:blocked_email"] == "1"
    assert counts["rule:blocked_email"] == "1" and "rule:honeypot" not in counts
    assert counts["rescued"] == "1"
    # Spam is not an article's traffic (nor is a comment rescued from it: it came in the day it did).
    threads = store.client.zrange(store.keys.stats_day_threads(buckets.day_of(now, "UTC")), 0, -1, withscores=True)
    assert threads == [("story", 1.0)]


def test_undo_and_takedown_count_under_the_moderator(store):
    now = int(time.time() * 1000)
    comment_id = submitted(store, "one", now)
    store.decide(comment_id, Decision.APPROVE, "mona", now)
    store.undo(comment_id, "mona", now, False, 60_000)
    store.decide(comment_id, Decision.APPROVE, "mona", now)
    store.remove(comment_id, "ali", now, "legal")
    counts = day(store, now)
    assert counts["by:approved:mona"] == "2" and counts["by:undone:mona"] == "1"
    assert counts["by:removed:ali"] == "1"


def test_days_follow_the_site_time_zone(redis_client):
    from moderation.store import Store

    store = Store(redis_client, timezone="Asia/Riyadh")  # UTC+3: 22:30 UTC is already the next day
    at = calendar.timegm(time.strptime("2026-12-07 22:30", "%Y-%m-%d %H:%M")) * 1000
    submitted(store, "late", at)
    assert store.client.hget(store.keys.stats_day("2026-12-08"), "submitted") == "1"


@pytest.mark.parametrize(("counts", "p50", "p95"), [
    ({"wait:60": 10}, 30, 57),  # all within a minute: spread over it
    ({"wait:60": 5, "wait:300": 5}, 60, 276),
    ({"wait:inf": 3}, 604800, 604800),  # beyond the last bound: the bound
])
def test_quantiles_of_the_wait_histogram(counts, p50, p95):
    assert figures.quantile(0.5, counts) == pytest.approx(p50)
    assert figures.quantile(0.95, counts) == pytest.approx(p95)
    assert figures.quantile(0.5, {}) is None


def test_the_depth_is_carried_between_changes():
    # Nothing before the first change: what it started from; then the last value, and each bucket's peak.
    highest = figures.peaks([{}, {"depth_open": 3, "depth": 5}, {}, {"depth_open": 5, "depth": 1}, {}], 1)
    assert highest == [3, 5, 5, 5, 1]
    assert figures.peaks([{}, {}], 7) == [7, 7]


def test_the_dashboard_draws_the_figures_for_every_moderator(app, store, team):
    now = int(time.time() * 1000)
    # Decided now, so that the decisions are today's whatever the time of the run.
    submitted(store, "c0", now - 4 * MINUTE, thread="big-story")
    submitted(store, "c1", now - 3 * MINUTE, thread="big-story")
    submitted(store, "c2", now - 30 * MINUTE, thread="big-story")
    store.decide(1, Decision.APPROVE, "mona", now)
    store.decide(2, Decision.REJECT, "mona", now, reason="spam")
    submitted(store, "bot", now, intake=Intake(status="spam", reasons=("honeypot",), caught="honeypot"))
    page = logged_in(app, "mona").get("/moderate/dashboard", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Waiting now: 1." in text
    assert text.count("<svg") >= 7 and 'role="img"' in text
    assert "big-story" in text and "filled in the hidden field" in text
    assert re.search(r"<th scope=\"col\">Approved</th>", text)
    # Today's median wait: the two waited 3 and 4 minutes, both within the bucket of 1 to 5 minutes.
    assert "half the comments were decided within 3 min" in text


def test_the_dashboard_is_right_to_left_in_arabic(app, store, team):
    now = int(time.time() * 1000)
    store.decide(submitted(store, "one", now - 5 * MINUTE), Decision.APPROVE, "mona", now)
    page = logged_in(app, "mona").get("/moderate/dashboard?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in page and "لوحة" in page
    ticks = [float(x) for x in re.findall(r'<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="middle"', page)]
    # Time runs from right to left: the first (oldest) tick of the 24-hour chart is at the right.
    assert ticks[0] > ticks[1]


def test_the_dashboard_needs_a_login(client):
    assert client.get("/moderate/dashboard").status_code in (302, 303)


def test_metrics_export_the_same_counts(app, client, store):
    now = int(time.time() * 1000)
    store.decide(submitted(store, "one", now - 3 * MINUTE), Decision.APPROVE, "mona", now)
    store.decide(submitted(store, "two", now - 90 * MINUTE), Decision.REJECT, "mona", now, reason="spam")
    submitted(store, "bot", now, intake=Intake(status="spam", reasons=("too_fast",), caught="too_fast"))
    text = client.get("/metrics").get_data(as_text=True)
    assert 'comments_time_to_decision_seconds_bucket{le="300",site="main"} 1.0' in text
    assert 'comments_time_to_decision_seconds_bucket{le="7200",site="main"} 2.0' in text
    assert 'comments_time_to_decision_seconds_count{site="main"} 2.0' in text
    assert 'comments_time_to_decision_seconds_sum{site="main"} 5580.0' in text
    assert 'comments_caught_total{by="too_fast",site="main"} 1.0' in text
    assert 'comments_spam_missed_total{kind="slipped",site="main"} 1.0' in text
    assert 'comments_moderator_decisions_total{action="rejected",moderator="mona",site="main"} 1.0' in text


def test_numbers_are_written_in_the_digits_of_the_locale():
    from moderation.dashboard import formatted

    assert formatted(1234, "en") == "1,234"
    assert formatted(1234, "ar") == "1,234"  # CLDR: Arabic as a whole writes Western digits
    assert formatted(1234, "ar_EG") == "١٬٢٣٤"  # Egyptian Arabic writes Arabic-Indic ones
