"""A real SMTP server for the tests: aiosmtpd in this process, on a free port of 127.0.0.1.

It keeps every message it took in; ``wait_for(n)`` waits on a condition, not a sleep. With a certificate
(``tls_certificate``, a trustme one) it speaks TLS from the first byte (``smtps``) or after STARTTLS.
"""

import email
import email.policy
import socket
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: each message, parsed, in arrival order."""

    def __init__(self):
        self.messages = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()
        return "250 OK"

    def wait_for(self, count, timeout=20):
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.messages) >= count, timeout), \
                f"{len(self.messages)} messages arrived, not {count}"
            return list(self.messages)


class MailServer:
    """With ``login`` (user, password), the server offers AUTH and refuses other credentials. ``tls``:
    None (plain), ``"smtps"`` (implicit TLS) or ``"starttls"`` (offered; required unless ``require_tls``
    is false), with ``certificate`` (a trustme ``LeafCert`` for 127.0.0.1); AUTH is then offered only
    over TLS."""

    def __init__(self, port=None, login=None, *, tls=None, certificate=None, require_tls=True, host="127.0.0.1"):
        self.host = host
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller = None
        self.login = login
        self.logins = []
        self.tls = tls
        self.certificate = certificate
        self.require_tls = require_tls

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        given = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(given[0])
        return AuthResult(success=given == self.login)

    @property
    def url(self):
        return f"{'smtps' if self.tls == 'smtps' else 'smtp'}://{self.host}:{self.port}"

    def start(self):
        # Without TLS, AUTH is offered in plain text (a test on 127.0.0.1); the client logs in when SMTP_URL
        # has a user. aiosmtpd's auth_require_tls knows only STARTTLS: under implicit TLS every byte is
        # encrypted already, so it is asked for only with STARTTLS (and AUTH waits for it).
        options = {"authenticator": self.authenticate, "auth_require_tls": self.tls == "starttls"} \
            if self.login else {}
        context = None
        if self.tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.certificate.configure_cert(context)
        if self.tls == "starttls":
            options.update(tls_context=context, require_starttls=self.require_tls)
        self.controller = Controller(self.inbox, hostname=self.host, port=self.port,
                                     ssl_context=context if self.tls == "smtps" else None, **options)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
