"""Security headers on every response, in a few lines of our own."""

from flask import current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors {frame_ancestors}"
)
# Blueprints whose pages may never be shown inside a frame, even on our own site.
NEVER_FRAMED = {"moderate"}
# Endpoints made to be framed by the sites in EMBED_ORIGINS.
EMBEDDABLE = {"reader.embed"}


def frame_ancestors():
    if request.blueprint in NEVER_FRAMED:
        return "'none'"
    if request.endpoint in EMBEDDABLE:
        origins = current_app.config["EMBED_ORIGINS"].split()
        return "*" if "*" in origins else " ".join(["'self'", *origins])
    return "'self'"


def init_app(app):
    @app.after_request
    def security_headers(response):
        headers = response.headers
        ancestors = frame_ancestors()
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(frame_ancestors=ancestors))
        if request.endpoint not in EMBEDDABLE:
            # For browsers without CSP frame-ancestors.
            headers.setdefault("X-Frame-Options", "DENY" if ancestors == "'none'" else "SAMEORIGIN")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
