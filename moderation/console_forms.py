"""The moderator console's forms. Each carries Flask-WTF's session CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from .accounts import MIN_PASSWORD_LENGTH
from .models import Role
from .text import clean_line, clean_multiline

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
REASON_LABELS = dict(REJECT_REASONS)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), filters=[clean_line],
                           validators=[DataRequired(_l("Please enter your username.")), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))])


class SetupForm(FlaskForm):
    token = HiddenField()
    username = StringField(_l("Username"), filters=[clean_line],
                           validators=[DataRequired(_l("Please enter your username."))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter your password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(min)d characters."))])
    confirm = PasswordField(_l("Password again"), validators=[
        EqualTo("password", message=_l("The two passwords differ."))])


class ActionForm(FlaskForm):
    """A bare POST (logout, undo, remove): only the CSRF token."""


class DecisionForm(FlaskForm):
    reason = SelectField(_l("Reason"), choices=[SelectChoice(v, label) for v, label in REJECT_REASONS], default="")
    note = StringField(_l("Note"), filters=[clean_line], validators=[Optional(), Length(max=300)])
    body = TextAreaField(_l("Text"), filters=[clean_multiline], validators=[Optional(), Length(max=20_000)])
    force = BooleanField(_l("Decide even though another moderator is reviewing it"))
    cursor = HiddenField()

    def reason_text(self):
        return f"{self.reason.data}: {self.note.data}" if self.note.data else self.reason.data


class BulkForm(DecisionForm):
    action = SelectField(choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))])


class ModeratorForm(FlaskForm):
    username = StringField(_l("Username"), filters=[clean_line],
                           validators=[DataRequired(_l("Please enter a username."))])
    role = SelectField(_l("Role"), choices=[SelectChoice(Role.MODERATOR.value, _l("Moderator")),
                                            SelectChoice(Role.ADMIN.value, _l("Admin"))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter a password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(min)d characters."))])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please enter a password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(min)d characters."))])
