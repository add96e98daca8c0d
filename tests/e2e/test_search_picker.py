"""Issue 14, item 5: the one search picker (static/js/search_picker.js) in real Chromium —
keyboard picking on the three forms that use it, what the server saved, Escape, a failing
endpoint, axe with the list open, screenshots."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import Lead, LeadContact, Offer, TestDrive
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead, make_vehicle

CONTACT_LABEL = "Search an existing contact (name, email or phone)"
FAILED = "The search failed. Please try again."


@pytest.fixture
def errors(page):
    """The JavaScript errors the page raised (there must be none)."""
    found = []
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def _submit(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def _open_list(page, box, query: str, option: str):
    """Type the query; the list opens with the option; ArrowDown moves onto it."""
    box.fill(query)
    expect(page.get_by_role("option", name=re.compile(option))).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    labels = page.get_by_role("option").all_text_contents()
    for _ in range(1 + next(i for i, label in enumerate(labels) if option in label)):
        box.press("ArrowDown")
    active = page.locator(f"#{box.get_attribute('aria-activedescendant')}")
    expect(active).to_have_attribute("aria-selected", "true")
    expect(active).to_contain_text(option)


def _saved(model, **filters):
    db.session.expire_all()
    return db.session.scalars(db.select(model).filter_by(**filters)).all()


def test_new_lead_contact_picked_with_the_keyboard(
    page, live_server, e2e_user, screenshot_dir, errors
):
    jan = make_contact(first_name="Jan", last_name="Spouseman", email="jan@example.com")
    make_contact(first_name="Piet", last_name="Spouse", email="piet@example.com")
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/lead/new/")
    box = page.get_by_role("combobox", name=CONTACT_LABEL)
    _open_list(page, box, "Spouse", "Jan Spouseman")
    expect(page.locator("#contact-search-list").get_by_role("option")).to_have_count(2)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"picker-contact-open-{width}.png"))
    blocking = axe_violations(page, "picker-contact-open", screenshot_dir)
    assert blocking == [], describe(blocking)
    page.set_viewport_size({"width": 1366, "height": 900})

    box.press("Enter")  # picks; the form is not sent
    expect(page.locator("#picked-contact")).to_be_visible()
    expect(page.locator("#picked-contact-name")).to_have_text("Jan Spouseman · jan@example.com")
    expect(page.locator("#new-contact")).to_be_hidden()
    expect(page.locator("input[name=contact_id]")).to_have_value(str(jan.id))
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.url.endswith("/admin/lead/new/")
    assert _saved(Lead) == []

    _submit(page, page.get_by_role("button", name="Create lead"))
    expect(page.locator("section.lead-header .lead-contact-name")).to_have_text("Jan Spouseman")
    assert [lead.contact_id for lead in _saved(Lead)] == [jan.id]
    assert errors == []


def test_link_contact_on_the_lead_page_with_the_keyboard(page, live_server, e2e_user, errors):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Maes"))
    jan = make_contact(first_name="Jan", last_name="Spouseman")
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/leads/{lead.id}?tab=contacts")
    form = page.locator(".contact-link-form")
    box = form.get_by_role("combobox", name=CONTACT_LABEL)
    _open_list(page, box, "Spouse", "Jan Spouseman")
    box.press("Enter")
    expect(box).to_have_value("Jan Spouseman")
    expect(form.locator(".contact-picked")).to_have_text(f"Jan Spouseman · {jan.email}")
    form.get_by_label("Relation to the lead").fill("Spouse")
    _submit(page, form.get_by_role("button", name="Link contact"))
    expect(page.locator(".lead-contact").nth(1)).to_contain_text("Jan Spouseman")
    links = _saved(LeadContact, lead_id=lead.id)
    assert [(link.contact_id, link.relation) for link in links] == [(jan.id, "Spouse")]
    assert errors == []


def test_offer_and_test_drive_vehicle_picked_with_the_keyboard(
    page, live_server, e2e_user, screenshot_dir, errors
):
    lead = make_lead(owner=e2e_user)
    kodiaq = make_vehicle(
        stock_number="S-KB1", make="Skoda", model="Kodiaq", price=Decimal("42000")
    )
    make_vehicle(stock_number="S-KB2", make="Skoda", model="Octavia")
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/offers/new/{lead.id}")
    box = page.get_by_role("combobox", name="Stock vehicle")
    _open_list(page, box, "skoda", "Skoda Kodiaq")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"picker-vehicle-open-{width}.png"))
    blocking = axe_violations(page, "picker-vehicle-open", screenshot_dir)
    assert blocking == [], describe(blocking)
    page.set_viewport_size({"width": 1366, "height": 900})
    kodiaq_id = box.get_attribute("aria-activedescendant")
    box.press("ArrowDown")  # onto the Octavia, and back (the list wraps round)
    expect(box).not_to_have_attribute("aria-activedescendant", kodiaq_id)
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", kodiaq_id)
    expect(page.locator(".search-picker-option.active")).to_have_count(1)
    box.press("Enter")
    expect(page.locator("#vehicle-picked")).to_be_visible()
    expect(page.locator(".picked-vehicle-label")).to_contain_text("Kodiaq")
    expect(page.locator("input[name=vehicle_id]")).to_have_value(str(kodiaq.id))
    expect(page.locator("input[name=list_price]")).to_have_value("42000.00")
    expect(box).to_have_value("")
    assert f"/admin/offers/new/{lead.id}" in page.url
    _submit(page, page.get_by_role("button", name="Save offer"))
    expect(page.locator(".alert-success")).to_contain_text("created")
    assert [offer.vehicle_id for offer in _saved(Offer, lead_id=lead.id)] == [kodiaq.id]

    page.goto(f"{live_server}/admin/test-drives/new/{lead.id}")
    box = page.get_by_role("combobox", name="Stock vehicle")
    _open_list(page, box, "S-KB1", "Skoda Kodiaq")
    box.press("Enter")
    expect(page.locator("input[name=vehicle_id]")).to_have_value(str(kodiaq.id))
    page.fill("input[name=starts_at]", "2026-12-01T10:00")
    page.fill("input[name=ends_at]", "2026-12-01T11:00")
    page.fill("input[name=licence_number]", "B-998877")
    _submit(page, page.get_by_role("button", name="Save test drive"))
    expect(page.locator(".alert-success")).to_contain_text("Test drive booked")
    assert [drive.vehicle_id for drive in _saved(TestDrive, lead_id=lead.id)] == [kodiaq.id]
    assert errors == []


def test_escape_closes_the_list_and_the_mouse_still_picks(page, live_server, e2e_user, errors):
    jan = make_contact(first_name="Jan", last_name="Spouseman")
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/lead/new/")
    box = page.get_by_role("combobox", name=CONTACT_LABEL)
    _open_list(page, box, "Spouse", "Jan Spouseman")
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(page.locator("#contact-search-list [role=option]")).to_have_count(0)
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    box.press("Enter")  # nothing active: neither a pick nor a submit
    expect(page.locator("input[name=contact_id]")).to_have_value("")
    assert page.url.endswith("/admin/lead/new/")

    box.fill("Spousem")
    page.get_by_role("option", name=re.compile("Jan Spouseman")).click()
    expect(page.locator("input[name=contact_id]")).to_have_value(str(jan.id))
    page.get_by_role("button", name="Choose another / create new").click()
    expect(page.locator("input[name=contact_id]")).to_have_value("")
    expect(page.locator("#new-contact")).to_be_visible()
    expect(box).to_be_focused()
    assert errors == []


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (500, "text/html", "<h1>Internal Server Error</h1>"),
        (200, "text/html", "<form>login</form>"),
    ],
)
def test_a_failing_search_says_so_without_a_script_error(
    page, live_server, e2e_user, errors, status, content_type, body
):
    make_contact(first_name="Jan", last_name="Spouseman")
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.route(
        "**/admin/lead/contact-search*",
        lambda route: route.fulfill(status=status, content_type=content_type, body=body),
    )
    page.goto(f"{live_server}/admin/lead/new/")
    box = page.get_by_role("combobox", name=CONTACT_LABEL)
    box.fill("Spouse")
    expect(page.locator("#contact-search-status")).to_have_text(FAILED)
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#contact-search-list [role=option]")).to_have_count(0)
    assert errors == []


def test_the_no_result_line_comes_from_the_page(page, live_server, e2e_user, errors):
    lead = make_lead(owner=e2e_user)
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/offers/new/{lead.id}")
    box = page.get_by_role("combobox", name="Stock vehicle")
    box.fill("nothing-like-this")
    expect(page.locator("#vehicle-search-status")).to_have_text("No vehicle found.")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert errors == []


def test_a_late_answer_to_an_older_query_is_ignored(page, live_server, e2e_user, errors):
    make_contact(first_name="Jan", last_name="Spouseman")
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/admin/lead/contact-search*", hold_the_first)
    page.goto(f"{live_server}/admin/lead/new/")
    box = page.get_by_role("combobox", name=CONTACT_LABEL)
    with page.expect_request("**/contact-search?q=Sp"):
        box.fill("Sp")
    box.fill("Spouseman")
    expect(page.get_by_role("option", name=re.compile("Jan Spouseman"))).to_be_visible()
    stale = '{"results": [{"id": 1, "name": "Stale Answer"}]}'
    with page.expect_response("**/contact-search?q=Sp"):
        held[0].fulfill(status=200, content_type="application/json", body=stale)
    # One more round trip to the server: the stale body has long been read by then.
    page.evaluate("() => fetch('/static/js/search_picker.js').then((r) => r.text())")
    options = page.locator("#contact-search-list [role=option]")
    expect(options).to_have_count(1)
    expect(options).to_contain_text("Jan Spouseman")
    assert errors == []
