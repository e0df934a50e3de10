"""What every request must be before a view sees it: valid UTF-8 throughout.

Werkzeug keeps bytes that are not UTF-8 as "%XX" text, or replaces or drops them;
either would store something the reader never typed, so such a request is
refused with 400 instead.
"""

from urllib.parse import unquote_to_bytes

from flask import abort, request

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_encoding():
    if not is_utf8(unquote_to_bytes(request.query_string.replace(b"+", b" "))):
        abort(400, description="malformed query string")
    if request.method in {"POST", "PUT", "PATCH"} and request.mimetype in FORM_TYPES:
        body = request.get_data(cache=True)
        if request.mimetype == "application/x-www-form-urlencoded":
            if not any("%" in text for item in request.form.items(multi=True) for text in item):
                # Werkzeug keeps bytes that are not UTF-8 as "%XX" text; with no "%" in
                # any field (the common case) there were none, and no slow decoding is needed.
                return
            body = unquote_to_bytes(body.replace(b"+", b" "))
        if not is_utf8(body):
            abort(400, description="malformed form body")


def init_app(app):
    app.before_request(check_encoding)
