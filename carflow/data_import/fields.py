"""The importable columns: header names (en/fr/nl), and how each value is read.

A reader returns the clean value, or raises `BadValue(code)`; the code is worded at
display time (`REASONS`) in the reader's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from carflow.intake.normalize import normalize_email, normalize_phone, normalize_vin
from carflow.models.enums import Fuel, Gearbox

REASONS = {
    "required": _l("A value is required."),
    "email": _l("Not an e-mail address."),
    "phone": _l("Not a phone number."),
    "vin": _l("Not a VIN (17 letters and digits, no I, O or Q)."),
    "number": _l("Not a number."),
    "date": _l("Not a date (use 2024-03-31 or 31/03/2024)."),
    "too_long": _l("Too long."),
    "choice": _l("Not one of the accepted values."),
    "contact_way": _l("Give at least an e-mail address or a phone number."),
    "duplicate_key": _l("Another vehicle already has this stock number or VIN."),
}


class BadValue(ValueError):
    """A value that cannot be imported; `code` is a key of REASONS."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _text(limit: int):
    def read(value, country=None):
        text = _as_text(value)
        if text is not None and len(text) > limit:
            raise BadValue("too_long")
        return text

    return read


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_email(value, country=None):
    text = _as_text(value)
    if text is None:
        return None
    email = normalize_email(text)
    if email is None or len(email) > 254:
        raise BadValue("email")
    return email


def read_phone(value, country=None):
    text = _as_text(value)
    if text is None:
        return None
    phone = normalize_phone(text, country)
    if phone is None:
        raise BadValue("phone")
    return phone


def read_vin(value, country=None):
    text = _as_text(value)
    if text is None:
        return None
    vin = normalize_vin(text)
    if vin is None:
        raise BadValue("vin")
    return vin


_MONEY_NOISE = re.compile(r"[\s\u00a0\u202f€$£'’]|EUR", re.IGNORECASE)


