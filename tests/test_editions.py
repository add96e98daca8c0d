"""F33: license editions gate features for every user; account settings and branches."""

import io

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AccountSettings, AuditLog, Branch, Edition
from carflow.permissions import EDITION_FEATURES, FEATURE_LABELS, Feature, can
from carflow.services.account import format_opening_hours, parse_opening_hours
from carflow.services.errors import ServiceError
from tests.factories import make_branch, make_lead

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _set_edition(edition):
    AccountSettings.get().edition = edition
    db.session.commit()


def test_the_edition_table_covers_every_feature():
    assert EDITION_FEATURES[Edition.expert] == frozenset(FEATURE_LABELS)
    assert Feature.LEADS not in EDITION_FEATURES[Edition.go]
    assert EDITION_FEATURES[Edition.go] <= EDITION_FEATURES[Edition.pro]


def test_go_edition_hides_and_refuses_leads_even_for_the_administrator(client, login_as):
    admin = login_as("admin")
    lead = make_lead(owner=admin)
    _set_edition(Edition.go)
    assert not can(admin, "lead.view", lead)
    home = client.get("/admin/")
    assert home.status_code == 200
    assert b"/admin/lead/" not in home.data and b"/admin/contact/" not in home.data
    assert client.get("/admin/lead/").status_code == 403
    assert client.get(f"/admin/leads/{lead.id}").status_code in (403, 404)
    assert client.get("/admin/lead/new/").status_code == 403
    assert client.get("/admin/contact/").status_code == 403
    # Account settings have no feature: still reachable to switch back.
    assert client.get("/admin/account/").status_code == 200


def test_pro_edition_has_leads_but_not_communications(client, login_as):
    admin = login_as("admin")
    lead = make_lead(owner=admin)
    _set_edition(Edition.pro)
    assert can(admin, "lead.view", lead)
    assert not can(admin, "communication.send", lead)
    assert not can(admin, "test_drive.manage", lead)
    assert client.get(f"/admin/leads/{lead.id}").status_code == 200


def test_settings_page_shows_the_feature_edition_matrix(client, login_as):
    login_as("admin")
    page = client.get("/admin/account/").data.decode()
    assert "edition-matrix" in page
    for label in FEATURE_LABELS.values():
        assert str(label) in page
    for edition in Edition:
        assert str(edition.label) in page


def test_changing_edition_needs_manage_settings_and_is_logged(client, login_as):
    admin = login_as("admin")
    assert client.post("/admin/account/edition", data={"edition": "pro"}).status_code == 302
    assert AccountSettings.get().edition == Edition.pro
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "edition_changed"))
    assert entry.actor_id == admin.id and entry.details == {"edition": ["expert", "pro"]}


@pytest.mark.parametrize("role", ["sales_manager", "salesperson", "receptionist", "read_only"])
def test_others_cannot_change_the_edition(client, login_as, role):
    login_as(role)
    assert client.post("/admin/account/edition", data={"edition": "go"}).status_code == 403
    assert client.get("/admin/account/").status_code == 403
    assert client.get("/admin/branches/").status_code == 403
    assert AccountSettings.get().edition == Edition.expert


def test_company_data_is_saved_and_validated(client, login_as):
    login_as("admin")
    settings = AccountSettings.get()
    data = {
        "company_name": "Garage Dupont",
        "official_name": "Garage Dupont SRL",
        "vat_number": "BE0123456789",
        "bank": "KBC",
        "iban": "be71 0961 2345 6769",
        "bic": "kredbebb",
        "version": str(settings.version_id),
        "edition": "go",  # not a field of this form
    }
    assert client.post("/admin/account/company", data=data).status_code == 302
    settings = AccountSettings.get()
    assert settings.iban == "BE71096123456769" and settings.bic == "KREDBEBB"
    assert settings.official_name == "Garage Dupont SRL"
    assert settings.edition == Edition.expert
    bad = client.post(
        "/admin/account/company",
        data={**data, "iban": "nonsense", "version": str(settings.version_id)},
    )
    assert bad.status_code == 400 and b"valid IBAN" in bad.data
    stale = client.post("/admin/account/company", data={**data, "version": "0"})
    assert b"Someone else changed" in stale.data


