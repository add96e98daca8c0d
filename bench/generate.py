"""Benchmark data: `python -m bench.generate --leads 1000000 [--database-url URL]`.

Creates the schema on an EMPTY database (refuses a non-empty one) and bulk-loads a dealer
group: 5 branches, 40 users, contacts (one per 5 leads), leads over 3 years with their
events, deadlines, trade-ins, offers, test drives, tasks and search terms; one lead has
2,000 events. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select

from bench import data
from bench.writer import BulkWriter, create_indexes, drop_big_indexes, reset_sequences
from carflow.extensions import db
from carflow.models import Branch, LeadSource, LeadType, LostReason, User, Vehicle
from carflow.passwords import hash_password
from carflow.services.leads import format_lead_code

BENCH_PASSWORD = "bench-password"  # noqa: S105  # nosec B105
CHUNK = 20_000
END = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)

LEAD_COLUMNS = (
    "id", "code", "status", "lost_reason_id", "lead_type_id", "source_id", "contact_id",
    "owner_id", "branch_id", "created_by_id", "comment", "created_at", "last_activity_at",
    "closed_at", "next_deadline_at", "trade_in_count", "offer_count", "test_drive_count",
    "version_id",
)  # fmt: skip
EVENT_COLUMNS = ("id", "lead_id", "at", "actor_id", "kind", "data", "ref_type", "ref_id")
DEADLINE_COLUMNS = (
    "id", "lead_id", "kind", "due_at", "outcome", "closed_at", "set_by_id", "created_at",
    "version_id", "owner_id",
)  # fmt: skip
TRADE_IN_COLUMNS = (
    "id", "lead_id", "make", "model", "plate", "vin", "mileage", "estimated_value",
    "created_by_id", "created_at", "version_id",
)  # fmt: skip
OFFER_COLUMNS = (
    "id", "lead_id", "vehicle_id", "list_price", "discount", "trade_in_deduction", "vat_rate",
    "net_amount", "vat_amount", "total_amount", "status", "created_by_id", "created_at",
    "version_id",
)  # fmt: skip
DRIVE_COLUMNS = (
    "id", "lead_id", "vehicle_id", "driver_contact_id", "owner_id", "starts_at", "ends_at",
    "created_by_id", "created_at", "version_id",
)  # fmt: skip
TASK_COLUMNS = (
    "id", "lead_id", "title", "assignee_id", "branch_id", "starts_at", "duration_minutes",
    "completed_at", "created_by_id", "created_at", "version_id",
)  # fmt: skip
BIG_LEAD_EVENTS = 2000
TYPE_WEIGHTS = (60, 20, 15, 5)  # purchase, sale, trade-in, lease
SOURCE_WEIGHTS = (30, 25, 15, 12, 8, 6, 4)  # showroom, website, phone, portals, referral, event


def big_lead_id(leads: int) -> int:
    """The id of the lead with 2,000 events (the runner finds it the same way)."""
    return leads // 2 + 1


def make_reference_data(rng):
    """Branches, users (with a 'bench-admin@carflow.example' viewing all), types, sources, stock."""
    from carflow.demo import ensure_reference_data

    ensure_reference_data()
    branches = [
        Branch(name=f"{city} {i + 1}", city=city, country="BE", timezone="Europe/Brussels")
        for i, city in enumerate(("Brussels", "Antwerp", "Ghent", "Liège", "Namur"))
    ]
    db.session.add_all(branches)
    db.session.flush()
    password = hash_password(BENCH_PASSWORD)
    roles = ["admin"] + ["sales_manager"] * 5 + ["receptionist"] * 4 + ["salesperson"] * 30
    users = []
    for n, role in enumerate(roles):
        name = "admin" if n == 0 else f"user{n}"
        users.append(
            User(
                email=f"bench-{name}@carflow.example",
                password_hash=password,
                first_name=rng.choice(data.FIRST),
                last_name=rng.choice(data.SURNAMES),
                role=role,
                branch=branches[n % 5],
                permissions_granted=[],
                permissions_revoked=[],
            )
        )
    db.session.add_all(users)
    for n in range(600):
        make, model = data.CARS[n % len(data.CARS)]
        db.session.add(
            Vehicle(
                stock_number=f"S{n:05d}",
                make=make,
                model=model,
                vin=data.vin(rng),
                plate=data.plate(rng),
                price=rng.randint(15, 70) * 1000,
                branch=branches[n % 5],
            )
        )
    db.session.commit()


class Generator:
    """Streams the leads in id order, chunk by chunk, with everything hanging off them."""

    def __init__(self, writer: BulkWriter, leads: int, seed: int):
        self.w, self.leads, self.rng = writer, leads, random.Random(seed)
        self.ids = {name: 0 for name in ("event", "deadline", "trade_in", "offer", "drive", "task")}
        self.drive_slots: set[tuple[int, int]] = set()

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def load_reference(self) -> None:
        s = db.session
        self.branch_ids = list(s.scalars(select(Branch.id).order_by(Branch.id)))
        users = s.execute(select(User.id, User.branch_id, User.role).order_by(User.id)).all()
        self.sellers = {b: [u.id for u in users if u.branch_id == b] for b in self.branch_ids}
        self.user_ids = [u.id for u in users]
        self.type_ids = list(s.scalars(select(LeadType.id).order_by(LeadType.id)))
        self.source_ids = list(s.scalars(select(LeadSource.id).order_by(LeadSource.id)))
        self.lost_ids = list(s.scalars(select(LostReason.id).order_by(LostReason.id)))
        vehicles = s.execute(select(Vehicle.id, Vehicle.plate, Vehicle.vin)).all()
        self.vehicles = [(v.id, {data.normalize(v.plate), data.normalize(v.vin)}) for v in vehicles]

    def contacts(self) -> None:
        """One contact per five leads (at least 20); their search terms are kept for leads."""
        count = max(20, self.leads // 5)
        self.contact_terms, self.contact_branch = [None], [None]
        start = END - SPAN - timedelta(days=30)
        for first in range(1, count + 1, CHUNK):
            rows = []
            for cid in range(first, min(first + CHUNK, count + 1)):
                at = start + SPAN * (cid / count)
                row, terms = data.contact_row(self.rng, cid, self.branch_ids, at)
                rows.append(row)
                self.contact_terms.append(terms)
                self.contact_branch.append(row[11])
            self.w.write("contact", data.CONTACT_COLUMNS, rows)
        self.contact_count = count

    def run(self) -> None:
        created = sorted(self.rng.random() for _ in range(self.leads))
        for first in range(0, self.leads, CHUNK):
            self.batch = {k: [] for k in ("lead", "event", "deadline", "search", "trade_in",
                                          "offer", "drive", "task")}  # fmt: skip
            for index in range(first, min(first + CHUNK, self.leads)):
                self.lead(index + 1, END - SPAN + SPAN * created[index])
            self.flush_batch()
        self.w.commit()

    def flush_batch(self) -> None:
        b, w = self.batch, self.w
        w.write("lead", LEAD_COLUMNS, b["lead"])
        w.write("event", EVENT_COLUMNS, b["event"])
        w.write("deadline", DEADLINE_COLUMNS, b["deadline"])
        w.write("lead_search", ("lead_id", "term", "lead_created_at"), b["search"])
        w.write("trade_in", TRADE_IN_COLUMNS, b["trade_in"])
        w.write("offer", OFFER_COLUMNS, b["offer"])
        w.write("test_drive", DRIVE_COLUMNS, b["drive"])
        w.write("task", TASK_COLUMNS, b["task"])

    def status(self, created: datetime):
        """Recent leads are mostly open; older ones mostly won or lost."""
        age_days = (END - created).days
        p_open = 0.85 if age_days < 30 else 0.35 if age_days < 120 else 0.04
        roll = self.rng.random()
        if roll < p_open:
            return "open", None
        closed = created + timedelta(days=self.rng.uniform(1, min(age_days, 90) or 1))
        return ("won" if self.rng.random() < 0.3 else "lost"), closed

    def lead(self, lead_id: int, created: datetime) -> None:
        rng = self.rng
        contact_id = rng.randint(1, self.contact_count)
        branch_id = self.contact_branch[contact_id]
        owner_id = rng.choice(self.sellers[branch_id]) if rng.random() < 0.9 else None
        actor = owner_id or rng.choice(self.user_ids)
        status, closed_at = self.status(created)
        code = format_lead_code(lead_id, created)
        terms = set(self.contact_terms[contact_id]) | data.code_terms(code)
        counts = self.sales_items(lead_id, created, actor, contact_id, terms)
        next_due = self.deadlines(lead_id, created, actor, status, closed_at, owner_id)
        last = self.events(lead_id, created, actor, status, closed_at)
        self.batch["lead"].append((
            lead_id, code, status, rng.choice(self.lost_ids) if status == "lost" else None,
            rng.choices(self.type_ids, weights=TYPE_WEIGHTS[: len(self.type_ids)])[0],
            rng.choices(self.source_ids, weights=SOURCE_WEIGHTS[: len(self.source_ids)])[0],
            contact_id, owner_id, branch_id, actor, None, created, last, closed_at, next_due,
            *counts, 1,
        ))  # fmt: skip
        self.batch["search"].extend((lead_id, t, created) for t in sorted(terms))
        if rng.random() < 0.1:
            self.task(lead_id, created, owner_id or actor, branch_id, status)

    def deadlines(self, lead_id, created, actor, status, closed_at, owner_id):
        """The first-contact deadline, sometimes a follow-up; open ones give next_deadline_at."""
        rng, rows = self.rng, self.batch["deadline"]
        first_due = created + timedelta(hours=24)
        reached = status != "open" or rng.random() < 0.5
        closed = (closed_at or first_due) if reached else None
        rows.append((self.next_id("deadline"), lead_id, "first_contact", first_due,
                     "made" if reached else "not_yet", closed, actor, created, 1,
                     owner_id))  # fmt: skip
        open_dues = [] if closed else [first_due]
        if rng.random() < 0.4:
            due = created + timedelta(days=rng.randint(3, 40))
            done = status != "open"
            rows.append((self.next_id("deadline"), lead_id, "follow_up", due,
                         "made" if done else "not_yet", closed_at if done else None, actor,
                         created, 1, owner_id))  # fmt: skip
            if not done:
                open_dues.append(due)
        return min(open_dues) if open_dues else None

    def events(self, lead_id, created, actor, status, closed_at) -> datetime:
        """0–5 events (2,000 on one lead); returns the last activity."""
        rng, rows = self.rng, self.batch["event"]
        count = BIG_LEAD_EVENTS if lead_id == big_lead_id(self.leads) else rng.randint(0, 5)
        last = created
        for n in range(count):
            at = created + timedelta(minutes=1 + n * rng.randint(30, 600))
            if n == 0:
                kind, payload = "lead_created", {"contact": ""}
            elif closed_at is not None and n == count - 1:
                at = closed_at
                kind, payload = "status_changed", {"old": "open", "new": status}
            else:
                kind, payload = "note", {"text": f"Called back, customer asked about option {n}."}
            rows.append((self.next_id("event"), lead_id, at, actor, kind, payload, None, None))
            last = max(last, at)
        return last

    def sales_items(self, lead_id, created, actor, contact_id, terms) -> tuple[int, int, int]:
        """Trade-ins (15 %), offers (20 %), test drives (8 %); the header counters match."""
        rng = self.rng
        trade_ins = 1 if rng.random() < 0.15 else 0
        offers = rng.choice((1, 1, 2)) if rng.random() < 0.2 else 0
        drives = 1 if rng.random() < 0.08 else 0
        for _ in range(trade_ins):
            make, model = rng.choice(data.CARS)
            plate, vin = data.plate(rng), data.vin(rng)
            terms |= {data.normalize(plate), data.normalize(vin)}
            self.batch["trade_in"].append((self.next_id("trade_in"), lead_id, make, model, plate,
                                           vin, rng.randint(5, 250) * 1000, "9500.00", actor,
                                           created, 1))  # fmt: skip
        for _ in range(offers):
            vehicle_id, vehicle_terms = rng.choice(self.vehicles)
            terms |= vehicle_terms
            self.batch["offer"].append((self.next_id("offer"), lead_id, vehicle_id, "30000.00",
                                        "1000.00", "0.00", "21.00", "29000.00", "6090.00",
                                        "35090.00", rng.choice(("draft", "sent", "accepted")),
                                        actor, created, 1))  # fmt: skip
        for _ in range(drives):
            self.drive(lead_id, created, actor, contact_id, terms)
        return trade_ins, offers, drives

    def drive(self, lead_id, created, actor, contact_id, terms) -> None:
        """A one-hour test drive; a vehicle is never booked twice in the same hour (F12)."""
        rng = self.rng
        hour = int((created - (END - SPAN)).total_seconds() // 3600) + rng.randint(24, 24 * 14)
        while True:
            vehicle_id, vehicle_terms = rng.choice(self.vehicles)
            if (vehicle_id, hour) not in self.drive_slots:
                break
        self.drive_slots.add((vehicle_id, hour))
        terms |= vehicle_terms
        starts = END - SPAN + timedelta(hours=hour)
        self.batch["drive"].append((self.next_id("drive"), lead_id, vehicle_id, contact_id,
                                    actor, starts, starts + timedelta(hours=1), actor, created,
                                    1))  # fmt: skip

    def task(self, lead_id, created, assignee, branch_id, status) -> None:
        starts = created + timedelta(days=self.rng.randint(1, 10), hours=9)
        done = starts if status != "open" or starts < END - timedelta(days=7) else None
        self.batch["task"].append((self.next_id("task"), lead_id, "Call back the customer",
                                   assignee, branch_id, starts, 30, done, assignee, created,
                                   1))  # fmt: skip


def generate(leads: int, seed: int = 20261128) -> dict:
    """Fill the (empty) database of the current app; returns timings and row counts."""
    if inspect(db.engine).get_table_names():
        raise SystemExit("The database is not empty: give an empty one (see bench/README.md).")
    started = time.perf_counter()
    db.create_all()
    make_reference_data(random.Random(seed))
    indexes = drop_big_indexes()
    writer = BulkWriter(db.engine)
    generator = Generator(writer, leads, seed)
    generator.load_reference()
    generator.contacts()
    generator.run()
    writer.close()
    loaded = time.perf_counter()
    create_indexes(indexes)
    reset_sequences()
    done = time.perf_counter()
    return {
        "leads": leads,
        "rows": writer.rows_written,
        "load_seconds": round(loaded - started, 1),
        "index_seconds": round(done - loaded, 1),
        "total_seconds": round(done - started, 1),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--database-url", help="default: DATABASE_URL or the instance SQLite")
    args = parser.parse_args(argv)
    from bench.app import bench_app

    with bench_app(args.database_url).app_context():
        result = generate(args.leads, args.seed)
    print(
        f"{result['leads']:,} leads, {result['rows']:,} bulk rows: "
        f"load {result['load_seconds']} s, indexes {result['index_seconds']} s, "
        f"total {result['total_seconds']} s"
    )


if __name__ == "__main__":
    main()
