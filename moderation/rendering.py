"""Jinja filters that turn what readers wrote into safe HTML: the one place for it."""

import re
from datetime import UTC, datetime

from flask_babel import format_date, format_time, format_timedelta, get_locale
from markupsafe import Markup, escape

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text):
    """Escaped text as ``<p>`` paragraphs, single newlines as ``<br>``."""
    blocks = (block.strip("\n") for block in PARAGRAPH_BREAK.split(text or ""))
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in block.split("\n")))
        for block in blocks if block.strip()
    )


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
    app.add_template_filter(paragraphs)
    app.add_template_filter(local_datetime)
    app.add_template_filter(age)