def test_logo_upload_accepts_images_only_and_is_served(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/account/logo",
        data={"file": (io.BytesIO(PNG), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    name = AccountSettings.get().logo_stored_name
    assert name
    with client.get("/admin/account/logo") as logo:
        assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == PNG
    bad = client.post(
        "/admin/account/logo",
        data={"file": (io.BytesIO(b"<svg onload=alert(1)></svg>"), "x.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert AccountSettings.get().logo_stored_name == name


def test_opening_hours_are_parsed_into_the_json_shape():
    hours = parse_opening_hours({"mon": "09:00-12:30, 13:30-18:00", "sat": "10:00-16:00"}, "x")
    assert hours == {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], "sat": [["10:00", "16:00"]]}
    assert format_opening_hours(hours)["mon"] == "09:00-12:30,13:30-18:00"
    for bad in ("9-12", "12:00-09:00", "25:00-26:00", "09:00-12:30;13:00-14:00"):
        with pytest.raises(ServiceError):
            parse_opening_hours({"tue": bad}, "x")


def _branch_form(**overrides):
    data = {
        "name": "Ghent",
        "street": "Kortrijksesteenweg 1",
        "postal_code": "9000",
        "city": "Gent",
        "country": "be",
        "phone": "+32 9 123 45 67",
        "email": "ghent@dealer.example",
        "lead_notification_email": "leads.ghent@dealer.example",
        "website": "https://dealer.example/ghent",
        "timezone": "Europe/Brussels",
        "active": "y",
        "sales_mon": "09:00-12:30,13:30-18:00",
        "aftersales_sat": "08:00-12:00",
    }
    data.update(overrides)
    return data


def test_branch_create_and_edit_with_opening_hours(client, login_as):
    login_as("admin")
    assert client.post("/admin/branches/new/", data=_branch_form()).status_code == 302
    branch = db.session.scalar(select(Branch).where(Branch.name == "Ghent"))
    assert branch.country == "BE"
    assert branch.opening_hours_sales == {"mon": [["09:00", "12:30"], ["13:30", "18:00"]]}
    assert branch.opening_hours_aftersales == {"sat": [["08:00", "12:00"]]}
    form = client.get(f"/admin/branches/{branch.id}/edit").data.decode()
    assert "09:00-12:30,13:30-18:00" in form
    bad = client.post(f"/admin/branches/{branch.id}/edit", data=_branch_form(sales_tue="9h-12h"))
    assert bad.status_code == 400 and b"09:00-12:30,13:30-18:00" in bad.data
    ok = client.post(f"/admin/branches/{branch.id}/edit", data=_branch_form(city="Ghent"))
    assert ok.status_code == 302
    db.session.refresh(branch)
    assert branch.city == "Ghent"


def test_branch_names_are_unique(client, login_as):
    login_as("admin")
    make_branch("Ghent")
    response = client.post("/admin/branches/new/", data=_branch_form())
    assert b"exists already" in response.data


def _settings_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "account_settings" in s.lower()]


def test_the_signed_in_user_and_the_edition_come_in_one_statement(client, login_as, count_queries):
    """Issue 14: every request needs the edition (menu, permission checks); it is read by
    the statement that loads the signed-in user, not by a second one."""
    login_as("admin")
    _set_edition(Edition.pro)
    with count_queries() as statements:
        page = client.get("/admin/lead/")
    assert page.status_code == 200 and b'href="/admin/contact/"' in page.data
    settings_reads = _settings_statements(statements)
    assert len(settings_reads) == 1
    assert '"user"' in settings_reads[0] or "user." in settings_reads[0].lower()


def test_an_edition_changed_elsewhere_applies_to_the_next_request(app, client, login_as):
    """The edition is read again on every request: a change committed by another process
    (here a separate connection) refuses the lead pages at once."""
    login_as("admin")
    _set_edition(Edition.expert)
    assert client.get("/admin/lead/").status_code == 200
    with db.engine.begin() as other:
        other.execute(AccountSettings.__table__.update().values(edition=Edition.go.name))
    refused = client.get("/admin/lead/")
    assert refused.status_code == 403
    assert b"not included in your edition" in refused.data


def test_a_page_works_before_the_settings_row_exists(client, login_as, count_queries):
    """A new database has no settings row: the user loads without it (an outer join), and
    the edition is the default one (expert) of the row `AccountSettings.get` makes."""
    login_as("admin")
    db.session.execute(AccountSettings.__table__.delete())
    db.session.commit()
    with count_queries() as statements:
        page = client.get("/admin/lead/")
    assert page.status_code == 200 and b'href="/admin/contact/"' in page.data
    assert len(_settings_statements(statements)) >= 2  # the join, then the row's own read
