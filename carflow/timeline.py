"""How timeline events read: event kinds (icon + sentence), item pages, field labels.

Events store a kind and parameters; the sentence is rendered in the reader's
language when shown (`templates/admin/lead/_timeline.html`). Feature modules register
their kinds with `register_event_kind` and the pages of their items with
`register_item_endpoint`; these land in the app's presentation registry
(`carflow/presentation.py`, built at app creation).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_pgettext

from carflow.presentation import EventKind, declare, presentation
from carflow.url_patterns import id_urls

# Events that list changed fields store the fields' names ("phone"); the reader sees these
# labels in their language ("téléphone"). One registry for every service that logs fields.
FIELD_LABELS: dict[str, object] = {
    "kind": lazy_pgettext("changed field", "contact kind"),
    "salutation": lazy_pgettext("changed field", "salutation"),
    "first_name": lazy_pgettext("changed field", "first name"),
    "last_name": lazy_pgettext("changed field", "last name or company name"),
    "company_registration": lazy_pgettext("changed field", "company registration number"),
    "email": lazy_pgettext("changed field", "email"),
    "phone": lazy_pgettext("changed field", "phone"),
    "mobile": lazy_pgettext("changed field", "mobile"),
    "street": lazy_pgettext("changed field", "street"),
    "postal_code": lazy_pgettext("changed field", "postal code"),
    "city": lazy_pgettext("changed field", "city"),
    "country": lazy_pgettext("changed field", "country"),
    "language": lazy_pgettext("changed field", "language"),
    "vat_percentage": lazy_pgettext("changed field", "VAT rate"),
    "vat_number": lazy_pgettext("changed field", "VAT number"),
    "notes": lazy_pgettext("changed field", "notes"),
}


declare("field_labels", FIELD_LABELS)


def register_field_labels(**labels) -> None:
    """Declare the shown label of more recorded field names, e.g.
    `register_field_labels(price=lazy_pgettext("changed field", "price"))`."""
    declare("field_labels", labels)


def field_label(name: str) -> str:
    """A recorded field name as the reader's language says it (unknown: the name, spaced)."""
    label = presentation().field_labels.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def field_labels(names) -> str:
    """Recorded field names as one translated list: "téléphone, e-mail"."""
    return ", ".join(field_label(name) for name in names or ())


def register_event_kind(kind: str, icon: str, describe: Callable[[dict], str]) -> None:
    """Declare how events of `kind` are shown: `describe(data)` returns the sentence."""
    declare("event_kinds", {kind: EventKind(icon, describe)})


def register_item_endpoint(ref_type: str, endpoint: str) -> None:
    """Clicking an event about a `ref_type` item opens `url_for(endpoint, id=ref_id)`."""
    declare("item_endpoints", {ref_type: endpoint})


def event_icon(event, shown=None) -> str:
    """The event's Font Awesome icon (`shown`: the app's registry, when already at hand)."""
    kind = (shown or presentation()).event_kinds.get(event.kind)
    return kind.icon if kind else "fa-circle"


def describe_event(event, shown=None) -> str:
    """The event's sentence in the current locale (unknown kinds show their name)."""
    kind = (shown or presentation()).event_kinds.get(event.kind)
    if kind is None:
        return event.kind.replace("_", " ")
    return kind.describe(event.data or {})


def item_url(event, shown=None) -> str | None:
    """The URL of the item the event is about, when that item has a page."""
    endpoint = (shown or presentation()).item_endpoints.get(event.ref_type or "")
    if not endpoint or event.ref_id is None or endpoint not in current_app.view_functions:
        return None
    return id_urls(endpoint, "id")[event.ref_id]


class TimelineItem:
    """One event as the timeline shows it: plain texts, no markup (the template writes it);
    built from `services.lead_page.TimelineEntry` (the event read as plain columns)."""

    __slots__ = ("actor", "at", "at_iso", "at_text", "icon", "id", "kind", "link", "text")

    def __init__(self, event, shown, fmt, system: str):
        self.id, self.kind, self.at = int(event.id), event.kind, event.at
        self.icon, self.text = event_icon(event, shown), describe_event(event, shown)
        self.link = item_url(event, shown)
        self.at_iso, self.at_text = event.at.isoformat(), fmt(event.at)
        self.actor = event.actor_name if event.actor_name is not None else system


def timeline_items(events) -> list[TimelineItem]:
    """The page's events (F20, F34) as `TimelineItem`s, in the reader's language and zone."""
    from carflow.i18n import short_datetime_formatter

    shown, fmt, system = presentation(), short_datetime_formatter(), _("System")
    return [TimelineItem(event, shown, fmt, system) for event in events]


register_event_kind("created", "fa-plus-circle", lambda d: _("Lead created"))
register_event_kind("note", "fa-sticky-note", lambda d: d.get("text", ""))
