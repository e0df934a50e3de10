"""The reader's pages: a thread's approved comments and the comment form,
as a page of its own (``/threads/<thread>``) or laid out for an iframe on a
news site (``/embed/<thread>``, placed there by ``/embed.js``).
"""

import logging
from functools import partial
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_babel import get_locale
from itsdangerous import BadData, URLSafeSerializer
from markupsafe import Markup

from . import reports, services, sites
from .errors import (
    CommentNotFound,
    Duplicate,
    Flood,
    InvalidParent,
    InvalidToken,
    RateLimited,
    StoreUnavailable,
    ThreadClosed,
)
from .forms import CommentForm, ReportForm
from .i18n import chosen_language
from .i18n import gettext as _
from .intake import Traps
from .models import NewComment
from .security import sent_from_allowed_site
from .text import clean_line
from .threadkeys import valid_thread_key

logger = logging.getLogger(__name__)

bp = Blueprint("reader", __name__)

REMEMBERED_FIELDS = ("author", "email", "url")
TOKEN_STAND_IN = "form-token-stand-in"  # noqa: S105 (where each page's own token goes)


@bp.url_value_preprocessor
def check_thread(endpoint, values):
    thread = (values or {}).get("thread")
    if thread is not None and not valid_thread_key(thread):
        abort(404)


@bp.route("/threads/<thread>", methods=["GET", "POST"])
def thread(thread):
    return comments_view(thread, embedded=False)


@bp.route("/embed/<thread>", methods=["GET", "POST"])
def embed(thread):
    return comments_view(thread, embedded=True)


@bp.route("/threads/<thread>/comments/<int:comment_id>/report", methods=["GET", "POST"])
def report(thread, comment_id):
    return report_view(thread, comment_id, embedded=False)


@bp.route("/embed/<thread>/comments/<int:comment_id>/report", methods=["GET", "POST"])
def embed_report(thread, comment_id):
    return report_view(thread, comment_id, embedded=True)


def report_view(thread, comment_id, embedded):
    """Report a published comment: a page of its own, so that it works without script and without cookies."""
    here = partial(url_for, request.endpoint, thread=thread, comment_id=comment_id, lang=chosen_language(),
                   site=sites.chosen_site(), origin=host_origin() if embedded else None)
    back = url_for("reader.embed" if embedded else "reader.thread", thread=thread, lang=chosen_language(),
                   site=sites.chosen_site(), origin=host_origin() if embedded else None,
                   _anchor=f"comment-{comment_id}")
    try:
        found = reports.published_comment(thread, comment_id)
    except CommentNotFound:
        abort(404)
    form = ReportForm(formdata=request.form if request.method == "POST" else None,
                      meta={"csrf_context": (sites.current().key, thread)})
    page = {"c": found, "form": form, "here": here, "back": back, "embedded": embedded,
            "parent_origin": host_origin() if embedded else None}
    if request.method == "GET":
        return report_response(page, 200)
    if not sent_from_allowed_site():
        form.validate()
        return report_response(page, 403, notice=_("This form was sent from another site. Please send it from the "
                                                   "article's page."))
    if not form.validate():
        return report_response(page, 400)
    try:
        reports.report(thread, comment_id, request.remote_addr or "", form.reason.data, form.note.data or "")
    except CommentNotFound:
        abort(404)
    except RateLimited as limited:
        response = report_response(page, 429, notice=_("You have sent many reports. Please wait a while, then send "
                                                       "this one again."))
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    return report_response(page, 200, thanked=True)


def report_response(page, status, *, notice=None, thanked=False):
    response = current_app.make_response((render_template("report.html", notice=notice, thanked=thanked, **page),
                                          status))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/embed.js")
