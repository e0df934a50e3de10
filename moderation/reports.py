"""Readers' reports of published comments, and what moderators do with them.

A report needs no account and no cookie: its form carries the same signed
token as the comment form. A reader is known by their network (IPv4 /24,
IPv6 /48), so a block of addresses counts once per comment; each address
may send ``REPORT_RATE_LIMIT`` reports. The reader is only ever thanked:
never told a count, or who else reported.
"""

import ipaddress
import logging

from flask import current_app

from . import limits, sites
from .errors import CommentNotFound, NotPublished, RateLimited
from .models import Status
from .services import now_ms, store

logger = logging.getLogger(__name__)

REASONS = ("abuse", "spam", "personal_data", "other")


def network_of(ip):
    """The network a reader writes from, as reports count them: one report per network per comment."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "-"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def published_comment(thread, comment_id):
    """The published comment of ``thread`` a reader may report, or CommentNotFound."""
    found = store().get(comment_id)
    if found is None or found.thread != thread or found.status is not Status.APPROVED:
        raise CommentNotFound(comment_id)
    return found


def published_comment_by_id(comment_id):
    """A published comment, whatever its thread (the API names only the comment), or CommentNotFound."""
    found = store().get(comment_id)
    if found is None or found.status is not Status.APPROVED:
        raise CommentNotFound(comment_id)
    return found


def report(thread, comment_id, ip, reason, note=""):
    """Count a reader's report; True when it was counted (False: their network reported it before).

    Raises CommentNotFound when it is not a published comment of ``thread``, RateLimited when the address
    sent its share of reports.
    """
    config = current_app.config
    now = now_ms()
    answer = store().report(comment_id, thread, now, network=network_of(ip), reason=reason, note=note,
                            limits=limits.report_counters(current_app.extensions["report_limits"], ip, now / 1000),
                            hide_at=config["REPORTS_TO_HIDE"])
    if isinstance(answer, tuple):
        raise RateLimited(answer[1])
    if answer == "not_published":
        raise CommentNotFound(comment_id)
    if answer == "counted":
        logger.info("comment %d on thread %r reported (%s)", comment_id, thread, reason)
    return answer == "counted"


def reported():
    return store().reported(current_app.config["QUEUE_PAGE_SIZE"])


def reported_count():
    return store().reported_count()


def keep(comment_id, moderator):
    """Dismiss the reports of a comment that stays published; NotPublished when it was not in the queue."""
    if not store().keep(comment_id, moderator, now_ms()):
        found = store().get(comment_id)
        raise NotPublished(found.status if found else "missing") if found else CommentNotFound(comment_id)
    logger.info("reports of comment %d dismissed by %r on site %s", comment_id, moderator, sites.current().key)
