"""Hostile input is refused with a message, never stored, never a 500 (issue 12)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Event, Offer, TestDrive, TradeIn
from tests.factories import make_lead, make_vehicle

OFFER = {
    "vehicle_description": "Golf 8 Life 1.5 TSI",
    "list_price": "20000.00",
    "discount": "1000.00",
    "trade_in_id": "None",
    "vat_rate": "21",
    "valid_until": "2026-12-31",
    "notes": "Winter tyres included",
}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _notes(lead) -> list[Event]:
    return list(
        db.session.scalars(select(Event).where(Event.lead_id == lead.id, Event.kind == "note"))
    )


@pytest.fixture
def seller(login_as):
    return login_as("salesperson")


@pytest.fixture
def lead(seller):
    lead = make_lead(owner=seller)
    db.session.commit()
    return lead


@pytest.mark.parametrize("text", ["nul\x00byte", "escape\x1b[31m", "bell\x07", "c1\x85x"])
def test_control_characters_in_a_note_are_refused(client, lead, text):
    response = client.post(f"/admin/lead-actions/{lead.id}/note", data={"note": text})
    assert response.status_code == 400
    assert "Remove the control characters" in response.text
    assert _notes(lead) == []


def test_tab_and_line_breaks_are_fine_in_multi_line_text(client, lead):
    note = "Line one\r\n\tLine two"
    response = client.post(f"/admin/lead-actions/{lead.id}/note", data={"note": note})
    assert response.status_code == 302
    [event] = _notes(lead)
    assert "Line two" in event.data["text"] and "\t" in event.data["text"]


def test_a_tab_in_a_single_line_field_is_refused(client, lead):
    response = client.post(
        f"/admin/offers/new/{lead.id}", data=OFFER | {"vehicle_description": "Golf\tGTI"}
    )
    assert response.status_code == 400
    assert "Remove the control characters" in response.text
    assert _count(Offer) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("list_price", "1e308", "at most 10,000,000"),
        ("list_price", "10000000.01", "at most 10,000,000"),
        ("list_price", "NaN", "Enter a valid number"),
        ("list_price", "Infinity", "Enter a valid number"),
        ("list_price", "12.345", "at most 2 decimals"),
        ("discount", "-1", "cannot be negative"),
        ("vat_rate", "1e308", "no larger than 10,000,000"),
        ("valid_until", "0001-01-01", "between 1900-01-01 and 2100-12-31"),
        ("valid_until", "9999-12-31", "between 1900-01-01 and 2100-12-31"),
        ("trade_in_id", "99999999999999999999", "whole number between"),
        ("trade_in_id", "   ", "Pick one of this lead"),
    ],
)
def test_offer_numbers_and_dates_out_of_bounds_are_refused(client, lead, field, value, message):
    response = client.post(f"/admin/offers/new/{lead.id}", data=OFFER | {field: value})
    assert response.status_code == 400, response.status_code
    assert message in response.text, field
    assert _count(Offer) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mileage", "2000001", "at most 2,000,000 km"),
        ("mileage", "99999999999999999999", "whole number between"),
        ("mileage", "-5", "cannot be negative"),
        ("first_registration", "0001-01-01", "between 1900-01-01"),
        ("offered_value", "1e308", "at most 10,000,000"),
        ("fuel", "   ", "Not a valid choice"),
        ("make", "VW\x00", "Remove the control characters"),
    ],
)
def test_trade_in_bounds(client, lead, field, value, message):
    form = {"make": "VW", "model": "Golf", field: value}
    response = client.post(f"/admin/trade-ins/new/{lead.id}", data=form)
    assert response.status_code == 400, response.status_code
    assert message in response.text
    assert _count(TradeIn) == 0


def _picker_errors(html: str) -> str:
    """The text of the vehicle picker block (where the hidden id's errors must show)."""
    match = re.search(r'<div class="form-group vehicle-picker".*?</div>\s*</div>', html, re.S)
    assert match, "no vehicle picker on the page"
    return match.group(0)


@pytest.mark.parametrize(
    ("vehicle_id", "message"),
    [("99999999999999999999", "whole number between"), ("999999", "Unknown vehicle")],
)
def test_offer_vehicle_id_errors_show_next_to_the_picker(client, lead, vehicle_id, message):
    response = client.post(
        f"/admin/offers/new/{lead.id}",
        data=OFFER | {"vehicle_id": vehicle_id, "vehicle_description": ""},
    )
    assert response.status_code == 400
    picker = _picker_errors(response.text)
    assert message in picker and "vehicle-search is-invalid" in picker
    assert _count(Offer) == 0


@pytest.mark.parametrize(
    ("vehicle_id", "message"),
    [("99999999999999999999", "whole number between"), ("999999", "Unknown vehicle")],
)
def test_test_drive_vehicle_id_errors_show_next_to_the_picker(client, lead, vehicle_id, message):
    form = {
        "vehicle_id": vehicle_id,
        "driver": str(lead.contact_id),
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-01T11:00",
        "mileage_out": "1200",
    }
    response = client.post(f"/admin/test-drives/new/{lead.id}", data=form)
    assert response.status_code == 400
    picker = _picker_errors(response.text)
    assert message in picker and "vehicle-search is-invalid" in picker
    assert _count(TestDrive) == 0


def test_test_drive_mileage_and_dates_are_bounded(client, lead):
    vehicle = make_vehicle()
    db.session.commit()
    form = {
        "vehicle_id": str(vehicle.id),
        "driver": "99999999999999999999",
        "starts_at": "0001-01-01T10:00",
        "ends_at": "2026-12-01T11:00",
        "mileage_out": "1e308",
        "mileage_in": "3000000",
    }
    response = client.post(f"/admin/test-drives/new/{lead.id}", data=form)
    assert response.status_code == 400
    for message in ("whole number between", "between 1900-01-01", "at most 2,000,000 km"):
        assert message in response.text
    assert _count(TestDrive) == 0


def test_a_select_value_of_three_spaces_is_not_a_valid_choice(client, lead):
    response = client.post(
        f"/admin/lead-actions/{lead.id}/status", data={"status": "   ", "version": "1"}
    )
    assert response.status_code < 500
    assert response.status_code in (302, 400)


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:  # the app's `int` converter is BoundedIntConverter
            yield rule


def test_every_int_route_answers_404_for_an_id_out_of_range(app, client, login_as):
    login_as("admin")
    rules = list(_int_routes(app))
    assert len(rules) > 30
    for rule in rules:
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", "99999999999999999999", url)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, (url, method, response.status_code)
    assert client.get("/admin/leads/99999999999999999999").status_code == 404
    assert client.get("/admin/leads/2147483648").status_code == 404


@pytest.mark.parametrize(
    "endpoint", ["lead_type", "lead_source", "lost_reason", "stock", "contact"]
)
def test_flask_admin_ids_out_of_range_are_records_that_do_not_exist(client, login_as, endpoint):
    login_as("admin")
    for value in ("99999999999999999999", "2147483648", "-1", "   ", "\x00"):
        response = client.get(f"/admin/{endpoint}/edit/", query_string={"id": value})
        assert response.status_code == 302, (endpoint, value, response.status_code)
        assert response.headers["Location"].startswith(f"/admin/{endpoint}/")


@pytest.mark.parametrize(
    "endpoint", ["contact", "lead_type", "lead_source", "lost_reason", "stock"]
)
@pytest.mark.parametrize(
    "args",
    [{"page": "-1"}, {"page": "99999999999999999999"}, {"search": "a\x00b"}, {"page_size": "-5"}],
)
def test_flask_admin_list_arguments_are_bounded(client, login_as, endpoint, args):
    """A hostile list URL is redirected to the same list within bounds, which answers."""
    login_as("admin")
    response = client.get(f"/admin/{endpoint}/", query_string=args)
    assert response.status_code == 302, (endpoint, args, response.status_code)
    bounded = parse_qs(urlsplit(response.headers["Location"]).query)
    assert bounded.get("page", ["0"])[0] in {"0", "100000"}
    assert "\x00" not in str(bounded) and "-5" not in str(bounded)
    response = client.get(response.headers["Location"])
    assert response.status_code == 200, (endpoint, args, response.status_code)
    assert "<table" in response.text


def test_a_list_url_within_bounds_is_served_as_is(client, login_as):
    login_as("admin")
    response = client.get("/admin/contact/", query_string={"page": "0", "search": "Maes"})
    assert response.status_code == 200 and "<table" in response.text
