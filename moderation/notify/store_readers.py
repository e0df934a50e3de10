"""Reader subscriptions in Redis for one site: who asked for reply mail, confirmed or not, about which threads.

An address is known by a digest of it keyed with the secret key (``subscriptions.address_digest``); the
address itself is kept only in its own hash, to send to. Every change is a script of ``queue/``
(``reader_*.lua``); ``queue/README.md`` documents the keys.
"""

from ..keys import Keys
from ..store import load_script, translated

HOUR_SECONDS = 3600


class ReaderStore:
    def __init__(self, client, site="main"):
        self.client = client
        self.keys = Keys(site)
        self._opt_in = client.register_script(load_script("reader_opt_in.lua"))
        self._confirm = client.register_script(load_script("reader_confirm.lua"))
        self._unsubscribe = client.register_script(load_script("reader_unsubscribe.lua"))
        self._notify = client.register_script(load_script("reader_notify.lua"))
        self._rate = client.register_script(load_script("reader_mail_rate.lua"))

    def _address_keys(self, digest):
        return [self.keys.reader(digest), self.keys.reader_threads(digest)]

    @translated
    def opt_in(self, digest, email, thread, *, now_ms, event, resend_ms):
        """The address follows ``thread``; 'confirm' when event ``event`` must send the confirmation mail,
        else 'pending' or 'confirmed'."""
        return self._opt_in(keys=self._address_keys(digest), args=[email, thread, now_ms, event, resend_ms])

    @translated
    def confirm(self, digest, now_ms):
        return bool(self._confirm(keys=[self.keys.reader(digest)], args=[now_ms]))

    @translated
    def unsubscribe(self, digest, thread=""):
        """Stop mail about ``thread`` ('' : about everything); returns how many threads are still followed."""
        return int(self._unsubscribe(keys=self._address_keys(digest), args=[thread]))

    @translated
    def take_reply_slot(self, digest, thread, reply_id, *, now_ms, interval_ms):
        """(verdict, email): 'send' with the address, or 'unconfirmed', 'unsubscribed', 'throttled'."""
        verdict, *email = self._notify(keys=self._address_keys(digest),
                                       args=[thread, now_ms, reply_id, interval_ms])
        return verdict, (email[0] if email else "")

    @translated
    def take_mail(self, digest, *, per_recipient, total, now_ms):
        """0 when one more mail to the address may go out this hour (counted), else ms to wait."""
        window = now_ms // (HOUR_SECONDS * 1000)
        return int(self._rate(keys=[self.keys.reader_mail_to(digest, window), self.keys.reader_mail_all(window)],
                              args=[per_recipient, total, HOUR_SECONDS]))

    @translated
    def subscription(self, digest):
        """(the address's hash, {thread: last mail}) as Redis holds them; empty when unknown."""
        pipe = self.client.pipeline(transaction=False)
        pipe.hgetall(self.keys.reader(digest))
        pipe.hgetall(self.keys.reader_threads(digest))
        address, threads = pipe.execute()
        return address, threads

    @translated
    def comment_flags(self, comment_ids):
        """{id: (email, whether its author asked for reply mail)} of the comments that exist."""
        pipe = self.client.pipeline(transaction=False)
        for comment_id in comment_ids:
            pipe.hmget(self.keys.comment(comment_id), "email", "subscribe")
        return {comment_id: (email, subscribe == "1")
                for comment_id, (email, subscribe) in zip(comment_ids, pipe.execute(), strict=True) if email}
