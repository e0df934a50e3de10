"""Secrets and signatures as the Standard Webhooks specification has them (symmetric, ``v1``).

The standard library's hmac is all it takes (a few lines, no dependency to keep up to date); the
tests hold it to the specification's own test vector.
"""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
# The specification asks for 24 to 64 random bytes; 32 is the key size of HMAC-SHA256.
SECRET_BYTES = 32


def new_secret():
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signature(secret, message_id, timestamp, body):
    """``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}`` with the base64-decoded secret."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def headers(secret, message_id, timestamp, body):
    """The three ``webhook-*`` headers of one attempt (``timestamp``: its unix seconds)."""
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, body)}
