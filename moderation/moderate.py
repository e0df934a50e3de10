"""The moderator console: login, the queue, decisions, the audit log, accounts.

Every page needs a login, every change is a POST with Flask-WTF's CSRF token
(checked by CSRFProtect before any view runs, so views do not check it again),
and every action works as a plain form (answered with a redirect and a
flash message) and from scripts (answered with JSON, 409 on a conflict).
"""

import json
import logging
import re

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_required

from . import accounts, commenters, decisions, erasure, reports, screening
from .auth import admin_required, end_session, safe_next, start_session, wants_json
from .console_forms import (
    REASON_LABELS,
    ActionForm,
    BulkForm,
    CommenterForm,
    DecisionForm,
    LoginForm,
    ModeratorForm,
    PasswordForm,
    RemoveForm,
    RulesForm,
    SetupForm,
    WaveForm,
)
from .errors import (
    AlreadyDecided,
    ClaimedByOther,
    CommentNotFound,
    InvalidSetupToken,
    LastAdmin,
    LoginThrottled,
    ModeratorExists,
    ModeratorNotFound,
    NothingToUndo,
    NotPublished,
    UndoNotAllowed,
)
from .forms import REPORT_REASONS
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .i18n import ngettext
from .item_parts import ItemParts
from .models import Decision
from .threadkeys import valid_thread_key

logger = logging.getLogger(__name__)

bp = Blueprint("moderate", __name__, url_prefix="/moderate")

MAX_BULK = 200
# A decision with only these fields carries no reason, note, edit or override.
PLAIN_DECISION = {"csrf_token", "next"}
STREAM_ID = re.compile(r"\d{1,15}-\d{1,10}")
CURSOR = re.compile(r"\d{1,15}(\.\d{1,6})?:\d{1,18}")


def paging(name, pattern):
    """A paging parameter as the pages make them; anything else is a 400."""
    value = request.args.get(name) or None
    if value is not None and not pattern.fullmatch(value):
        abort(400)
    return value

STATUS_LABELS = {"pending": _l("Waiting"), "approved": _l("Approved"), "rejected": _l("Rejected"),
                 "spam": _l("Spam"), "removed": _l("Removed")}
ROLE_LABELS = {"admin": _l("Admin"), "moderator": _l("Moderator")}
ACTION_LABELS = {
    "approved": _l("approved"), "rejected": _l("rejected"), "undone": _l("undid a decision"),
    "edited": _l("edited"), "login": _l("logged in"), "logout": _l("logged out"),
    "login_failed": _l("failed to log in"), "moderator_created": _l("created a moderator"),
    "moderator_removed": _l("removed a moderator"), "password_changed": _l("changed a password"),
    "caught": _l("set aside as spam"), "rescued": _l("rescued from spam"),
    "auto_approved": _l("published (trusted commenter)"), "rules_changed": _l("changed the rules"),
    "imported": _l("imported comments"), "exported": _l("exported comments"),
    "removed": _l("took down a published comment"), "restored": _l("restored a removed comment"),
    "thread_closed": _l("closed an article's comments"), "thread_open": _l("opened an article's comments"),
    "commenter_exported": _l("exported a commenter's data"), "commenter_erased": _l("erased a commenter's data"),
    "reports_dismissed": _l("kept a reported comment"),
    "webhook_added": _l("added a webhook endpoint"), "webhook_deleted": _l("deleted a webhook endpoint"),
    "webhook_enabled": _l("switched a webhook endpoint on"), "webhook_disabled": _l("switched a webhook endpoint off"),
}
# What the checks at the door found, in words for moderators.
SIGNAL_LABELS = {
    "honeypot": _l("filled in the hidden field"),
    "too_fast": _l("sent faster than a person types"),
    "blocked_word": _l("a blocked word"),
    "held_word": _l("a word to look at"),
    "too_many_links": _l("many links"),
    "phone_number": _l("a phone number"),
    "email_address": _l("an email address in the text"),
    "coordinates": _l("map coordinates"),
    "blocked_email": _l("a blocked email address"),
    "blocked_ip": _l("a blocked address"),
    "filter": _l("the learned filter"),
    "wave": _l("part of a rejected wave"),
}


def coded_label(text, labels):
    """A stored "code: detail" (a rejection reason, a signal) with its code in words."""
    code, _sep, detail = text.partition(": ")
    label = labels.get(code)
    if label is None:
        return text
    return f"{label}: {detail}" if detail else str(label)


