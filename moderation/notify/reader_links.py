"""The links of a reader's mail: confirm the address (double opt-in), and unsubscribe (RFC 8058).

Each token is signed with the instance's secret and names the site and the address's digest, never the
address itself (a link ends up in logs and browser histories). A confirmation link works for
``READER_CONFIRM_HOURS``; an unsubscribe link, which names a thread or none (everything), for
``UNSUBSCRIBE_LINK_DAYS``: every later mail carries a fresh one. The token is the whole authority: no
login, no cookie.
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from . import links

CONFIRM_SALT = "reader-confirm"
UNSUBSCRIBE_SALT = "reader-unsubscribe"


class InvalidLink(ValueError):
    """The token was not made by this service, was changed, or is for another site."""


class ExpiredLink(ValueError):
    """The token is older than it may be."""


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _read(salt, token, max_age_seconds):
    try:
        payload = _serializer(salt).loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise ExpiredLink() from error
    except (BadSignature, ValueError, TypeError) as error:
        raise InvalidLink() from error
    if not (isinstance(payload, list) and payload and all(isinstance(part, str) for part in payload)):
        raise InvalidLink()
    return payload


def confirm_token(site_key, digest):
    return _serializer(CONFIRM_SALT).dumps([site_key, digest])


def read_confirm_token(token):
    """(site key, digest); InvalidLink or ExpiredLink otherwise."""
    payload = _read(CONFIRM_SALT, token, current_app.config["READER_CONFIRM_HOURS"] * 3600)
    if len(payload) != 2:
        raise InvalidLink()
    return tuple(payload)


def unsubscribe_token(site_key, digest, thread=""):
    return _serializer(UNSUBSCRIBE_SALT).dumps([site_key, digest, thread])


def read_unsubscribe_token(token):
    """(site key, digest, thread or ''); InvalidLink or ExpiredLink otherwise."""
    payload = _read(UNSUBSCRIBE_SALT, token, current_app.config["UNSUBSCRIBE_LINK_DAYS"] * 24 * 3600)
    if len(payload) != 3:
        raise InvalidLink()
    return tuple(payload)


def confirm_url(site, digest):
    return links.public_url(f"/subscriptions/confirm/{confirm_token(site.key, digest)}", site)


def unsubscribe_url(site, digest, thread=""):
    return links.public_url(f"/subscriptions/unsubscribe/{unsubscribe_token(site.key, digest, thread)}", site)
