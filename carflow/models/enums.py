"""State enums: each member carries its translated label and its color in one place.

Templates read `member.label` and `member.color`; nothing else decides them.
"""

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum as SAEnum


class LabelledEnum(str, enum.Enum):
    """A string enum whose members have a translated `label` (and maybe a `color`)."""

    def __new__(cls, value: str, label, color: str = "secondary"):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.color = color
        return member

    def __str__(self) -> str:
        return str(self.label)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a select field."""
        return [(m.value, m.label) for m in cls]


def enum_column(enum_cls: type[enum.Enum]) -> SAEnum:
    """A portable (VARCHAR) column type storing the enum's values."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class LeadStatus(LabelledEnum):
    """F18: the lead's state; the header and the status button share its color."""

    open = ("open", _l("In progress"), "primary")
    won = ("won", _l("Won"), "success")
    lost = ("lost", _l("Lost"), "danger")


class ContactKind(LabelledEnum):
    person = ("person", _l("Person"))
    company = ("company", _l("Company"))


class Salutation(LabelledEnum):
    mr = ("mr", _l("Mr"))
    mrs = ("mrs", _l("Mrs"))
    ms = ("ms", _l("Ms"))
    dr = ("dr", _l("Dr"))
    company = ("company", _l("Company"))


class Fuel(LabelledEnum):
    petrol = ("petrol", _l("Petrol"))
    diesel = ("diesel", _l("Diesel"))
    hybrid = ("hybrid", _l("Hybrid"))
    plugin_hybrid = ("plugin_hybrid", _l("Plug-in hybrid"))
    electric = ("electric", _l("Electric"))
    lpg = ("lpg", _l("LPG"))
    cng = ("cng", _l("CNG"))
    hydrogen = ("hydrogen", _l("Hydrogen"))


class Gearbox(LabelledEnum):
    manual = ("manual", _l("Manual"))
    automatic = ("automatic", _l("Automatic"))


class VehicleStatus(LabelledEnum):
    in_stock = ("in_stock", _l("In stock"), "success")
    reserved = ("reserved", _l("Reserved"), "warning")
    sold = ("sold", _l("Sold"), "secondary")


class OfferStatus(LabelledEnum):
    draft = ("draft", _l("Draft"), "secondary")
    sent = ("sent", _l("Sent"), "info")
    accepted = ("accepted", _l("Accepted"), "success")
    declined = ("declined", _l("Declined"), "danger")


class DeadlineKind(LabelledEnum):
    first_contact = ("first_contact", _l("First contact"))
    follow_up = ("follow_up", _l("Follow-up"))
    offer_expiry = ("offer_expiry", _l("Offer expiry"))
    other = ("other", _l("Other"))


class ContactOutcome(LabelledEnum):
    """F21: whether the customer was reached for a deadline."""

    not_yet = ("not_yet", _l("Not yet"), "secondary")
    made = ("made", _l("Contact made"), "success")
    not_made = ("not_made", _l("No contact"), "warning")


class CommunicationStatus(LabelledEnum):
    pending = ("pending", _l("Pending"), "secondary")
    sent = ("sent", _l("Sent"), "success")
    failed = ("failed", _l("Failed"), "danger")


class Edition(LabelledEnum):
    """F33: the license edition of the account."""

    go = ("go", _l("Go"))
    pro = ("pro", _l("Pro"))
    expert = ("expert", _l("Expert"))