@bp.context_processor
def labels():
    return {"status_labels": STATUS_LABELS, "role_labels": ROLE_LABELS, "action_labels": ACTION_LABELS,
            "reason_label": lambda reason: coded_label(reason, REASON_LABELS),
            "signal_label": lambda signal: coded_label(signal, SIGNAL_LABELS), "wave_tie": wave_tie}


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Login, logout, first-run setup

@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"), url_for(".queue"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            result = accounts.log_in(form.username.data, form.password.data, request.remote_addr or "")
        except LoginThrottled:
            form.password.errors.append(_("Too many failed attempts. Please wait 15 minutes and try again."))
            return render_template("moderate/login.html", form=form), 429
        if result and start_session(result[1]):
            return redirect(target, 303)
        form.password.errors.append(_("Wrong username or password."))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("moderate/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for(".login"), 303)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    form = SetupForm()
    token = request.args.get("token") or form.token.data
    if not accounts.setup_token_valid(token):
        return render_template("moderate/setup_done.html"), 404
    form.token.data = token
    if form.validate_on_submit():
        try:
            accounts.set_up_first_admin(token, form.username.data, form.password.data)
        except accounts.InvalidAccount:
            form.username.errors.append(_("Use 1 to 64 letters, digits, or . @ _ -"))
        except InvalidSetupToken:
            return render_template("moderate/setup_done.html"), 404
        else:
            result = accounts.log_in(form.username.data, form.password.data, request.remote_addr or "")
            if result:
                start_session(result[1])
            flash(_("Welcome! Your admin account is ready."), "success")
            return redirect(url_for(".queue"), 303)
    return render_template("moderate/setup.html", form=form), 400 if request.method == "POST" else 200


# The queue

def queue_filters():
    thread = (request.args.get("thread") or "").strip() or None
    email = (request.args.get("email") or "").strip() or None
    return thread, email


@bp.get("/")
@login_required
def queue():
    thread, email = queue_filters()
    cursor = paging("cursor", CURSOR)
    page = decisions.queue_page(current_user.name, cursor=cursor, thread=thread, email=email)
    others = decisions_of_others(page.claimed_by_others)
    total, filtered, busiest = decisions.queue_counts(thread=thread, email=email)
    return render_template(
        "moderate/queue.html", page=page, others=others, total=total, filtered=filtered, busiest=busiest,
        waves=decisions.waves() if cursor is None and thread is None and email is None else [],
        thread=thread, email=email, cursor=cursor, parts=item_parts(),
        form=DecisionForm(), bulk_form=BulkForm(),
        action_form=ActionForm(), latest_event=decisions.latest_event(),
        poll_seconds=current_app.config["QUEUE_POLL_SECONDS"],
    )


def item_parts():
    return ItemParts(current_user.name, current_user.is_admin, lambda signal: coded_label(signal, SIGNAL_LABELS))


def decisions_of_others(claimed):
    """The comments other moderators are reviewing, with who reviews each."""
    found = {c.id: c for c in decisions.comments([cid for cid, _ in claimed])}
    return [(found[cid], who) for cid, who in claimed if cid in found]


@bp.get("/comments/<int:comment_id>")
@bp.get("/comments/<int:comment_id>/<any(approve, reject, undo, edit):action>")
@login_required
def comment(comment_id, action=None):
    """One comment, with its buttons; also what a GET of an action URL shows, to confirm."""
    return comment_page(comment_id, action=action)


def comment_page(comment_id, form=None, status=200, action=None, remove_form=None):
    """The comment's page; with ``form`` (or ``remove_form``), that form again as it was sent, each error next
    to its field."""
    found, claimant = decisions.open_comment(comment_id, current_user.name)
    if found is None:
        abort(404)
    parent = decisions.comment(found.parent) if found.parent else None
    form = form or DecisionForm(body=found.body)
    return render_template("moderate/comment.html", c=found, parent=parent, claimant=claimant, form=form,
                           action_form=ActionForm(), action=action, remove_form=remove_form or RemoveForm()), status


@bp.post("/comments/<int:comment_id>/approve")
@login_required
def approve(comment_id):
    return decide(comment_id, Decision.APPROVE)


@bp.post("/comments/<int:comment_id>/reject")
@login_required
def reject(comment_id):
    return decide(comment_id, Decision.REJECT)


def decide(comment_id, decision):
    if request.form.keys() <= PLAIN_DECISION:
        # The queue's Approve button sends nothing to check: CSRFProtect has checked its token already.
        reason, force, body = "", False, ""
    else:
        form = DecisionForm()
        if not form.validate():
            return invalid(form, comment_id)
        reason, force, body = form.reason_text(), form.force.data and current_user.is_admin, form.body.data or ""
    try:
        decisions.decide(comment_id, decision, current_user.name, reason=reason, force=force, body=body)
    except (AlreadyDecided, ClaimedByOther, CommentNotFound) as error:
        return conflict(error, comment_id)
    message = (_("Comment %(id)d approved.", id=comment_id) if decision == Decision.APPROVE
               else _("Comment %(id)d rejected.", id=comment_id))
    return done(message, comment_id=comment_id, status=str(decision), undoable=True)


@bp.post("/comments/<int:comment_id>/undo")
@login_required
def undo(comment_id):
    try:
        decisions.undo(comment_id, current_user.name, current_user.is_admin)
    except NothingToUndo:
        return done(_("Comment %(id)d is already waiting for a decision.", id=comment_id),
                    comment_id=comment_id, status="pending")
    except NotPublished as error:
        return not_published(error, comment_id)
    except UndoNotAllowed as error:
        message = _("Only %(name)s can undo this decision now, or an admin.", name=error.decided_by)
        return failure(message, 403, "undo_not_allowed", comment_id)
    except CommentNotFound as error:
        return conflict(error, comment_id)
    return done(_("Comment %(id)d is back in the queue.", id=comment_id), comment_id=comment_id, status="pending")


@bp.post("/comments/<int:comment_id>/remove")
@login_required
def remove(comment_id):
    """Take a published comment down: any moderator, at any time, with a reason."""
    form = RemoveForm()
    if not form.validate():
        return invalid(form, comment_id, removal=True)
    try:
        decisions.remove(comment_id, current_user.name, form.reason_text())
    except NotPublished as error:
        return not_published(error, comment_id)
    except CommentNotFound as error:
        return conflict(error, comment_id)
    return done(_("Comment %(id)d is no longer published.", id=comment_id), comment_id=comment_id,
                status="removed", back=safe_next(request.form.get("next"), url_for(".comment", comment_id=comment_id)))


@bp.post("/comments/<int:comment_id>/restore")
@login_required
def restore(comment_id):
    if not current_user.is_admin:
        return failure(_("Only an admin can restore a removed comment."), 403, "forbidden", comment_id)
    try:
        decisions.restore(comment_id, current_user.name)
    except NotPublished as error:
        return not_published(error, comment_id)
    except CommentNotFound as error:
        return conflict(error, comment_id)
    return done(_("Comment %(id)d is published again.", id=comment_id), comment_id=comment_id, status="approved",
                back=url_for(".comment", comment_id=comment_id))


def not_published(error, comment_id):
    message = (_("Comment %(id)d was removed; an admin can restore it.", id=comment_id)
               if error.status == "removed" else
               _("Comment %(id)d is not published (%(status)s).", id=comment_id,
                 status=STATUS_LABELS.get(error.status, error.status)))
    return failure(message, 409, "not_published", comment_id, status=str(error.status))


@bp.post("/comments/<int:comment_id>/edit")
@login_required
def edit(comment_id):
    form = DecisionForm()
    if form.validate() and not form.body.data:
        form.body.errors.append(_("Please enter the comment's text. To take a comment down, reject it."))
    if form.errors:
        return invalid(form, comment_id)
    force = form.force.data and current_user.is_admin
    try:
        decisions.edit(comment_id, form.body.data, current_user.name, force=force)
    except (AlreadyDecided, ClaimedByOther, CommentNotFound) as error:
        return conflict(error, comment_id)
    return done(_("Comment %(id)d saved.", id=comment_id), comment_id=comment_id, status="pending",
                back=url_for(".comment", comment_id=comment_id))


@bp.post("/bulk")
@login_required
def bulk():
    form = BulkForm()
    ids = parse_ids(request.form.getlist("ids"))
    if not form.validate() or not ids:
        if wants_json():
            return jsonify(error="invalid", message=_("Select at least one comment.")), 400
        flash(_("Select at least one comment."), "error")
        return redirect(back_to_queue(), 303)
    decision = Decision.APPROVE if form.action.data == "approve" else Decision.REJECT
    result = decisions.decide_many(ids, decision, current_user.name, reason=form.reason_text(),
                                   force=form.force.data and current_user.is_admin)
    if decision == Decision.APPROVE:
        message = ngettext("%(num)d comment approved.", "%(num)d comments approved.", len(result.done))
    else:
        message = ngettext("%(num)d comment rejected.", "%(num)d comments rejected.", len(result.done))
    skipped = len(result.already_decided) + len(result.claimed) + len(result.missing)
    if skipped:
        message += " " + ngettext("%(num)d was skipped: decided or being reviewed by someone else.",
                                  "%(num)d were skipped: decided or being reviewed by someone else.", skipped)
    if wants_json():
        return jsonify(done=result.done, already_decided=result.already_decided, claimed=result.claimed,
                       missing=result.missing, status=str(decision), message=message)
    flash(message, "success" if not skipped else "warning")
    return redirect(back_to_queue(), 303)


def parse_ids(values):
    ids = []
    for value in values[:MAX_BULK]:
        if value.isascii() and value.isdigit() and len(value) < 19:
            ids.append(int(value))
    return list(dict.fromkeys(ids))


@bp.post("/claims")
@login_required
def claims():
    mine = decisions.renew_claims(parse_ids(request.form.getlist("ids")), current_user.name)
    return jsonify(claimed=mine)


@bp.get("/updates")
@login_required
def updates():
    """New pending comments and decisions since an event id, for the open queue page."""
    after = paging("after", STREAM_ID) or "0-0"
    thread, email = queue_filters()
    fresh, decided, last = decisions.updates(after)
    if thread is not None:
        fresh = [c for c in fresh if c.thread == thread]
    elif email is not None:
        fresh = [c for c in fresh if c.email.lower() == email.lower()]
    if fresh:
        decisions.renew_claims([c.id for c in fresh], current_user.name)
    total = decisions.pending_total()
    parts = item_parts()
    items = [parts.render(c) for c in fresh]
    total_label = ngettext("%(num)d comment waiting", "%(num)d comments waiting", total)
    return jsonify(last=last, total=total, total_label=total_label, items=items,
                   decided=[dict(d, message=decided_message(d)) for d in decided])


def decided_message(d):
    if d["status"] == "approved":
        return _("Approved by %(name)s.", name=d["by"])
    if d["status"] == "rejected":
        return _("Rejected by %(name)s.", name=d["by"])
    return _("Returned to the queue by %(name)s.", name=d["by"])


# Spam waves

@bp.post("/waves")
@login_required
def wave():
    form = WaveForm()
    if not form.validate():
        abort(400)
    decision = Decision.APPROVE if form.action.data == "approve" else Decision.REJECT
    done = decisions.decide_wave(form.feature.data, decision, current_user.name)
    if decision == Decision.APPROVE:
        message = ngettext("%(num)d comment approved.", "%(num)d comments approved.", len(done))
    else:
        message = ngettext("%(num)d comment rejected.", "%(num)d comments rejected.", len(done))
    if wants_json():
        return jsonify(done=done, status=str(decision), message=message)
    flash(message, "success")
    return redirect(url_for(".queue"), 303)


def wave_tie(feature):
    """What ties a wave's comments, in words."""
    kind, _sep, value = feature.partition(":")
    if kind == "domain":
        return _("all link to %(domain)s", domain=value)
    if kind == "network":
        return _("all come from the network %(network)s", network=value)
    return _("near-identical text")


# The moderators' rules (admins)

@bp.route("/rules", methods=["GET", "POST"])
@admin_required
def rules():
    form = RulesForm()
    if request.method == "GET":
        form.process(data=screening.rules_for_editing())
    elif form.validate():
        screening.save_rules(form.values(), current_user.name)
        flash(_("The rules are saved and apply to new comments at once."), "success")
        return redirect(url_for(".rules"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("moderate/rules.html", form=form), status


# The spam list

@bp.get("/spam")
@login_required
def spam():
    cursor = paging("cursor", CURSOR)
    return render_template("moderate/spam.html", page=decisions.spam_page(cursor), total=decisions.spam_count(),
                           cursor=cursor, action_form=ActionForm())


@bp.get("/reported")
@login_required
def reported():
    """Published comments readers reported, most reported and latest first, with their reasons."""
    return render_template("moderate/reported.html", rows=reports.reported(), total=reports.reported_count(),
                           action_form=ActionForm(), remove_form=RemoveForm(), report_labels=dict(REPORT_REASONS))


@bp.post("/comments/<int:comment_id>/keep")
@login_required
def keep(comment_id):
    """The reports are dismissed; the comment stays published."""
    try:
        reports.keep(comment_id, current_user.name)
    except NotPublished as error:
        return not_published(error, comment_id)
    except CommentNotFound as error:
        return conflict(error, comment_id)
    return done(_("Comment %(id)d stays published; its reports are dismissed.", id=comment_id),
                comment_id=comment_id, status="approved", back=url_for(".reported"))


@bp.get("/threads")
@login_required
def threads():
    start = request.args.get("start", "0")
    if not (start.isascii() and start.isdigit()) or len(start) > 9:
        abort(400)
    rows, more = decisions.threads_page(int(start))
    return render_template("moderate/threads.html", rows=rows, more=more, start=int(start),
                           size=current_app.config["QUEUE_PAGE_SIZE"], action_form=ActionForm(),
                           close_after_days=current_app.config["CLOSE_AFTER_DAYS"])


@bp.post("/threads/<thread>/<any(close, open):action>")
@login_required
def thread_state(thread, action):
    """Close a thread to new comments, or open it again, whatever its age says."""
    if not valid_thread_key(thread):
        abort(404)
    decisions.set_thread_state(thread, "closed" if action == "close" else "open", current_user.name)
    message = (_("Comments on %(thread)s are closed.", thread=thread) if action == "close"
               else _("Comments on %(thread)s are open.", thread=thread))
    if wants_json():
        return jsonify(thread=thread, state="closed" if action == "close" else "open", message=message)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), url_for(".threads")), 303)


