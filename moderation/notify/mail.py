"""Mail: delivery over SMTP (``SMTP_URL``) and the moderator alert and digest messages.

``smtp://user:password@host:port`` speaks STARTTLS when the server offers it; ``smtps://`` is TLS from the
first byte (port 465 unless given). Either way the server's certificate and name are checked against the
system's CAs (or ``SMTP_CA_FILE``'s); a TLS handshake that fails fails the delivery, it never goes on in
plain text. Messages are in the site's language, with a plain-text part and an HTML part that knows its
direction.
"""

import ipaddress
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from ..i18n import gettext as _
from ..i18n import ngettext
from . import links


class MailOff(RuntimeError):
    """No SMTP_URL: the service sends no mail."""


class DeliveryFailed(RuntimeError):
    """The SMTP server could not be reached or refused the message; the worker tries again later."""


def enabled():
    return bool(current_app.config.get("SMTP_URL"))


class Mailer:
    """One SMTP server; each message on a connection of its own (the worker sends a few at a time)."""

    def __init__(self, url, sender, timeout_seconds=10.0, *, ca_file=None, require_tls=True):
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587 or smtps://…")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout_seconds
        self.ca_file = ca_file
        self.require_tls = require_tls and not on_this_machine(self.host)

    def send(self, message):
        try:
            context = ssl.create_default_context(cafile=self.ca_file)
            if self.tls:
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with connection as smtp:
                smtp.ehlo()  # the server's extensions are known only after EHLO
                if not self.tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=context)  # raises on a bad certificate: no plain-text fallback
                elif not self.tls and self.require_tls:
                    raise DeliveryFailed(f"{self.host} offers no STARTTLS: mail to another machine is sent "
                                         "encrypted (SMTP_REQUIRE_TLS)")
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from error


def mailer():
    config = current_app.config
    if not config.get("SMTP_URL"):
        raise MailOff()
    return Mailer(config["SMTP_URL"], config["MAIL_FROM"] or "comments@localhost", config["SMTP_TIMEOUT_SECONDS"],
                  ca_file=config.get("SMTP_CA_FILE"), require_tls=config["SMTP_REQUIRE_TLS"])


def on_this_machine(host):
    """Whether ``host`` is a loopback name or address: plain text to it never leaves the machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def message(to, subject, template, locale, site, **context):
    """A message in ``locale`` from ``templates/mail/<template>.txt`` and ``.html`` (the page context
    processor gives the templates ``locale`` and ``direction`` of the forced locale)."""
    context["settings_url"] = links.public_url("/moderate/notifications", site)
    context["site"] = site
    # The templates and their context processors expect a request: one at PUBLIC_URL, in the worker.
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]), force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
        subject = str(subject() if callable(subject) else subject)
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"] or "comments@localhost"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="comments")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def comment_item(site, comment, moderator, title):
    """What a mail shows of one comment, with its signed Approve and Reject links."""
    return {"comment": comment, "title": title,
            "article": links.public_url(f"/threads/{comment.thread}", site),
            "approve": links.action_url(site, comment.id, "approve", moderator),
            "reject": links.action_url(site, comment.id, "reject", moderator),
            "console": links.public_url(f"/moderate/comments/{comment.id}", site)}


def alert(site, comment, moderator, email, title):
    locale = site.settings.default_locale
    item = comment_item(site, comment, moderator, title)
    return message(formataddr((moderator, email)), lambda: _("New comment waiting: %(title)s", title=title),
                   "alert", locale, site, item=item, moderator=moderator)


def digest(site, comments, moderator, email, titles):
    locale = site.settings.default_locale
    items = [comment_item(site, c, moderator, titles[c.thread]) for c in comments]
    return message(formataddr((moderator, email)),
                   lambda: ngettext("%(num)d comment waiting on %(site)s", "%(num)d comments waiting on %(site)s",
                                    len(items), site=site.name),
                   "digest", locale, site, items=items, moderator=moderator)
