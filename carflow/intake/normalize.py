"""Normalizers for matching people and cars across channels (issue 15, item 2).

Phone numbers become E.164 (`+32470112233`) with `phonenumbers`, read in the branch's
country when they carry no country code; e-mail addresses are trimmed and lower-cased;
plates and VINs keep only their letters and digits, in capitals. Each returns None for
a value that cannot be normalized, so a caller can say which field is wrong.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

DEFAULT_REGION = "BE"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def normalize_phone(raw: str | None, region: str | None = None) -> str | None:
    """The number in E.164, or None when it is empty or not a possible number.

    `region` (ISO 3166 alpha-2, the branch's country) reads national numbers:
    "0470 11 22 33" in "BE" is "+32470112233". A leading "00" is read as "+"."""
    text = (raw or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    """The address trimmed and lower-cased, or None when it is empty or not an address."""
    text = (raw or "").strip().lower()
    if not text or not _EMAIL.match(text) or _has_control_characters(text):
        return None
    return text


def _has_control_characters(text: str) -> bool:
    """Control, format, unassigned or private-use characters (Unicode category C*)."""
    return any(unicodedata.category(char).startswith("C") for char in text)


def normalize_plate(raw: str | None) -> str | None:
    """A licence plate as letters and digits in capitals ("1-abc-234" -> "1ABC234")."""
    text = _NOT_ALNUM.sub("", (raw or "").upper())
    return text or None


def normalize_vin(raw: str | None) -> str | None:
    """A VIN in capitals without separators, or None unless it has the 17 characters of
    ISO 3779 (digits and letters except I, O and Q)."""
    text = _NOT_ALNUM.sub("", (raw or "").upper())
    return text if _VIN.match(text) else None
