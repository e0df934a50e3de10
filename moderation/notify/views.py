"""The pages of notifications: a mail link's confirmation, a moderator's mail settings, the dead letters.

A mail link (``/moderate/mail/<token>``) needs no login: its signed token is the credential. Its GET only
shows the comment and a button; the button's POST decides. A browser logged in as another moderator is
refused, so that nobody decides under a name that is not theirs on that screen.

The link's POST carries no session CSRF token: the token in its path is one already (another site cannot
know it), and the session cookie is SameSite=Strict, so a link followed from a webmail arrives without
it. A session token would make that GET start a new session and log the moderator out.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_required

from ..auth import admin_required
from ..errors import AlreadyDecided, ClaimedByOther
from ..extensions import csrf
from ..i18n import gettext as _
from . import links, services
from .forms import PreferencesForm, RetryForm

bp = Blueprint("notify", __name__, url_prefix="/moderate")


def refused(code, message):
    titles = {403: _("Not allowed"), 404: _("This link does not work"), 409: _("Already decided"),
              410: _("This link has expired")}
    return render_template("error.html", code=code, title=titles[code], message=message), code


def target(token):
    """The comment, action and moderator of a link; or the page that says why it does not work."""
    try:
        found, action, moderator = services.open_link(token)
    except links.ExpiredLink:
        return None, refused(410, _("Links in mail work for a limited time. Open the queue to decide."))
    except (links.InvalidLink, services.WrongSite):
        return None, refused(404, _("This link is not valid. Open the queue to decide."))
    except services.NoSuchModerator:
        return None, refused(403, _("The account this link was sent to no longer exists."))
    if current_user.is_authenticated and current_user.name != moderator:
        return None, refused(403, _("This link was sent to %(name)s; you are logged in as someone else.",
                                    name=moderator))
    if found is None:
        return None, refused(404, _("This comment no longer exists."))
    return (found, action, moderator), None


def decided_page(error):
    when = format_datetime(error.decided_at, "short") if error.decided_at else ""
    if error.status == "approved":
        message = _("Already approved by %(name)s at %(when)s.", name=error.decided_by, when=when)
    else:
        message = _("Already rejected by %(name)s at %(when)s.", name=error.decided_by, when=when)
    return refused(409, message)


@bp.get("/mail/<token>")
def confirm(token):
    found, page = target(token)
    if page:
        return page
    comment, action, moderator = found
    if comment.status != "pending":
        return decided_page(AlreadyDecided(comment.status, comment.decided_by, comment.decided_at))
    return render_template("notify/confirm.html", comment=comment, action=action, moderator=moderator)


@bp.post("/mail/<token>")
@csrf.exempt
def decide(token):
    found, page = target(token)
    if page:
        return page
    comment, action, moderator = found
    try:
        services.decide_from_link(comment.id, action, moderator)
    except AlreadyDecided as error:
        return decided_page(error)
    except ClaimedByOther as error:
        return refused(409, _("%(name)s is reviewing this comment right now.", name=error.moderator))
    message = _("Approved.") if action == "approve" else _("Rejected.")
    return render_template("notify/decided.html", comment=comment, message=message)


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm()
    status = 200
    if form.validate_on_submit():
        if form.alerts.data != "none" and not form.email.data:
            form.email.errors.append(_("Enter the address to send it to."))
            status = 400
        else:
            services.save_preferences(current_user.name, form.email.data or "", form.alerts.data,
                                      form.digest_minutes.data)
            flash(_("Your mail settings are saved."), "success")
            return redirect(url_for(".preferences"), 303)
    elif form.is_submitted():
        status = 400
    else:
        form.email.data, form.alerts.data, form.digest_minutes.data = services.preferences(current_user.name)
    return render_template("notify/preferences.html", form=form, mail_on=services.mail_enabled()), status


@bp.get("/dead-letters")
@admin_required
def dead_letters():
    return render_template("notify/dead_letters.html", letters=services.dead_letters(), form=RetryForm())


@bp.post("/dead-letters/retry")
@admin_required
def retry():
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    if services.retry_dead_letter(form.letter.data):
        flash(_("Sent back to the worker."), "success")
    else:
        flash(_("This one was sent back already."), "error")
    return redirect(url_for(".dead_letters"), 303)
