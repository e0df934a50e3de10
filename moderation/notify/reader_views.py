"""The public pages a reader's mail links to: confirm the address, and unsubscribe.

No login and no cookie: the signed token in the path is the authority, so these POSTs carry no CSRF
token (another site cannot know the token). A GET only shows a page with a button (mail scanners follow
links); the POST changes the state. The one-click POST of RFC 8058 (``List-Unsubscribe=One-Click``, sent
by the mail client without any page) unsubscribes what the link names.

Every valid link gets the same answer whatever the address's state: the pages never say whether it is
known, subscribed or confirmed. A changed token, or one for another site, answers 400; an expired one 403.
"""

from flask import Blueprint, render_template, request

from ..i18n import gettext as _
from . import reader_links, subscriptions

bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions")


def refused(error):
    if isinstance(error, reader_links.ExpiredLink):
        code, title = 403, _("This link has expired")
        message = _("Links in mail work for a limited time. A newer mail from us has a link that works.")
    else:
        code, title = 400, _("This link does not work")
        message = _("This link is not valid. Copy the whole link from the mail, or use a newer mail.")
    return page("error.html", code, code=code, title=title, message=message)


def page(template, status=200, **context):
    response = render_template(template, **context), status, {"Cache-Control": "private, no-store",
                                                               "Referrer-Policy": "no-referrer"}
    return response


LINK_ERRORS = (reader_links.InvalidLink, reader_links.ExpiredLink, subscriptions.WrongSite)


@bp.get("/confirm/<token>")
def confirm_page(token):
    try:
        subscriptions.check_confirm_link(token)
    except LINK_ERRORS as error:
        return refused(error)
    return page("subscriptions/confirm.html")


@bp.post("/confirm/<token>")
def confirm(token):
    try:
        subscriptions.confirm(token)
    except LINK_ERRORS as error:
        return refused(error)
    return page("subscriptions/done.html", title=_("Thank you"),
                message=_("This address gets an email when someone replies to its comments. Every email has "
                          "a link to stop them."))


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token):
    try:
        thread = subscriptions.check_unsubscribe_link(token)
    except LINK_ERRORS as error:
        return refused(error)
    return page("subscriptions/unsubscribe.html", one_thread=bool(thread))


@bp.post("/unsubscribe/<token>")
def unsubscribe(token):
    # The one-click POST of a mail client says List-Unsubscribe=One-Click; the page's buttons say which.
    everything = request.form.get("scope") == "all"
    try:
        subscriptions.unsubscribe(token, everything=everything)
    except LINK_ERRORS as error:
        return refused(error)
    return page("subscriptions/done.html", title=_("Unsubscribed"),
                message=_("No more email about this article will be sent to this address.")
                if request.form.get("scope") == "thread" else
                _("No more email from us will be sent to this address, unless you ask for it again."))
