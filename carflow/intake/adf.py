"""ADF (Auto-lead Data Format, XML) → `IncomingLead` (issue 15, item 1).

`parse_adf(data)` reads one ADF document as real senders produce it: with or without
the XML declaration, `<?adf version="1.0"?>` before it, after it or missing, a BOM,
surrounding whitespace, request dates with or without seconds, fractions or a zone.
The XML is parsed with `defusedxml`: a DTD, entity declarations (the billion laughs)
and external entities are refused, as is a document over `MAX_ADF_BYTES`.

One prospect per document: a document with several `<prospect>` elements is refused
(a sender sends one lead per document; an e-mail may carry several documents). Every
refusal is an `IntakeError` whose `field` is the element's path, e.g.
`prospect/customer/contact/name`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from carflow.intake.incoming import IncomingContact, IncomingLead, IncomingVehicle, IntakeError

if TYPE_CHECKING:  # parsing goes through defusedxml only
    from xml.etree.ElementTree import Element  # nosec B405  # noqa: S405

MAX_ADF_BYTES = 1_000_000
INTERESTS = ("buy", "sell", "trade-in", "lease", "test-drive")
_KM_PER_MILE = 1.609344

_BOM = b"\xef\xbb\xbf"
_ADF_PI = re.compile(rb"<\?adf\b.*?\?>", re.IGNORECASE | re.DOTALL)
_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_ROOT = re.compile(rb"<adf[\s>/]", re.IGNORECASE)


class AdfSyntaxError(IntakeError):
    """The body is not an acceptable XML document (too large, not well-formed, a DTD or
    entities): the HTTP endpoint answers 400, as for a body that is not JSON."""


def decode_document(data: bytes) -> str:
    """An ADF document as text for the stored raw payload: UTF-8 (with or without BOM),
    else Latin-1 (never fails)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_adf(
    data: bytes, default_zone: str | None = None, max_bytes: int = MAX_ADF_BYTES
) -> IncomingLead:
    """The one lead of an ADF document, or `IntakeError` naming the faulty element.

    A `<requestdate>` without a zone is read in `default_zone` when given (else left
    naive for the intake service to read in the branch's zone)."""
    root = _parse_xml(data, max_bytes)
    if _local(root.tag) != "adf":
        raise IntakeError("adf", f"the root element is <{_local(root.tag)}>, not <adf>")
    prospects = _children(root, "prospect")
    if not prospects:
        raise IntakeError("adf/prospect", "no <prospect> in the document")
    if len(prospects) > 1:
        raise IntakeError(
            "adf/prospect",
            f"{len(prospects)} prospects in one document: send one lead per document",
        )
    return _read_prospect(prospects[0], default_zone)


def _parse_xml(data: bytes, max_bytes: int) -> Element:
    """The root element, refusing oversized documents, DTDs, entities and bad XML."""
    if len(data) > max_bytes:
        raise AdfSyntaxError("adf", f"the document is larger than {max_bytes} bytes")
    try:
        return SafeET.fromstring(clean_prolog(data), forbid_dtd=True)
    except (DTDForbidden, EntitiesForbidden) as error:
        raise AdfSyntaxError("adf", f"DTDs and entities are not accepted ({error})") from None
    except DefusedXmlException as error:
        raise AdfSyntaxError("adf", f"external references are not accepted ({error})") from None
    except SafeET.ParseError as error:
        raise AdfSyntaxError("adf", f"not well-formed XML: {error}") from None


def clean_prolog(data: bytes) -> bytes:
    """The document with the `<?adf …?>` instruction removed and the BOM and whitespace
    before the XML declaration stripped, so that the declaration comes first (a PI
    before the declaration is not well-formed XML)."""
    root = _ROOT.search(data)
    start = root.start() if root else len(data)
    prolog, body = data[:start], data[start:]
    prolog = _ADF_PI.sub(b"", prolog)
    while True:
        stripped = prolog.lstrip()
        if stripped.startswith(_BOM):
            stripped = stripped[len(_BOM) :]
        if stripped == prolog:
            break
        prolog = stripped
    return prolog + body


def _read_prospect(prospect: Element, default_zone: str | None) -> IncomingLead:
    customer = _child(prospect, "customer")
    if customer is None:
        raise IntakeError("prospect/customer", "no <customer> in the prospect")
    ids = [(_text(item), item.get("source")) for item in _children(prospect, "id")]
    ids = [(value, source) for value, source in ids if value]
    provider = _child(prospect, "provider")
    vendor = _child(prospect, "vendor")
    provider_name = _text(_child(provider, "name")) if provider is not None else None
    extra = {"adf_ids": [{"id": value, "source": source} for value, source in ids]}
    if prospect.get("status"):
        extra["adf_status"] = prospect.get("status")
    return IncomingLead(
        contact=_read_contact(customer),
        vehicles=tuple(
            _read_vehicle(vehicle, index)
            for index, vehicle in enumerate(_children(prospect, "vehicle"))
        ),
        comments=_text(_child(customer, "comments")),
        requested_at=parse_request_date(
            _text(_child(prospect, "requestdate")), default_zone, "prospect/requestdate"
        ),
        external_id=ids[0][0] if ids else None,
        source_name=provider_name,
        provider=provider_name,
        vendor=_text(_child(vendor, "vendorname")) if vendor is not None else None,
        extra=extra,
    )


