"""Keeping the reports' roll-up equal to the sum of every lead's facts.

Any flush that touches a lead or a row hanging from it (event, deadline, offer, test
drive, trade-in) marks the lead; just before the commit its facts are recomputed and the
difference with what it last added (`ReportLead.facts`) is applied to the daily and
monthly rows with an upsert (`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, so
concurrent transactions add up instead of overwriting). Services need not know: every
change already flushes and writes a timeline event in its transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import chain

from sqlalchemy import delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from carflow.extensions import db
from carflow.models import Deadline, Event, Lead, Offer, TestDrive, TradeIn
from carflow.models.report import (
    DIMENSIONS,
    ROLLUP_COLUMNS,
    ReportLead,
    ReportLostReason,
    ReportRollup,
)
from carflow.reports.facts import FactsBuilder, load_lead_rows

_DIRTY = "carflow_report_dirty_leads"
_CHILD_MODELS = (Event, Deadline, Offer, TestDrive, TradeIn)
GRAINS = ("d", "m")
BATCH = 2000


def period_of(grain: str, day: date) -> date:
    """The period holding `day`: the day itself, or the first of its month."""
    return day if grain == "d" else day.replace(day=1)


def _contributions(facts: dict | None, sign: int, rollup: dict, lost: dict) -> None:
    """Add `sign` × the facts to the (grain, period, dims) → {column: n} accumulators."""
    if not facts:
        return
    key = tuple(facts["k"])
    for day_text, columns in facts["d"].items():
        day = date.fromisoformat(day_text)
        for grain in GRAINS:
            row = rollup[(grain, period_of(grain, day), *key)]
            for column, value in columns.items():
                row[column] += sign * value
    for day_text, reason in facts["l"]:
        day = date.fromisoformat(day_text)
        for grain in GRAINS:
            lost[(grain, period_of(grain, day), *key, reason)] += sign


def _new_accumulators() -> tuple[dict, dict]:
    return defaultdict(lambda: defaultdict(int)), defaultdict(int)


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def _upsert_rollup(rows: dict) -> None:
    values = []
    for key, columns in sorted(rows.items()):  # one lock order: concurrent upserts never deadlock
        if any(columns.values()):
            record = dict(zip(("grain", "period", *DIMENSIONS), key, strict=True))
            record.update({c: columns.get(c, 0) for c in ROLLUP_COLUMNS})
            values.append(record)
    if not values:
        return
    table = ReportRollup.__table__
    statement = _insert(ReportRollup)
    statement = statement.on_conflict_do_update(
        index_elements=["grain", "period", *DIMENSIONS],
        set_={c: table.c[c] + statement.excluded[c] for c in ROLLUP_COLUMNS},
    )
    db.session.execute(statement, values)


def _upsert_lost(rows: dict) -> None:
    names = ("grain", "period", *DIMENSIONS, "reason_key")
    values = [dict(zip(names, k, strict=True), lost=n) for k, n in sorted(rows.items()) if n]
    if not values:
        return
    statement = _insert(ReportLostReason)
    statement = statement.on_conflict_do_update(
        index_elements=list(names),
        set_={"lost": ReportLostReason.__table__.c.lost + statement.excluded.lost},
    )
    db.session.execute(statement, values)


def _save_lead_facts(new: dict[int, tuple[dict, int | None]], gone: Iterable[int]) -> None:
    gone = list(gone)
    if gone:
        db.session.execute(delete(ReportLead).where(ReportLead.lead_id.in_(gone)))
    if not new:
        return
    values = [
        {"lead_id": lead_id, "facts": facts, "first_response_minutes": minutes}
        for lead_id, (facts, minutes) in sorted(new.items(), key=lambda item: item[0])
    ]
    statement = _insert(ReportLead)
    statement = statement.on_conflict_do_update(
        index_elements=["lead_id"],
        set_={
            "facts": statement.excluded.facts,
            "first_response_minutes": statement.excluded.first_response_minutes,
        },
    )
    db.session.execute(statement, values)


def refresh_leads(lead_ids: Iterable[int], builder: FactsBuilder | None = None) -> None:
    """Bring the roll-up up to date for these leads (in the current transaction)."""
    ids = sorted({i for i in lead_ids if i is not None})
    builder = builder or FactsBuilder()
    for start in range(0, len(ids), BATCH):
        _refresh_batch(ids[start : start + BATCH], builder)


def _refresh_batch(ids: list[int], builder: FactsBuilder) -> None:
    query = select(ReportLead.lead_id, ReportLead.facts).where(ReportLead.lead_id.in_(ids))
    old = dict(db.session.execute(query).all())
    new = {lead_id: builder.facts(rows) for lead_id, rows in load_lead_rows(ids).items()}
    rollup, lost = _new_accumulators()
    for lead_id in ids:
        _contributions(old.get(lead_id), -1, rollup, lost)
        _contributions(new[lead_id][0] if lead_id in new else None, +1, rollup, lost)
    _upsert_rollup(rollup)
    _upsert_lost(lost)
    _save_lead_facts(new, (i for i in old if i not in new))


def from_scratch() -> tuple[dict, dict]:
    """The roll-up computed from every lead's rows, without the roll-up tables:
    ({(grain, period, dims…): {column: n}}, {(grain, period, dims…, reason): n})."""
    builder = FactsBuilder()
    rollup, lost = _new_accumulators()
    ids = list(db.session.scalars(select(Lead.id).order_by(Lead.id)))
    for start in range(0, len(ids), BATCH):
        for rows in load_lead_rows(ids[start : start + BATCH]).values():
            _contributions(builder.facts(rows)[0], +1, rollup, lost)
    return _non_zero(rollup), {k: n for k, n in lost.items() if n}


def _non_zero(rollup: dict) -> dict:
    result = {}
    for key, columns in rollup.items():
        kept = {c: n for c, n in columns.items() if n}
        if kept:
            result[key] = kept
    return result


def stored() -> tuple[dict, dict]:
    """The roll-up tables' content in the shape of `from_scratch()` (zeros left out)."""
    rollup = {}
    for row in db.session.execute(select(ReportRollup)).scalars():
        key = (row.grain, row.period, *(getattr(row, d) for d in DIMENSIONS))
        kept = {c: getattr(row, c) for c in ROLLUP_COLUMNS if getattr(row, c)}
        if kept:
            rollup[key] = kept
    lost = {}
    for row in db.session.execute(select(ReportLostReason)).scalars():
        if row.lost:
            key = (row.grain, row.period, *(getattr(row, d) for d in DIMENSIONS), row.reason_key)
            lost[key] = row.lost
    return rollup, lost


