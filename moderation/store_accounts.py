"""Moderator accounts, sessions, failed-login counters and the setup link, in Redis.

The companion of ``store``: key names come from ``keys.Keys``, every change
that reads before it writes is one Lua script from ``queue/``. Passwords
arrive here already hashed.
"""

from .errors import InvalidSetupToken, LastAdmin, ModeratorExists, ModeratorNotFound
from .keys import Keys
from .models import Moderator, Role, from_ms
from .store import load_script, translated


class AccountStore:
    """One site's moderators."""

    def __init__(self, client, site="main", audit_max_length=1_000_000):
        self.client = client
        self.keys = Keys(site)
        self.audit_max_length = audit_max_length
        self._create = client.register_script(load_script("moderator_create.lua"))
        self._setup = client.register_script(load_script("setup_admin.lua"))
        self._remove = client.register_script(load_script("moderator_remove.lua"))
        self._set_password = client.register_script(load_script("set_password.lua"))
        self._login = client.register_script(load_script("login.lua"))
        self._login_failed = client.register_script(load_script("login_failed.lua"))
        self._session = client.register_script(load_script("session.lua"))

    @translated
    def create(self, name, role, password_hash, now_ms, actor):
        k = self.keys
        result = self._create(keys=[k.moderators, k.moderator(name), k.audit],
                              args=[name, str(role), password_hash, now_ms, actor, self.audit_max_length])
        if result[0] == "exists":
            raise ModeratorExists(name)

    @translated
    def remove(self, name, actor, now_ms):
        k = self.keys
        result = self._remove(keys=[k.moderators, k.moderator(name), k.audit],
                              args=[name, actor, now_ms, self.audit_max_length])
        if result[0] == "missing":
            raise ModeratorNotFound(name)
        if result[0] == "last-admin":
            raise LastAdmin(name)

    @translated
    def set_password(self, name, password_hash, actor, now_ms):
        k = self.keys
        result = self._set_password(keys=[k.moderator(name), k.audit],
                                    args=[password_hash, actor, now_ms, self.audit_max_length, name])
        if result[0] == "missing":
            raise ModeratorNotFound(name)

    @translated
    def moderators(self):
        """Every moderator, by name."""
        roles = self.client.hgetall(self.keys.moderators)
        pipe = self.client.pipeline(transaction=False)
        for name in sorted(roles):
            pipe.hget(self.keys.moderator(name), "created_at")
        created = pipe.execute()
        return [Moderator(name, Role(roles[name]), from_ms(at) if at else None)
                for name, at in zip(sorted(roles), created, strict=True)]

    @translated
    def any_moderator(self):
        return self.client.hlen(self.keys.moderators) > 0

    @translated
    def password_hash(self, name):
        """The stored hash, or None for an unknown name."""
        return self.client.hget(self.keys.moderator(name), "password")

    @translated
    def failures(self, name, ip):
        """Failed logins in the current window: (for the account, from the address)."""
        values = self.client.mget(self.keys.login_failures_account(name), self.keys.login_failures_ip(ip))
        return tuple(int(v or 0) for v in values)

    @translated
    def record_failure(self, name, ip, window_seconds, now_ms):
        k = self.keys
        return tuple(self._login_failed(
            keys=[k.login_failures_account(name), k.login_failures_ip(ip), k.audit],
            args=[window_seconds, name, now_ms, ip, self.audit_max_length],
        ))

    @translated
    def open_session(self, session_id, name, idle_ms, now_ms, ip):
        """Start a session after a successful login; False if the account vanished meanwhile."""
        k = self.keys
        result = self._login(
            keys=[k.session(session_id), k.login_failures_account(name), k.moderator(name), k.audit],
            args=[name, idle_ms, now_ms, ip, self.audit_max_length],
        )
        return result[0] == "ok"

    @translated
    def load_session(self, session_id, idle_ms):
        """The session's moderator, its idle timeout renewed; None if it is over."""
        result = self._session(keys=[self.keys.session(session_id)],
                               args=[idle_ms, self.keys.moderator_prefix])
        if not result:
            return None
        name, role = result
        return Moderator(name, Role(role))

    @translated
    def close_session(self, session_id, name, now_ms):
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.keys.session(session_id))
        pipe.xadd(self.keys.audit, {"action": "logout", "moderator": name, "at": now_ms},
                  maxlen=self.audit_max_length, approximate=True)
        pipe.execute()

    @translated
    def set_setup_token(self, token_hash, ttl_seconds):
        self.client.set(self.keys.setup_token, token_hash, ex=ttl_seconds)

    @translated
    def setup_token_valid(self, token_hash):
        return self.client.get(self.keys.setup_token) == token_hash and not self.any_moderator()

    @translated
    def setup_admin(self, token_hash, name, password_hash, now_ms):
        k = self.keys
        result = self._setup(keys=[k.setup_token, k.moderators, k.moderator(name), k.audit],
                             args=[token_hash, name, password_hash, now_ms, self.audit_max_length])
        if result[0] != "ok":
            raise InvalidSetupToken()
