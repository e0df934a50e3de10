"""The reader's pages: a thread's approved comments and the comment form."""

import logging
import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer

from . import services
from .errors import InvalidParent, InvalidToken, StoreUnavailable
from .forms import CommentForm
from .i18n import chosen_language
from .models import NewComment

logger = logging.getLogger(__name__)

bp = Blueprint("reader", __name__)

# A thread key: at most 200 characters, no slash, backslash, space or control character.
THREAD_KEY = re.compile(r"[^/\\\s\x00-\x1f\x7f-\x9f]{1,200}")
REMEMBERED_FIELDS = ("author", "email", "url")


@bp.url_value_preprocessor
def check_thread(endpoint, values):
    thread = (values or {}).get("thread")
    if thread is not None and (not THREAD_KEY.fullmatch(thread) or thread in {".", ".."}):
        abort(404)


@bp.route("/threads/<thread>", methods=["GET", "POST"])
def thread(thread):
    form = CommentForm(meta={"csrf_context": thread})
    if request.method == "POST":
        return submit(thread, form)
    remembered = remembered_author()
    if remembered:
        for name in REMEMBERED_FIELDS:
            form[name].data = remembered.get(name, "")
        form.remember.data = True
    return thread_page(thread, form, 200, own=own_comment(thread))


def submit(thread, form):
    if not form.validate():
        return thread_page(thread, form, 400)
    comment = NewComment(
        thread=thread,
        author=form.author.data,
        email=form.email.data,
        url=form.url.data or "",
        body=form.comment.data,
        parent=form.parent_id,
        ip=request.remote_addr or "",
        user_agent=request.user_agent.string[:300],
    )
    try:
        comment_id = services.submit_comment(comment, form.nonce)
    except InvalidParent:
        form.parent.errors = [_("You can only reply to a published comment of this article.")]
        return thread_page(thread, form, 400)
    except StoreUnavailable as error:
        logger.error("comment on thread %r not queued, Redis unavailable: %s", thread, error)
        return thread_page(thread, form, 503, unavailable=True)
    target = url_for(".thread", thread=thread, lang=chosen_language(),
                     mine=services.pending_link(thread, comment_id), _anchor=f"comment-{comment_id}")
    response = redirect(target, 303)
    remember(response, form)
    return response


def thread_page(thread, form, status, own=None, unavailable=False):
    comments, count = [], 0
    if not unavailable:
        try:
            comments, count = services.thread_comments(thread)
        except StoreUnavailable as error:
            logger.error("thread %r not shown, Redis unavailable: %s", thread, error)
            unavailable, status = True, 503
    page = render_template(
        "thread.html", thread=thread, form=form, comments=comments, count=count, own=own,
        unavailable=unavailable,
        action=url_for(".thread", thread=thread, lang=chosen_language()),
    )
    response = current_app.make_response((page, status))
    # The page may hold this reader's own details (a pending comment, a remembered email).
    response.headers["Cache-Control"] = "private, no-store"
    return response


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


