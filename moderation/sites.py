"""The sites one deployment serves, what each one owns, and which one a request is for.

``SITES`` names a TOML or JSON file that lists them (README, "Several
sites"): each has a key (its Redis Cluster hash tag, ``cm:{key}:…``), a
display name, the host names it is served at, the origins that may embed
its comments, its default language and time zone. Every site has stores of
its own (comments, moderators and sessions, rules, learned filter, audit
log), its own rendered pages and cached rules: nothing of one site is
reachable through another. With no ``SITES`` the deployment serves one site,
``SITE`` (``main``), at any host name, as before there were several.

A request is for the site its host names. The reader's pages and the public
API also take ``?site=KEY``, so that one comments host can serve the embeds
of several sites (``embed.js``'s ``data-site``); each embed may still be
framed only by its own site's origins. The console never takes it: a
moderator works on the site of the host they logged in at.
"""

import json
import re
import tomllib
from dataclasses import dataclass

from flask import current_app, g, request

from .errors import UnknownSite
from .notify.store import NotifyStore
from .notify.store_readers import ReaderStore
from .pagecache import RenderCache
from .store import Store
from .store_accounts import AccountStore
from .store_commenters import CommenterStore
from .store_erasures import ErasureStore
from .store_filter import FilterStore
from .store_rules import RulesStore
from .store_stats import StatsStore
from .store_transfer import TransferStore
from .webhooks.store import WebhookStore

# A hash tag must not hold braces; a key stays short and readable in every Redis key name.
SITE_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:\d{1,5})?|\*")
FIELDS = {"name", "hosts", "embed_origins", "default_locale", "timezone"}
# What answers at any host name, for the process rather than for a site.
SITE_FREE_BLUEPRINTS = {"health", "metrics"}
# Blueprints whose pages are public and may say which site they are for.
SITE_PARAMETER_BLUEPRINTS = {"reader", "api"}


class InvalidSites(ValueError):
    """The SITES file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class SiteSettings:
    key: str
    name: str
    hosts: tuple[str, ...]  # empty: any host (the one site of a deployment without SITES)
    embed_origins: tuple[str, ...]  # ("*",): any site may embed the comments
    default_locale: str
    timezone: str


class Site:
    """One site: its settings and everything it keeps in Redis and in this process."""

    def __init__(self, settings, client, config):
        self.settings = settings
        self.key = settings.key
        audit_max = config["AUDIT_MAX_LENGTH"]
        self.store = Store(
            client, site=settings.key, nonce_ttl_seconds=config["FORM_TOKEN_MAX_AGE_SECONDS"] + 24 * 3600,
            events_max_length=config["EVENTS_MAX_LENGTH"], audit_max_length=audit_max,
            min_replicas=config["REDIS_MIN_REPLICAS"], replica_wait_ms=config["REDIS_REPLICA_WAIT_MS"],
            timezone=settings.timezone)
        self.accounts = AccountStore(client, site=settings.key, audit_max_length=audit_max)
        self.rules = RulesStore(client, site=settings.key, audit_max_length=audit_max)
        self.filter = FilterStore(client, site=settings.key)
        self.commenters = CommenterStore(client, site=settings.key, audit_max_length=audit_max)
        self.webhooks = WebhookStore(client, site=settings.key, audit_max_length=audit_max,
                                     log_length=config["WEBHOOKS_LOG_LENGTH"])
        self.erasures = ErasureStore(client, site=settings.key, audit_max_length=audit_max,
                                     timezone=settings.timezone)
        self.transfer = TransferStore(client, site=settings.key, audit_max_length=audit_max,
                                      min_replicas=config["REDIS_MIN_REPLICAS"],
                                      replica_wait_ms=config["REDIS_REPLICA_WAIT_MS"], timezone=settings.timezone)
        self.notify = NotifyStore(client, site=settings.key)
        self.stats = StatsStore(client, site=settings.key)
        self.readers = ReaderStore(client, site=settings.key)
        self.render_cache = RenderCache()
        self.rules_cache = {}

    @property
    def name(self):
        return self.settings.name

    def may_embed(self, origin):
        """Whether a page of ``origin`` may frame this site's comments and post its form."""
        return "*" in self.settings.embed_origins or origin in self.settings.embed_origins

    def __repr__(self):
        return f"<Site {self.key}>"


class Sites:
    """Every site of the deployment, by key and by host name."""

    def __init__(self, sites):
        self.all = list(sites)
        self.by_key = {site.key: site for site in self.all}
        self.by_host = {host: site for site in self.all for host in site.settings.hosts}
        # Without SITES, the one site answers at any host name.
        self.anywhere = self.all[0] if len(self.all) == 1 and not self.all[0].settings.hosts else None

    def __iter__(self):
        return iter(self.all)

    def __len__(self):
        return len(self.all)

    def get(self, key):
        return self.by_key.get(key)

    def for_host(self, host):
        """The site served at ``host`` (a Host header: the port does not matter), or None."""
        return self.by_host.get(host_name(host)) or self.anywhere


