"""Errors to pages: every failure gets a localised page and the right status."""

import json
import logging

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .auth import wants_json
from .errors import StoreUnavailable, UnknownSite
from .i18n import lazy_gettext as _l

logger = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Forbidden"), _l("You are not allowed to do that.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large. Please shorten your comment and try again.")),
    429: (_l("Too many requests"), _l("Please wait a moment before trying again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again later.")),
    503: (_l("Temporarily unavailable"),
          _l("Comments are unavailable for a moment. Please try again in a few minutes.")),
}


def error_page(code):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("error.html", code=code, title=title, message=message), code


def init_app(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        response = error.get_response()
        if request.path.startswith("/api/"):  # no route matched, so the API blueprint's handler did not run
            response.set_data(json.dumps({"error": error.name.lower().replace(" ", "_"),
                                          "message": error.description}))
            response.content_type = "application/json"
            return response
        page, code = error_page(error.code)
        response.set_data(page)
        response.content_type = "text/html; charset=utf-8"
        response.status_code = code
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return {"error": "csrf", "message": str(error.description)}, 400
        return error_page(400)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error):
        logger.error("Redis unavailable: %s", error)
        if wants_json():
            return {"error": "unavailable"}, 503
        return error_page(503)

    @app.errorhandler(UnknownSite)
    def unknown_site(error):
        logger.info("a request for host %r, which no site is served at", request.host)
        message = _l("No comments are served at this address.")
        if request.path.startswith("/api/") or wants_json():
            return {"error": "unknown_site", "message": str(message)}, 404
        return render_template("error.html", code=404, title=MESSAGES[404][0], message=message), 404

    @app.errorhandler(500)
    def internal_error(error):
        return error_page(500)
