"""An incoming lead as plain values, whatever channel it came through (issue 15).

Each channel (JSON API, ADF over HTTP, ADF by e-mail, website form) parses its payload
into these dataclasses and passes them, with the raw payload, to the intake service. The
parsers know nothing of the database; the service knows nothing of the payload formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class IntakeError(ValueError):
    """A payload refused: `field` names what is wrong (a JSON path, an XML element or a
    form field), `message` says why, in English (API clients and bounce reports)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class IncomingContact:
    """The customer as the sender describes them. Phones are as received; the intake
    service normalizes them (E.164) before searching for an existing contact."""

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    email: str | None = None
    phones: tuple[str, ...] = ()
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class IncomingVehicle:
    """A vehicle the customer is interested in (or offers as a trade-in).

    `interest` is ADF's: "buy", "sell", "trade-in", "lease" (or "test-drive"); `status`
    is "new" or "used". `stock_number` or `vin` match a vehicle of the stock."""

    interest: str = "buy"
    status: str | None = None
    year: int | None = None
    make: str | None = None
    model: str | None = None
    trim: str | None = None
    vin: str | None = None
    stock_number: str | None = None
    mileage: int | None = None
    price: str | None = None
    comments: str | None = None


@dataclass(frozen=True)
class IncomingLead:
    """One request from a customer.

    `requested_at` is timezone-aware when the sender gave a zone, naive otherwise (the
    service then reads it in the branch's zone). `external_id` is the sender's own id
    of the request (ADF `<id>`, the API's `external_id`): with the source, it makes a
    retry idempotent. `consent` is the website form's marketing consent box, None when
    the channel does not ask."""

    contact: IncomingContact
    vehicles: tuple[IncomingVehicle, ...] = ()
    comments: str | None = None
    requested_at: datetime | None = None
    external_id: str | None = None
    source_name: str | None = None
    provider: str | None = None
    vendor: str | None = None
    branch_hint: str | None = None
    consent: bool | None = None
    extra: dict = field(default_factory=dict)

    @property
    def interest(self) -> str:
        """The request's kind, from its first vehicle ("buy" when there is none)."""
        return self.vehicles[0].interest if self.vehicles else "buy"
