"""Issue 13: the time-zone picker puts the account's zone and Europe first and can be
filtered; an empty opening-hours day reads "Closed", not like hours."""

from __future__ import annotations

import re


def test_time_zone_picker_groups_the_account_zone_and_europe_first(client, login_as):
    login_as("salesperson")
    page = client.get("/admin/profile/")
    assert page.status_code == 200
    groups = re.findall(r'<optgroup label="([^"]+)">', page.text)
    assert groups == ["Account time zone", "Europe", "Other time zones"]
    first = page.text.split('<optgroup label="Europe">')[0]
    assert 'value="Europe/Brussels"' in first  # the account's zone, first
    europe = page.text.split('<optgroup label="Europe">')[1].split("</optgroup>")[0]
    assert 'value="Europe/Paris"' in europe and "America/" not in europe
    assert '<option value="America/New_York">America/New York</option>' in page.text
    assert 'data-searchable="Filter: type a city or region"' in page.text


def test_an_empty_opening_hours_day_reads_closed(client, login_as):
    login_as("admin")
    page = client.get("/admin/branches/new/")
    assert page.status_code == 200
    assert 'name="sales_sun"' in page.text
    sunday = re.search(r'<input[^>]*name="sales_sun"[^>]*>', page.text).group(0)
    assert 'placeholder="Closed"' in sunday and "09:00" not in sunday


def test_time_zone_labels_in_french(client, login_as):
    login_as("salesperson", language="fr")
    page = client.get("/admin/profile/")
    assert page.status_code == 200
    assert '<optgroup label="Fuseau horaire du compte">' in page.text


def test_an_empty_day_reads_closed_in_french_not_like_a_closed_lead(client, login_as):
    login_as("admin", language="fr")
    page = client.get("/admin/branches/new/")
    sunday = re.search(r'<input[^>]*name="sales_sun"[^>]*>', page.text).group(0)
    assert 'placeholder="Fermé"' in sunday
