"""Every Redis key name, in one place. ``queue/README.md`` documents them.

Each starts with ``cm:{site}:``; the braces are Redis Cluster's hash tag, so
all keys of one site share a slot and one script only ever touches one slot.
"""


class Keys:
    """The names of one site's keys."""

    def __init__(self, site):
        self.prefix = f"cm:{{{site}}}:"
        p = self.prefix
        self.next_id = p + "next-id"
        self.comment_prefix = p + "comment:"
        # The site's queue: bit <id> of a bitmap is set while comment <id> waits, and how many bits are set.
        # Ids count up from 1: a million ids cost 125 KB, where a sorted set of a million pending cost 100 MB.
        self.pending = p + "pending-ids"
        self.pending_count = p + "pending-count"
        self.pending_per_thread = p + "pending-per-thread"
        self.decided = p + "decided"
        self.spam = p + "spam"
        self.audit = p + "audit"
        self.events = p + "events"
        self.moderators = p + "moderators"
        self.moderator_prefix = p + "moderator:"
        self.setup_token = p + "setup-token"
        self.rules = p + "rules"
        self.waves = p + "waves"
        self.imported = p + "imported"
        self.threads = p + "threads"
        self.thread_states = p + "thread-states"
        self.addresses_forgotten_until = p + "addresses-forgotten-until"
        self.reported = p + "reported"
        # The dashboard's counts (queue/lib/stats.lua): since the start, and per minute and per day.
        self.stats_total = p + "stats:total"
        # Webhooks (moderation/webhooks): the endpoints, oldest first, and the delivery counts for /metrics.
        self.webhooks = p + "webhooks"
        self.webhooks_counts = p + "webhooks:counts"
        # Erasures as background jobs (moderation/erasure.py): those not finished, those finished lately,
        # and a worker's sign of life.
        self.erasures = p + "erasures"
        self.erasures_done = p + "erasures:done"
        self.erasures_worker = p + "erasures:worker"
        # The worker's side (moderation/notify): dead letters sent back, dead letters, retry state, counts.
        self.notify_redo = p + "notify:redo"
        self.notify_dead = p + "notify:dead"
        self.notify_retries = p + "notify:retries"
        self.notify_counts = p + "notify:counts"

    def comment(self, comment_id):
        return f"{self.comment_prefix}{comment_id}"

    def thread_pending(self, thread):
        return f"{self.prefix}thread:{thread}:pending"

    def thread_published(self, thread):
        return f"{self.prefix}thread:{thread}:published"

    def thread_nonces(self, thread):
        """The form-token nonces the thread took in lately → comment id."""
        return f"{self.prefix}thread:{thread}:nonces"

    def thread_duplicates(self, thread):
        """Duplicate digests (thread, email, text) the thread took in lately → comment id."""
        return f"{self.prefix}thread:{thread}:duplicates"

    def thread_meta(self, thread):
        """What an import kept of the thread's article: title, link, WordPress post ID…"""
        return f"{self.prefix}thread:{thread}:meta"

    def thread_version(self, thread):
        return f"{self.prefix}thread:{thread}:version"

    def email_pending(self, email):
        # Lower-cased as the scripts do it (Lua's string.lower: ASCII only).
        return f"{self.prefix}email:{ascii_lower(email)}:pending"

    def email_approved(self, email):
        """How many of this commenter's comments were approved: trust."""
        return f"{self.prefix}email:{ascii_lower(email)}:approved"

    def flood(self, ip):
        return f"{self.prefix}flood:{ip}"

    def limit(self, counter):
        """A rate limit's count for one sender in one window (limits.Counter.name)."""
        return f"{self.prefix}limits:{counter}"

    def webhook(self, endpoint_id):
        return f"{self.prefix}webhook:{endpoint_id}"

    def webhook_log(self, endpoint_id):
        """An endpoint's latest deliveries, by webhook-id."""
        return f"{self.prefix}webhook:{endpoint_id}:log"

    def webhook_log_order(self, endpoint_id):
        return f"{self.prefix}webhook:{endpoint_id}:log-order"

    def stats_hour(self, hour):
        """One hour (Unix time / 3600 s): the queue's depth minute by minute, and a time-to-decision histogram."""
        return f"{self.prefix}stats:hour:{hour}"

    def stats_day(self, day):
        """What the scripts counted on one day of the site (YYYY-MM-DD)."""
        return f"{self.prefix}stats:day:{day}"

    def stats_day_threads(self, day):
        return f"{self.prefix}stats:day:{day}:threads"

    def wave(self, feature):
        """Recent comments that share ``feature`` (a link domain, a network, a band of text)."""
        return f"{self.prefix}wave:{feature}"

    def wave_rejected(self, feature):
        return f"{self.prefix}wave-rejected:{feature}"

    def reports(self, comment_id):
        """The latest reports of a comment (JSON each: reason, note, at), newest first."""
        return f"{self.prefix}reports:{comment_id}"

    def erasure(self, subject):
        """One erasure job, by the keyed digest of its address (commenters.subject)."""
        return f"{self.prefix}erasure:{subject}"

    def claim(self, comment_id):
        return f"{self.prefix}claim:{comment_id}"

    def moderator(self, name):
        return f"{self.moderator_prefix}{name}"

    def session(self, session_id):
        return f"{self.prefix}session:{session_id}"

    def filter_tokens(self, label):
        """The learned spam filter: token → how many ``label`` (spam or ham) comments held it."""
        return f"{self.prefix}filter:tokens:{label}"

    @property
    def filter_documents(self):
        """The learned spam filter: label → how many comments it learned as that label."""
        return f"{self.prefix}filter:documents"

    def notify_sent(self, message_key):
        """Set once the message ``message_key`` went out: the worker's idempotency key."""
        return f"{self.prefix}notify:sent:{message_key}"

    def notify_digest(self, name):
        """Comments waiting for moderator ``name``'s next digest (sorted set, by event time)."""
        return f"{self.prefix}notify:digest:{name}"

    def notify_rate(self, name, window):
        """Alerts sent to moderator ``name`` in the hour ``window`` (hours since the epoch)."""
        return f"{self.prefix}notify:rate:{name}:{window}"

    def notify_digest_sent(self, name):
        return f"{self.prefix}notify:digest-sent:{name}"

    def notify_digest_lease(self, name):
        return f"{self.prefix}notify:digest-lease:{name}"

    # Reader notifications (moderation/notify/store_readers.py), by a keyed digest of the address.

    def reader(self, digest):
        """One address's subscription: email (to send to), state (pending, confirmed), when."""
        return f"{self.prefix}reader:{digest}"

    def reader_threads(self, digest):
        """The threads one address follows → when it was last mailed about each, and for which reply."""
        return f"{self.prefix}reader:{digest}:threads"

    def reader_mail_to(self, digest, window):
        """Reader mail sent to one address in the hour ``window`` (hours since the epoch)."""
        return f"{self.prefix}reader-mail:to:{digest}:{window}"

    def reader_mail_all(self, window):
        """Reader mail sent by the site in the hour ``window``."""
        return f"{self.prefix}reader-mail:all:{window}"

    def login_failures_account(self, name):
        return f"{self.prefix}login-failures:account:{name}"

    def login_failures_ip(self, ip):
        return f"{self.prefix}login-failures:ip:{ip}"


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text):
    return text.translate(ASCII_LOWER)
