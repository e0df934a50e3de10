"""The comment moderation service: ``create_app()`` builds the Flask app.

The factory reads like a table of contents: settings, Redis, extensions,
blueprints, error handlers, commands.
"""

import logging
import os

import redis
from flask import Flask
from redis.backoff import ConstantBackoff
from redis.retry import Retry
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, limits
from .embedded import EmbeddedRedis
from .pagecache import RenderCache
from .secret import check_strength, instance_secret
from .spool import Spool
from .store import Store
from .store_accounts import AccountStore
from .store_filter import FilterStore
from .store_rules import RulesStore

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config=None):
    app = Flask(
        __name__,
        instance_path=(test_config or {}).get("INSTANCE_PATH") or config.instance_path(PROJECT_ROOT),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    configure(app, test_config)
    register_redis(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_spool(app)
    return app


def configure(app, test_config):
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    if app.config.get("SECRET_KEY"):
        if not (app.testing or app.debug):
            check_strength(app.config["SECRET_KEY"])
    else:
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    app.extensions["submit_limits"] = limits.parse(app.config["SUBMIT_RATE_LIMIT"])
    # Forms take WTForms' own messages from a per-locale cache (forms.Form), not
    # from Flask-WTF, which reads the catalog from disk on every request.
    app.config["WTF_I18N_ENABLED"] = False
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_redis(app):
    """One client per app; nothing connects until the first command."""
    url = app.config["REDIS_URL"]
    if not url:
        embedded = EmbeddedRedis(app.instance_path)
        app.extensions["embedded_redis"] = embedded
        url = embedded.url
    timeout = app.config["REDIS_SOCKET_TIMEOUT_SECONDS"]
    # One quick retry covers a pooled connection that went stale when Redis
    # restarted. A timeout is not retried: a hung Redis would hold a reader's
    # request twice as long. Retrying is safe: every script is idempotent
    # (form nonce, status check).
    retry = Retry(ConstantBackoff(0.05), retries=1, supported_errors=(redis.ConnectionError,))
    client = redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=timeout, socket_connect_timeout=timeout,
        health_check_interval=30, retry=retry,
    )
    app.extensions["redis"] = client
    app.extensions["redis_url"] = url
    app.extensions["store"] = Store(
        client,
        site=app.config["SITE"],
        nonce_ttl_seconds=app.config["FORM_TOKEN_MAX_AGE_SECONDS"] + 24 * 3600,
        events_max_length=app.config["EVENTS_MAX_LENGTH"],
        audit_max_length=app.config["AUDIT_MAX_LENGTH"],
    )
    app.extensions["accounts"] = AccountStore(
        client, site=app.config["SITE"], audit_max_length=app.config["AUDIT_MAX_LENGTH"])
    app.extensions["rules"] = RulesStore(
        client, site=app.config["SITE"], audit_max_length=app.config["AUDIT_MAX_LENGTH"])
    app.extensions["filter"] = FilterStore(client, site=app.config["SITE"])
    app.extensions["spool"] = Spool(app.instance_path)
    app.extensions["render_cache"] = RenderCache()


def register_extensions(app):
    from . import auth, i18n, metrics, rendering, security, wellformed
    from .extensions import babel, csrf

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    csrf.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    rendering.init_app(app)
    security.init_app(app)
    wellformed.init_app(app)
    metrics.init_app(app)


def register_blueprints(app):
    from . import api, demo, health, moderate, reader
    from .extensions import csrf

    app.register_blueprint(reader.bp)
    app.register_blueprint(api.bp)
    # The reader form and the API carry their own signed token instead of session CSRF.
    csrf.exempt(reader.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(moderate.bp)
    if app.config["DEMO"]:
        app.register_blueprint(demo.bp)


def register_errorhandlers(app):
    from . import handlers

    handlers.init_app(app)


def register_spool(app):
    """A process that finds comments in the spool (kept while Redis was away) takes them in."""
    from . import services

    @app.before_request
    def resume_spool():
        if app.config["SPOOL"] and app.extensions["spool"].waiting():
            services.start_replayer(app)


def register_commands(app):
    from . import cli

    cli.init_app(app)
