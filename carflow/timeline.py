"""How timeline events read: one registry of event kinds (icon + sentence).

Events store a kind and parameters; the sentence is rendered in the reader's
language when shown. Feature modules register their kinds with
`register_event_kind` and the pages of their items with `register_item_endpoint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_pgettext
from markupsafe import Markup, escape


@dataclass(frozen=True)
class EventKind:
    icon: str  # a Font Awesome 4 icon name, e.g. "fa-sticky-note"
    describe: Callable[[dict], str]


EVENT_KINDS: dict[str, EventKind] = {}
ITEM_ENDPOINTS: dict[str, str] = {}

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


def register_field_labels(**labels) -> None:
    """Declare the shown label of more recorded field names, e.g.
    `register_field_labels(price=lazy_pgettext("changed field", "price"))`."""
    FIELD_LABELS.update(labels)


def field_label(name: str) -> str:
    """A recorded field name as the reader's language says it (unknown: the name, spaced)."""
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def field_labels(names) -> str:
    """Recorded field names as one translated list: "téléphone, e-mail"."""
    return ", ".join(field_label(name) for name in names or ())


def register_event_kind(kind: str, icon: str, describe: Callable[[dict], str]) -> None:
    """Declare how events of `kind` are shown: `describe(data)` returns the sentence."""
    EVENT_KINDS[kind] = EventKind(icon, describe)


def register_item_endpoint(ref_type: str, endpoint: str) -> None:
    """Clicking an event about a `ref_type` item opens `url_for(endpoint, id=ref_id)`."""
    ITEM_ENDPOINTS[ref_type] = endpoint


def event_icon(event) -> str:
    kind = EVENT_KINDS.get(event.kind)
    return kind.icon if kind else "fa-circle"


def describe_event(event) -> str:
    """The event's sentence in the current locale (unknown kinds show their name)."""
    kind = EVENT_KINDS.get(event.kind)
    if kind is None:
        return event.kind.replace("_", " ")
    return kind.describe(event.data or {})


def item_url(event) -> str | None:
    """The URL of the item the event is about, when that item has a page."""
    endpoint = ITEM_ENDPOINTS.get(event.ref_type or "")
    if not endpoint or event.ref_id is None or endpoint not in current_app.view_functions:
        return None
    return _url_pattern(endpoint).replace(_ID_MARK, str(int(event.ref_id)))


def timeline_html(events) -> Markup:
    """The timeline's `<li>` items (F20, F34): icon, sentence (linked to its item), time and
    actor, written in one pass for the page's 50 events. Every text is escaped here."""
    from carflow.i18n import short_datetime_formatter

    fmt = short_datetime_formatter()
    system = escape(_("System"))
    items = []
    for event in events:
        text, link = escape(describe_event(event)), item_url(event)
        sentence = (
            f'<a href="{escape(link)}" class="event-text">{text}</a>'
            if link
            else f'<span class="event-text">{text}</span>'
        )
        actor = escape(event.actor_name) if event.actor_name is not None else system
        items.append(
            f'<li class="timeline-event border-bottom py-2 event-{escape(event.kind)}" '
            f'data-event-id="{int(event.id)}">'
            f'<i class="fa {escape(event_icon(event))} fa-fw text-muted" aria-hidden="true"></i>'
            f' {sentence}<div class="small text-muted"><time datetime="{event.at.isoformat()}">'
            f'{escape(fmt(event.at))}</time> · <span class="event-actor">{actor}</span></div></li>'
        )
    return Markup("".join(items))


_ID_MARK = "999999999"


def _url_pattern(endpoint: str) -> str:
    """`url_for(endpoint, id=<mark>)`, built once per request (a timeline shows 50 events)."""
    patterns = g.setdefault("timeline_url_patterns", {})
    if endpoint not in patterns:
        patterns[endpoint] = url_for(endpoint, id=int(_ID_MARK))
    return patterns[endpoint]


register_event_kind("created", "fa-plus-circle", lambda d: _("Lead created"))
register_event_kind("note", "fa-sticky-note", lambda d: d.get("text", ""))
