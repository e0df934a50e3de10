"""Webhooks: endpoints an admin adds, to which the worker POSTs each chosen event, signed (Standard Webhooks).

- ``store``: the Redis side (endpoints, their delivery logs, the delivery counts).
- ``signing``: secrets and the ``webhook-*`` headers, as the Standard Webhooks specification says.
- ``addresses``: which URLs may be called (the server-side request forgery guard).
- ``payload``: what an event's message says (never an email address, an IP or a user agent).
- ``delivery``: the worker's part: one POST per endpoint, each once, failures back to the worker's retries.
- ``services``, ``forms``, ``views``: the admin's console page.
- ``metrics``: the delivery counts for ``/metrics``.
"""

EVENTS = ("submitted", "approved", "rejected", "undone", "removed", "restored")
