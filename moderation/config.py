"""Settings: the defaults, and how the environment overrides them.

Precedence is defaults < environment < ``test_config``. Nothing here reads
the environment at import time; :func:`from_environment` is called by
``create_app``.
"""

import os

DEFAULTS = {
    # Where Redis lives. Unset: an embedded redis-server in the instance folder.
    "REDIS_URL": None,
    "REDIS_SOCKET_TIMEOUT_SECONDS": 2.0,
    # Acknowledge a comment or a decision only once this many replicas have it (WAIT), within
    # REDIS_REPLICA_WAIT_MS; otherwise answer as if Redis were down. 0: on the primary's word.
    "REDIS_MIN_REPLICAS": 0,
    "REDIS_REPLICA_WAIT_MS": 1000,
    # A TOML or JSON file listing the sites of the deployment (sites.py). Unset: the one site SITE.
    "SITES": None,
    # Without SITES, every key of the one site carries this as its Redis Cluster hash tag.
    "SITE": "main",
    "DEFAULT_LOCALE": "ar",
    "LANGUAGES": ("ar", "en"),
    "TIMEZONE": "UTC",
    # Reader form.
    "COMMENT_MAX_LENGTH": 5000,
    "AUTHOR_MAX_LENGTH": 100,
    "URL_MAX_LENGTH": 200,
    "EMAIL_CHECK_DELIVERABILITY": False,
    "REPLY_MAX_DEPTH": 3,
    # Abuse: a form sent sooner than this after it was shown is spam (0: off);
    # one address may not post twice within FLOOD_SECONDS (0: off); each address
    # and each email may post this often ("off": no limit).
    "FORM_MIN_SECONDS": 3,
    "FLOOD_SECONDS": 15,
    "SUBMIT_RATE_LIMIT": "5/minute;30/hour",
    # Publish at once the comments of an email with this many approved comments (0: off).
    "TRUST_AFTER_APPROVED": 0,
    # While Redis is unreachable, keep submissions in INSTANCE_PATH/spool.jsonl
    # and take them in when it answers again (checked every SPOOL_REPLAY_SECONDS).
    "SPOOL": True,
    "SPOOL_REPLAY_SECONDS": 2.0,
    # Rule defaults until an admin saves the rules page.
    "MAX_LINKS": 2,
    # The learned filter sends a comment to spam from this probability on.
    "SPAM_THRESHOLD": 0.9,
    # A spam wave: at least WAVE_MIN_SIZE pending comments from different names
    # sharing a link domain, a network or near-identical text within the window.
    "WAVE_WINDOW_SECONDS": 3600,
    "WAVE_MIN_SIZE": 5,
    "WAVE_MIN_TEXT": 40,
    "WAVE_REJECTED_SECONDS": 24 * 3600,
    # Sites allowed to frame /embed/<thread>: space-separated origins, or * for any.
    "EMBED_ORIGINS": "*",
    # Serve /demo, an article page that embeds the comments as a customer would.
    "DEMO": True,
    "FORM_TOKEN_MAX_AGE_SECONDS": 2 * 24 * 3600,
    "PENDING_LINK_MAX_AGE_SECONDS": 30 * 24 * 3600,
    "REMEMBER_COOKIE_NAME": "comment_author",
    "REMEMBER_MAX_AGE_SECONDS": 365 * 24 * 3600,
    "EVENTS_MAX_LENGTH": 100_000,
    "AUDIT_MAX_LENGTH": 1_000_000,
    # Moderators.
    "SESSION_IDLE_SECONDS": 8 * 3600,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    "UNDO_WINDOW_SECONDS": 10 * 60,
    # Rejected comments are kept this long after their decision, for undo and
    # appeals, then deleted by `flask --app wsgi comments purge`; 0 keeps them.
    "RETENTION_DAYS": 90,
    # A comment taken down where published replies hang under it leaves "removed by a moderator" in its place.
    "REMOVED_PLACEHOLDER": True,
    # Comments close this many days after an article's first comment (0: only when a moderator closes them).
    "CLOSE_AFTER_DAYS": 0,
    # Client addresses and browsers of comments decided longer ago than this are forgotten by `comments purge`.
    "IP_RETENTION_DAYS": 30,
    # Reader reports: how many one address may send (fixed windows, as SUBMIT_RATE_LIMIT), and from how many
    # reports (one per network) a comment is hidden until a moderator looks (0: never).
    "REPORT_RATE_LIMIT": "10/hour",
    "REPORTS_TO_HIDE": 0,
    "CLAIM_SECONDS": 120,
    "QUEUE_PAGE_SIZE": 50,
    "QUEUE_POLL_SECONDS": 5,
    "SETUP_TOKEN_MAX_AGE_SECONDS": 7 * 24 * 3600,
    # Request bodies beyond this get 413.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Number of proxies in front that set X-Forwarded-For (0: none, trust no header).
    "TRUSTED_PROXIES": 0,
    "PREFERRED_URL_SCHEME": "http",
    # Mail (the worker sends it). No SMTP_URL: no mail at all, and the console says so.
    # smtp://user:password@host:587 (STARTTLS when the server offers it) or smtps://…:465.
    "SMTP_URL": None,
    "SMTP_TIMEOUT_SECONDS": 10.0,
    # A PEM file of the certificate authorities trusted for the SMTP server's certificate (a private
    # relay's own CA), in place of the system's store. Unset: the system's store.
    "SMTP_CA_FILE": None,
    # smtp:// to a server on another machine that offers no STARTTLS: refused (someone on the way could
    # have stripped the offer), unless this is off. A server on this machine (loopback) may speak plain text.
    "SMTP_REQUIRE_TLS": True,
    "MAIL_FROM": None,
    # The service's address as readers and moderators reach it (behind a proxy, under a sub-path):
    # links in mail start with it.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # How long the Approve / Reject links of a moderator's mail work.
    "MAIL_ACTION_HOURS": 72,
    "MAIL_DIGEST_MINUTES": 15,
    # A moderator who wants an alert per comment gets at most this many an hour; the rest wait for a
    # digest (a spam wave in the queue does not become a wave of mail).
    "MAIL_ALERTS_PER_HOUR": 20,
    # Reader mail (reply notifications, double opt-in). A reader is told of replies on one thread at most
    # once per NOTIFY_MIN_MINUTES; NOTIFY_PUBLISHED also tells a confirmed reader their comment is up.
    # A confirmation link works READER_CONFIRM_HOURS (and another is sent no sooner, however often the
    # address opts in); an unsubscribe link works UNSUBSCRIBE_LINK_DAYS (every mail carries a fresh one).
    # Reader mail is limited per recipient and in total per site, per hour: over it, it waits and retries.
    "NOTIFY_MIN_MINUTES": 15,
    "NOTIFY_PUBLISHED": False,
    "READER_CONFIRM_HOURS": 7 * 24,
    "UNSUBSCRIBE_LINK_DAYS": 365,
    "MAIL_PER_RECIPIENT_PER_HOUR": 5,
    "MAIL_TOTAL_PER_HOUR": 500,
    # The worker: an event left pending this long (its worker died, or its last attempt failed) is
    # claimed by another; a failed attempt waits WORKER_RETRY_SECONDS, doubling up to
    # WORKER_RETRY_MAX_SECONDS; after WORKER_MAX_ATTEMPTS the event becomes a dead letter.
    "WORKER_CLAIM_IDLE_SECONDS": 60.0,
    "WORKER_RETRY_SECONDS": 30.0,
    "WORKER_RETRY_MAX_SECONDS": 3600.0,
    "WORKER_MAX_ATTEMPTS": 8,
    "WORKER_POLL_SECONDS": 1.0,
    "WORKER_BATCH": 50,
    # Webhooks (the worker sends them). An endpoint whose host resolves to a private, loopback, link-local,
    # multicast or reserved address is refused, when it is added and at each delivery, unless this allows it
    # (a receiver on the same machine or network, the tests' own).
    "WEBHOOKS_ALLOW_PRIVATE": False,
    # How long a delivery may take to connect, and then to answer; past it the attempt failed.
    "WEBHOOKS_TIMEOUT_SECONDS": 10.0,
    # How many of its latest deliveries each endpoint's log keeps.
    "WEBHOOKS_LOG_LENGTH": 50,
}

