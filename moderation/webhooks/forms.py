"""The webhooks page's form; it carries Flask-WTF's session CSRF token. Shape only: whether the URL's host
may be called is the service's question (it resolves the host)."""

from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..i18n import lazy_gettext as _l
from ..text import clean_line
from . import EVENTS, addresses

EVENT_LABELS = {
    "submitted": _l("A comment is waiting for moderation"),
    "approved": _l("A comment is approved"),
    "rejected": _l("A comment is rejected"),
    "undone": _l("A decision is undone"),
    "removed": _l("A published comment is taken down"),
    "restored": _l("A removed comment is restored"),
}


def webhook_url(form, field):
    try:
        addresses.parse(field.data)
    except addresses.RefusedAddress as error:
        if error.reason == "credentials":
            raise ValidationError(_l("Leave the user name and password out of the address.")) from error
        raise ValidationError(_l("Enter an address starting with https:// or http://.")) from error


class EndpointForm(Form):
    url = StringField(_l("Address (URL)"), filters=[clean_line],
                      validators=[DataRequired(_l("Enter the address to send to.")), Length(max=2000),
                                  webhook_url])
    events = SelectMultipleField(_l("Events to send"), choices=[SelectChoice(e, EVENT_LABELS[e]) for e in EVENTS],
                                 default=["approved"], widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(),
                                 validators=[DataRequired(_l("Choose at least one event."))])
