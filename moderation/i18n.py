"""Language and direction of each page: locale selection, translation, and template helpers.

``gettext``, ``ngettext`` and ``lazy_gettext`` behave as Flask-Babel's, but
look up the request's catalog once: Flask-Babel finds the domain, the locale
and the catalog again on every call, and a queue page translates about 600
strings.
"""

import functools

from babel import Locale
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header


def query_value(name):
    """A query parameter, or None when the query string is not UTF-8 (the request is refused anyway)."""
    try:
        return request.args.get(name)
    except UnicodeDecodeError:
        return None


# The console's pages: a moderator's choice of language is kept in the session.
CONSOLE_BLUEPRINTS = ("moderate", "dashboard")


def select_locale():
    """``?lang=`` (remembered for moderators), the browser's Accept-Language, then the site's default language."""
    languages = current_app.config["LANGUAGES"]
    chosen = query_value("lang")
    if request.blueprint in CONSOLE_BLUEPRINTS:
        # Moderators keep the language they picked; readers' pages never touch the session.
        if chosen in languages:
            session["lang"] = chosen
        else:
            chosen = session.get("lang")
    if chosen in languages:
        return chosen
    best = best_language(request.headers.get("Accept-Language"), tuple(languages))
    site = g.get("site")
    return best or (site.settings.default_locale if site else current_app.config["DEFAULT_LOCALE"])


@functools.lru_cache(maxsize=64)
def best_language(accept_language, languages):
    # Readers' browsers send a handful of distinct Accept-Language headers: each is parsed once per process.
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages)


def select_timezone():
    site = g.get("site")
    return site.settings.timezone if site else current_app.config["TIMEZONE"]


def chosen_language():
    """The ``lang`` to carry in links, when the reader picked one explicitly."""
    chosen = query_value("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else None


def language_name(code):
    return Locale.parse(code).display_name


def catalog():
    """This request's translations, looked up once per request."""
    if not has_request_context():
        return get_translations()
    found = request.environ.get("moderation.catalog")
    if found is None:
        found = request.environ["moderation.catalog"] = get_translations()
    return found


def gettext(string, **variables):
    text = catalog().ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return catalog().ungettext(singular, plural, num) % variables


def lazy_gettext(string, **variables):
    """A string translated each time it is used, into the language of the request at hand."""
    return LazyString(gettext, string, **variables)


def init_app(app):
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def page_language():
        locale = get_locale()
        return {
            "locale": str(locale),
            "direction": locale.text_direction,
            "languages": app.config["LANGUAGES"],
            "language_name": language_name,
            "chosen_language": chosen_language(),
            "site_name": g.site.name if g.get("site") and len(current_app.extensions["sites"]) > 1 else None,
        }
