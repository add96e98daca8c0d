"""One batch of imported rows: read every value, match, then create, update or leave.

Called inside one unit of work per batch. With `apply=False` (the checking pass) nothing
is written but the errors; the counts say what the import would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carflow.data_import.fields import FIELDS, BadValue
from carflow.data_import.matching import contact_keys, match_contacts, match_vehicles
from carflow.extensions import db
from carflow.models import Contact, DataImport, DataImportError, Vehicle


@dataclass
class BatchContext:
    kind: str
    mapping: list[str]
    headers: list[str]
    country: str | None
    branch_id: int | None
    apply: bool


@dataclass
class RowResult:
    number: int
    values: dict = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # column, value, code


def read_row(number: int, row: list, ctx: BatchContext) -> RowResult:
    """The row's clean values by field name, and its errors (column header, value, code)."""
    result = RowResult(number)
    fields = {f.name: f for f in FIELDS[ctx.kind]}
    for index, name in enumerate(ctx.mapping):
        if not name:
            continue
        raw = row[index] if index < len(row) else None
        try:
            result.values[name] = fields[name].read(raw, ctx.country)
        except BadValue as bad:
            result.errors.append((ctx.headers[index], _shown(raw), bad.code))
    for name, spec in fields.items():
        if spec.required and name not in result.values and not _has_error(result, ctx, name):
            result.errors.append((str(spec.label), "", "required"))
        elif spec.required and name in result.values and result.values[name] is None:
            result.errors.append((_header_of(ctx, name), "", "required"))
    if ctx.kind == "contacts" and not result.errors and not contact_keys(result.values):
        result.errors.append((_header_of(ctx, "email"), "", "contact_way"))
    return result


def _shown(raw) -> str:
    return "" if raw is None else str(raw)[:500]


def _header_of(ctx: BatchContext, name: str) -> str:
    return ctx.headers[ctx.mapping.index(name)] if name in ctx.mapping else name


def _has_error(result: RowResult, ctx: BatchContext, name: str) -> bool:
    return any(column == _header_of(ctx, name) for column, _, _ in result.errors)


def _changes(item, values: dict) -> dict:
    """The given (non-empty) values that differ from the item's."""
    return {k: v for k, v in values.items() if v is not None and getattr(item, k) != v}


def _contacts(rows: list[RowResult], ctx: BatchContext, record: DataImport) -> None:
    matches = match_contacts([r.values for r in rows])
    created: dict[str, Contact] = {}  # rows of this batch that repeat an earlier one
    for result, contact in zip(rows, matches, strict=True):
        keys = contact_keys(result.values)
        contact = contact or next((created[k] for k in keys if k in created), None)
        if contact is None:
            record.created_count += 1
            if ctx.apply:
                contact = Contact(branch_id=ctx.branch_id, **_present(result.values))
                db.session.add(contact)
                created.update(dict.fromkeys(keys, contact))
            continue
        changes = _changes(contact, result.values)
        if not changes:
            record.unchanged_count += 1
            continue
        record.updated_count += 1
        if ctx.apply:
            for name, value in changes.items():
                setattr(contact, name, value)


def _present(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def _stock(rows: list[RowResult], ctx: BatchContext, record: DataImport) -> None:
    """Creates or updates vehicles; a row whose stock number and VIN belong to two
    different cars is refused (its error is added to the row)."""
    seen: dict[str, Vehicle] = {}
    for result, (by_number, by_vin) in zip(
        rows, match_vehicles([r.values for r in rows]), strict=True
    ):
        values = result.values
        vehicle = by_number or by_vin or seen.get(values["stock_number"])
        if by_number and by_vin and by_number is not by_vin:
            result.errors.append((_header_of(ctx, "vin"), values.get("vin") or "", "duplicate_key"))
            continue
        if vehicle is None:
            record.created_count += 1
            if ctx.apply:
                vehicle = Vehicle(branch_id=ctx.branch_id, **_present(values))
                db.session.add(vehicle)
                seen[values["stock_number"]] = vehicle
            continue
        changes = _changes(vehicle, values)
        if not changes:
            record.unchanged_count += 1
            continue
        record.updated_count += 1
        if ctx.apply:
            for name, value in changes.items():
                setattr(vehicle, name, value)


def process_batch(record: DataImport, batch: list[tuple[int, list]], ctx: BatchContext) -> None:
    """Read, match and (when applying) write one batch; add its errors and counts."""
    results = [read_row(number, row, ctx) for number, row in batch]
    good = [r for r in results if not r.errors]
    if ctx.kind == "contacts":
        _contacts(good, ctx, record)
    else:
        _stock(good, ctx, record)
    bad = [r for r in results if r.errors]
    for result in bad:
        for column, value, code in result.errors:
            db.session.add(
                DataImportError(
                    import_id=record.id,
                    row_number=result.number,
                    column=column[:200],
                    value=value,
                    reason=code,
                )
            )
    record.error_count += len(bad)
    record.processed_rows += len(batch)
    db.session.flush()
