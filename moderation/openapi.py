"""The OpenAPI 3.1 description of ``/api/v1``: exactly what the API takes and what it answers.

Every constraint is built from the constants and settings the code checks with (the thread key of
``reader``, the web address and reply rules of ``forms``, the length settings, the counts limit of
``api``), so the document and the service cannot drift apart. ``tests/test_openapi.py`` checks each
constraint at its edges against the app, and ``make api-fuzz`` runs schemathesis against a served
instance with every check on.

Some rules rest on what JSON Schema cannot state; the text of each says so. A form token must be one
this service signed (the token operation links to the comment POST for that); a ``parent`` must be a
published comment of the thread (409 when not); a thread key in a path must be in NFC (another
normalisation of it answers 404, as an unknown key would); and an email address beyond ASCII is held
to email-validator's IDNA rules and to 254 bytes in UTF-8, where the schema counts characters.
"""

import unicodedata

from email_validator import SPECIAL_USE_DOMAIN_NAMES

from .api import EMAIL_MAX_LENGTH, MAX_COUNT_THREADS, REPORT_FIELDS, SUBMITTED_FIELDS
from .forms import (
    HOST_DELIMITERS,
    PARENT_MAX,
    REPORT_NOTE_MAX_LENGTH,
    REPORT_REASONS,
    URL_PORT,
    URL_REST_STARTS,
    URL_SCHEME,
    host_character,
)
from .sites import SITE_KEY
from .text import class_escape, kept_space, regex_class, shows
from .threadkeys import RESERVED_THREAD_KEYS, THREAD_KEY_MAX_LENGTH, THREAD_KEY_REFUSED

# gunicorn's limit on the request line (gunicorn.conf.py sets it; tests/test_openapi.py checks they agree),
# which bounds how many long keys one counts request can carry.
REQUEST_LINE_MAX_BYTES = 8190


def thread_key():
    return {
        "type": "string", "minLength": 1, "maxLength": THREAD_KEY_MAX_LENGTH,
        "pattern": f"^[^{THREAD_KEY_REFUSED}]+$",
        "not": {"enum": sorted(RESERVED_THREAD_KEYS)},
        "description": f"An article's key: a slug, possibly Arabic (percent-encoded in a URL), 1 to "
                       f"{THREAD_KEY_MAX_LENGTH} characters, not `.` or `..`, with no `/`, `\\`, white space, "
                       f"control character, bidi or zero-width mark, or U+FFFD.",
    }


def path_thread():
    return {"name": "thread", "in": "path", "required": True, "schema": thread_key(),
            "description": "The article's key. It must also be in Unicode NFC (as keyboards and WordPress write "
                           "it): a key in another normalisation answers 404, as an unknown page would."}


def site_parameter():
    return {"name": "site", "in": "query", "required": False,
            "description": "The site's key, where one host serves several sites; absent or empty: the site of the "
                           "host. A key that no site has answers 404 (`unknown_site`).",
            "schema": {"type": "string", "pattern": f"^(?:{SITE_KEY.pattern})?$"}}


LANG = {"name": "lang", "in": "query", "required": False,
        "description": "The language of messages: `ar` or `en`. Anything else is ignored, and the "
                       "`Accept-Language` header or the site's language is used.",
        "schema": {"type": "string"}}

CORS = {
    "Access-Control-Allow-Origin": {"required": True, "schema": {"type": "string", "const": "*"},
                                    "description": "Every GET is open to any origin."},
    "Access-Control-Expose-Headers": {"required": True, "schema": {"type": "string", "const": "ETag"}},
}


def error(description, *, cors=False, headers=None, fields=SUBMITTED_FIELDS):
    """A JSON error answer: ``error`` (a code), ``message`` or ``errors`` (field → message, of ``fields``)."""
    schema = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "A code that does not change with the language."},
            "message": {"type": "string", "description": "In the language asked for."},
            "errors": {"type": "object", "minProperties": 1,
                       "propertyNames": {"enum": list(fields)},
                       "additionalProperties": {"type": "string"},
                       "description": "Field name → message, in the language asked for."},
            "threads": {"type": "array", "items": {"type": "string"},
                        "description": "The keys that are not valid (counts)."},
        },
    }
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    headers = {**(CORS if cors else {}), **(headers or {})}
    if headers:
        answer["headers"] = headers
    return answer


def json_answer(description, schema, headers):
    return {"description": description, "headers": headers, "content": {"application/json": {"schema": schema}}}


def cache_control(value):
    return {"Cache-Control": {"required": True, "schema": {"type": "string", "const": value}}}


ETAG = {"ETag": {"required": True, "schema": {"type": "string", "pattern": '^"[^"]*"$'},
                 "description": "Send it back in `If-None-Match` for a 304 while nothing changed."}}

COMMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "parent", "author", "url", "body_html", "created_at"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "parent": {"type": ["integer", "null"], "minimum": 1, "description": "The approved comment this one answers."},
        "author": {"type": "string", "description": "Empty on a placeholder."},
        "url": {"type": ["string", "null"], "format": "uri"},
        "body_html": {"type": "string", "description": "Escaped HTML: paragraphs, line breaks, safe links. "
                                                       "Empty on a placeholder."},
        "created_at": {"type": "string", "format": "date-time"},
        "placeholder": {"enum": ["removed", "deleted"],
                        "description": "Only on a comment that is gone (removed by a moderator, or deleted on the "
                                       "old site before an import) but has published replies, which hang under it; "
                                       "nothing of what it said is kept."},
    },
}


# A rule about which characters may appear is stated as what it refuses, under "not": a generator such
# as schemathesis's draws from a pattern character by character of every class it lists (the hundreds of
# thousands that show would cost it seconds a draw) but only filters with what "not" names. Those sets:
# white space that clean_line keeps, what never shows once cleaned (white space, format characters,
# controls, unassigned code points; lone surrogates are left out, as Rust's regex, which schemathesis
# validates with, cannot name them), and in a host, the URL's delimiters and the characters NFKC turns
# into one.
def never_shown(ch):
    return not shows(ch) and unicodedata.category(ch) != "Cs"


def hidden_in_line(ch):
    return not (shows(ch) or kept_space(ch)) and unicodedata.category(ch) != "Cs"


def host_lookalike(ch):
    """Shows and is no delimiter, but NFKC turns it into one."""
    return shows(ch) and ch not in HOST_DELIMITERS and not host_character(ch)


def host_refused():
    """What a host may not hold beside the invisible: white space, the delimiters and their look-alikes."""
    return f"[{regex_class(kept_space)[1:-1]}{class_escape(HOST_DELIMITERS)}{regex_class(host_lookalike)[1:-1]}]"


def text_field(limit, what):
    return {"type": "string", "minLength": 1, "maxLength": limit,
            "not": {"pattern": f"^{regex_class(never_shown)}*$"},
            "description": f"{what}, at most {limit} characters as sent. It must hold a character that shows "
                           "(not only spaces, zero-width or format characters, or code points that are unassigned "
                           "or controls, which are dropped); surrounding space is trimmed, and the text stored "
                           "in NFC."}


def case_blind(word):
    return "".join(f"[{ch}{ch.upper()}]" if ch.isalpha() else ch for ch in word)


def private_use(ch):
    return unicodedata.category(ch) == "Co"


def mark(ch):
    return unicodedata.category(ch).startswith("M")


def email_field():
    space = regex_class(kept_space)
    special = "|".join(case_blind(name) for name in sorted(SPECIAL_USE_DOMAIN_NAMES))
    return {
        "type": "string", "format": "idn-email", "maxLength": EMAIL_MAX_LENGTH,
        # What email-validator refuses that the format allows: a special-use domain, a quoted local part, an
        # IP literal, any space inside, a control, format, private-use or unassigned character, a mark first.
        "not": {"anyOf": [{"pattern": f"[.@](?:{special}){space}*$"},
                          {"pattern": f'^{space}*"'}, {"pattern": "@\\["},
                          {"pattern": f"[^{space[1:-1]}]{space}+[^{space[1:-1]}]"},
                          {"pattern": f"(?:{regex_class(hidden_in_line)}|{regex_class(private_use)})"},
                          {"pattern": f"(?:^{space}*|@){regex_class(mark)}"}]},
        "description": "Checked with email-validator (internationalised addresses allowed, no quoted local part or "
                       f"IP literal, at most {EMAIL_MAX_LENGTH} bytes in UTF-8), never shown publicly. Not at a "
                       f"special-use domain ({', '.join(sorted(SPECIAL_USE_DOMAIN_NAMES))}); no control or "
                       "unassigned character; surrounding space is trimmed.",
    }


def url_field(limit):
    space, host = regex_class(kept_space), host_refused()
    core = f"(?:{URL_SCHEME})?[^{host[1:-1]}]+(?:{URL_PORT})?(?:[{class_escape(URL_REST_STARTS)}][^{space[1:-1]}]*)?"
    return {
        "type": ["string", "null"], "maxLength": limit,
        "pattern": f"^{space}*(?:{core})?{space}*$",
        "not": {"type": "string", "pattern": f"(?:{regex_class(hidden_in_line)})"},  # null stays allowed
        "description": f"Optional: the author's website, at most {limit} characters as sent. `http://` or "
                       "`https://` (without one, `https://` is meant), a host, an optional port, then an optional "
                       "path, query or fragment; nothing invisible and no space inside, no `user@` part, no "
                       f"`[IPv6]` host, and no character in the host that is or becomes one of "
                       f"`{HOST_DELIMITERS}` (NFKC). Empty or null: none.",
    }


