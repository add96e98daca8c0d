"""Extension points of the lead page: action-bar buttons and tab panels.

Each feature registers its own button and panels when its admin module is imported,
so the page template never needs to know the features by name:

    register_lead_action("trade_in", _l("Trade-in"), "fa-car", action="trade_in.manage",
                         endpoint="trade_in.create_view", order=10)
    register_lead_panel("documents", tab="details", template="admin/lead/_documents.html",
                        load=load_documents_panel, action="document.view", order=20)

A button is shown only when its endpoint exists, `can(user, action, lead)` allows it and
its `condition(lead)` holds (e.g. Communication needs an offer). Its URL is
`url_for(endpoint, lead_id=lead.id)`. A panel's `load(lead, user)` returns the template
context; it must run a fixed number of queries, whatever the lead holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, url_for

from carflow.permissions import can


@dataclass(frozen=True)
class LeadAction:
    key: str
    label: object
    icon: str
    action: str
    endpoint: str
    order: int = 100
    condition: Callable | None = None

    def url(self, lead) -> str:
        return url_for(self.endpoint, lead_id=lead.id)


@dataclass(frozen=True)
class LeadPanel:
    key: str
    tab: str
    template: str
    load: Callable
    action: str
    order: int = 100


LEAD_ACTIONS: dict[str, LeadAction] = {}
LEAD_PANELS: dict[str, LeadPanel] = {}


def register_lead_action(
    key: str,
    label,
    icon: str,
    action: str,
    endpoint: str,
    order: int = 100,
    condition: Callable | None = None,
) -> None:
    """Add (or replace) a button of the lead page's action bar."""
    LEAD_ACTIONS[key] = LeadAction(key, label, icon, action, endpoint, order, condition)


def register_lead_panel(
    key: str, tab: str, template: str, load: Callable, action: str, order: int = 100
) -> None:
    """Add (or replace) a panel shown in one tab of the lead page."""
    LEAD_PANELS[key] = LeadPanel(key, tab, template, load, action, order)


def available_actions(user, lead) -> list[LeadAction]:
    """The buttons this user may use on this lead, in order (F19: refused = not offered)."""
    endpoints = current_app.view_functions
    return [
        a
        for a in sorted(LEAD_ACTIONS.values(), key=lambda a: a.order)
        if a.endpoint in endpoints
        and can(user, a.action, lead)
        and (a.condition is None or a.condition(lead))
    ]


def panels_for(tab: str, user, lead) -> list[tuple[LeadPanel, dict]]:
    """The panels of `tab` this user may see, each with its loaded context."""
    panels = sorted((p for p in LEAD_PANELS.values() if p.tab == tab), key=lambda p: p.order)
    return [(p, p.load(lead, user)) for p in panels if can(user, p.action, lead)]
