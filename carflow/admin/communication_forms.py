"""The form of emailing the customer (F15): recipients, offer, subject, message, PDFs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from carflow.admin.forms import CarflowForm, select_choices
from carflow.i18n import fmt_money
from carflow.services.communications import contact_recipients


def _no_line_breaks(form, field):
    if field.data and ("\r" in field.data or "\n" in field.data):
        raise ValidationError(_l("Line breaks are not allowed in an email subject or address."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CommunicationForm(CarflowForm):
    recipients = MultiCheckboxField(_l("Recipients"), choices=[])
    other_addresses = StringField(
        _l("Other email addresses"),
        validators=[Length(max=2000), _no_line_breaks],
        description=_l("Separate several addresses with commas."),
    )
    offer_id = SelectField(_l("Offer to send"), coerce=int)
    purpose = SelectField(
        _l("Purpose"),
        choices=select_choices(
            [
                ("service", _l("Service: answers the customer's own request")),
                ("marketing", _l("Marketing: needs the recipients' consent")),
            ]
        ),
        default="service",
        description=_l("A marketing email is refused to recipients without e-mail consent."),
    )
    subject = StringField(
        _l("Subject"),
        validators=[
            DataRequired(message=_l("Give the email a subject.")),
            Length(max=255),
            _no_line_breaks,
        ],
    )
    body = TextAreaField(_l("Message"), validators=[DataRequired(message=_l("Write the message."))])
    attach_quote = BooleanField(_l("Attach the quote preview (PDF)"), default=True)
    attach_purchase_order = BooleanField(_l("Attach the purchase order (PDF)"))


def _offer_label(offer) -> str:
    parts = [f"#{offer.id}", offer.vehicle_title, fmt_money(offer.total_amount), str(offer.status)]
    return " · ".join(p for p in parts if p)


def fill_communication_choices(form: CommunicationForm, lead, offers) -> None:
    """The lead's contacts with an email address, and the lead's offers."""
    form.recipients.choices = contact_recipients(lead)
    form.offer_id.choices = [(o.id, _offer_label(o)) for o in offers]
