"""The intake normalizers (issue 15, item 2): examples and properties."""

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from carflow.intake.normalize import (
    normalize_email,
    normalize_phone,
    normalize_plate,
    normalize_vin,
)


def test_phone_examples():
    assert normalize_phone("0470 11 22 33", "BE") == "+32470112233"
    assert normalize_phone("+32 470/11.22.33") == "+32470112233"
    assert normalize_phone("0032470112233") == "+32470112233"
    assert normalize_phone("06 12 34 56 78", "FR") == "+33612345678"
    assert normalize_phone("06 12345678", "NL") == "+31612345678"
    assert normalize_phone("") is None
    assert normalize_phone("call me") is None
    assert normalize_phone("12") is None


@given(st.sampled_from(["BE", "FR", "NL", "DE"]), st.integers(100_000_000, 999_999_999))
def test_phone_is_idempotent_and_region_free_once_normalized(region, national):
    first = normalize_phone(f"0{national}", region)
    if first is None:
        return
    assert first.startswith("+")
    assert normalize_phone(first, region) == first
    assert normalize_phone(first, "US") == first
    assert phonenumbers.parse(first).national_number == national


@given(st.text(max_size=40))
def test_normalizers_never_raise_and_are_idempotent(text):
    for normalize in (normalize_email, normalize_plate, normalize_vin):
        once = normalize(text)
        assert once is None or normalize(once) == once
    phone = normalize_phone(text)
    assert phone is None or normalize_phone(phone) == phone


def test_email_plate_vin_examples():
    assert normalize_email("  Jan.Peeters@Example.BE ") == "jan.peeters@example.be"
    assert normalize_email("not an address") is None
    assert normalize_email("a\x17b@example.be") is None
    assert normalize_plate("1-abc-234") == "1ABC234"
    assert normalize_plate(" - ") is None
    assert normalize_vin("wvw zzz 1k z6w 000001") == "WVWZZZ1KZ6W000001"
    assert normalize_vin("WVWZZZ1KZ6W00000I") is None