def document(config):
    """The document for an app's settings (some limits are settings)."""
    thread, site = path_thread(), site_parameter()
    comment_fields = {
        "comment": text_field(config["COMMENT_MAX_LENGTH"], "The comment"),
        "author": text_field(config["AUTHOR_MAX_LENGTH"], "The name shown with it"),
        "email": email_field(),
        "url": url_field(config["URL_MAX_LENGTH"]),
        "parent": {"type": ["integer", "null"], "minimum": 1, "maximum": PARENT_MAX,
                   "description": "Optional: the published comment of this thread that this one answers "
                                  "(else 409 `unknown_parent`). Null: none."},
        "subscribe_comments": {"type": "boolean",
                               "description": "Optional (default false): email the commenter when a reply to "
                                              "this comment is approved. Acted on once the comment is approved; "
                                              "the first time, the address gets a mail to confirm it first."},
        "token": {"type": "string", "minLength": 1,
                  "description": "From `GET /api/v1/threads/{thread}/token` for the same thread and site, less "
                                 f"than {config['FORM_TOKEN_MAX_AGE_SECONDS']} seconds old; another answers 400 "
                                 "(`errors.token`). The same token twice queues one comment."},
    }
    body_limit = config["MAX_CONTENT_LENGTH"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation service",
            "version": "1",
            "description": "Approved comments of news articles, and new comments for moderation. "
                           "Emails and IP addresses are never returned. Every GET is open to any origin (CORS).",
        },
        "paths": {
            "/api/v1/threads/{thread}/comments": {
                "parameters": [thread, site, LANG],
                "get": {
                    "operationId": "listComments",
                    "summary": "The thread's approved comments, oldest first",
                    "parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                                    "schema": {"type": "string"}}],
                    "responses": {
                        "200": json_answer("The comments.", {
                            "type": "object", "additionalProperties": False,
                            "required": ["thread", "count", "comments"],
                            "properties": {
                                "thread": thread_key(),
                                "count": {"type": "integer", "minimum": 0},
                                "comments": {"type": "array", "items": COMMENT},
                            },
                        }, {**ETAG, **cache_control("public, max-age=10"), **CORS}),
                        "304": {"description": "Unchanged since the ETag sent in If-None-Match.",
                                "headers": {**ETAG, **cache_control("public, max-age=10"), **CORS}},
                        "400": error("The query string is not UTF-8.", cors=True),
                        "404": error("Not a valid thread key, or no such site.", cors=True),
                        "503": error("Redis is unavailable.", cors=True),
                    },
                },
                "post": {
                    "operationId": "submitComment",
                    "summary": "Submit a comment for moderation",
                    "description": "The fields and rules of the HTML form, as JSON. Other fields are ignored. "
                                   f"The body is at most {body_limit} bytes (else 413).",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["comment", "author", "email", "token"],
                        "properties": comment_fields,
                    }}}},
                    "responses": {
                        "202": {"description": "Queued for moderation (`pending`), or, while Redis is "
                                               "unreachable, kept on the server's disk and queued when it answers "
                                               "(`received`, no id yet).",
                                "content": {"application/json": {"schema": {
                                    "type": "object", "additionalProperties": False,
                                    "required": ["id", "status", "pending_url"],
                                    "properties": {
                                        "id": {"type": ["integer", "null"], "minimum": 1},
                                        "status": {"enum": ["pending", "received"]},
                                        "pending_url": {"type": ["string", "null"], "format": "uri",
                                                        "description": "Where its author sees it while it waits."},
                                    },
                                }}}},
                        "400": error("A field is missing or wrong (`error: invalid`, `errors` says which and why), "
                                     "the body is not JSON or not an object, or the query string is not UTF-8."),
                        "403": error("`closed`: comments on this article are closed."),
                        "404": error("Not a valid thread key, or no such site."),
                        "409": error("`unknown_parent`: `parent` is not a published comment of this thread; "
                                     "`duplicate`: this commenter sent this very text to this thread before."),
                        "413": error(f"The body is larger than {body_limit} bytes."),
                        "415": error("The body is not `application/json`."),
                        "429": error("Too many comments from this address or email; try again later.", headers={
                            "Retry-After": {"required": True, "description": "Seconds to wait.",
                                            "schema": {"type": "string", "pattern": "^[0-9]+$"}}}),
                        "503": error("Redis is unavailable and the spool is off; nothing was queued."),
                    },
                },
            },
            "/api/v1/threads/{thread}/token": {
                "parameters": [thread, site, LANG],
                "get": {
                    "operationId": "getToken",
                    "summary": "A signed form token for one submission",
                    "responses": {
                        "200": {
                            **json_answer("The token.", {
                                "type": "object", "additionalProperties": False,
                                "required": ["token", "site", "expires_in"],
                                "properties": {"token": {"type": "string", "minLength": 1},
                                               "site": {"type": "string", "pattern": f"^{SITE_KEY.pattern}$",
                                                        "description": "The site it is signed for."},
                                               "expires_in": {"type": "integer", "const":
                                                              config["FORM_TOKEN_MAX_AGE_SECONDS"],
                                                              "description": "seconds"}},
                            }, {**cache_control("no-store"), **CORS}),
                            "links": {"SubmitWithThisToken": {
                                "operationId": "submitComment",
                                "description": "The token is good for one comment on the same thread and site.",
                                "parameters": {"path.thread": "$request.path.thread",
                                               "query.site": "$response.body#/site"},
                                "requestBody": {"token": "$response.body#/token"},
                            }},
                        },
                        "400": error("The query string is not UTF-8.", cors=True),
                        "404": error("Not a valid thread key, or no such site.", cors=True),
                    },
                },
            },
            "/api/v1/counts": {
                "parameters": [site, LANG],
                "get": {
                    "operationId": "countComments",
                    "summary": "Approved comments per thread, for many threads at once",
                    "description": f"At most {MAX_COUNT_THREADS} keys, as sent (a key asked twice counts twice). "
                                   "A key in another Unicode normalisation than NFC counts its NFC thread. The "
                                   f"request line must fit in {REQUEST_LINE_MAX_BYTES} bytes: ask for long "
                                   "non-ASCII keys in several requests.",
                    "parameters": [{"name": "thread", "in": "query", "required": True, "style": "form",
                                    "explode": True,
                                    "schema": {"type": "array", "items": thread_key(),
                                               "minItems": 1, "maxItems": MAX_COUNT_THREADS}}],
                    "responses": {
                        "200": json_answer("Thread → count, for each key as asked.", {
                            "type": "object", "additionalProperties": False, "required": ["counts"],
                            "properties": {"counts": {"type": "object", "minProperties": 1,
                                                      "additionalProperties": {"type": "integer", "minimum": 0}}},
                        }, {**cache_control("public, max-age=30"), **CORS}),
                        "400": error(f"No thread, more than {MAX_COUNT_THREADS}, or a key that is not valid "
                                     "(`threads` lists them); or the query string is not UTF-8.", cors=True),
                        "404": error("No site is served at this host (or has this key).", cors=True),
                        "503": error("Redis is unavailable.", cors=True),
                    },
                },
            },
            "/api/v1/comments/{comment_id}/reports": {
                "parameters": [{"name": "comment_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 0},
                                "description": "The comment's id (its permalink is `#comment-<id>`)."}, site, LANG],
                "post": {
                    "operationId": "reportComment",
                    "summary": "Report a published comment to the moderators",
                    "description": "One report per network (IPv4 /24, IPv6 /48) per comment counts; the answer is "
                                   "the same either way, and never says how many reported it. Other fields are "
                                   f"ignored. The body is at most {body_limit} bytes (else 413).",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["reason", "token"],
                        "properties": {
                            "reason": {"enum": [value for value, _ in REPORT_REASONS]},
                            "note": {"type": "string", "maxLength": REPORT_NOTE_MAX_LENGTH,
                                     "description": "A few words; needed (with a character that shows) for "
                                                    "`other`."},
                            "token": {"type": "string", "minLength": 1,
                                      "description": "From `GET /api/v1/threads/{thread}/token` for the comment's "
                                                     "thread (else 400, `errors.token`)."},
                        },
                        "if": {"properties": {"reason": {"const": "other"}}, "required": ["reason"]},
                        "then": {"required": ["note"], "properties": {"note": {"pattern": "\\S"}}},
                    }}}},
                    "responses": {
                        "202": json_answer("Received: a moderator will look at it.", {
                            "type": "object", "additionalProperties": False, "required": ["status", "message"],
                            "properties": {"status": {"const": "received"}, "message": {"type": "string"}},
                        }, {}),
                        "400": error("A field is missing or wrong (`errors` says which and why), the body is not "
                                     "JSON or not an object, or the query string is not UTF-8.",
                                     fields=REPORT_FIELDS),
                        "404": error("No published comment has this id (or no such site)."),
                        "413": error(f"The body is larger than {body_limit} bytes."),
                        "415": error("The body is not `application/json`."),
                        "429": error("Too many reports from this address; try again later.", headers={
                            "Retry-After": {"required": True, "description": "Seconds to wait.",
                                            "schema": {"type": "string", "pattern": "^[0-9]+$"}}}),
                        "503": error("Redis is unavailable."),
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This document",
                    "responses": {
                        "200": json_answer("OpenAPI 3.1", {"type": "object", "required": ["openapi", "paths"]},
                                           CORS),
                        "400": error("The query string is not UTF-8.", cors=True),
                        "404": error("No site is served at this host.", cors=True),
                    },
                },
            },
        },
    }
