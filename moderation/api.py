"""The public JSON API, versioned under ``/api/v1/``.

Reads are cacheable (ETag from the thread's version counter, 304 on a
match) and open to any origin (CORS). Writes take the same signed form token
as the HTML form; a token endpoint hands one out. Nothing here ever returns
an email address, an IP address or anything only moderators may see.
"""

import json
import logging
import unicodedata

from email_validator.rfc_constants import EMAIL_MAX_LENGTH
from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from . import reports, services, sites
from .errors import CommentNotFound, Duplicate, Flood, InvalidParent, RateLimited, StoreUnavailable, ThreadClosed
from .forms import PARENT_MAX, REPORT_NOTE_MAX_LENGTH, CommentForm, ReportForm
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .intake import Traps
from .models import NewComment
from .reader import check_thread
from .rendering import comment_html
from .text import clean_line, drops_in_line
from .threadkeys import valid_thread_key

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.url_value_preprocessor(check_thread)

MAX_COUNT_THREADS = 100
# Raised when the JSON a version renders changes shape, so old ETags stop matching.
RENDERING = 1
SUBMITTED_FIELDS = ("comment", "author", "email", "url", "parent", "token", "subscribe_comments")
# The longest value of each text field, as sent (the schema's maxLength): a setting, or for the email
# email-validator's own limit (254, RFC 5321; counted there in UTF-8 bytes, so an address with letters
# beyond ASCII meets it sooner).
MAX_LENGTH_SETTINGS = {"comment": "COMMENT_MAX_LENGTH", "author": "AUTHOR_MAX_LENGTH", "url": "URL_MAX_LENGTH"}
# The form's own words for a value that is too long, or has a character that cleaning would drop. The API
# refuses those in the two fields with a shape to check, where the form drops them (browsers paste such
# things): so that what the schema says of the value as sent holds.
TOO_LONG = {
    "comment": _l("Your comment can be at most %(max)d characters."),
    "author": _l("Your name can be at most %(max)d characters."),
    "email": _l("Enter a valid email address, like name@example.com."),
    "url": _l("The web address can be at most %(max)d characters."),
}
HIDDEN_CHARACTERS = {
    "email": _l("Enter a valid email address, like name@example.com."),
    "url": _l("Enter a web address that starts with http:// or https://."),
}


@bp.after_request
def cors(response):
    if request.method in {"GET", "HEAD"}:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response


@bp.errorhandler(HTTPException)
def http_error(error):
    return jsonify(error=error.name.lower().replace(" ", "_"), message=error.description), error.code


@bp.errorhandler(StoreUnavailable)
def unavailable(error):
    logger.error("Redis unavailable: %s", error)
    message = _("Comments are unavailable for a moment. Please try again in a few minutes.")
    return jsonify(error="unavailable", message=message), 503


@bp.get("/threads/<thread>/comments")
def thread_comments(thread):
    version = services.thread_version(thread)
    etag = f"{version}.{RENDERING}"
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        body = sites.current().render_cache.get_or_make(
            ("api", thread, version), lambda: comments_json(thread))
        response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=10"
    return response


def comments_json(thread):
    comments = services.published_comments(thread)
    return json.dumps({"thread": thread, "count": len(comments), "comments": [public(c) for c in comments]},
                      ensure_ascii=False, separators=(",", ":"))


def public(comment):
    """The fields anyone may see; the one place that picks them."""
    fields = {
        "id": comment.id,
        "parent": comment.parent,
        "author": comment.author,
        "url": comment.url or None,
        "body_html": str(comment_html(comment.body)),
        "created_at": comment.created_at.isoformat().replace("+00:00", "Z"),
    }
    if comment.placeholder:
        fields["placeholder"] = comment.placeholder  # "removed" or "deleted": replies hang under it; its text is gone
    return fields


@bp.get("/counts")
def counts():
    asked = request.args.getlist("thread")
    if not asked or len(asked) > MAX_COUNT_THREADS:  # counted as sent, as the schema's maxItems is
        return jsonify(error="bad_request",
                       message=_("Ask for 1 to %(max)d threads.", max=MAX_COUNT_THREADS)), 400
    # A key in another normalisation is counted as the thread it names (a thread's key is in NFC), so that
    # no key the schema allows is refused for what JSON Schema cannot state.
    threads = {key: unicodedata.normalize("NFC", key) for key in asked}
    bad = [key for key, thread in threads.items() if not valid_thread_key(thread)]
    if bad:
        return jsonify(error="bad_request", message=_("Not a valid thread key."), threads=bad), 400
    found = services.approved_counts(list(dict.fromkeys(threads.values())))
    response = jsonify(counts={key: found[thread] for key, thread in threads.items()})
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


@bp.get("/threads/<thread>/token")
def token(thread):
    """A signed form token for one submission to this thread."""
    form = CommentForm(formdata=None, meta={"csrf_context": (sites.current().key, thread)})
    response = jsonify(token=form.token.current_token, site=sites.current().key,
                       expires_in=current_app.config["FORM_TOKEN_MAX_AGE_SECONDS"])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/threads/<thread>/comments")
