"""The UI speaks the user's language (en/fr/nl) and formats dates and money for it."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale, format_datetime, get_timezone

from carflow.extensions import db
from carflow.i18n import fmt_datetime, fmt_money, short_datetime_formatter
from tests.factories import make_lead


def test_overview_in_french_and_dutch(client, login_as):
    for language, status, leads in (
        ("fr", "En traitement", "Leads"),
        ("nl", "In behandeling", "Leads"),
        ("en", "In progress", "Leads"),
    ):
        user = login_as("sales_manager", language=language)
        make_lead(owner=user)
        db.session.commit()
        page = client.get("/admin/lead/").get_data(as_text=True)
        assert status in page, language
        assert leads in page


def test_lead_page_header_in_dutch_uses_the_users_time_zone(client, login_as):
    user = login_as("salesperson", language="nl", timezone="America/New_York")
    lead = make_lead(owner=user, now=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    db.session.commit()
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Verantwoordelijke" in page or "Wachtrij" in page or "Bron" in page
    assert "08:00" in page  # 12:00 UTC shown in New York (EDT, UTC-4)


def test_money_is_formatted_per_locale(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert (
                fmt_money(Decimal("1234.5")).replace("\u202f", " ").replace("\xa0", " ")
                == "1 234,50 €"
            )
        with force_locale("nl"):
            assert fmt_money(Decimal("1234.5")).replace("\xa0", " ") == "€ 1.234,50"


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
@pytest.mark.parametrize("zone", ["Europe/Brussels", "America/New_York"])
def test_short_datetime_formatter_equals_babel(app, monkeypatch, language, zone):
    """Issue 8: the cached short form is exactly Babel's, across DST changes and years."""
    monkeypatch.setitem(app.config, "CARFLOW_DEFAULT_TIMEZONE", zone)
    rng = random.Random(f"{language}{zone}")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with app.test_request_context(), force_locale(language):
        assert str(get_timezone()) == zone
        fmt = short_datetime_formatter()
        for _ in range(1500):
            moment = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            assert fmt(moment) == format_datetime(moment, "short") == fmt_datetime(moment)


def test_template_translations_follow_force_locale(app):
    """Issue 8: templates look their catalog up once per locale; force_locale (e-mails in
    the customer's language) and back still give the right language."""
    from flask import render_template_string
    from flask_babel import refresh

    template = "{{ _('Log out') }}"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        french = render_template_string(template)
        with force_locale("nl"):
            dutch = render_template_string(template)
        assert render_template_string(template) == french
        with force_locale("en"):
            assert render_template_string(template) == "Log out"
        refresh()
        assert render_template_string(template) == french
    assert french != dutch and "Log out" not in (french, dutch)


def test_renders_without_the_context_processor_translate_too(app):
    """Issue 14 item 8: a page's catalog rides in its render context (one lookup a render,
    not one a string). A template rendered straight through Jinja (the plain error page)
    and a macro imported without context look it up themselves, in the right language."""
    from types import SimpleNamespace

    from flask import render_template_string
    from flask_babel import gettext

    plain = app.jinja_env.from_string("{{ _('Log out') }}")
    macro = app.jinja_env.from_string(
        "{% import 'admin/lead/_form_macros.html' as fm %}{{ fm.form_errors(form) }}"
    )
    form = SimpleNamespace(form_errors=[], errors={"email": ["bad"]})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        french = render_template_string("{{ _('Log out') }}")
        assert plain.render() == french == gettext("Log out") != "Log out"
        assert gettext("Please correct the errors below.") in macro.render(form=form)
        with force_locale("nl"):
            dutch = plain.render()
            assert dutch == gettext("Log out") not in (french, "Log out")
            assert gettext("Please correct the errors below.") in macro.render(form=form)
        assert plain.render() == french


def test_wtforms_own_messages_follow_each_users_language(client, login_as):
    """WTForms' built-in messages come from its catalog, loaded once per language
    (`safe_form.wtforms_catalog`): each user still reads them in their own language."""
    admin = login_as("admin", language="fr")
    empty = {"name": "", "source": "", "branch": ""}
    for language, message in (
        ("fr", "Ce champ est requis."),
        ("nl", "Dit veld is vereist."),
        ("en", "This field is required."),
        ("fr", "Ce champ est requis."),
    ):
        admin.language = language
        response = client.post("/admin/api-keys/new", data=empty)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), language