def _read_contact(customer: Element) -> IncomingContact:
    contacts = _children(customer, "contact")
    if not contacts:
        raise IntakeError("prospect/customer/contact", "no <contact> for the customer")
    primary = [c for c in contacts if c.get("primarycontact") == "1"]
    contact = (primary or contacts)[0]
    first, last, company = _read_names(contact)
    email = _first_text(_children(contact, "email"))
    phones = _read_phones(contact)
    if not (first or last or company or email or phones):
        raise IntakeError(
            "prospect/customer/contact/name",
            "no name, e-mail address or phone number: the customer cannot be contacted",
        )
    address = _child(contact, "address")
    street = city = postal_code = country = None
    if address is not None:
        lines = [_text(line) for line in _children(address, "street")]
        lines.append(_text(_child(address, "apartment")))
        street = ", ".join(line for line in lines if line) or None
        city = _text(_child(address, "city"))
        postal_code = _text(_child(address, "postalcode"))
        country = _text(_child(address, "country"))
    return IncomingContact(
        first_name=first,
        last_name=last,
        company=company,
        email=email,
        phones=phones,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
    )


def _read_names(contact: Element) -> tuple[str | None, str | None, str | None]:
    """(first, last, company): `part="first"`/`"last"`, or a full name split at its last
    space; a `type="business"` name is the company."""
    first = last = full = company = None
    for name in _children(contact, "name"):
        value, part = _text(name), (name.get("part") or "full").lower()
        if not value:
            continue
        if (name.get("type") or "").lower() == "business":
            company = company or value
        elif part == "first":
            first = first or value
        elif part == "last":
            last = last or value
        elif part == "full":
            full = full or value
    if full and not (first or last):
        first, _, last = full.rpartition(" ")
        first, last = first or None, last or None
    return first, last, company


def _read_phones(contact: Element) -> tuple[str, ...]:
    """Every phone number, voice and mobile first, faxes last."""
    phones = [(p.get("type") == "fax", _text(p)) for p in _children(contact, "phone")]
    ordered = sorted((item for item in phones if item[1]), key=lambda item: item[0])
    return tuple(dict.fromkeys(number for _, number in ordered))


def _read_vehicle(vehicle: Element, index: int) -> IncomingVehicle:
    path = f"prospect/vehicle[{index + 1}]"
    interest = (vehicle.get("interest") or "buy").strip().lower()
    if interest not in INTERESTS:
        raise IntakeError(f"{path}/@interest", f"{interest!r} is not one of {', '.join(INTERESTS)}")
    status = (vehicle.get("status") or "").strip().lower() or None
    return IncomingVehicle(
        interest=interest,
        status=status,
        year=_read_int(_child(vehicle, "year"), f"{path}/year", 1900, 2100),
        make=_text(_child(vehicle, "make")),
        model=_text(_child(vehicle, "model")),
        trim=_text(_child(vehicle, "trim")),
        vin=_text(_child(vehicle, "vin")),
        stock_number=_text(_child(vehicle, "stock")),
        mileage=_read_odometer(_child(vehicle, "odometer"), f"{path}/odometer"),
        price=_text(_child(vehicle, "price")),
        comments=_text(_child(vehicle, "comments")),
    )


def _read_int(element: Element | None, path: str, low: int, high: int) -> int | None:
    text = _text(element)
    if text is None:
        return None
    digits = text.replace(",", "").replace(".", "").replace(" ", "")
    if not digits.isdigit() or not low <= int(digits) <= high:
        raise IntakeError(path, f"{text!r} is not a number between {low} and {high}")
    return int(digits)


def _read_odometer(element: Element | None, path: str) -> int | None:
    """The odometer in km (`units="mi"` converted)."""
    value = _read_int(element, path, 0, 10_000_000)
    if value is not None and (element.get("units") or "").lower() in ("mi", "miles"):
        value = round(value * _KM_PER_MILE)
    return value


def parse_request_date(text: str | None, default_zone: str | None, path: str) -> datetime | None:
    """An ADF date-time: no seconds, any fraction (kept to microseconds), `Z`, `+01:00`,
    `+0100`, `+01` or no zone (then `default_zone` when given, else naive)."""
    if not text:
        return None
    match = _DATE.match(text.strip())
    if match is None:
        raise IntakeError(path, f"{text!r} is not a date and time (ISO 8601)")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError as error:
        raise IntakeError(path, f"{text!r} is not a valid date: {error}") from None
    if zone:
        return value.replace(tzinfo=_offset(zone))
    if default_zone:
        try:
            return value.replace(tzinfo=ZoneInfo(default_zone))
        except (ZoneInfoNotFoundError, ValueError):
            return value
    return value


def _offset(zone: str) -> timezone:
    if zone.upper() == "Z":
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(sign * timedelta(minutes=minutes))


def _local(tag) -> str:
    """A tag without its namespace, in lower case (`{ns}Vehicle` → `vehicle`)."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element | None, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None) -> str | None:
    """The element's text with runs of whitespace made one space; None when empty."""
    if element is None:
        return None
    return _SPACES.sub(" ", "".join(element.itertext())).strip() or None


def _first_text(elements: list[Element]) -> str | None:
    preferred = [e for e in elements if e.get("preferredcontact") == "1"]
    for element in preferred + elements:
        if text := _text(element):
            return text
    return None
