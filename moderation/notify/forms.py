"""The forms of the notification pages. Each carries Flask-WTF's session CSRF token."""

from wtforms import HiddenField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms import Form, email_address
from ..i18n import lazy_gettext as _l
from ..text import clean_line

ALERT_CHOICES = (
    ("each", _l("An email for each new comment")),
    ("digest", _l("A digest of what waits, every few minutes")),
    ("none", _l("No email")),
)


class PreferencesForm(Form):
    email = StringField(_l("Email address"), filters=[clean_line], validators=[Optional(), email_address])
    alerts = RadioField(_l("Tell me about new comments"), default="none",
                        choices=[SelectChoice(v, label) for v, label in ALERT_CHOICES])
    digest_minutes = IntegerField(_l("Digest every (minutes)"), default=15,
                                  validators=[DataRequired(_l("Enter a number of minutes.")),
                                              NumberRange(min=1, max=24 * 60)])


class RetryForm(Form):
    letter = HiddenField(validators=[DataRequired()])