@bp.post("/comments/<int:comment_id>/rescue")
@login_required
def rescue(comment_id):
    try:
        decisions.rescue(comment_id, current_user.name)
    except (AlreadyDecided, CommentNotFound) as error:
        return conflict(error, comment_id)
    return done(_("Comment %(id)d is back in the queue.", id=comment_id), comment_id=comment_id, status="pending",
                back=url_for(".spam"))


@bp.post("/spam/empty")
@login_required
def empty_spam():
    rejected = decisions.empty_spam(current_user.name)
    message = ngettext("%(num)d comment rejected.", "%(num)d comments rejected.", len(rejected))
    if wants_json():
        return jsonify(rejected=rejected, message=message)
    flash(message, "success")
    return redirect(url_for(".spam"), 303)


# Audit log

@bp.get("/log")
@login_required
def log():
    moderator = (request.args.get("moderator") or "").strip() or None
    before = paging("before", STREAM_ID)
    entries, older = decisions.audit_log(before=before, moderator=moderator)
    return render_template("moderate/log.html", entries=entries, older=older, moderator=moderator)


# A published comment's permalink ends in #comment-<id>; a moderator pastes it (or the id) to open the comment.
COMMENT_REFERENCE = re.compile(r"(?:#comment-|^\s*)(\d{1,18})\s*$")