# Settings read from the environment, with the type each one is parsed as.
ENVIRONMENT = {
    "REDIS_URL": str,
    "REDIS_SOCKET_TIMEOUT_SECONDS": float,
    "REDIS_MIN_REPLICAS": int,
    "REDIS_REPLICA_WAIT_MS": int,
    "SECRET_KEY": str,
    "SITES": str,
    "SITE": str,
    "DEFAULT_LOCALE": str,
    "TIMEZONE": str,
    "COMMENT_MAX_LENGTH": int,
    "EMAIL_CHECK_DELIVERABILITY": bool,
    "REPLY_MAX_DEPTH": int,
    "FORM_MIN_SECONDS": float,
    "FLOOD_SECONDS": int,
    "SUBMIT_RATE_LIMIT": str,
    "REPORT_RATE_LIMIT": str,
    "TRUST_AFTER_APPROVED": int,
    "MAX_LINKS": int,
    "SPOOL": bool,
    "SPAM_THRESHOLD": float,
    "WAVE_WINDOW_SECONDS": int,
    "WAVE_MIN_SIZE": int,
    "EMBED_ORIGINS": str,
    "DEMO": bool,
    "FORM_TOKEN_MAX_AGE_SECONDS": int,
    "MAX_CONTENT_LENGTH": int,
    "EVENTS_MAX_LENGTH": int,
    "SESSION_IDLE_SECONDS": int,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_WINDOW_SECONDS": int,
    "UNDO_WINDOW_SECONDS": int,
    "RETENTION_DAYS": int,
    "REMOVED_PLACEHOLDER": bool,
    "CLOSE_AFTER_DAYS": int,
    "IP_RETENTION_DAYS": int,
    "REPORTS_TO_HIDE": int,
    "CLAIM_SECONDS": int,
    "QUEUE_POLL_SECONDS": int,
    "AUDIT_MAX_LENGTH": int,
    "TRUSTED_PROXIES": int,
    "PREFERRED_URL_SCHEME": str,
    "SMTP_URL": str,
    "SMTP_TIMEOUT_SECONDS": float,
    "SMTP_CA_FILE": str,
    "SMTP_REQUIRE_TLS": bool,
    "MAIL_FROM": str,
    "PUBLIC_URL": str,
    "MAIL_ACTION_HOURS": int,
    "MAIL_DIGEST_MINUTES": int,
    "MAIL_ALERTS_PER_HOUR": int,
    "NOTIFY_MIN_MINUTES": int,
    "NOTIFY_PUBLISHED": bool,
    "READER_CONFIRM_HOURS": int,
    "UNSUBSCRIBE_LINK_DAYS": int,
    "MAIL_PER_RECIPIENT_PER_HOUR": int,
    "MAIL_TOTAL_PER_HOUR": int,
    "WORKER_CLAIM_IDLE_SECONDS": float,
    "WORKER_RETRY_SECONDS": float,
    "WORKER_RETRY_MAX_SECONDS": float,
    "WORKER_MAX_ATTEMPTS": int,
    "WORKER_POLL_SECONDS": float,
    "WEBHOOKS_ALLOW_PRIVATE": bool,
    "WEBHOOKS_TIMEOUT_SECONDS": float,
    "WEBHOOKS_LOG_LENGTH": int,
}


def parse_bool(text):
    return text.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(environ=None):
    """Return the settings that the environment sets, parsed."""
    environ = os.environ if environ is None else environ
    settings = {}
    for name, kind in ENVIRONMENT.items():
        text = environ.get(name)
        if text is None or text == "":
            continue
        settings[name] = parse_bool(text) if kind is bool else kind(text)
    return settings


def instance_path(project_root, environ=None):
    """The instance folder: ``INSTANCE_PATH`` or ``instance/`` in the project."""
    environ = os.environ if environ is None else environ
    path = environ.get("INSTANCE_PATH") or os.path.join(project_root, "instance")
    return os.path.abspath(path)