def read_decimal(value, country=None) -> Decimal | None:
    """12500 / 12 500,50 / 12.500,50 / 12,500.50 / € 12500: the last separator is decimal."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = _as_text(value)
    if text is None:
        return None
    text = _MONEY_NOISE.sub("", text)
    last = max(text.rfind(","), text.rfind("."))
    if last >= 0 and (text.count(",") + text.count(".") > 1 or text[last] == ","):
        whole = text[:last].replace(",", "").replace(".", "")
        text = f"{whole}.{text[last + 1 :]}"
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue("number") from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise BadValue("number")
    return number.quantize(Decimal("0.01"))


def read_int(value, country=None) -> int | None:
    number = read_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise BadValue("number")
    return int(number)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m/%Y", "%Y")


def read_date(value, country=None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _as_text(value)
    if text is None:
        return None
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text[:10], fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    raise BadValue("date")


def _choice(enum_cls, words: dict[str, str]):
    def read(value, country=None):
        text = _as_text(value)
        if text is None:
            return None
        key = header_key(text)
        for member in enum_cls:
            if key in (member.value, header_key(str(member.label))):
                return member
        if key in words:
            return enum_cls(words[key])
        raise BadValue("choice")

    return read


FUEL_WORDS = {
    "essence": "petrol", "benzine": "petrol", "gasoline": "petrol", "gasoil": "diesel",
    "hybride": "hybrid", "electrique": "electric", "elektrisch": "electric", "ev": "electric",
    "plug in hybrid": "plugin_hybrid", "hybride rechargeable": "plugin_hybrid", "lpg": "lpg",
}  # fmt: skip
GEARBOX_WORDS = {
    "manuelle": "manual", "manuel": "manual", "handgeschakeld": "manual", "manueel": "manual",
    "automatique": "automatic", "automaat": "automatic", "auto": "automatic",
}  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    label: object
    read: object
    headers: tuple[str, ...]
    required: bool = False


CONTACT_FIELDS = (
    Field("first_name", _l("First name"), _text(80),
          ("first name", "firstname", "given name", "prenom", "voornaam")),
    Field("last_name", _l("Last name or company"), _text(120),
          ("last name", "lastname", "surname", "name", "company", "nom", "nom de famille",
           "societe", "achternaam", "naam", "familienaam", "bedrijf"), required=True),
    Field("email", _l("E-mail"), read_email,
          ("email", "e mail", "mail", "email address", "courriel", "adresse e mail",
           "e mailadres", "emailadres")),
    Field("phone", _l("Phone"), read_phone,
          ("phone", "telephone", "tel", "phone number", "telefoon", "telefoonnummer",
           "numero de telephone")),
    Field("mobile", _l("Mobile"), read_phone,
          ("mobile", "mobile phone", "cell", "gsm", "portable", "mobiel", "gsm nummer")),
    Field("street", _l("Street"), _text(200),
          ("street", "address", "adresse", "rue", "straat", "adres")),
    Field("postal_code", _l("Postal code"), _text(20),
          ("postal code", "postcode", "zip", "zip code", "code postal", "cp")),
    Field("city", _l("City"), _text(120),
          ("city", "town", "ville", "localite", "commune", "stad", "gemeente", "plaats",
           "woonplaats")),
    Field("country", _l("Country"), _text(2), ("country", "country code", "pays", "land")),
    Field("notes", _l("Notes"), _text(5000),
          ("notes", "note", "remarks", "comment", "comments", "remarques", "commentaire",
           "opmerkingen", "opmerking")),
)  # fmt: skip

STOCK_FIELDS = (
    Field("stock_number", _l("Stock number"), _text(30),
          ("stock number", "stock no", "stock", "stock nr", "reference", "ref",
           "numero de stock", "n stock", "stocknummer", "voorraadnummer", "referentie"),
          required=True),
    Field("vin", _l("VIN"), read_vin,
          ("vin", "chassis", "chassis number", "numero de chassis", "chassisnummer")),
    Field("make", _l("Make"), _text(60), ("make", "brand", "marque", "merk"), required=True),
    Field("model", _l("Model"), _text(60), ("model", "modele"), required=True),
    Field("version", _l("Version"), _text(120), ("version", "trim", "finition", "uitvoering")),
    Field("plate", _l("Plate"), _text(20),
          ("plate", "licence plate", "license plate", "registration", "immatriculation",
           "plaque", "kenteken", "nummerplaat")),
    Field("first_registration", _l("First registration"), read_date,
          ("first registration", "registration date", "premiere immatriculation",
           "date de premiere immatriculation", "eerste inschrijving", "datum eerste inschrijving")),
    Field("mileage", _l("Mileage"), read_int,
          ("mileage", "km", "kilometers", "odometer", "kilometrage", "kilometerstand")),
    Field("fuel", _l("Fuel"), _choice(Fuel, FUEL_WORDS), ("fuel", "carburant", "brandstof")),
    Field("gearbox", _l("Gearbox"), _choice(Gearbox, GEARBOX_WORDS),
          ("gearbox", "transmission", "boite", "boite de vitesses", "versnellingsbak")),
    Field("color", _l("Colour"), _text(40), ("color", "colour", "couleur", "kleur")),
    Field("price", _l("Price"), read_decimal, ("price", "prix", "prijs", "price eur"),
          required=True),
)  # fmt: skip

FIELDS = {"contacts": CONTACT_FIELDS, "stock": STOCK_FIELDS}
KINDS = {"contacts": _l("Contacts"), "stock": _l("Stock")}


def header_key(text: str) -> str:
    """A header as compared: no accents, lower case, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def auto_mapping(kind: str, headers: list[str]) -> list[str]:
    """The field for each column, matched by its header name (each field used once)."""
    by_header = {h: f.name for f in FIELDS[kind] for h in (f.name.replace("_", " "), *f.headers)}
    used: set[str] = set()
    mapping = []
    for header in headers:
        name = by_header.get(header_key(header), "")
        if name in used:
            name = ""
        used.add(name)
        mapping.append(name)
    return mapping
