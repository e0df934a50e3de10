"""Security headers on every response, in a few lines of our own."""

import functools

from flask import g, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors {frame_ancestors}"
)
# Blueprints whose pages may never be shown inside a frame, even on our own site.
NEVER_FRAMED = {"moderate"}
# Endpoints made to be framed by the site's embed origins (EMBED_ORIGINS, or its entry in SITES).
EMBEDDABLE = {"reader.embed", "reader.embed_report"}


def frame_ancestors():
    if request.blueprint in NEVER_FRAMED or request.path.startswith("/moderate/"):
        return "'none'"
    site = g.get("site")
    if request.endpoint in EMBEDDABLE and site is not None:
        origins = site.settings.embed_origins
        return "*" if "*" in origins else " ".join(["'self'", *origins])
    return "'self'"


@functools.lru_cache(maxsize=64)
def content_security_policy(ancestors):
    return CONTENT_SECURITY_POLICY.format(frame_ancestors=ancestors)


def init_app(app):
    @app.after_request
    def security_headers(response):
        headers = response.headers
        ancestors = frame_ancestors()
        headers.setdefault("Content-Security-Policy", content_security_policy(ancestors))
        if request.endpoint not in EMBEDDABLE:
            # For browsers without CSP frame-ancestors.
            headers.setdefault("X-Frame-Options", "DENY" if ancestors == "'none'" else "SAMEORIGIN")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def sent_from_allowed_site():
    """Whether a form POST came from our own pages or a site allowed to embed them.

    The reader form has no session to carry a CSRF token, so where the
    browser says where a POST comes from (Origin, Sec-Fetch-Site), it must
    be us or one of the site's embed origins. Browsers that say nothing are let through:
    the signed form token still has to be valid.
    """
    if request.headers.get("Sec-Fetch-Site") in {"same-origin", "none"}:
        return True
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return request.headers.get("Sec-Fetch-Site") is None
    own = f"{request.scheme}://{request.host}"
    return origin == own or g.site.may_embed(origin)
