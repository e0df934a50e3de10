"""Who is logged in: Flask-Login over the Redis sessions of ``accounts``.

The cookie holds only a random session id (Flask-Login's user id); the
session itself, with its idle timeout, lives in Redis. Logging in clears
the cookie session and starts a new id.
"""

import functools
from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from . import accounts
from .extensions import login_manager


class ModeratorUser(UserMixin):
    def __init__(self, moderator, session_id):
        self.moderator = moderator
        self.session_id = session_id

    @property
    def name(self):
        return self.moderator.name

    @property
    def is_admin(self):
        return self.moderator.is_admin

    def get_id(self):
        return self.session_id


@login_manager.user_loader
def load_user(session_id):
    moderator = accounts.load_session(session_id)
    return ModeratorUser(moderator, session_id) if moderator else None


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        return jsonify(error="login_required"), 401
    return redirect(url_for("moderate.login", next=request.full_path.rstrip("?")))


def wants_json():
    """A script (fetch) rather than a browser page asked."""
    return prefers_json(request.headers.get("Accept"))


@functools.lru_cache(maxsize=64)
def prefers_json(accept):
    # Browsers and scripts send a handful of distinct Accept headers: each is parsed once per process.
    accepted = parse_accept_header(accept, MIMEAccept)
    best = accepted.best_match(["text/html", "application/json"])
    return best == "application/json" and accepted[best] > accepted["text/html"]


def start_session(session_id):
    """Log in with a session that ``accounts.log_in`` opened; False if it is already gone."""
    user = load_user(session_id)
    if user is None:
        return False
    session.clear()  # a new cookie session: nothing from before the login carries over
    login_user(user)
    return True


def end_session():
    if current_user.is_authenticated:
        accounts.log_out(current_user.session_id, current_user.name)
    logout_user()
    session.clear()


def admin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def safe_next(target, default):
    """``target`` if it is a path on this site, else ``default``: no open redirects."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return default
    return target


def init_app(app):
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are checked in Redis; phones change address
    https = app.config["PREFERRED_URL_SCHEME"] == "https"
    app.config.update(
        SESSION_COOKIE_NAME="__Host-moderation" if https else "moderation",
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PATH="/",
    )
