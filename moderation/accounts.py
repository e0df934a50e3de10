"""Moderator accounts: passwords, logins and their throttle, the first-run setup link.

Passwords are hashed with argon2-cffi's defaults (above OWASP's minimum) and
never logged. A session is a random id kept in Redis with a sliding idle
timeout; the cookie holds only that id.
"""

import hashlib
import logging
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from . import sites
from .errors import LoginThrottled
from .models import Role
from .services import now_ms

logger = logging.getLogger(__name__)

hasher = PasswordHasher()
# A hash to verify against when the name is unknown, so both cases take as long.
DUMMY_HASH = hasher.hash("not a real password")

NAME = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD_LENGTH = 12


class InvalidAccount(ValueError):
    """A name or password that cannot be used; the message says why."""


def accounts():
    """The moderator accounts of the site at hand."""
    return sites.current().accounts


def check_name(name):
    if not NAME.fullmatch(name or ""):
        raise InvalidAccount("a name is 1 to 64 letters, digits, or . @ _ -")


def check_password(password):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidAccount(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


def create_moderator(name, password, role=Role.MODERATOR, actor="cli"):
    check_name(name)
    check_password(password)
    accounts().create(name, Role(role), hasher.hash(password), now_ms(), actor)
    logger.info("moderator %r created (%s) by %r", name, role, actor)


def remove_moderator(name, actor="cli"):
    accounts().remove(name, actor, now_ms())
    logger.info("moderator %r removed by %r", name, actor)


def set_password(name, password, actor="cli"):
    check_password(password)
    accounts().set_password(name, hasher.hash(password), actor, now_ms())
    logger.info("password of moderator %r changed by %r", name, actor)


def list_moderators():
    return accounts().moderators()


def log_in(name, password, ip):
    """Check a login; returns (moderator name, new session id) or None.

    Raises LoginThrottled while the account or the address has too many
    failures in the current window, before the password is even looked at.
    """
    config = current_app.config
    store = accounts()
    limit = config["LOGIN_MAX_FAILURES"]
    if max(store.failures(name, ip)) >= limit:
        logger.warning("login for %r throttled", name)
        raise LoginThrottled()
    stored = store.password_hash(name) if NAME.fullmatch(name or "") else None
    try:
        hasher.verify(stored or DUMMY_HASH, password or "")
        ok = stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        store.record_failure(name, ip, config["LOGIN_WINDOW_SECONDS"], now_ms())
        logger.info("failed login for %r", name)
        return None
    session_id = secrets.token_urlsafe(32)
    if not store.open_session(session_id, name, config["SESSION_IDLE_SECONDS"] * 1000, now_ms(), ip):
        return None
    logger.info("moderator %r logged in", name)
    return name, session_id


def load_session(session_id):
    return accounts().load_session(session_id, current_app.config["SESSION_IDLE_SECONDS"] * 1000)


def log_out(session_id, name):
    accounts().close_session(session_id, name, now_ms())
    logger.info("moderator %r logged out", name)


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_setup_token():
    """A new one-time setup token while no moderator exists, else None."""
    store = accounts()
    if store.any_moderator():
        return None
    token = secrets.token_urlsafe(32)
    store.set_setup_token(token_hash(token), current_app.config["SETUP_TOKEN_MAX_AGE_SECONDS"])
    return token


def setup_token_valid(token):
    return bool(token) and accounts().setup_token_valid(token_hash(token))


def set_up_first_admin(token, name, password):
    check_name(name)
    check_password(password)
    accounts().setup_admin(token_hash(token or ""), name, hasher.hash(password), now_ms())
    logger.info("first admin %r created through the setup link", name)
