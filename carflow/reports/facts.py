"""What one lead contributes to the reports' roll-up: a pure function of its rows.

A lead's facts are `{"k": [branch, owner, type, source], "d": {day: {column: n}},
"l": [[day, reason]]}`: the counters it adds to each local day of its (current) branch.
Cohort counters (leads in, contacted, test drive, offer, won, first response, SLA) go to
its creation day; won/lost and the days to close to its closing day; offers and trade-ins
to their own creation day. A lead moved to another branch or owner takes all its figures
with it; a lead reopened after being lost no longer counts as lost.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import (
    Branch,
    ContactOutcome,
    Deadline,
    DeadlineKind,
    Lead,
    LeadStatus,
    Offer,
    OfferStatus,
    TradeIn,
)
from carflow.models.report import FIRST_RESPONSE_EDGES, NO_OWNER
from carflow.services.opening_hours import opening_minutes_between


@dataclass
class LeadRows:
    """The rows of one lead that its facts depend on."""

    lead: tuple
    deadlines: list[tuple] = field(default_factory=list)
    offers: list[tuple] = field(default_factory=list)
    trade_ins: list = field(default_factory=list)


def first_response_bucket(minutes: int) -> int:
    """The histogram bucket of a first-response time (see FIRST_RESPONSE_EDGES)."""
    return bisect_right(FIRST_RESPONSE_EDGES, max(minutes, 0)) - 1


def _cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


class _Branches:
    """Time zone and sales opening hours of each branch, read once per batch."""

    def __init__(self) -> None:
        rows = db.session.execute(select(Branch.id, Branch.timezone, Branch.opening_hours_sales))
        self.zone, self.tz_name, self.hours = {}, {}, {}
        for branch_id, tz_name, hours in rows:
            self.tz_name[branch_id] = tz_name or "UTC"
            self.zone[branch_id] = ZoneInfo(tz_name or "UTC")
            self.hours[branch_id] = hours


LEAD_COLUMNS = (
    Lead.id,
    Lead.branch_id,
    Lead.owner_id,
    Lead.lead_type_id,
    Lead.source_id,
    Lead.status,
    Lead.lost_reason_id,
    Lead.created_at,
    Lead.closed_at,
    Lead.test_drive_count,
)


def load_lead_rows(lead_ids: list[int]) -> dict[int, LeadRows]:
    """The rows behind the facts of `lead_ids` (leads no longer there are left out)."""
    found = {row[0]: LeadRows(tuple(row)) for row in _rows(select(*LEAD_COLUMNS), Lead, lead_ids)}
    deadline_cols = select(
        Deadline.lead_id, Deadline.id, Deadline.kind, Deadline.due_at, Deadline.outcome,
        Deadline.closed_at,
    )  # fmt: skip
    for row in _rows(deadline_cols, Deadline, lead_ids):
        if row[0] in found:
            found[row[0]].deadlines.append(tuple(row[1:]))
    offer_cols = select(Offer.lead_id, Offer.created_at, Offer.status, Offer.total_amount)
    for row in _rows(offer_cols, Offer, lead_ids):
        if row[0] in found:
            found[row[0]].offers.append(tuple(row[1:]))
    for lead_id, created_at in _rows(
        select(TradeIn.lead_id, TradeIn.created_at), TradeIn, lead_ids
    ):
        if lead_id in found:
            found[lead_id].trade_ins.append(created_at)
    return found


def _rows(query, model, lead_ids: list[int]):
    column = model.id if model is Lead else model.lead_id
    return db.session.execute(query.where(column.in_(lead_ids)))


class FactsBuilder:
    """Builds the facts of leads; reads the branches once."""

    def __init__(self) -> None:
        self.branches = _Branches()

    def facts(self, rows: LeadRows) -> tuple[dict, int | None]:
        """(facts, first-response minutes or None) of one lead."""
        (_, branch_id, owner_id, type_id, source_id, status, reason_id, created, closed,
         drives) = rows.lead  # fmt: skip
        zone = self.branches.zone.get(branch_id, ZoneInfo("UTC"))
        days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

        def add(moment: datetime, column: str, value: int = 1) -> None:
            days[moment.astimezone(zone).date().isoformat()][column] += value

        add(created, "leads_in")
        minutes = self._cohort(rows, created, drives, status, add)
        lost = []
        if status != LeadStatus.open and closed is not None:
            add(closed, "won" if status == LeadStatus.won else "lost")
            add(closed, "closed_minutes", max(int((closed - created).total_seconds() // 60), 0))
            if status == LeadStatus.lost:
                lost.append([closed.astimezone(zone).date().isoformat(), reason_id or 0])
        for offer_created, offer_status, total in rows.offers:
            if offer_status != OfferStatus.draft:
                add(offer_created, "offers_sent")
                add(offer_created, "offers_sent_cents", _cents(total))
            if offer_status == OfferStatus.accepted:
                add(offer_created, "offers_accepted")
                add(offer_created, "offers_accepted_cents", _cents(total))
        for trade_in_created in rows.trade_ins:
            add(trade_in_created, "trade_ins")
        key = [branch_id, owner_id or NO_OWNER, type_id, source_id]
        clean = {day: {c: n for c, n in cols.items() if n} for day, cols in days.items()}
        return {"k": key, "d": clean, "l": lost}, minutes

    def _cohort(self, rows: LeadRows, created, drives, status, add) -> int | None:
        """The creation-day counters; returns the first-response minutes (or None)."""
        made = [d[4] for d in rows.deadlines if d[3] == ContactOutcome.made and d[4] is not None]
        minutes = None
        if made:
            add(created, "contacted")
            branch_id = rows.lead[1]
            minutes = opening_minutes_between(
                self.branches.hours.get(branch_id),
                self.branches.tz_name.get(branch_id, "UTC"),
                created,
                min(made),
            )
            add(created, f"fr_{first_response_bucket(minutes)}")
        if drives:
            add(created, "test_driven")
        if any(o[1] != OfferStatus.draft for o in rows.offers):
            add(created, "offered")
        if status == LeadStatus.won:
            add(created, "won_cohort")
        self._sla(rows, created, add)
        return minutes

    @staticmethod
    def _sla(rows: LeadRows, created, add) -> None:
        """The first first-contact deadline: met when contact was made by its due moment;
        missed when made later or closed without contact; undecided while open."""
        firsts = sorted(d for d in rows.deadlines if d[1] == DeadlineKind.first_contact)
        if not firsts or firsts[0][4] is None:
            return
        _, _, due_at, outcome, closed_at = firsts[0]
        add(created, "sla_due")
        if outcome == ContactOutcome.made and closed_at <= due_at:
            add(created, "sla_met")