@bp.get("/find")
@login_required
def find():
    """The comment a pasted permalink or id names: where a takedown starts."""
    match = COMMENT_REFERENCE.search(request.args.get("q") or "")
    if not match:
        flash(_("Paste a comment's link (it ends in #comment-123) or its number."), "error")
        return redirect(url_for(".log"), 303)
    return redirect(url_for(".comment", comment_id=int(match.group(1))), 303)


# Accounts (admins)

@bp.get("/commenters")
@admin_required
def commenters_page():
    return render_commenters(CommenterForm())


def render_commenters(form, status=200):
    """The page, with how far each erasure has come (erasure.py runs them in the background)."""
    return render_template("moderate/commenters.html", form=form, **erasure.overview()), status


@bp.post("/commenters/export")
@admin_required
def export_commenter():
    """A commenter's data as a JSON file (the right of access); a POST, so that nothing prefetches it."""
    form = CommenterForm()
    if not form.validate():
        return render_commenters(form, 400)
    found = commenters.export(form.email.data, current_user.name)
    response = current_app.response_class(json.dumps(found, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = "attachment; filename=commenter.json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/commenters/erase")
@admin_required
def erase_commenter():
    """Ask for the erasure and return at once: the worker runs it, the page shows how far it has come."""
    form = CommenterForm()
    if not form.validate():
        return render_commenters(form, 400)
    if not form.confirm.data:
        form.confirm.errors = [_("Tick the box to confirm: an erasure cannot be undone.")]
        return render_commenters(form, 400)
    _job, started = erasure.request(form.email.data, current_user.name, keep_text=form.keep_text.data)
    if started:
        flash(_("The erasure has started. It runs in the background; its progress is shown below."), "success")
    else:
        flash(_("An erasure of that address is already under way: its progress is shown below."), "warning")
    return redirect(url_for(".commenters_page"), 303)


@bp.route("/moderators", methods=["GET", "POST"])
@admin_required
def moderators():
    form = ModeratorForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.create_moderator(form.username.data, form.password.data, form.role.data,
                                      actor=current_user.name)
        except accounts.InvalidAccount:
            form.username.errors.append(_("Use 1 to 64 letters, digits, or . @ _ -"))
            status = 400
        except ModeratorExists:
            form.username.errors.append(_("This username is taken."))
            status = 409
        else:
            flash(_("Moderator %(name)s created.", name=form.username.data), "success")
            return redirect(url_for(".moderators"), 303)
    elif request.method == "POST":
        status = 400
    return render_template("moderate/moderators.html", form=form, moderators=accounts.list_moderators(),
                           action_form=ActionForm(), password_form=PasswordForm()), status


@bp.post("/moderators/<name>/remove")
@admin_required
def remove_moderator(name):
    try:
        accounts.remove_moderator(name, actor=current_user.name)
        flash(_("Moderator %(name)s removed.", name=name), "success")
    except ModeratorNotFound:
        abort(404)
    except LastAdmin:
        flash(_("%(name)s is the last admin and cannot be removed.", name=name), "error")
    return redirect(url_for(".moderators"), 303)


@bp.post("/moderators/<name>/password")
@admin_required
def moderator_password(name):
    form = PasswordForm()
    if not form.validate():
        flash(form.password.errors[0] if form.password.errors else _("Please enter a password."), "error")
        return redirect(url_for(".moderators"), 303)
    try:
        accounts.set_password(name, form.password.data, actor=current_user.name)
    except ModeratorNotFound:
        abort(404)
    flash(_("Password of %(name)s changed; their sessions have ended.", name=name), "success")
    return redirect(url_for(".moderators"), 303)


# Answers: one shape for forms (flash and redirect) and for scripts (JSON)

def back_to_queue():
    return safe_next(request.form.get("next"), url_for(".queue"))


def done(message, comment_id, status, back=None, undoable=False):
    if wants_json():
        return jsonify(id=comment_id, status=status, message=message)
    flash(message, "success")
    if undoable:
        flash(str(comment_id), "undo")  # the page shows an Undo button for it
    return redirect(back or back_to_queue(), 303)


def failure(message, code, error, comment_id, **extra):
    if wants_json():
        return jsonify(error=error, id=comment_id, message=message, **extra), code
    flash(message, "error")
    return redirect(back_to_queue(), 303)


def conflict(error, comment_id):
    if isinstance(error, AlreadyDecided):
        when = format_datetime(error.decided_at, "short") if error.decided_at else ""
        if error.status == "approved":
            message = _("Comment %(id)d was already approved by %(name)s at %(when)s.",
                        id=comment_id, name=error.decided_by, when=when)
        else:
            message = _("Comment %(id)d was already rejected by %(name)s at %(when)s.",
                        id=comment_id, name=error.decided_by, when=when)
        return failure(message, 409, "already_decided", comment_id, status=str(error.status),
                       by=error.decided_by, at=error.decided_at.isoformat() if error.decided_at else None)
    if isinstance(error, ClaimedByOther):
        message = _("%(name)s is reviewing comment %(id)d right now.", name=error.moderator, id=comment_id)
        return failure(message, 409, "claimed", comment_id, by=error.moderator)
    return failure(_("Comment %(id)d does not exist.", id=comment_id), 404, "not_found", comment_id)


def invalid(form, comment_id, *, removal=False):
    errors = {name: field_errors for name, field_errors in form.errors.items()}
    if wants_json():
        return jsonify(error="invalid", fields={k: [str(m) for m in v] for k, v in errors.items()}), 400
    if "csrf_token" in errors:
        abort(400)
    # The comment's page shows the form again with what was typed, each message tied to its field.
    if removal:
        return comment_page(comment_id, remove_form=form, status=400)
    return comment_page(comment_id, form, 400)
