"""The mail a reader gets: the confirmation of their address, a reply to their comment, and (if the site
wants it) word that their comment is published.

Each is in the site's language (an RTL HTML part in Arabic, and a plain-text part), and each carries
one-click unsubscribe (RFC 8058): ``List-Unsubscribe`` with a signed HTTPS link of PUBLIC_URL and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``, and the same links in the body. The header's link
stops everything, as a mail client's Unsubscribe button is understood; the body also offers one thread.
"""

from urllib.parse import quote

from ..i18n import gettext as _
from . import links, mail, reader_links


def article_url(site, thread, comment_id=None):
    anchor = f"#comment-{comment_id}" if comment_id else ""
    return links.public_url(f"/threads/{quote(thread, safe='')}{anchor}", site)


def reader_message(site, to, subject, template, *, digest, thread="", **context):
    everything = reader_links.unsubscribe_url(site, digest)
    context["unsubscribe_url"] = everything
    context["unsubscribe_thread_url"] = reader_links.unsubscribe_url(site, digest, thread) if thread else ""
    message = mail.message(to, subject, template, site.settings.default_locale, site, **context)
    message["List-Unsubscribe"] = f"<{everything}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # An automatic mail: vacation responders must not answer it (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    return message


def confirmation(site, email, digest, *, thread, title):
    return reader_message(site, email, lambda: _("Confirm reply notifications from %(site)s", site=site.name),
                          "reader_confirm", digest=digest, confirm_url=reader_links.confirm_url(site, digest),
                          title=title, article=article_url(site, thread))


def reply(site, email, digest, *, reply_comment, title):
    return reader_message(site, email, lambda: _("A reply to your comment on %(title)s", title=title),
                          "reader_reply", digest=digest, thread=reply_comment.thread, reply=reply_comment,
                          title=title, article=article_url(site, reply_comment.thread, reply_comment.id))


def published(site, email, digest, *, comment, title):
    return reader_message(site, email, lambda: _("Your comment on %(title)s is published", title=title),
                          "reader_published", digest=digest, thread=comment.thread, comment=comment,
                          title=title, article=article_url(site, comment.thread, comment.id))