def submit(thread):
    if not request.is_json:
        return jsonify(error="unsupported_media_type", message=_("Send the comment as application/json.")), 415
    data = json_body()
    if not isinstance(data, dict):
        return jsonify(error="bad_request", message=_("The body is not a JSON object.")), 400
    values, wrong = submitted_text(data)
    form = CommentForm(formdata=MultiDict(values), meta={"csrf_context": (sites.current().key, thread)})
    if not form.validate() or wrong:
        # Every field's first error at once; a field refused before the form saw it keeps that reason.
        errors = {name: str(messages[0]) for name, messages in form.errors.items()}
        return jsonify(error="invalid", errors={**errors, **wrong}), 400
    comment = NewComment(
        thread=thread, author=form.author.data, email=form.email.data, url=form.url.data or "",
        body=form.comment.data, parent=form.parent_id, ip=request.remote_addr or "",
        user_agent=clean_line(request.user_agent.string)[:300], subscribe=form.subscribe_comments.data,
    )
    try:
        comment_id = services.submit_comment(comment, form.nonce, Traps(issued_at=form.issued_at))
    except InvalidParent:
        # 409, not 400: the request is well-formed, and whether it names a published comment depends on
        # the thread's state, which no schema can state.
        return jsonify(error="unknown_parent",
                       errors={"parent": _("You can only reply to a published comment of this article.")}), 409
    except Duplicate:
        return jsonify(error="duplicate",
                       errors={"comment": _("You have already said that, word for word, under this article.")}), 409
    except ThreadClosed:
        return jsonify(error="closed", message=_("Comments are closed.")), 403
    except RateLimited as limited:
        if isinstance(limited, Flood):
            message = _("You are sending comments too quickly. Please wait a few seconds, then send this one again.")
        else:
            message = _("You are sending comments too quickly. Please wait a minute, then send this one again.")
        return jsonify(error="too_many_requests", message=message), 429, {"Retry-After": str(limited.retry_after)}
    if comment_id is None:  # kept in the spool until Redis answers again
        return jsonify(id=None, status="received", pending_url=None), 202
    pending = url_for("reader.thread", thread=thread, site=sites.chosen_site(),
                      mine=services.pending_link(thread, comment_id),
                      _anchor=f"comment-{comment_id}", _external=True)
    return jsonify(id=comment_id, status="pending", pending_url=pending), 202


def json_body():
    """The request's JSON, or None when it is not JSON (or nested too deep to read)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def submitted_text(data):
    """The known fields as the form's text, and an error for each field that is not what the schema says:
    not text (``parent``: not a whole number from 1), longer than its maximum as sent, or holding a
    character that cleaning would drop."""
    values, errors = {}, {}
    for name in SUBMITTED_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if name in NOT_TEXT:
            value, error = NOT_TEXT[name](value)
            if error:
                errors[name] = error
            elif value:
                values[name] = value
        elif not isinstance(value, str):
            errors[name] = _("This field must be text.")
        elif name in TOO_LONG and len(value) > max_length(name):
            errors[name] = str(TOO_LONG[name]) % {"max": max_length(name)}
        elif name in HIDDEN_CHARACTERS and drops_in_line(value):
            errors[name] = str(HIDDEN_CHARACTERS[name])
        else:
            values[name] = value
    return values, errors


def parent_value(value):
    """``parent`` as the form's text, or the error: JSON Schema's integer (3.0 is one, and true is not)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= PARENT_MAX:
        return None, _("The comment you replied to does not exist.")
    return str(value), None


def subscribe_value(value):
    """``subscribe_comments`` as the form's checkbox: its value when ticked, nothing when not."""
    if not isinstance(value, bool):
        return None, _("This field must be true or false.")
    return ("subscribe" if value else None), None


NOT_TEXT = {"parent": parent_value, "subscribe_comments": subscribe_value}


def max_length(name):
    """The longest value of a text field, as sent."""
    if name == "email":
        return EMAIL_MAX_LENGTH
    return current_app.config[MAX_LENGTH_SETTINGS[name]]


@bp.get("/openapi.json")
def openapi_document():
    from . import openapi  # it states the limits of this module, so it imports this module

    return jsonify(openapi.document(current_app.config))


REPORT_FIELDS = ("reason", "note", "token")


@bp.post("/comments/<int:comment_id>/reports")
def report(comment_id):
    """A reader's report of a published comment; the token is one of the comment's thread (its token route)."""
    if not request.is_json:
        return jsonify(error="unsupported_media_type", message=_("Send the report as application/json.")), 415
    data = json_body()
    if not isinstance(data, dict):
        return jsonify(error="bad_request", message=_("The body is not a JSON object.")), 400
    not_text = {name: _("This field must be text.") for name in REPORT_FIELDS
                if data.get(name) is not None and not isinstance(data[name], str)}
    if not_text:
        return jsonify(error="invalid", errors=not_text), 400
    if len(data.get("note") or "") > REPORT_NOTE_MAX_LENGTH:  # as sent, as the schema says
        return jsonify(error="invalid", errors={"note": _("At most %(max)d characters.",
                                                          max=REPORT_NOTE_MAX_LENGTH)}), 400
    try:
        found = reports.published_comment_by_id(comment_id)
    except CommentNotFound:
        return jsonify(error="not_found", message=_("There is no published comment with this id.")), 404
    form = ReportForm(formdata=MultiDict({name: data[name] for name in REPORT_FIELDS if data.get(name) is not None}),
                      meta={"csrf_context": (sites.current().key, found.thread)})
    if not form.validate():
        return jsonify(error="invalid", errors={name: str(messages[0]) for name, messages in form.errors.items()}), 400
    try:
        reports.report(found.thread, comment_id, request.remote_addr or "", form.reason.data, form.note.data or "")
    except CommentNotFound:
        return jsonify(error="not_found", message=_("There is no published comment with this id.")), 404
    except RateLimited as limited:
        message = _("You have sent many reports. Please wait a while, then send this one again.")
        return jsonify(error="too_many_requests", message=message), 429, {"Retry-After": str(limited.retry_after)}
    return jsonify(status="received", message=_("Thank you. A moderator will look at it.")), 202
