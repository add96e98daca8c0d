"""A realistic demo dealership: branches, users of every role, contacts, stock, leads."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import (
    AccountSettings,
    Branch,
    ContactKind,
    ContactOutcome,
    Deadline,
    Fuel,
    Gearbox,
    LeadSource,
    LeadStatus,
    LeadType,
    LostReason,
    Salutation,
    Vehicle,
    utcnow,
)
from carflow.services.contacts import create_contact
from carflow.services.deadlines import record_contact_outcome
from carflow.services.leads import add_note, change_status, create_lead
from carflow.services.offers import OfferData, make_offer
from carflow.services.tasks import schedule_task
from carflow.services.test_drives import TestDriveData, book_test_drive, find_overlap
from carflow.services.trade_ins import add_trade_in
from carflow.services.users import create_user

# The documented demo login (README).
DEMO_PASSWORD = "carflow-demo"  # noqa: S105  # nosec B105
# (email, password, role) — listed in the README.
DEMO_USERS = [
    ("admin@carflow.example", DEMO_PASSWORD, "admin"),
    ("manager@carflow.example", DEMO_PASSWORD, "sales_manager"),
    ("sales@carflow.example", DEMO_PASSWORD, "salesperson"),
    ("sales.ghent@carflow.example", DEMO_PASSWORD, "salesperson"),
    ("reception@carflow.example", DEMO_PASSWORD, "receptionist"),
    ("readonly@carflow.example", DEMO_PASSWORD, "read_only"),
]

# Reference data in English, French and Dutch (shown in the reader's language).
LEAD_TYPES = [
    (("Purchase", "Achat", "Aankoop"), 4 * 60),
    (("Sale", "Vente", "Verkoop"), 24 * 60),
    (("Trade-in", "Reprise", "Inruil"), 24 * 60),
    (("Lease", "Leasing", "Leasing"), 48 * 60),
]
SOURCES = [
    ("Showroom", "Showroom", "Toonzaal"),
    ("Website", "Site web", "Website"),
    ("Phone", "Téléphone", "Telefoon"),
    ("AutoScout24", "AutoScout24", "AutoScout24"),
    ("Mobile.de", "Mobile.de", "Mobile.de"),
    ("Referral", "Recommandation", "Doorverwijzing"),
    ("Event", "Événement", "Evenement"),
]
LOST_REASONS = [
    ("Bought elsewhere", "Acheté ailleurs", "Elders gekocht"),
    ("Price too high", "Prix trop élevé", "Prijs te hoog"),
    ("No longer interested", "Plus intéressé", "Niet meer geïnteresseerd"),
    ("Unreachable", "Injoignable", "Onbereikbaar"),
]
FIRST = [
    "Emma",
    "Lucas",
    "Louise",
    "Noah",
    "Marie",
    "Liam",
    "Julie",
    "Arthur",
    "Sofie",
    "Jules",
    "Nora",
    "Victor",
    "Lena",
    "Adam",
    "Elise",
    "Finn",
    "Anna",
    "Milan",
    "Lotte",
    "Hugo",
]
LAST = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "Leroy",
    "Simon",
    "Vermeulen",
    "Van Damme",
    "Lemaire",
    "Laurent",
]
CARS = [
    ("Volkswagen", "Golf", "1.5 eTSI Life"),
    ("Peugeot", "308", "1.2 PureTech Allure"),
    ("BMW", "320i", "Touring M Sport"),
    ("Renault", "Clio", "TCe 90 Evolution"),
    ("Toyota", "Yaris", "Hybrid 116 Dynamic"),
    ("Skoda", "Octavia", "Combi 2.0 TDI Style"),
    ("Audi", "A3", "Sportback 35 TFSI"),
    ("Tesla", "Model 3", "Long Range"),
    ("Volvo", "XC40", "B3 Core"),
    ("Kia", "Niro", "EV Pulse"),
]


def ensure_reference_data() -> None:
    """Lead types, sources, lost reasons and the settings row, if missing."""
    AccountSettings.get()
    if db.session.scalar(select(LeadType.id).limit(1)) is None:
        for pos, ((name, fr, nl), delay) in enumerate(LEAD_TYPES):
            db.session.add(
                LeadType(
                    name=name,
                    name_fr=fr,
                    name_nl=nl,
                    first_contact_delay_minutes=delay,
                    position=pos,
                )
            )
    if db.session.scalar(select(LeadSource.id).limit(1)) is None:
        for pos, (name, fr, nl) in enumerate(SOURCES):
            db.session.add(
                LeadSource(
                    name=name, name_fr=fr, name_nl=nl, position=pos, is_media_partner=pos in (3, 4)
                )
            )
    if db.session.scalar(select(LostReason.id).limit(1)) is None:
        for pos, (name, fr, nl) in enumerate(LOST_REASONS):
            db.session.add(LostReason(name=name, name_fr=fr, name_nl=nl, position=pos))
    db.session.flush()


def _branches() -> list[Branch]:
    hours = {
        d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
    }
    hours["sat"] = [["10:00", "17:00"]]
    branches = [
        Branch(
            name="Brussels",
            city="Brussels",
            postal_code="1000",
            country="BE",
            street="Rue de la Loi 1",
            phone="+32 2 555 01 00",
            email="brussels@carflow.example",
            opening_hours_sales=hours,
            opening_hours_aftersales=hours,
        ),
        Branch(
            name="Ghent",
            city="Ghent",
            postal_code="9000",
            country="BE",
            street="Korenmarkt 5",
            phone="+32 9 555 02 00",
            email="ghent@carflow.example",
            opening_hours_sales=hours,
            opening_hours_aftersales=hours,
        ),
        Branch(
            name="Liège",
            city="Liège",
            postal_code="4000",
            country="BE",
            street="Place Saint-Lambert 3",
            phone="+32 4 555 03 00",
            email="liege@carflow.example",
            opening_hours_sales=hours,
            opening_hours_aftersales=hours,
        ),
    ]
    db.session.add_all(branches)
    db.session.flush()
    return branches


def _users(branches):
    names = {
        "admin": ("Alice", "Admin"),
        "sales_manager": ("Marc", "Manager"),
        "salesperson": ("Sam", "Seller"),
        "receptionist": ("Rita", "Reception"),
        "read_only": ("Otto", "Observer"),
    }
    users = []
    for email, password, role in DEMO_USERS:
        first, last = names[role]
        branch = branches[1] if "ghent" in email else branches[0]
        if "ghent" in email:
            first, last = "Griet", "Verkoper"
        users.append(
            create_user(
                email,
                password,
                first,
                last,
                role=role,
                branch=branch,
                language="fr" if role == "receptionist" else "en",
            )
        )
    return users


def _plate(rng) -> str:
    letters = rng.choice("ABCDEFGH") + rng.choice("KLMNOP") + rng.choice("RSTUVW")
    return f"1-{letters}-{rng.randint(100, 999)}"


def _stock(rng, branches) -> list[Vehicle]:
    vehicles = []
    for i in range(40):
        make, model, version = rng.choice(CARS)
        vehicles.append(
            Vehicle(
                stock_number=f"S{1000 + i}",
                make=make,
                model=model,
                version=version,
                vin=f"WVWZZZ1KZ{rng.randint(10_000_000, 99_999_999)}",
                plate=_plate(rng),
                first_registration=date(2019 + rng.randint(0, 6), rng.randint(1, 12), 1),
                mileage=rng.randint(5, 120) * 1000,
                fuel=rng.choice(list(Fuel)),
                gearbox=rng.choice(list(Gearbox)),
                color=rng.choice(["Black", "White", "Grey", "Blue", "Red"]),
                price=Decimal(rng.randint(120, 600) * 100),
                branch=rng.choice(branches),
            )
        )
    db.session.add_all(vehicles)
    db.session.flush()
    return vehicles


def _contacts(rng, branches, count: int):
    contacts = []
    for i in range(count):
        company = i % 12 == 0
        first, last = rng.choice(FIRST), rng.choice(LAST)
        contacts.append(
            create_contact(
                None,
                branch_id=rng.choice(branches).id,
                kind=ContactKind.company if company else ContactKind.person,
                salutation=Salutation.company
                if company
                else rng.choice([Salutation.mr, Salutation.mrs]),
                first_name=None if company else first,
                last_name=f"{last} Motors BV" if company else last,
                email=f"{first}.{last}.{i}@example.com".lower().replace(" ", ""),
                phone=f"+324{rng.randint(70, 99)}{rng.randint(100000, 999999)}",
                city=rng.choice(["Brussels", "Ghent", "Liège", "Antwerp", "Namur"]),
                language=rng.choice(["fr", "nl", "en"]),
            )
        )
    return contacts


NOTES = [
    "Customer called back, interested in a test drive next week.",
    "Prefers to be contacted by email after 17:00.",
    "Wants a quote with and without the trade-in.",
    "Financing requested: 48 months.",
]


def _demo_sales_items(rng, lead, actor, vehicles, now) -> None:
    """A share of leads get a trade-in, an offer, a test drive and a task."""
    trade_in = None
    if rng.random() < 0.3:
        make, model, version = rng.choice(CARS)
        trade_in = add_trade_in(
            lead,
            actor,
            {
                "make": make,
                "model": model,
                "version": version,
                "plate": _plate(rng),
                "mileage": rng.randint(40, 220) * 1000,
                "estimated_value": Decimal(rng.randint(20, 120) * 100),
                "offered_value": Decimal(rng.randint(15, 100) * 100),
            },
        )
    vehicle = rng.choice(vehicles)
    if rng.random() < 0.35:
        make_offer(
            lead,
            actor,
            OfferData(
                vehicle_id=vehicle.id,
                list_price=vehicle.price,
                discount=Decimal(rng.choice([0, 500, 1000, 1500])),
                trade_in_id=trade_in.id if trade_in else None,
                vat_rate=Decimal("21.00"),
                valid_until=(now + timedelta(days=30)).date(),
            ),
        )
    if rng.random() < 0.15:
        start = (now + timedelta(days=rng.randint(1, 20))).replace(
            hour=rng.randint(8, 15), minute=0, second=0, microsecond=0
        )
        data = TestDriveData(
            vehicle_id=vehicle.id,
            driver_contact_id=lead.contact_id,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
        )
        if find_overlap(vehicle.id, data.starts_at, data.ends_at) is None:
            book_test_drive(lead, actor, data)
    if rng.random() < 0.2:
        start = now + timedelta(days=rng.randint(-3, 10), hours=rng.randint(0, 8))
        schedule_task(lead, actor, "Call the customer back", actor, start, 30)


def _demo_first_contact(rng, lead, actor, created) -> None:
    """Older leads were answered: their first-contact deadline is closed as 'contact made'."""
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    if deadline is not None and rng.random() < 0.9:
        record_contact_outcome(
            deadline,
            actor,
            ContactOutcome.made,
            deadline.version_id,
            note=rng.choice(["Called, appointment made.", "Answered by email."]),
            now=created + timedelta(hours=rng.randint(1, 20)),
        )


def _demo_outcome(rng, lead, actor, reasons) -> None:
    roll = rng.random()
    if roll < 0.2:
        change_status(lead, actor, LeadStatus.won)
    elif roll < 0.35:
        change_status(lead, actor, LeadStatus.lost, lost_reason=rng.choice(reasons))


def load_demo(lead_count: int = 300, seed: int = 2026) -> None:
    """Create the whole demo dataset in the current transaction."""
    # Repeatable demo data, not security.
    rng = random.Random(seed)  # nosec B311
    ensure_reference_data()
    branches = _branches()
    users = _users(branches)
    _stock(rng, branches)
    contacts = _contacts(rng, branches, max(200, lead_count))
    types = list(db.session.scalars(select(LeadType)))
    sources = list(db.session.scalars(select(LeadSource)))
    reasons = list(db.session.scalars(select(LostReason)))
    sellers = [u for u in users if u.role in ("salesperson", "sales_manager")]
    now = utcnow()
    vehicles = list(db.session.scalars(select(Vehicle)))
    for index in range(lead_count):
        created = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        if index < 12:  # a few fresh leads with deadlines still running
            created = now - timedelta(minutes=rng.randint(5, 600))
        owner = rng.choice([*sellers, None])
        branch = owner.branch if owner else rng.choice(branches)
        lead = create_lead(
            rng.choice(users),
            contact=rng.choice(contacts),
            lead_type=rng.choice(types),
            source=rng.choice(sources),
            branch=branch,
            owner=owner,
            now=created,
        )
        actor = owner or sellers[0]
        if rng.random() < 0.4:
            add_note(lead, actor, rng.choice(NOTES))
        if created < now - timedelta(days=2):
            _demo_first_contact(rng, lead, actor, created)
        _demo_sales_items(rng, lead, actor, vehicles, now)
        _demo_outcome(rng, lead, actor, reasons)
    db.session.flush()
