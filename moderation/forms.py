"""The reader's comment form and its signed, cookie-less form token.

The form must work inside a third-party iframe where the browser drops
cookies, so it cannot rest on session CSRF. Instead it carries a token signed
with the secret key, naming the thread, the moment it was issued and a random
nonce; the nonce is also the submission's idempotency key.

``Form`` is the base of every form here and in the console: WTForms' own
messages in the page's language, from a catalog read once per locale, and
Flask-WTF's session token signed only for a page that shows it.
"""

import re
import secrets
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_wtf import FlaskForm
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.csrf.core import CSRF, CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, StopValidation, ValidationError

from .i18n import lazy_gettext as _l
from .text import clean_line, clean_multiline, is_blank, shows

TOKEN_SALT = "comment-form-token"  # noqa: S105 (a salt, not a password)
# A token's nonce is the key of its comment in the thread's nonces hash: 72 random bits (12 characters) keep
# that field short, and ten thousand on one thread collide with a chance of 10^-14.
NONCE_BYTES = 9

# The rules below are stated once and published as they are by the API schema (openapi.py).
# A website: http:// or https:// (or none, and https:// is meant), a host, an optional port, then an
# optional path, query or fragment. Nothing invisible and no space anywhere; no user@ part (a link
# whose text names one host and leads to another); no [IPv6] literal.
URL_SCHEME = "[Hh][Tt][Tt][Pp][Ss]?://"
URL_PORT = ":[0-9]+"
URL_REST_STARTS = "/?#"
# What ends a host, and "\\", which browsers read as "/".
HOST_DELIMITERS = "/?#@:[]\\"
WEB_ADDRESS = re.compile(
    f"({URL_SCHEME})?([^{re.escape(HOST_DELIMITERS)}]+)({URL_PORT})?([{re.escape(URL_REST_STARTS)}].*)?", re.DOTALL)
# The largest comment id a reply may name: 18 digits (ids are Redis counters, far below 2**63).
PARENT_MAX = 10**18 - 1


class FormTokenField(CSRFTokenField):
    """The token field; a new token is signed only when the form is shown
    again without a valid one (a posted form that goes through needs none)."""

    _token = None

    def process(self, *args, **kwargs):
        super(CSRFTokenField, self).process(*args, **kwargs)  # not CSRFTokenField's: it signs at once

    @property
    def current_token(self):
        if self._token is None:
            self._token = self.csrf_impl.generate_csrf_token(self)
        return self._token

    @current_token.setter
    def current_token(self, token):
        self._token = token


class SessionToken(FlaskForm.Meta.csrf_class):
    """Flask-WTF's session CSRF token, signed only when a page shows it.

    CSRFProtect has checked the token of every POST before a view runs, so a
    form built to read a POST needs a fresh one only if its page is shown
    again; signing one at once was about a tenth of the CPU of an approve.
    """

    field_class = FormTokenField


class Form(FlaskForm):
    """A form whose built-in WTForms messages speak the page's language."""

    class Meta:
        csrf_class = SessionToken

        @property
        def locales(self):
            # WTForms keeps one catalog per locale list (DefaultMeta.cache_translations).
            return [str(get_locale())]

    def focus_first_error(self):
        """Put the focus on the first field that shows an error, once the page loads (``autofocus``: no script).

        Hidden fields are left out: their errors are the form's own, and a page that shows one says so above the
        form. Called by a template after every error is known (views add some after validating).
        """
        for field in self:
            if field.errors and getattr(field.widget, "input_type", None) != "hidden":
                # A new dict: the field's render_kw is shared by every form of its class.
                field.render_kw = {**(field.render_kw or {}), "autofocus": True}
                return


def token_serializer(secret):
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT)


class SignedFormToken(CSRF):
    """WTForms CSRF scheme: a signed token in the form itself, no session.

    ``meta.csrf_context`` is (site key, thread) of the page the form belongs to. A valid token
    is kept as it is when the form is shown again (after another field's
    error, or a 503), so retrying the same form still queues one comment.
    """

    field_class = FormTokenField

    def setup_form(self, form):
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field):
        site, thread = self.meta.csrf_context
        payload = {"t": thread, "n": secrets.token_urlsafe(NONCE_BYTES)}
        if site != "main":  # tokens made before there were several sites name none, and are main's
            payload["s"] = site
        return token_serializer(self.meta.csrf_secret).dumps(payload)

    def validate_csrf_token(self, form, field):
        try:
            payload, issued_at = token_serializer(self.meta.csrf_secret).loads(
                field.data or "", max_age=self.meta.csrf_time_limit, return_timestamp=True)
        except SignatureExpired as error:
            raise ValidationError(_l("This form was open too long. Please send it again.")) from error
        except BadData as error:
            raise ValidationError(_l("This form could not be checked. Please send it again.")) from error
        site, thread = self.meta.csrf_context
        if not isinstance(payload, dict) or payload.get("t") != thread or payload.get("s", "main") != site:
            raise ValidationError(_l("This form belongs to another page. Please send it again."))
        field.current_token = field.data
        form.nonce = str(payload["n"])
        form.issued_at = issued_at.timestamp()


