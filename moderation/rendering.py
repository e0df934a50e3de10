"""Jinja filters that turn what readers wrote into safe HTML: the one place for it."""

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from babel import Locale
from babel.dates import DateTimePattern, format_timedelta, parse_pattern
from flask import has_request_context, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# Punctuation that ends a sentence rather than an address (Latin and Arabic).
TRAILING = ".,;:!?)]}،؛؟"
LINK = Markup('<a href="{0}" rel="nofollow ugc noopener" target="_blank">{0}</a>')


def comment_html(text):
    """What a reader wrote, as safe HTML: escaped, ``<p>`` paragraphs, ``<br>``
    line breaks, and http(s) addresses as links that pass no ranking or opener.

    The one place where reader text becomes markup: pages and the JSON API use it.
    """
    blocks = (block.strip("\n") for block in PARAGRAPH_BREAK.split(text or ""))
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(linked(line) for line in block.split("\n")))
        for block in blocks if block.strip()
    )


def linked(line):
    parts, start = [], 0
    for match in WEB_ADDRESS.finditer(line):
        address = match.group(0).rstrip(TRAILING)
        parts += [escape(line[start:match.start()]), LINK.format(address)]
        start = match.start() + len(address)
    parts.append(escape(line[start:]))
    return Markup("").join(parts)


@dataclass(frozen=True)
class Clock:
    """One request's language, time zone and moment, for the dates its page shows."""

    locale: Locale
    timezone: object
    now: datetime
    long: DateTimePattern

    def local_datetime(self, moment):
        return self.long.apply(moment.astimezone(self.timezone), self.locale)

    def age(self, moment):
        return format_timedelta(moment - self.now, add_direction=True, locale=self.locale)


@functools.lru_cache(maxsize=16)
def long_datetime_pattern(locale):
    """The locale's long date and short time, joined as its long date-and-time joins them: one pattern."""
    found = Locale.parse(locale)
    return parse_pattern(found.datetime_formats["long"].format(found.time_formats["short"].pattern,
                                                               found.date_formats["long"].pattern))


def clock():
    """This request's Clock, made once: a queue page shows a hundred dates, and Flask-Babel finds the
    locale, the time zone and the pattern again for each."""
    found = request.environ.get("moderation.clock") if has_request_context() else None
    if found is None:
        locale = get_locale()
        found = Clock(locale, get_timezone(), datetime.now(UTC), long_datetime_pattern(str(locale)))
        if has_request_context():
            request.environ["moderation.clock"] = found
    return found


def local_datetime(moment):
    """A long date and a short time in the page's language and the site's time zone."""
    return clock().local_datetime(moment)


def age(moment):
    """How long ago, in words: "3 minutes ago", "منذ 3 دقائق"."""
    return clock().age(moment)


def init_app(app):
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(comment_html)
    app.add_template_filter(local_datetime)
    app.add_template_filter(age)
