"""ADF documents as real senders produce them → the right IncomingLead or the right refusal
(issue 15, item 1: ADF acceptance list)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carflow.intake.adf import MAX_ADF_BYTES, clean_prolog, parse_adf, parse_request_date
from carflow.intake.incoming import IntakeError

SAMPLES = Path(__file__).parent / "data" / "adf"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_buy_used_with_every_customer_field():
    lead = parse_adf(sample("buy_used.xml"))
    assert lead.interest == "buy"
    assert lead.external_id == "AS24-778812"
    assert lead.provider == lead.source_name == "AutoScout24"
    assert lead.vendor == "Carflow Motors Brussels"
    assert lead.requested_at == datetime(2026, 11, 27, 13, 32, 10, tzinfo=UTC)
    assert lead.comments == "Is it still available? Could I test it on Saturday?"
    contact = lead.contact
    assert (contact.first_name, contact.last_name) == ("Sophie", "Peeters")
    assert contact.email == "Sophie.Peeters@Example.be"
    assert contact.phones == ("0470 12 34 56",)
    assert (contact.street, contact.postal_code, contact.city, contact.country) == (
        "Rue de la Loi 16",
        "1000",
        "Bruxelles",
        "BE",
    )
    (vehicle,) = lead.vehicles
    assert (vehicle.status, vehicle.year, vehicle.make, vehicle.model) == (
        "used",
        2021,
        "Volkswagen",
        "Golf",
    )
    assert (vehicle.vin, vehicle.stock_number, vehicle.mileage, vehicle.price) == (
        "WVWZZZCDZMW012345",
        "ST-10452",
        38500,
        "21990",
    )
    assert vehicle.trim == "Life 1.0 eTSI"
    assert vehicle.comments == "Grey, automatic"
    assert lead.extra["adf_ids"] == [{"id": "AS24-778812", "source": "AutoScout24"}]


def test_sell_with_full_name_split_and_miles_in_km():
    lead = parse_adf(sample("sell.xml"))
    assert lead.interest == "sell"
    assert (lead.contact.first_name, lead.contact.last_name) == ("Jan De", "Smet")
    assert lead.vehicles[0].mileage == round(62000 * 1.609344)
    assert lead.requested_at == datetime(2026, 11, 27, 9, 5, tzinfo=UTC)


def test_trade_in_vehicle_next_to_the_wanted_one():
    lead = parse_adf(sample("trade_in.xml"))
    assert [v.interest for v in lead.vehicles] == ["buy", "trade-in"]
    assert lead.vehicles[1].vin == "TMBJG7NE0J0123456"
    assert lead.external_id == "web-5521"
    # no seconds, no zone: naive, read later in the branch's zone
    assert lead.requested_at == datetime(2026, 11, 28, 10, 15)


def test_no_zone_read_in_the_default_zone_when_given():
    lead = parse_adf(sample("trade_in.xml"), default_zone="Europe/Brussels")
    assert lead.requested_at == datetime(2026, 11, 28, 10, 15, tzinfo=ZoneInfo("Europe/Brussels"))
    assert lead.requested_at.astimezone(UTC).hour == 9


def test_lease_business_name_and_seven_fraction_digits():
    lead = parse_adf(sample("lease.xml"))
    assert lead.interest == "lease"
    assert lead.contact.company == "Transports Dubois SRL"
    assert (lead.contact.first_name, lead.contact.last_name) == ("Claire", "Dubois")
    assert lead.requested_at == datetime(
        2026, 11, 28, 16, 45, 12, 123456, tzinfo=timezone(timedelta(hours=1))
    )


def test_missing_names_with_an_email_still_arrive():
    lead = parse_adf(sample("missing_names.xml"))
    assert lead.contact.first_name is None and lead.contact.last_name is None
    assert lead.contact.email == "anonymous.buyer@example.com"
    assert lead.vehicles[0].stock_number == "ST-20001"


def test_no_name_email_or_phone_is_refused_naming_the_element():
    with pytest.raises(IntakeError) as caught:
        parse_adf(sample("no_contact_means.xml"))
    assert caught.value.field == "prospect/customer/contact/name"
    assert "cannot be contacted" in caught.value.message


def test_several_phones_voice_and_mobile_before_fax():
    lead = parse_adf(sample("several_phones.xml"))
    assert lead.contact.phones == ("+32 2 555 00 00", "+32 475 11 22 33", "+32 2 555 00 01")
    assert lead.requested_at.utcoffset() == timedelta(hours=-5)
    assert lead.vehicles == ()
    assert lead.interest == "buy"


def test_pi_before_declaration_and_bom():
    data = sample("pi_before_declaration_bom.xml")
    assert data.startswith(b"\xef\xbb\xbf<?adf")
    lead = parse_adf(data)
    assert (lead.contact.first_name, lead.contact.last_name) == ("Zoë", "François")
    assert clean_prolog(data).startswith(b'<?xml version="1.0"')


@pytest.mark.parametrize(
    "prolog",
    [
        b"",
        b'<?xml version="1.0"?>',
        b'<?adf version="1.0"?>',
        b'<?xml version="1.0"?>\n<?adf version="1.0"?>\n',
        b'\n  <?adf version="1.0"?>\r\n<?xml version="1.0" encoding="ISO-8859-1"?>',
        b'\xef\xbb\xbf  \n<?xml version="1.0"?>',
    ],
)
def test_every_prolog_real_senders_use(prolog):
    body = b"<adf><prospect><customer><contact><name part='full'>Ann Lee</name>"
    body += b"</contact></customer></prospect></adf>"
    assert parse_adf(prolog + body).contact.last_name == "Lee"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("invalid.xml", "not well-formed XML"),
        ("billion_laughs.xml", "DTDs and entities are not accepted"),
        ("external_entity.xml", "DTDs and entities are not accepted"),
    ],
)
def test_bad_xml_refused(name, text):
    with pytest.raises(IntakeError) as caught:
        parse_adf(sample(name))
    assert caught.value.field == "adf"
    assert text in caught.value.message


def test_several_prospects_refused_with_a_clear_message():
    with pytest.raises(IntakeError) as caught:
        parse_adf(sample("two_prospects.xml"))
    assert caught.value.field == "adf/prospect"
    assert "2 prospects in one document" in caught.value.message


def test_oversized_document_refused_before_parsing():
    data = b"<adf><prospect>" + b" " * MAX_ADF_BYTES + b"</prospect></adf>"
    with pytest.raises(IntakeError) as caught:
        parse_adf(data)
    assert "larger than" in caught.value.message


@pytest.mark.parametrize(
    ("xml", "field"),
    [
        (b"<lead/>", "adf"),
        (b"<adf/>", "adf/prospect"),
        (b"<adf><prospect/></adf>", "prospect/customer"),
        (b"<adf><prospect><customer/></prospect></adf>", "prospect/customer/contact"),
        (
            b"<adf><prospect><requestdate>yesterday</requestdate><customer><contact>"
            b"<email>a@b.be</email></contact></customer></prospect></adf>",
            "prospect/requestdate",
        ),
        (
            b"<adf><prospect><vehicle interest='rent'/><customer><contact>"
            b"<email>a@b.be</email></contact></customer></prospect></adf>",
            "prospect/vehicle[1]/@interest",
        ),
        (
            b"<adf><prospect><vehicle><year>20x1</year></vehicle><customer><contact>"
            b"<email>a@b.be</email></contact></customer></prospect></adf>",
            "prospect/vehicle[1]/year",
        ),
        (b"", "adf"),
        (b"\xff\xfe garbage", "adf"),
    ],
)
def test_each_refusal_names_the_element(xml, field):
    with pytest.raises(IntakeError) as caught:
        parse_adf(xml)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-29T10:15", datetime(2026, 11, 29, 10, 15)),
        ("2026-11-29T10:15:30", datetime(2026, 11, 29, 10, 15, 30)),
        ("2026-11-29T10:15:30.1234567Z", datetime(2026, 11, 29, 10, 15, 30, 123456, UTC)),
        ("2026-11-29T10:15Z", datetime(2026, 11, 29, 10, 15, tzinfo=UTC)),
        ("2026-11-29T10:15:30+01:00", datetime(2026, 11, 29, 9, 15, 30, tzinfo=UTC)),
        ("2026-11-29T10:15:30+0100", datetime(2026, 11, 29, 9, 15, 30, tzinfo=UTC)),
        ("2026-11-29T10:15:30-0530", datetime(2026, 11, 29, 15, 45, 30, tzinfo=UTC)),
        ("2026-11-29 10:15:30", datetime(2026, 11, 29, 10, 15, 30)),
        ("2026-11-29", datetime(2026, 11, 29)),
    ],
)
def test_request_date_forms(text, expected):
    assert parse_request_date(text, None, "requestdate") == expected


def test_impossible_request_date_refused():
    with pytest.raises(IntakeError) as caught:
        parse_request_date("2026-02-30T10:00", None, "prospect/requestdate")
    assert caught.value.field == "prospect/requestdate"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_lead_or_an_intake_error(data):
    try:
        parse_adf(data)
    except IntakeError as error:
        assert error.field and error.message


ELEMENTS = st.sampled_from(
    [
        "prospect",
        "customer",
        "contact",
        "name",
        "email",
        "phone",
        "vehicle",
        "year",
        "odometer",
        "requestdate",
        "id",
        "comments",
        "address",
        "street",
    ]
)


@st.composite
def adf_like(draw, depth=0):
    """Documents made of ADF's element names, attributes and texts, nested at random."""
    tag = draw(ELEMENTS)
    attrs = draw(
        st.dictionaries(
            st.sampled_from(["part", "type", "interest", "units"]),
            st.text("abcdefmiluy-", max_size=8),
            max_size=2,
        )
    )
    text = draw(st.text(max_size=20)).replace("&", "").replace("<", "")
    # Depth 0 to 3: prospect > customer > contact > name, the deepest path of real ADF.
    children = draw(st.lists(adf_like(depth + 1), max_size=3)) if depth < 3 else []
    attributes = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<{tag}{attributes}>{text}{''.join(children)}</{tag}>"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(adf_like(), min_size=1, max_size=2))
def test_adf_shaped_documents_give_a_lead_or_an_intake_error(parts):
    document = ("<adf>" + "".join(parts) + "</adf>").encode("utf-8", "surrogatepass")
    try:
        lead = parse_adf(document)
    except IntakeError as error:
        assert error.field and error.message
    else:
        assert lead.contact is not None