def embed_script():
    """The one script a news site adds under an article to show its comments."""
    response = send_from_directory(current_app.static_folder, "embed.js", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def comments_view(thread, embedded):
    # Only the urlencoded or multipart form's text fields: never a JSON body
    # (that is the API's), never a file posing as a field.
    form = CommentForm(formdata=request.form if request.method == "POST" else None,
                       meta={"csrf_context": (sites.current().key, thread)})
    here = partial(url_for, request.endpoint, thread=thread, lang=chosen_language(), site=sites.chosen_site(),
                   origin=host_origin() if embedded else None)
    if request.method == "POST":
        return submit(thread, form, here, embedded)
    remembered = remembered_author()
    reply_to = request.args.get("replyto", "")
    own = own_comment(thread)
    received = request.args.get("received") == "1"
    if not (remembered or reply_to or own or received):
        return plain_page(thread, form, here, embedded)
    if remembered:
        for name in REMEMBERED_FIELDS:
            form[name].data = remembered.get(name, "")
        form.remember.data = True
    if reply_to.isascii() and reply_to.isdigit():
        form.parent.data = reply_to
    return thread_page(thread, form, 200, here, embedded, own=own, received=received,
                       closed=closed_now(thread))


def plain_page(thread, form, here, embedded):
    """The page as a reader with nothing of their own sees it (no remembered
    name, no reply, no pending comment): most views of a busy article.

    Rendered once per version of the thread and way of showing it, with a
    stand-in where the form token goes; each view signs a token of its own
    and puts it in place of the stand-in.
    """

    def render():
        comment_list(thread, here)  # raises StoreUnavailable, where thread_page would show the page without
        shell = CommentForm(meta={"csrf_context": (sites.current().key, thread)})
        shell.token.current_token = TOKEN_STAND_IN
        before, after = thread_page(thread, shell, 200, here, embedded).get_data().split(TOKEN_STAND_IN.encode())
        return before, after

    try:
        version, closed = services.thread_view(thread)
        if closed:  # rare: no form, so no token to put in place
            return thread_page(thread, form, 200, here, embedded, closed=True)
        key = ("plain", thread, version, str(get_locale()), request.endpoint,
               chosen_language(), host_origin(), sites.chosen_site())
        before, after = sites.current().render_cache.get_or_make(key, render)
    except StoreUnavailable:
        return thread_page(thread, form, 200, here, embedded)  # it says so, with the right status
    response = current_app.make_response(b"".join((before, form.token.current_token.encode(), after)))
    response.headers["Cache-Control"] = "private, no-store"  # as thread_page: each page has its own token
    return response


def submit(thread, form, here, embedded):
    if not sent_from_allowed_site():
        form.validate()  # keeps what was typed and a valid token
        notice = _("This form was sent from another site. Please send it from the article's page.")
        return thread_page(thread, form, 403, here, embedded, notice=notice)
    if not form.validate():
        return thread_page(thread, form, 400, here, embedded)
    comment = NewComment(
        thread=thread,
        author=form.author.data,
        email=form.email.data,
        url=form.url.data or "",
        body=form.comment.data,
        parent=form.parent_id,
        ip=request.remote_addr or "",
        user_agent=clean_line(request.user_agent.string)[:300],
        subscribe=form.subscribe_comments.data,
    )
    traps = Traps(honeypot_filled=bool(form.fax.data), issued_at=form.issued_at)
    try:
        comment_id = services.submit_comment(comment, form.nonce, traps)
    except InvalidParent:
        form.parent.errors = [_("You can only reply to a published comment of this article.")]
        return thread_page(thread, form, 400, here, embedded)
    except Duplicate:
        form.comment.errors = [_("You have already said that, word for word, under this article.")]
        return thread_page(thread, form, 409, here, embedded)
    except ThreadClosed:
        return thread_page(thread, form, 403, here, embedded, closed=True)
    except RateLimited as limited:
        # The form comes back with everything typed and its token, which still queues one comment later.
        if isinstance(limited, Flood):
            notice = _("You are sending comments too quickly. Please wait a few seconds, then send this one again.")
        else:
            notice = _("You are sending comments too quickly. Please wait a minute, then send this one again.")
        response = thread_page(thread, form, 429, here, embedded, notice=notice)
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    except StoreUnavailable as error:
        logger.error("comment on thread %r not queued, Redis unavailable: %s", thread, error)
        return thread_page(thread, form, 503, here, embedded, unavailable=True)
    if comment_id is None:  # kept in the spool until Redis answers again
        response = redirect(here(received=1, _anchor="respond"), 303)
    else:
        # The signed link, not a cookie, lets this reader see their own comment
        # while it waits: cookies are often blocked inside a news site's iframe.
        response = redirect(here(mine=services.pending_link(thread, comment_id), _anchor=f"comment-{comment_id}"),
                            303)
    remember(response, form)
    return response


def closed_now(thread):
    try:
        return services.thread_closed(thread)
    except StoreUnavailable:
        return False  # the page says Redis is away; the form keeps what is typed


def thread_page(thread, form, status, here, embedded, *, own=None, unavailable=False, notice=None, received=False,
                closed=False):
    comments_html, count, authors = "", 0, {}
    if not unavailable:
        try:
            comments_html, count, authors = comment_list(thread, here)
        except StoreUnavailable as error:
            logger.error("thread %r not shown, Redis unavailable: %s", thread, error)
            unavailable = True
            status = status if received else 503
    author = authors.get(form.parent_id) if form.parent.data and not form.parent.errors else None
    replying_to = {"author": author} if author is not None else None
    if form.parent.data and replying_to is None and not unavailable and request.method == "GET":
        form.parent.data = ""  # a reply link to a comment that is not (or no longer) published
    page = render_template(
        "embed.html" if embedded else "thread.html",
        thread=thread, form=form, comments_html=comments_html, count=count, own=own, unavailable=unavailable,
        replying_to=replying_to, here=here, parent_origin=host_origin() if embedded else None, notice=notice,
        received=received, closed=closed,
    )
    response = current_app.make_response((page, status))
    # The page may hold this reader's own details (a pending comment, a remembered email).
    response.headers["Cache-Control"] = "private, no-store"
    return response


def comment_list(thread, here):
    """The thread's comments as HTML, how many, and their authors by id.

    Rendered once per version of the thread and way of showing it; a page
    view then costs one small Redis read.
    """
    version = services.thread_version(thread)
    key = ("page", thread, version, str(get_locale()), request.endpoint, chosen_language(), host_origin(),
           sites.chosen_site())

    embedded = request.endpoint == "reader.embed"
    report_link = partial(url_for, "reader.embed_report" if embedded else "reader.report", thread=thread,
                          lang=chosen_language(), site=sites.chosen_site(), origin=host_origin() if embedded else None)

    def render():
        comments, by_id = services.thread_comments(thread)
        html = Markup(render_template("_comment_list.html", comments=comments, here=here,  # noqa: S704 (Jinja escaped it)
                                      report_link=report_link))
        return html, len(by_id), {comment_id: c.author for comment_id, c in by_id.items()}

    return sites.current().render_cache.get_or_make(key, render)


def host_origin():
    """The embedding page's origin, as embed.js passes it, if it may frame us."""
    origin = request.args.get("origin", "")
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.netloc or origin != f"{parts.scheme}://{parts.netloc}":
        return None
    return origin if sites.current().may_embed(origin) else None


def own_comment(thread):
    link = request.args.get("mine")
    if not link:
        return None
    try:
        return services.own_pending_comment(thread, link)
    except (InvalidToken, StoreUnavailable):
        return None


def remembered_serializer():
    return URLSafeSerializer(current_app.secret_key, salt="remember-author")


def remembered_author():
    cookie = request.cookies.get(current_app.config["REMEMBER_COOKIE_NAME"])
    if not cookie:
        return None
    try:
        values = remembered_serializer().loads(cookie)
    except BadData:
        return None
    return values if isinstance(values, dict) else None


def remember(response, form):
    """Keep name, email and website in a cookie when asked; forget them when not."""
    name = current_app.config["REMEMBER_COOKIE_NAME"]
    secure = request.is_secure
    if form.remember.data:
        values = {field: form[field].data or "" for field in REMEMBERED_FIELDS}
        response.set_cookie(
            name, remembered_serializer().dumps(values),
            max_age=current_app.config["REMEMBER_MAX_AGE_SECONDS"],
            httponly=True, samesite="Lax", secure=secure,
        )
    elif request.cookies.get(name):
        response.delete_cookie(name, httponly=True, samesite="Lax", secure=secure)
