"""WordPress's export format (WXR 1.0, 1.1 and 1.2): its comments read, and written back.

Reading takes every ``<wp:comment>`` of every ``<item>``, whatever the
namespace's scheme (``http://`` or ``https://wordpress.org/export/1.x/``:
elements are matched by local name). WordPress's statuses become ours:
``1`` approved, ``0`` pending, ``spam`` spam, ``trash`` and
``post-trashed`` rejected. Pingbacks and trackbacks are left out unless
asked for; other comment types (WooCommerce's order notes, say) are never
comments of an article and are left out, counted by type.

Writing makes a file that WordPress's importer takes: one ``<item>`` per
thread, keyed by the thread key (and by what the import kept of the post:
its ID, title, date, slug), our statuses as ``1``, ``0``, ``trash``, ``spam``.
"""

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from .models import ImportThread, Refused, Skipped, Status
from .records import checked
from .xmlfile import children, elements, local

STATUSES = {"1": Status.APPROVED, "0": Status.PENDING, "spam": Status.SPAM, "trash": Status.REJECTED,
            "post-trashed": Status.REJECTED}
WORDPRESS_STATUS = {Status.APPROVED: "1", Status.PENDING: "0", Status.REJECTED: "trash", Status.SPAM: "spam",
                    Status.REMOVED: "trash"}
PINGS = {"pingback", "trackback"}
COMMENT_TYPES = {"", "comment"}
CHANNEL = {"base_site_url", "base_blog_url", "link", "item"}


def site_of(address):
    """A site's address as an import key holds it: no scheme, no trailing slash (an http export and an
    https one of the same site are the same source)."""
    parts = urlsplit(address.strip().lower())
    return (parts.netloc + parts.path).rstrip("/")


@dataclass
class _File:
    keys: object
    limits: object
    pingbacks: bool
    now_ms: int
    site: str = ""


def read(source, keys, limits, *, pingbacks=False, now_ms=0):
    """ImportThread, ImportRecord, Refused and Skipped items, in file order, from a WXR file."""
    file = _File(keys, limits, pingbacks, now_ms)
    for element in elements(source, CHANNEL, depth=2):
        name = local(element)
        if name != "item":
            # The blog's own address wins over the network's (a multisite network exports one blog).
            if name == "base_blog_url" or not file.site:
                file.site = site_of(element.text or "")
            continue
        yield from _item(element, file)


def _item(item, file):
    post = children(item)
    thread = file.keys.wordpress(post.get("post_id", ""), post.get("post_name", ""), post.get("link", ""))
    announced = False
    for element in item:
        if not isinstance(element.tag, str) or local(element) != "comment":
            continue
        c = children(element)
        kind = c.get("comment_type", "")
        if kind in PINGS and not file.pingbacks:
            yield Skipped(kind, element.sourceline)
            continue
        if kind not in COMMENT_TYPES | PINGS:
            yield Skipped(kind, element.sourceline)
            continue
        record = _comment(element, c, thread, file)
        if thread and not announced and not isinstance(record, Refused):
            announced = True
            yield ImportThread(thread, _post_meta(post))
        yield record


def _comment(element, c, thread, file):
    site, now_ms = file.site, file.now_ms
    comment_id = c.get("comment_id", "")
    source = f"wxr:{site}:{comment_id}" if comment_id.isdigit() else ""
    status = STATUSES.get(c.get("comment_approved", ""))
    if source and status is None:
        return Refused(element.sourceline, source,
                       f"its status {c.get('comment_approved', '')[:20]!r} is not one WordPress writes")
    parent = c.get("comment_parent", "0") or "0"
    if not parent.isdigit():
        return Refused(element.sourceline, source, f"its parent {parent[:20]!r} is not a comment id")
    date = c.get("comment_date_gmt", "")
    if not date or date.startswith("0000"):
        date = c.get("comment_date", "")  # older exports: only the blog's local time
    decided = {"decided_by": "import", "decided_at": str(now_ms)} if status in {Status.REJECTED, Status.APPROVED} \
        else {}
    return checked(
        file.limits, source=source, parent_source=f"wxr:{site}:{parent}" if parent != "0" else "", thread=thread,
        status=status, line=element.sourceline, author=c.get("comment_author", ""),
        email=c.get("comment_author_email", ""), url=c.get("comment_author_url", ""),
        ip=c.get("comment_author_IP", ""), created_at=date, body=c.get("comment_content", ""),
        extra={**decided, "source": source})


def _post_meta(post):
    meta = {"title": post.get("title", ""), "link": post.get("link", ""), "post_id": post.get("post_id", ""),
            "post_name": post.get("post_name", ""), "post_type": post.get("post_type", ""),
            "post_date_gmt": post.get("post_date_gmt", "")}
    return {name: value[:500] for name, value in meta.items() if value}


# Writing


def header(site_name, site_url):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        f"\t<title>{escape(site_name)}</title>\n\t<link>{escape(site_url)}</link>\n"
        "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{escape(site_url)}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{escape(site_url)}</wp:base_blog_url>\n"
    )


FOOTER = "</channel>\n</rss>\n"


def item_start(thread, meta):
    """An ``<item>`` opened: the thread's post, as the import kept it (its ID, title, date, slug)."""
    post_id = meta.get("post_id") or (thread if thread.isdigit() else "")
    return "\n".join([
        "\t<item>",
        f"\t\t<title>{_cdata(meta.get('title', ''))}</title>",
        f"\t\t<link>{escape(meta.get('link', ''))}</link>",
        f"\t\t<wp:post_id>{escape(post_id)}</wp:post_id>",
        f"\t\t<wp:post_date_gmt>{escape(meta.get('post_date_gmt', ''))}</wp:post_date_gmt>",
        f"\t\t<wp:post_name>{_cdata(meta.get('post_name') or thread)}</wp:post_name>",
        "\t\t<wp:status>publish</wp:status>",
        f"\t\t<wp:post_type>{escape(meta.get('post_type') or 'post')}</wp:post_type>",
        "\t\t<wp:comment_status>open</wp:comment_status>\n",
    ])


ITEM_END = "\t</item>\n"


def comment(c):
    """One ``<wp:comment>`` of a Comment; its text as WordPress keeps it (HTML: escaped)."""
    date = _wordpress_date(c.created_at)
    return "\n".join([
        "\t\t<wp:comment>",
        f"\t\t\t<wp:comment_id>{c.id}</wp:comment_id>",
        f"\t\t\t<wp:comment_author>{_cdata(c.author)}</wp:comment_author>",
        f"\t\t\t<wp:comment_author_email>{escape(c.email)}</wp:comment_author_email>",
        f"\t\t\t<wp:comment_author_url>{escape(c.url)}</wp:comment_author_url>",
        f"\t\t\t<wp:comment_author_IP>{escape(c.ip)}</wp:comment_author_IP>",
        f"\t\t\t<wp:comment_date>{date}</wp:comment_date>",
        f"\t\t\t<wp:comment_date_gmt>{date}</wp:comment_date_gmt>",
        f"\t\t\t<wp:comment_content>{_cdata(html.escape(c.body, quote=False))}</wp:comment_content>",
        f"\t\t\t<wp:comment_approved>{WORDPRESS_STATUS[c.status]}</wp:comment_approved>",
        "\t\t\t<wp:comment_type>comment</wp:comment_type>",
        f"\t\t\t<wp:comment_parent>{c.parent or 0}</wp:comment_parent>",
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>",
        "\t\t</wp:comment>\n",
    ])


def _wordpress_date(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if isinstance(moment, datetime) else ""


def _cdata(text):
    # "]]>" cannot stand inside a CDATA section: end it there and open another.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