def rebuild_all(commit_every: int = 20_000, progress=None) -> int:
    """Empty the roll-up and recompute it from every lead; commits in batches (CLI only).
    Returns the number of leads."""
    for model in (ReportRollup, ReportLostReason, ReportLead):
        db.session.execute(delete(model))
    db.session.commit()
    builder = FactsBuilder()
    last_id, done = 0, 0
    while True:
        ids = list(
            db.session.scalars(
                select(Lead.id).where(Lead.id > last_id).order_by(Lead.id).limit(commit_every)
            )
        )
        if not ids:
            return done
        refresh_leads(ids, builder)
        db.session.commit()
        last_id, done = ids[-1], done + len(ids)
        if progress:
            progress(done)


# --- session hooks ------------------------------------------------------------------------


def _collect_dirty_leads(session: Session, _flush_context) -> None:
    """After each flush: note the leads whose facts may have changed."""
    dirty = session.info.setdefault(_DIRTY, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Lead):
            dirty.add(obj.id)
        elif isinstance(obj, _CHILD_MODELS):
            dirty.add(obj.lead_id)


def _refresh_before_commit(session: Session) -> None:
    """Just before the commit: update the roll-up for the leads marked by the flushes."""
    session.flush()
    dirty = session.info.pop(_DIRTY, None)
    if dirty:
        refresh_leads(dirty)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_DIRTY, None)


def install_report_hooks() -> None:
    """Attach the roll-up maintenance to every session (idempotent)."""
    if not event.contains(Session, "after_flush", _collect_dirty_leads):
        event.listen(Session, "after_flush", _collect_dirty_leads)
        event.listen(Session, "before_commit", _refresh_before_commit)
        event.listen(Session, "after_soft_rollback", _forget)
