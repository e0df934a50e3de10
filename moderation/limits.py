"""Rate limits on submissions: Flask-Limiter, counting in the service's own Redis.

Each address and each email address may submit ``SUBMIT_RATE_LIMIT`` (for
example ``5/minute;30/hour``). The counters live under the site's hash tag,
so a Redis Cluster keeps them in the site's slot; emails are hashed first.
"""

import hashlib

from flask import current_app, request

from .extensions import limiter
from .keys import Keys, ascii_lower


def storage_uri(redis_url):
    """The `limits` library's name for the same Redis."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url


def submit_limit():
    return current_app.config["SUBMIT_RATE_LIMIT"]


def client_address():
    return request.remote_addr or "-"


def submitted_email():
    """A digest of the email the submission carries: the key of the per-email limit."""
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # nested too deep: the view refuses it
            data = None
        email = data.get("email") if isinstance(data, dict) else ""
    else:
        email = request.form.get("email")
    email = email.strip() if isinstance(email, str) else ""
    return "email:" + hashlib.sha256(ascii_lower(email).encode()).hexdigest()[:32]


def limit_submissions(view):
    """Both limits on a view's POSTs (GETs of the same view are not counted)."""
    per_address = limiter.limit(submit_limit, key_func=client_address, methods=["POST"])
    per_email = limiter.limit(submit_limit, key_func=submitted_email, methods=["POST"])
    return per_address(per_email(view))


def init_app(app, redis_url):
    timeout = app.config["REDIS_SOCKET_TIMEOUT_SECONDS"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(redis_url))
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {
        "key_prefix": Keys(app.config["SITE"]).prefix + "limits",
        "socket_timeout": timeout, "socket_connect_timeout": timeout,
    })
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    # Redis down: let the request through to the view, which answers 503 and keeps the text.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
