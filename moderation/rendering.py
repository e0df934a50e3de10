"""Jinja filters that turn what readers wrote into safe HTML: the one place for it."""

import re
from datetime import UTC, datetime

from flask_babel import format_date, format_time, format_timedelta, get_locale
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


def local_datetime(moment):
    """A long date and a short time in the page's language and the site's time zone."""
    pattern = get_locale().datetime_formats["long"]
    return pattern.format(format_time(moment, "short"), format_date(moment, "long"))


def age(moment):
    """How long ago, in words: "3 minutes ago", "منذ 3 دقائق"."""
    return format_timedelta(moment - datetime.now(UTC), add_direction=True)


def init_app(app):
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(comment_html)
    app.add_template_filter(local_datetime)
    app.add_template_filter(age)