def host_name(host):
    host = (host or "").lower()
    if host.startswith("["):  # an IPv6 literal, which has colons of its own
        return host.partition("]")[0] + "]"
    return host.partition(":")[0].rstrip(".")


def load(config):
    """The SiteSettings of the deployment: from the ``SITES`` file, or the one site of ``SITE``."""
    path = config.get("SITES")
    if not path:
        # As before there were several sites: SITE and the settings taken as they are.
        key = config["SITE"]
        if not key or "{" in key or "}" in key:
            raise InvalidSites(f"SITE {key!r}: it is a Redis hash tag, so it cannot be empty or hold braces")
        return [SiteSettings(key, key, (), tuple(config["EMBED_ORIGINS"].split()), config["DEFAULT_LOCALE"],
                             config["TIMEZONE"])]
    try:
        with open(path, "rb") as f:
            data = json.load(f) if path.endswith(".json") else tomllib.load(f)
    except OSError as error:
        raise InvalidSites(f"SITES: cannot read {path}: {error.strerror}") from error
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise InvalidSites(f"SITES: {path} is not valid {'JSON' if path.endswith('.json') else 'TOML'}: {error}") \
            from error
    listed = data.get("sites") if isinstance(data, dict) else None
    if not isinstance(listed, dict) or not listed:
        raise InvalidSites(f"SITES: {path} lists no sites (a [sites.KEY] table for each)")
    found = [settings_of(key, values, config) for key, values in listed.items()]
    seen = {}
    for site in found:
        for host in site.hosts:
            if host in seen:
                raise InvalidSites(f"SITES: host {host} is listed by both {seen[host]} and {site.key}")
            seen[host] = site.key
    return found


def settings_of(key, values, config):
    where = f"SITES: site {key!r}"
    if not SITE_KEY.fullmatch(key):
        raise InvalidSites(f"{where}: a key is 1 to 40 lower-case letters, digits, - or _ (it names Redis keys)")
    if not isinstance(values, dict):
        raise InvalidSites(f"{where}: expected a table of settings")
    unknown = set(values) - FIELDS
    if unknown:
        raise InvalidSites(f"{where}: unknown setting {', '.join(sorted(unknown))} "
                           f"(known: {', '.join(sorted(FIELDS))})")
    hosts = tuple(h.lower().rstrip(".") for h in _strings(values.get("hosts", []), where, "hosts"))
    if not hosts:
        raise InvalidSites(f"{where}: hosts lists no host name")
    for host in hosts:
        if not HOST_NAME.fullmatch(host):
            raise InvalidSites(f"{where}: {host!r} is not a host name (no scheme, port or path)")
    origins = values.get("embed_origins", config["EMBED_ORIGINS"].split())
    origins = tuple(o.rstrip("/").lower() for o in _strings(origins, where, "embed_origins"))
    for origin in origins:
        if not ORIGIN.fullmatch(origin):
            raise InvalidSites(f"{where}: {origin!r} is not an origin like https://www.example.com, or *")
    locale = values.get("default_locale", config["DEFAULT_LOCALE"])
    if locale not in config["LANGUAGES"]:
        raise InvalidSites(f"{where}: default_locale must be one of {', '.join(config['LANGUAGES'])}")
    name = values.get("name", key)
    timezone = values.get("timezone", config["TIMEZONE"])
    if not isinstance(name, str) or not name.strip() or not isinstance(timezone, str):
        raise InvalidSites(f"{where}: name and timezone are text")
    return SiteSettings(key, name.strip(), hosts, origins, locale, timezone)


def _strings(value, where, field):
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidSites(f"{where}: {field} is a list of text")
    return value


def register(app, client):
    """Build every site's stores on ``client``; requests find theirs before any view runs."""
    app.extensions["sites"] = Sites(Site(settings, client, app.config) for settings in load(app.config))

    @app.before_request
    def select_site():
        g.site = for_request()
        if g.site is None and request.blueprint not in SITE_FREE_BLUEPRINTS and request.endpoint != "static":
            raise UnknownSite(request.host)


def for_request():
    sites = current_app.extensions["sites"]
    if request.blueprint in SITE_PARAMETER_BLUEPRINTS:
        try:
            wanted = request.args.get("site")
        except UnicodeDecodeError:
            wanted = None
        if wanted:
            return sites.get(wanted)
    return sites.for_host(request.host)


def current():
    """The site at hand: the request's, the one a command or background thread chose (``use``), or
    outside a request the deployment's only site."""
    if "site" in g:
        site = g.site
    else:
        every = current_app.extensions["sites"]
        site = every.all[0] if len(every) == 1 else None
    if site is None:
        raise UnknownSite()
    return site


def use(site):
    """Make ``site`` the site at hand for the rest of this app context (commands, background threads)."""
    g.site = site


def every():
    return current_app.extensions["sites"]


def chosen_site():
    """The ``site`` to carry in links, when the page was asked for with one."""
    site = g.get("site")
    if site is None or request.blueprint not in SITE_PARAMETER_BLUEPRINTS:
        return None
    return site.key if request.args.get("site") == site.key else None
