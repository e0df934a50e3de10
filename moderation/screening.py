"""Screening a submission with the moderators' rules, the learned filter and
the memory of spam waves; and teaching the filter from moderators' decisions.

Rules are read from Redis at most every ``RULES_CACHE_SECONDS`` per process,
so a change on the admin page applies within seconds everywhere.
"""

import logging
import time
from dataclasses import replace

from flask import current_app

from . import bayes, rules, sites, waves
from .models import Lesson, Status

logger = logging.getLogger(__name__)

RULES_CACHE_SECONDS = 2.0
# Sites so many real readers link to that sharing one says nothing about a wave.
COMMON_DOMAINS = frozenset(
    "youtube.com youtu.be wikipedia.org twitter.com x.com facebook.com instagram.com google.com t.me "
    "reuters.com apnews.com bbc.com aljazeera.net bbc.co.uk".split())
# Rejections that say nothing about spam teach the filter nothing.
NOT_SPAM_REASONS = {"off_topic", "duplicate", "personal_data"}


def rules_store():
    return sites.current().rules


def filter_store():
    return sites.current().filter


def lines(text):
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def stored_rules():
    """The site's Rules and its trust threshold, cached briefly in this process."""
    cache = sites.current().rules_cache
    if cache.get("until", 0) > time.monotonic():
        return cache["rules"], cache["trust"]
    values = rules_store().load()
    max_links = values.get("max_links", str(current_app.config["MAX_LINKS"]))
    current = rules.Rules(
        blocked_words=lines(values.get("blocked_words")),
        held_words=lines(values.get("held_words")),
        max_links=int(max_links) if max_links.strip() else None,
        blocked_emails=lines(values.get("blocked_emails")),
        blocked_ips=lines(values.get("blocked_ips")),
    )
    trust = int(values.get("trust_after") or current_app.config["TRUST_AFTER_APPROVED"])
    cache.update(until=time.monotonic() + RULES_CACHE_SECONDS, rules=current, trust=trust)
    return current, trust


def rules_for_editing():
    """The stored rules as the admin page shows them, with the defaults filled in."""
    values = rules_store().load()
    return {
        "blocked_words": values.get("blocked_words", ""),
        "held_words": values.get("held_words", ""),
        "max_links": values.get("max_links", str(current_app.config["MAX_LINKS"])),
        "blocked_emails": values.get("blocked_emails", ""),
        "blocked_ips": values.get("blocked_ips", ""),
        "trust_after": values.get("trust_after", str(current_app.config["TRUST_AFTER_APPROVED"])),
    }


def save_rules(values, actor):
    rules_store().save(values, actor, int(time.time() * 1000))
    sites.current().rules_cache.clear()  # this process applies them at once
    logger.info("rules changed by %r", actor)


def fields_of(comment):
    return {"body": comment.body, "author": comment.author, "email": comment.email, "url": comment.url,
            "ip": comment.ip}


def screen(comment):
    """What the rules say of a comment, and its tokens for the learned filter: (signals, tokens).

    The filter scores the tokens in the script that takes the comment in
    (Store.submit), in the same round trip.
    """
    current, _trust = stored_rules()
    fields = fields_of(comment)
    return rules.check(fields, current), bayes.tokens(fields)


def wave_features(comment):
    """What may tie this comment to a spam wave: its link domains, its network, bands of its text."""
    features = [f"domain:{domain}" for domain in waves.link_domains(comment.body, comment.url)
                if domain not in COMMON_DOMAINS]
    network = waves.ip_prefix(comment.ip)
    if network:
        features.append(f"network:{network}")
    signature = waves.signature(comment.body)
    if signature and len(comment.body) >= current_app.config["WAVE_MIN_TEXT"]:
        features += [f"text:{band}" for band in waves.bands(signature, rows=8)]
    return features


def lesson(comments, status, reason="", body=""):
    """What deciding ``comments`` as ``status`` teaches the filter (a Lesson), or None.

    The decision's script learns it in the same step, so the filter counts
    exactly the decisions that happened. ``body``: the text as the decision
    edits it.
    """
    label = label_for(status, reason)
    if not label or not comments:
        return None
    return Lesson(label, {c.id: bayes.tokens(fields_of(replace(c, body=body) if body else c)) for c in comments})


def unlesson(comment):
    """What undoing the decision on ``comment`` takes back from the filter, or None."""
    taught = lesson([comment], comment.status, comment.reason)
    return replace(taught, status=str(comment.status)) if taught else None


def learn(comment, status, reason=""):
    """Teach the filter a moderator's decision on ``comment``."""
    label = label_for(status, reason)
    if label:
        filter_store().learn(bayes.tokens(fields_of(comment)), label)


def label_for(status, reason):
    if status == Status.APPROVED:
        return "ham"
    if status == Status.REJECTED and reason.partition(":")[0] not in NOT_SPAM_REASONS:
        return "spam"
    return None
