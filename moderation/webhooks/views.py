"""The webhooks page (``/moderate/webhooks``), for admins: add an endpoint, see its secret once, switch
it off or on, delete it, read its delivery log."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth import admin_required
from ..i18n import gettext as _
from . import addresses, services
from .forms import EVENT_LABELS, EndpointForm

bp = Blueprint("webhooks", __name__, url_prefix="/moderate/webhooks")

ENDPOINT_ID = re.compile(r"[0-9a-f]{16}")


def refusal(error):
    """Why the address of a new endpoint is refused, in words."""
    if error.reason == "unresolved":
        return _("This host name does not resolve. Check the address.")
    if error.reason == "private":
        return _("This address is on a private or local network; the service does not call those "
                 "(WEBHOOKS_ALLOW_PRIVATE allows them).")
    return _("Enter an address starting with https:// or http://.")


def found(endpoint_id):
    endpoint = services.endpoint(endpoint_id) if ENDPOINT_ID.fullmatch(endpoint_id) else None
    if endpoint is None:
        abort(404)
    return endpoint


@bp.route("", methods=["GET", "POST"])
@admin_required
def endpoints():
    form = EndpointForm()
    status = 200
    if form.validate_on_submit():
        try:
            endpoint_id = services.add(form.url.data, form.events.data, current_user.name)
        except addresses.RefusedAddress as error:
            form.url.errors.append(refusal(error))
            status = 400
        else:
            return redirect(url_for(".secret", endpoint_id=endpoint_id), 303)
    elif form.is_submitted():
        status = 400
    return render_template("webhooks/endpoints.html", form=form, endpoints=services.endpoints(),
                           labels=EVENT_LABELS), status


@bp.get("/<endpoint_id>/secret")
@admin_required
def secret(endpoint_id):
    endpoint = found(endpoint_id)
    response = render_template("webhooks/secret.html", endpoint=endpoint,
                               secret=services.reveal_secret(endpoint_id))
    # Shown once: neither the browser's cache nor its back button may keep it.
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/<endpoint_id>")
@admin_required
def log(endpoint_id):
    endpoint = found(endpoint_id)
    return render_template("webhooks/log.html", endpoint=endpoint, deliveries=services.deliveries(endpoint_id),
                           labels=EVENT_LABELS)


@bp.post("/<endpoint_id>/enable")
@admin_required
def enable(endpoint_id):
    return switch(endpoint_id, True)


@bp.post("/<endpoint_id>/disable")
@admin_required
def disable(endpoint_id):
    return switch(endpoint_id, False)


def switch(endpoint_id, enabled):
    found(endpoint_id)
    if services.set_enabled(endpoint_id, enabled, current_user.name):
        flash(_("The endpoint is on: new events are sent to it.") if enabled
              else _("The endpoint is off: nothing is sent to it until it is switched on."), "success")
    return redirect(url_for(".endpoints"), 303)


@bp.post("/<endpoint_id>/delete")
@admin_required
def delete(endpoint_id):
    found(endpoint_id)
    if services.delete(endpoint_id, current_user.name):
        flash(_("The endpoint is deleted."), "success")
    return redirect(url_for(".endpoints"), 303)
