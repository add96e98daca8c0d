"""The presentation registry is built at app creation and loses no declaration (issue 14)."""

from __future__ import annotations

import pytest

from carflow.presentation import EXTENSION_KEY, EventKind, declare, presentation
from carflow.timeline import describe_event, register_event_kind, register_item_endpoint


class _Event:
    def __init__(self, kind, data=None):
        self.kind, self.data, self.ref_type, self.ref_id = kind, data, None, None


def test_each_app_has_its_own_registry_with_every_kind_declared_at_import(make_app, fresh_app):
    first, second = make_app(), fresh_app
    one, two = first.extensions[EXTENSION_KEY], second.extensions[EXTENSION_KEY]
    assert one is not two
    for kind in ("created", "note", "status_changed", "offer_created", "task_scheduled"):
        assert isinstance(one.event_kinds.get(kind), EventKind), kind
    assert one.event_kinds.keys() == two.event_kinds.keys()
    assert one.item_endpoints == two.item_endpoints and "offer" in one.item_endpoints
    assert "phone" in one.field_labels


def test_a_declaration_made_after_app_creation_reaches_the_built_registries(app):
    register_event_kind("renov2_late_kind", "fa-flask", lambda data: f"late {data['n']}")
    register_item_endpoint("renov2_item", "lead_page.page")
    with app.test_request_context():
        assert presentation().event_kinds["renov2_late_kind"].icon == "fa-flask"
        assert describe_event(_Event("renov2_late_kind", {"n": 3})) == "late 3"
        assert presentation().item_endpoints["renov2_item"] == "lead_page.page"


def test_an_unknown_table_fails_loudly():
    with pytest.raises(ValueError, match="unknown presentation table"):
        declare("badges", {})
