"""Telling people what happened: the worker that follows each site's event stream and what it sends.

- ``store``: the Redis side (consumer groups, idempotency keys, retry state, dead letters, preferences).
- ``worker``: the loop that reads, claims over from crashed workers, retries with backoff, dead-letters.
- ``mail``: SMTP delivery and the moderator alert and digest messages.
- ``links``: the signed Approve / Reject links a mail carries.
- ``views``: the pages those links open, the moderator's mail settings and the dead letters.
- Readers: ``readers`` (what an approval sends them), ``reader_mail`` (the messages, with one-click
  unsubscribe), ``reader_links`` (the signed confirm and unsubscribe links), ``subscriptions`` (what the
  public pages and a commenter's export and erasure do), ``reader_views`` (those pages) and
  ``store_readers`` (the Redis side).
"""
