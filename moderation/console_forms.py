"""The moderator console's forms. Each carries Flask-WTF's session CSRF token."""

from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from .accounts import MIN_PASSWORD_LENGTH
from .forms import Form
from .i18n import lazy_gettext as _l
from .models import Role
from .rules import parse_network
from .text import clean_line, clean_multiline, is_blank

# Why a comment was rejected: a short list, plus free text.
REJECT_REASONS = (
    ("", _l("No reason given")),
    ("spam", _l("Spam or advertising")),
    ("abuse", _l("Abusive, hateful or threatening")),
    ("off_topic", _l("Off topic")),
    ("personal_data", _l("Reveals personal data")),
    ("duplicate", _l("Duplicate")),
    ("other", _l("Other")),
)
# Why a published comment was taken down: one is required.
REMOVE_REASONS = (
    *(choice for choice in REJECT_REASONS if choice[0]),
    ("legal", _l("Legal request")),
)
REASON_LABELS = dict(REJECT_REASONS + REMOVE_REASONS)


class LoginForm(Form):
    username = StringField(_l("Username"), filters=[clean_line],
                           validators=[DataRequired(_l("Please enter your username.")), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))])


class SetupForm(Form):
    token = HiddenField()
    username = StringField(_l("Username"), filters=[clean_line],
                           validators=[DataRequired(_l("Please enter your username."))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter your password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(min)d characters."))])
    confirm = PasswordField(_l("Password again"), validators=[
        EqualTo("password", message=_l("The two passwords differ."))])


class ActionForm(Form):
    """A bare POST (logout, undo, remove): only the CSRF token."""


def nothing_if_blank(text):
    # An edit to nothing visible is no text at all: refused by an edit, no edit with a decision.
    return "" if text and is_blank(text) else text


class DecisionForm(Form):
    reason = SelectField(_l("Reason"), choices=[SelectChoice(v, label) for v, label in REJECT_REASONS], default="")
    note = StringField(_l("Note"), filters=[clean_line], validators=[Optional(), Length(max=300)])
    body = TextAreaField(_l("Text"), filters=[clean_multiline, nothing_if_blank],
                         validators=[Optional(), Length(max=20_000)])
    force = BooleanField(_l("Decide even though another moderator is reviewing it"))
    cursor = HiddenField()

    def reason_text(self):
        return f"{self.reason.data}: {self.note.data}" if self.note.data else self.reason.data


class RemoveForm(Form):
    reason = SelectField(_l("Reason"), choices=[SelectChoice("", _l("Choose a reason")),
                                                *(SelectChoice(v, label) for v, label in REMOVE_REASONS)],
                         validators=[DataRequired(_l("Say why it is taken down."))], default="")
    note = StringField(_l("Note"), filters=[clean_line], validators=[Optional(), Length(max=300)])

    def reason_text(self):
        return f"{self.reason.data}: {self.note.data}" if self.note.data else self.reason.data


class CommenterForm(Form):
    email = StringField(_l("Email address"), filters=[clean_line],
                        validators=[DataRequired(_l("Please enter the email address.")), Length(max=254)])
    keep_text = BooleanField(_l("Keep the texts, as 'Deleted', without email, IP, browser or website"))
    confirm = BooleanField(_l("Yes, erase it: this cannot be undone"))


class BulkForm(DecisionForm):
    action = SelectField(choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))])


class ModeratorForm(Form):
    username = StringField(_l("Username"), filters=[clean_line],
                           validators=[DataRequired(_l("Please enter a username."))])
    role = SelectField(_l("Role"), choices=[SelectChoice(Role.MODERATOR.value, _l("Moderator")),
                                            SelectChoice(Role.ADMIN.value, _l("Admin"))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter a password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(min)d characters."))])


class PasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please enter a password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(min)d characters."))])


class WaveForm(Form):
    feature = HiddenField(validators=[DataRequired(), Length(max=300)])
    action = SelectField(choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))])


def one_per_line(form, field):
    field.data = "\n".join(line.strip() for line in (field.data or "").splitlines() if line.strip())


def networks(form, field):
    for line in (field.data or "").splitlines():
        try:
            parse_network(line)
        except ValueError as error:
            raise ValidationError(_l("Not an address or a range: %(entry)s") % {"entry": line}) from error


class RulesForm(Form):
    """The moderators' rules, one entry a line."""

    blocked_words = TextAreaField(_l("Blocked words (the comment goes to spam)"), validators=[one_per_line])
    held_words = TextAreaField(_l("Words to look at (the comment is flagged)"), validators=[one_per_line])
    max_links = IntegerField(_l("Flag comments with more links than"), validators=[Optional(), NumberRange(0, 100)])
    blocked_emails = TextAreaField(_l("Blocked email addresses"), validators=[one_per_line])
    blocked_ips = TextAreaField(_l("Blocked addresses and ranges (192.0.2.0/24)"),
                                validators=[one_per_line, networks])
    trust_after = IntegerField(_l("Publish at once after this many approved comments (0: never)"),
                               validators=[Optional(), NumberRange(0, 1000)])

    def values(self):
        return {
            "blocked_words": self.blocked_words.data, "held_words": self.held_words.data,
            "max_links": "" if self.max_links.data is None else str(self.max_links.data),
            "blocked_emails": self.blocked_emails.data, "blocked_ips": self.blocked_ips.data,
            "trust_after": str(self.trust_after.data or 0),
        }
