"""The OpenAPI 3.1 description of ``/api/v1``: what the API really does.

``tests/test_api.py`` checks the running app against it, so a change to the
API that is not made here too fails the tests.
"""

THREAD = {"name": "thread", "in": "path", "required": True,
          "description": "The article's key (a slug, possibly Arabic; at most 200 characters, no `/`).",
          "schema": {"type": "string", "minLength": 1, "maxLength": 200}}
SITE = {"name": "site", "in": "query", "required": False,
        "description": "The site's key, where one host serves several sites; else the site of the host. "
                       "An unknown key answers 404 (`unknown_site`).",
        "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"}}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Field name → message, in the language asked for."},
    },
}

COMMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "parent", "author", "url", "body_html", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "parent": {"type": ["integer", "null"], "description": "The approved comment this one answers."},
        "author": {"type": "string"},
        "url": {"type": ["string", "null"], "format": "uri"},
        "body_html": {"type": "string", "description": "Escaped HTML: paragraphs, line breaks, safe links."},
        "created_at": {"type": "string", "format": "date-time"},
    },
}


def error_response(description):
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation service",
            "version": "1",
            "description": "Approved comments of news articles, and new comments for moderation. "
                           "Emails and IP addresses are never returned.",
        },
        "paths": {
            "/api/v1/threads/{thread}/comments": {
                "parameters": [THREAD, SITE],
                "get": {
                    "summary": "The thread's approved comments, oldest first",
                    "parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                                    "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "The comments. Cacheable: ETag and Cache-Control.",
                            "headers": {"ETag": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": {
                                "type": "object", "additionalProperties": False,
                                "required": ["thread", "count", "comments"],
                                "properties": {
                                    "thread": {"type": "string"},
                                    "count": {"type": "integer", "minimum": 0},
                                    "comments": {"type": "array", "items": COMMENT},
                                },
                            }}},
                        },
                        "304": {"description": "Unchanged since the ETag sent in If-None-Match."},
                        "404": error_response("Not a valid thread key."),
                        "503": error_response("Redis is unavailable."),
                    },
                },
                "post": {
                    "summary": "Submit a comment for moderation",
                    "description": "The same fields and rules as the HTML form. `token` comes from "
                                   "`GET /api/v1/threads/{thread}/token`; the same token twice queues one comment.",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["comment", "author", "email", "token"],
                        "properties": {
                            "comment": {"type": "string"},
                            "author": {"type": "string"},
                            "email": {"type": "string", "format": "email"},
                            "url": {"type": "string"},
                            "parent": {"type": ["integer", "string"]},
                            "token": {"type": "string"},
                        },
                    }}}},
                    "responses": {
                        "202": {"description": "Queued for moderation (`pending`), or, while Redis is "
                                               "unreachable, kept on the server's disk and queued when it answers "
                                               "(`received`, no id yet).",
                                "content": {"application/json": {"schema": {
                            "type": "object", "additionalProperties": False,
                            "required": ["id", "status", "pending_url"],
                            "properties": {
                                "id": {"type": ["integer", "null"]},
                                "status": {"enum": ["pending", "received"]},
                                "pending_url": {"type": ["string", "null"], "format": "uri",
                                                "description": "Where its author sees it while it waits."},
                            },
                        }}}},
                        "400": error_response("A field is missing or wrong (see `errors`), or the body is not JSON."),
                        "404": error_response("Not a valid thread key."),
                        "413": error_response("The body is too large."),
                        "409": error_response("This commenter sent this very text to this thread before."),
                        "415": error_response("The body is not application/json."),
                        "429": error_response("Too many comments from this address or email; try again later."),
                        "503": error_response("Redis is unavailable and the spool is off; nothing was queued."),
                    },
                },
            },
            "/api/v1/threads/{thread}/token": {
                "parameters": [THREAD, SITE],
                "get": {
                    "summary": "A signed form token for one submission",
                    "responses": {
                        "200": {"description": "The token.", "content": {"application/json": {"schema": {
                            "type": "object", "additionalProperties": False, "required": ["token", "expires_in"],
                            "properties": {"token": {"type": "string"},
                                           "expires_in": {"type": "integer", "description": "seconds"}},
                        }}}},
                        "404": error_response("Not a valid thread key."),
                    },
                },
            },
            "/api/v1/counts": {
                "parameters": [SITE],
                "get": {
                    "summary": "Approved comments per thread, for many threads at once",
                    "parameters": [{"name": "thread", "in": "query", "required": True, "explode": True,
                                    "schema": {"type": "array", "items": {"type": "string"},
                                               "minItems": 1, "maxItems": 100}}],
                    "responses": {
                        "200": {"description": "Thread → count.", "content": {"application/json": {"schema": {
                            "type": "object", "additionalProperties": False, "required": ["counts"],
                            "properties": {"counts": {"type": "object",
                                                      "additionalProperties": {"type": "integer", "minimum": 0}}},
                        }}}},
                        "400": error_response("No thread, more than 100, or a key that is not valid."),
                        "404": error_response("No site is served at this host (or has this key)."),
                        "503": error_response("Redis is unavailable."),
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This document",
                        "responses": {"200": {"description": "OpenAPI 3.1",
                                              "content": {"application/json": {"schema": {"type": "object"}}}}}},
            },
        },
    }
