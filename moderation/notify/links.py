"""The Approve and Reject links of a moderator's mail: signed for one comment, one action, one moderator.

A link only opens a confirmation page; its button POSTs the decision (mail scanners follow links). The
token says which site, comment, action and moderator it is for; it is signed with the instance's secret,
and ``MAIL_ACTION_HOURS`` after it was made it no longer works. It needs no login: whoever holds the mail
acts as the moderator it was sent to, once (the decision script decides a comment only once).
"""

from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "mail-action"
ACTIONS = ("approve", "reject")


class InvalidLink(ValueError):
    """The token was not made by this service, or was changed."""


class ExpiredLink(ValueError):
    """The token is older than MAIL_ACTION_HOURS."""


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(site_key, comment_id, action, moderator):
    if action not in ACTIONS:
        raise ValueError(action)
    return _serializer().dumps([site_key, int(comment_id), action, moderator])


def read_token(token):
    """(site key, comment id, action, moderator) of a token; InvalidLink or ExpiredLink otherwise."""
    try:
        site_key, comment_id, action, moderator = _serializer().loads(
            token, max_age=current_app.config["MAIL_ACTION_HOURS"] * 3600)
    except SignatureExpired as error:
        raise ExpiredLink() from error
    except (BadSignature, ValueError, TypeError) as error:
        raise InvalidLink() from error
    if action not in ACTIONS or not isinstance(comment_id, int):
        raise InvalidLink()
    return site_key, comment_id, action, moderator


def public_url(path, site=None):
    """``path`` under PUBLIC_URL, so that links work behind a proxy and under a sub-path. A site of
    several (SITES) is reached at its own first host name, with PUBLIC_URL's scheme, port and path: its
    console answers only there."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if site is not None and site.settings.hosts:
        parts = urlsplit(base)
        host = site.settings.hosts[0] + (f":{parts.port}" if parts.port else "")
        base = urlunsplit((parts.scheme, host, parts.path, "", ""))
    return base + path


def action_url(site, comment_id, action, moderator):
    return public_url(f"/moderate/mail/{make_token(site.key, comment_id, action, moderator)}", site)