def typed_length(field):
    """The length of what was typed: cleaned (no stray line ends or spaces around it), but never more
    than as sent, so that the few characters NFC writes as two cannot push text over a limit (the
    API schema states the limit on the value as sent)."""
    raw = field.raw_data[0] if field.raw_data and isinstance(field.raw_data[0], str) else field.data
    return min(len(field.data), len(raw))


def length_setting(setting, message):
    """A maximum length read from the app's settings when the form is checked."""

    def check(form, field):
        if field.data and typed_length(field) > current_app.config[setting]:
            raise ValidationError(message % {"max": current_app.config[setting]})

    return check


def required(message):
    def check(form, field):
        if not field.data or is_blank(field.data):
            raise StopValidation(message)

    return check


def email_address(form, field):
    if not field.data:
        return
    try:
        checked = validate_email(
            field.data, allow_smtputf8=True, strict=True,
            check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"],
        )
    except EmailNotValidError as error:
        raise ValidationError(_l("Enter a valid email address, like name@example.com.")) from error
    field.data = checked.normalized


def host_character(ch):
    """Whether a host may hold ``ch``: it shows, is no delimiter, and does not become one when a
    browser normalises the host (NFKC: a full-width solidus would be "/")."""
    return (shows(ch) and ch not in HOST_DELIMITERS
            and not any(d in unicodedata.normalize("NFKC", ch) for d in HOST_DELIMITERS))


def web_address(form, field):
    if not field.data:
        return
    address = field.data
    match = WEB_ADDRESS.fullmatch(address)
    if not (match and all(map(shows, address)) and all(map(host_character, match.group(2)))):
        raise ValidationError(_l("Enter a web address that starts with http:// or https://."))
    if typed_length(field) > current_app.config["URL_MAX_LENGTH"]:
        raise ValidationError(_l("The web address can be at most %(max)d characters.")
                              % {"max": current_app.config["URL_MAX_LENGTH"]})
    if not match.group(1):
        address = "https://" + address  # "example.com" means what the reader thinks
    field.data = address


def comment_id(form, field):
    if field.data and not (field.data.isascii() and field.data.isdigit() and len(field.data) <= len(str(PARENT_MAX))):
        raise ValidationError(_l("The comment you replied to does not exist."))


class CommentForm(Form):
    """The reader's form. Field names are WordPress's; the token is ``token``."""

    class Meta:
        csrf = True  # always: this form's token is also its idempotency key
        csrf_class = SignedFormToken
        csrf_field_name = "token"

        @property
        def csrf_time_limit(self):
            return current_app.config["FORM_TOKEN_MAX_AGE_SECONDS"]

    comment = TextAreaField(
        _l("Comment"), filters=[clean_multiline],
        validators=[required(_l("Please write your comment.")),
                    length_setting("COMMENT_MAX_LENGTH",
                                   _l("Your comment can be at most %(max)d characters."))])
    author = StringField(
        _l("Name"), filters=[clean_line],
        validators=[required(_l("Please enter your name.")),
                    length_setting("AUTHOR_MAX_LENGTH", _l("Your name can be at most %(max)d characters."))])
    email = StringField(
        _l("Email"), filters=[clean_line],
        validators=[required(_l("Please enter your email address.")), email_address])
    url = StringField(_l("Website"), filters=[clean_line], validators=[web_address])
    remember = BooleanField(_l("Save my name, email, and website in this browser for the next time I comment."))
    # Jetpack's name for "notify me of follow-up comments" (its value there is "subscribe"); off by default.
    subscribe_comments = BooleanField(_l("Email me when someone replies to my comment."))
    parent = HiddenField(filters=[clean_line], validators=[comment_id])
    # The honeypot: hidden from people (and screen readers); bots fill it in.
    fax = StringField(_l("Fax"))

    nonce = None
    issued_at = None

    @property
    def parent_id(self):
        return int(self.parent.data) if self.parent.data else None


REPORT_NOTE_MAX_LENGTH = 300
REPORT_REASONS = (
    ("abuse", _l("Abuse or harassment")),
    ("spam", _l("Spam")),
    ("personal_data", _l("Personal data or a security risk")),
    ("other", _l("Something else")),
)


def known_reason(form, field):
    if field.data not in dict(REPORT_REASONS):
        raise StopValidation(_l("Please choose what is wrong with it."))


def note_for_other(form, field):
    if form.reason.data == "other" and not (field.data or "").strip():
        raise StopValidation(_l("Please say in a few words what is wrong."))


class ReportForm(Form):
    """A reader's report of a published comment: the comment form's signed token, no cookie."""

    class Meta:
        csrf = True
        csrf_class = SignedFormToken
        csrf_field_name = "token"

        @property
        def csrf_time_limit(self):
            return current_app.config["FORM_TOKEN_MAX_AGE_SECONDS"]

    reason = RadioField(_l("What is wrong with it?"), choices=[SelectChoice(v, label) for v, label in REPORT_REASONS],
                        validate_choice=False,
                        validators=[known_reason])
    note = StringField(_l("A few words (needed for “something else”)"), filters=[clean_line],
                       validators=[note_for_other, Length(max=REPORT_NOTE_MAX_LENGTH,
                                                          message=_l("At most %(max)d characters."))])
