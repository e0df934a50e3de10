"""The items of one queue page: what they share, made once a page, and each item filled in from it.

A queue page shows fifty comments, each with a dozen translated words, eight
links, three forms and some forty values to escape. Rendered one by one
through Jinja, with a translation, a ``url_for`` and a form token looked up
again for each, they were most of the page's CPU (bench/PROFILE.md). Here
the item macro (``templates/moderate/_item.html``) is rendered once a page
for each shape an item can take (claimed by another moderator or not, with a
website, a parent, signals, an edit), with a stand-in for each of its
values; an item is then that page's rendering with its own escaped values
put in place of the stand-ins. The HTML stays in the template, and every
value is still escaped exactly once.
"""

import functools
from types import SimpleNamespace
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from . import rendering
from .console_forms import REJECT_REASONS
from .i18n import lazy_gettext as _l

# Stands for the comment id in a link made once a page; no real id is this long.
ID = 987_654_321_987_654_321
# Marks a stand-in in a rendered item: no translation, link or escaped value holds this character.
MARK = "\0"
# The item's words. Translations are trusted text, as Jinja's own gettext treats them: Markup, so that
# `%` escapes only what is put into them.
WORDS = {
    "select": _l("Select comment %(id)d"),
    "only_commenter": _l("Only this commenter"),
    "client_address": _l("Client address"),
    "only_article": _l("Only this article"),
    "in_reply": _l("In reply to comment"),
    "reviewed_by": _l("Being reviewed by %(name)s"),
    "edited_by": _l("Edited by %(name)s"),
    "approve": _l("Approve"),
    "reason": _l("Reason"),
    "note_placeholder": _l("Note (optional)"),
    "note": _l("Note"),
    "reject": _l("Reject"),
    "edit": _l("Edit"),
    "undo": _l("Undo"),
}
LINKS = {"comment": "moderate.comment", "approve": "moderate.approve", "reject": "moderate.reject",
         "undo": "moderate.undo"}
# The values of an item the macro shows, each escaped once (or Markup already).
VALUES = ("id", "status", "select", "author", "by_email", "email", "url", "ip", "created", "created_title", "age",
          "article", "thread", "by_article", "comment", "parent", "parent_link", "signals", "claim_note", "body",
          "edited_note", "approve", "reject", "undo")
OPTION = Markup('<option value="{}">{}</option>')
# What werkzeug leaves unquoted in a query string, so that a link made here is the one url_for makes.
QUERY_SAFE = "!$'()*,/:;?@"


@functools.cache
def reason_options(locale):
    """The reject reasons as <option>s, in ``locale`` (the request's): made once a process per language."""
    return Markup("").join(OPTION.format(value, label) for value, label in REJECT_REASONS)


class ItemParts:
    """One page's shared parts, for the moderator ``me``; ``render`` makes an item."""

    def __init__(self, me, is_admin, signal_label):
        self.me = me
        self.is_admin = is_admin
        self.signal_label = signal_label
        # Attributes, not a dict: Jinja looks an attribute up first, and a key only after that failed.
        self.t = SimpleNamespace(**{name: Markup(str(word)) for name, word in WORDS.items()})  # noqa: S704 (ours)
        self.csrf = escape(generate_csrf())
        # Where a decision sends the moderator back: this page of the queue, or the queue.
        self.next = escape(request.full_path if request.endpoint == "moderate.queue" else url_for("moderate.queue"))
        self.reason_options = reason_options(str(rendering.clock().locale))
        self.links = {name: url_for(endpoint, comment_id=ID).replace(str(ID), "{}")
                      for name, endpoint in LINKS.items()}
        self.queue = url_for("moderate.queue")
        self.threads = {}
        self.clock = rendering.clock()
        env = current_app.jinja_env
        self.macro = env.get_template("moderate/_item.html").module.item
        self.signals = env.get_template("moderate/_signals.html").module.signals
        self.shapes = {}

    def render(self, c, claimant=None):
        """The item of comment ``c``; ``claimant``: who holds its claim, if anyone."""
        others = bool(claimant) and claimant != self.me
        values = self.values(c, claimant if others else None)
        shape = (others, bool(c.url), c.parent is not None, bool(values["signals"]), bool(c.edited_by))
        pieces = self.shapes.get(shape) or self.shape(shape)
        # Pieces alternate: rendered HTML, the name of a value, rendered HTML, …
        return Markup("".join([values[piece] if odd else piece for odd, piece in pieces]))  # noqa: S704 (escaped)

    def shape(self, shape):
        """The item macro rendered once with stand-ins, cut where they stand."""
        others, url, parent, signals, edited = shape
        stand_ins = {name: Markup(f"{MARK}{name}{MARK}") for name in VALUES}  # noqa: S704 (a marker)
        for name, present in (("url", url), ("parent", parent), ("signals", signals), ("edited_note", edited)):
            if not present:
                stand_ins[name] = ""
        html = str(self.macro(SimpleNamespace(others=others, **stand_ins), self))
        pieces = [(i % 2 == 1, piece) for i, piece in enumerate(html.split(MARK))]
        self.shapes[shape] = pieces
        return pieces

    def values(self, c, claimant):
        t, links = self.t, self.links
        signals = self.signals(c, self.signal_label) if c.signals or c.score is not None or c.held else ""
        return {
            "id": str(c.id),
            "status": escape(c.status),
            "select": t.select % {"id": c.id},
            "author": escape(c.author),
            "by_email": escape(self.queue + "?" + urlencode({"email": c.email}, safe=QUERY_SAFE)),
            "email": escape(c.email),
            "url": escape(c.url),
            "ip": escape(c.ip),
            "created": c.created_at.isoformat(),
            "created_title": escape(self.clock.local_datetime(c.created_at)),
            "age": escape(self.clock.age(c.created_at)),
            "article": self.thread_link(c.thread),
            "thread": escape(c.thread),
            "by_article": escape(self.queue + "?" + urlencode({"thread": c.thread}, safe=QUERY_SAFE)),
            "comment": links["comment"].format(c.id),
            "parent": str(c.parent) if c.parent is not None else "",
            "parent_link": links["comment"].format(c.parent) if c.parent is not None else "",
            "signals": Markup(signals.strip()) if signals else "",  # noqa: S704 (the macro escaped it)
            "claim_note": t.reviewed_by % {"name": claimant} if claimant else "",
            "body": rendering.comment_html(c.body),
            "edited_note": t.edited_by % {"name": c.edited_by} if c.edited_by else "",
            "approve": links["approve"].format(c.id),
            "reject": links["reject"].format(c.id),
            "undo": links["undo"].format(c.id),
        }

    def thread_link(self, thread):
        """The article's page: made with url_for once a page for each thread the page shows."""
        found = self.threads.get(thread)
        if found is None:
            found = self.threads[thread] = escape(url_for("reader.thread", thread=thread))
        return found
