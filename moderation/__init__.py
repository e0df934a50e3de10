"""The comment moderation service: ``create_app()`` builds the Flask app.

The factory reads like a table of contents: settings, Redis, extensions,
blueprints, error handlers, commands.
"""

import logging
import os
import time

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, connection, limits, sites
from .embedded import EmbeddedRedis
from .secret import check_strength, instance_secret
from .spool import Spool

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
    app.extensions["report_limits"] = limits.parse(app.config["REPORT_RATE_LIMIT"], "REPORT_RATE_LIMIT")
    # Forms take WTForms' own messages from a per-locale cache (forms.Form), not
    # from Flask-WTF, which reads the catalog from disk on every request.
    app.config["WTF_I18N_ENABLED"] = False
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_redis(app):
    """One client per app (one server, a Cluster or Sentinel's primary), shared by every site's stores;
    nothing connects until the first command."""
    url = app.config["REDIS_URL"]
    if not url:
        embedded = EmbeddedRedis(app.instance_path)
        app.extensions["embedded_redis"] = embedded
        url = embedded.url
    wait_ms, timeout_ms = app.config["REDIS_REPLICA_WAIT_MS"], app.config["REDIS_SOCKET_TIMEOUT_SECONDS"] * 1000
    if app.config["REDIS_MIN_REPLICAS"] > 0 and wait_ms >= timeout_ms:
        raise ValueError("REDIS_REPLICA_WAIT_MS must be shorter than REDIS_SOCKET_TIMEOUT_SECONDS, "
                         "or every WAIT would end in a socket timeout")
    client = connection.connect(url, app.config["REDIS_SOCKET_TIMEOUT_SECONDS"])
    app.extensions["redis"] = client
    app.extensions["redis_url"] = url
    sites.register(app, client)
    app.extensions["spool"] = Spool(app.instance_path)


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
    from . import api, dashboard, demo, health, moderate, reader
    from .extensions import csrf
    from .notify import reader_views
    from .notify import views as notify_views
    from .webhooks import views as webhooks_views

    app.register_blueprint(reader.bp)
    app.register_blueprint(api.bp)
    # The reader form and the API carry their own signed token instead of session CSRF.
    csrf.exempt(reader.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(moderate.bp)
    app.register_blueprint(notify_views.bp)
    app.register_blueprint(dashboard.bp)
    # A reader's confirm and unsubscribe links: the signed token in the path is the credential (no cookie).
    app.register_blueprint(reader_views.bp)
    csrf.exempt(reader_views.bp)
    app.register_blueprint(webhooks_views.bp)
    if app.config["DEMO"]:
        app.register_blueprint(demo.bp)


def register_errorhandlers(app):
    from . import handlers

    handlers.init_app(app)


def register_spool(app):
    """A process that finds comments in the spool (kept while Redis was away) takes them in."""
    from . import services

    checked = [0.0]

    @app.before_request
    def resume_spool():
        # A look at the spool file costs a system call: once a second is soon enough to take in what a
        # process that died left there (a process that spools starts its own replayer at once).
        now = time.monotonic()
        if app.config["SPOOL"] and now - checked[0] >= 1.0:
            checked[0] = now
            if app.extensions["spool"].waiting():
                services.start_replayer(app)


def register_commands(app):
    from . import cli

    cli.init_app(app)
