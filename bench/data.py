"""Realistic row builders for the benchmark data (deterministic given the random source)."""

from __future__ import annotations

from datetime import timedelta

from carflow.models import ContactKind
from carflow.services.search import contact_terms, lead_terms, normalize

FIRST = (
    "Jan Marc Luc Peter Tom Koen Bart Wim Dirk Filip Kris Stijn Pieter Thomas Nicolas Julien "
    "Maxime Olivier Antoine Pierre Emma Sarah Laura Julie Marie Sofie Lotte Eva Anna Lisa Nathalie "
    "Isabelle Camille Chloé Léa Manon Inès Elise Hanne Ellen Fatima Mohamed Youssef Amira Ahmed"
).split()
ROOTS = (
    "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters De Smet Dubois Lambert "
    "Dupont Martin Simon Laurent Leclercq Hermans Michiels Aerts Desmet Verstraete Stevens "
    "Pauwels Vermeulen Declercq Hendrickx Lemmens Cools Smets Van Damme Verhoeven Bosmans "
    "Renard Dumont Lejeune Gilles Mathieu François Rousseau Denis Fontaine Moreau Girard "
    "Bogaert Martens Coppens Segers Baert Vandenberghe Lambrecht Dewulf Vos Huygens Wuyts "
    "Nys Thys Van Acker Verbeke Vervoort"
).split()
SUFFIXES = ("", "s", "e", "en", "ens", "x", "man", "mans", "aert", "ier", "eau", "ot", "in")
CITIES = (
    "Brussels Antwerp Ghent Liège Namur Leuven Mons Bruges Hasselt Mechelen Aalst Kortrijk"
).split()
CARS = (
    ("Volkswagen", "Golf"),
    ("Peugeot", "308"),
    ("BMW", "320i"),
    ("Renault", "Clio"),
    ("Toyota", "Yaris"),
    ("Skoda", "Octavia"),
    ("Audi", "A3"),
    ("Tesla", "Model 3"),
    ("Volvo", "XC40"),
    ("Kia", "Niro"),
    ("Mercedes", "A 180"),
    ("Ford", "Focus"),
)
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
SURNAMES = [root + suffix for root in ROOTS for suffix in SUFFIXES]  # ~800 distinct names

CONTACT_COLUMNS = (
    "id", "kind", "salutation", "first_name", "last_name", "email", "phone", "mobile", "city",
    "country", "language", "branch_id", "created_at", "updated_at", "version_id",
    "phone_e164", "mobile_e164",
)  # fmt: skip


def plate(rng) -> str:
    """A Belgian-style plate: 1-ABC-234."""
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(3))
    return f"{rng.randint(1, 2)}-{letters}-{rng.randint(0, 999):03d}"


def vin(rng) -> str:
    return "".join(rng.choice(VIN_CHARS) for _ in range(17))


class ContactRow:
    """The searched fields of a generated contact (what `contact_terms` reads)."""

    __slots__ = ("first_name", "last_name", "email", "phone", "mobile")

    def __init__(self, first_name, last_name, email, phone, mobile):
        self.first_name, self.last_name = first_name, last_name
        self.email, self.phone, self.mobile = email, phone, mobile


def contact_row(rng, contact_id: int, branch_ids, created_at):
    """One contact tuple (CONTACT_COLUMNS) and its search terms; ~8 % are companies."""
    company = rng.random() < 0.08
    last = rng.choice(SURNAMES)
    first = None if company else rng.choice(FIRST)
    if company:
        last = f"{last} {rng.choice(('Motors', 'Logistics', 'Bouw', 'Consulting', 'NV', 'BV'))}"
    email = f"{normalize(first or 'info')}.{normalize(last)}{contact_id}@example.com"
    phone = f"+32{rng.choice('2349')}{rng.randint(1000000, 9999999)}"
    mobile = f"+3247{rng.randint(0, 9)}{contact_id:06d}" if rng.random() < 0.7 else None
    row = (
        contact_id,
        (ContactKind.company if company else ContactKind.person).value,
        "company" if company else rng.choice(("mr", "mrs", "ms")),
        first,
        last,
        email,
        phone,
        mobile,
        rng.choice(CITIES),
        "BE",
        rng.choice(("nl", "fr", "en")),
        rng.choice(branch_ids),
        created_at,
        created_at,
        1,
        phone,  # already E.164, as the app keeps `phone_e164` / `mobile_e164` (issue 15)
        mobile,
    )
    return row, sorted(contact_terms(ContactRow(first, last, email, phone, mobile)))


def code_terms(code: str) -> set[str]:
    return lead_terms(code)


def at_hour(moment, hours: float):
    return moment + timedelta(hours=hours)
