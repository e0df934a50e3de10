"""What the notification pages do, in plain values: the views call these, never the stores."""

import logging

from flask import current_app

from .. import decisions, sites
from ..models import Decision
from . import links, mail
from .store import ALERTS

logger = logging.getLogger(__name__)


class WrongSite(ValueError):
    """The link was made for another site of this deployment."""


class NoSuchModerator(ValueError):
    """The moderator the link was made for no longer exists."""


def mail_enabled():
    return mail.enabled()


def open_link(token):
    """(comment, action, moderator) a mail link stands for; InvalidLink, ExpiredLink, WrongSite,
    NoSuchModerator otherwise. Changes nothing."""
    site_key, comment_id, action, moderator = links.read_token(token)
    site = sites.current()
    if site_key != site.key:
        raise WrongSite()
    if moderator not in site.notify.moderator_names():
        raise NoSuchModerator()
    return decisions.comment(comment_id), action, moderator


def decide_from_link(comment_id, action, moderator):
    """The decision a confirmed mail link asks for: the console's script, exactly once, audited under
    ``moderator``; AlreadyDecided or ClaimedByOther when someone else came first."""
    decisions.decide(comment_id, Decision.APPROVE if action == "approve" else Decision.REJECT, moderator,
                     reason="mail")
    logger.info("comment %d: %s from a mail link of %r", comment_id, action, moderator)


def preferences(name):
    """(email, alerts, digest minutes) of moderator ``name``."""
    email, alerts, minutes = sites.current().notify.preferences([name])[name]
    return email, alerts if alerts in ALERTS else "none", minutes or current_app.config["MAIL_DIGEST_MINUTES"]


def save_preferences(name, email, alerts, minutes):
    return sites.current().notify.set_preferences(name, email, alerts, minutes)


def dead_letters():
    return sites.current().notify.dead_letters()


def retry_dead_letter(raw):
    return sites.current().notify.redo(raw)
