"""The dashboard's figures, each a table (headers + rows of plain values) and a chart.

Built from the few grouped rows of `queries`; every table is what the page shows under
its chart and what the CSV / XLSX exports contain. Percentiles of first response come
from the merged histogram (FIRST_RESPONSE_EDGES): exact to within the bucket holding
them (5 minutes under half an hour, 15–30 minutes under two hours, wider beyond).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from carflow.models.report import FIRST_RESPONSE_COLUMNS, FIRST_RESPONSE_EDGES, NO_OWNER
from carflow.reports.filters import ReportFilter
from carflow.reports.queries import AGE_BUCKETS, PipelineRow


@dataclass
class Table:
    """One report: its title, column headers and rows (plain values, exportable)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    links: dict = field(default_factory=dict)  # (row, column) -> overview URL
    chart: dict | None = None  # the chart's data for reports.js
    money_columns: frozenset = frozenset()  # columns shown as amounts (euros)


def percentile(histogram: list[int], share: float) -> float | None:
    """The `share` (0.5, 0.9) percentile of a first-response histogram, in minutes,
    interpolated inside its bucket (the open-ended last bucket answers its lower edge)."""
    total = sum(histogram)
    if not total:
        return None
    rank, seen = share * total, 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            low = FIRST_RESPONSE_EDGES[index]
            if index + 1 == len(FIRST_RESPONSE_EDGES):
                return float(low)
            high = FIRST_RESPONSE_EDGES[index + 1]
            return low + (high - low) * max(rank - seen, 0) / count
        seen += count
    return float(FIRST_RESPONSE_EDGES[-1])


def bucket_of(day: date, weekly: bool) -> date:
    """The chart bucket of a day: its week's Monday, or the first of its month."""
    return day - timedelta(days=day.weekday()) if weekly else day.replace(day=1)


def buckets(report_filter: ReportFilter) -> list[date]:
    """Every bucket of the range, in order (empty ones too)."""
    result, day = [], bucket_of(report_filter.start, report_filter.weekly)
    while day <= report_filter.end:
        result.append(day)
        if report_filter.weekly:
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return result


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- by period -----------------------------------------------------------------------------


def trend_by_bucket(rows, report_filter: ReportFilter) -> tuple[list[date], dict, dict]:
    """({bucket: {column: n}}, {(bucket, source): leads in}) from the trend rows."""
    keys = buckets(report_filter)
    totals = {b: defaultdict(int) for b in keys}
    by_source: dict = defaultdict(int)
    for row in rows:
        bucket = bucket_of(row["period"], report_filter.weekly)
        if bucket not in totals:
            continue
        for name, value in row.items():
            if name not in ("period", "source_id"):
                totals[bucket][name] += int(value or 0)
        by_source[(bucket, row["source_id"])] += int(row["leads_in"] or 0)
    return keys, totals, by_source


def leads_in_table(keys, by_source, labels, names, links) -> Table:
    """Leads in by source and week/month (stacked bars)."""
    sources = sorted({s for (_, s), n in by_source.items() if n}, key=lambda s: names.get(s, ""))
    table = Table(
        "leads_in",
        str(_l("Leads in by source")),
        [str(_l("Period"))] + [names.get(s, "?") for s in sources] + [str(_l("Total"))],
    )
    for index, bucket in enumerate(keys):
        counts = [by_source.get((bucket, s), 0) for s in sources]
        table.rows.append([labels[index], *counts, sum(counts)])
        for col, source in enumerate(sources, start=1):
            table.links[(index, col)] = links(bucket, source)
    table.chart = {
        "type": "bar",
        "stacked": True,
        "labels": labels,
        "datasets": [
            {
                "label": names.get(s, "?"),
                "data": [by_source.get((b, s), 0) for b in keys],
                "links": [links(b, s) for b in keys],
            }
            for s in sources
        ],
    }
    return table


def won_lost_table(keys, totals, labels, colors) -> Table:
    """Won and lost per period, with the average days to close."""
    table = Table(
        "won_lost",
        str(_l("Won and lost")),
        [str(_l("Period")), str(_l("Won")), str(_l("Lost")), str(_l("Average days to close"))],
    )
    for index, bucket in enumerate(keys):
        row = totals[bucket]
        closed = row["won"] + row["lost"]
        days = row["closed_minutes"] / 1440 / closed if closed else None
        table.rows.append([labels[index], row["won"], row["lost"], _round(days)])
    table.chart = {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {"label": str(_l("Won")), "data": [r[1] for r in table.rows], "color": colors["won"]},
            {"label": str(_l("Lost")), "data": [r[2] for r in table.rows], "color": colors["lost"]},
        ],
    }
    return table


def offers_table(keys, totals, labels) -> Table:
    """Offers sent and accepted (count and value) and trade-ins taken, per period."""
    table = Table(
        "offers",
        str(_l("Offers and trade-ins")),
        [
            str(_l("Period")),
            str(_l("Offers sent")),
            str(_l("Value sent")),
            str(_l("Offers accepted")),
            str(_l("Value accepted")),
            str(_l("Trade-ins taken")),
        ],
        money_columns=frozenset({2, 4}),
    )
    for index, bucket in enumerate(keys):
        row = totals[bucket]
        table.rows.append(
            [
                labels[index],
                row["offers_sent"],
                row["offers_sent_cents"] / 100,
                row["offers_accepted"],
                row["offers_accepted_cents"] / 100,
                row["trade_ins"],
            ]
        )
    table.chart = {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {"label": str(_l("Offers sent")), "data": [r[1] for r in table.rows]},
            {"label": str(_l("Offers accepted")), "data": [r[3] for r in table.rows]},
            {"label": str(_l("Trade-ins taken")), "data": [r[5] for r in table.rows]},
        ],
    }
    return table


def lost_reasons_table(rows, reason_names) -> Table:
    """Lost reasons and their share of the leads lost in the range."""
    total = sum(int(n or 0) for _, n in rows)
    table = Table(
        "lost_reasons",
        str(_l("Lost reasons")),
        [str(_l("Reason")), str(_l("Leads lost")), str(_l("Share (%)"))],
    )
    for reason, count in sorted(rows, key=lambda r: -int(r[1] or 0)):
        name = reason_names.get(reason) if reason else str(_l("Other (explained)"))
        table.rows.append([name or "?", int(count or 0), _rate(int(count or 0), total)])
    table.chart = {
        "type": "doughnut",
        "labels": [r[0] for r in table.rows],
        "datasets": [{"label": table.title, "data": [r[1] for r in table.rows]}],
    }
    return table


# --- by team ---------------------------------------------------------------------------


def team_totals(rows) -> tuple[dict, dict, dict, dict]:
    """Team rows summed by (branch, owner), by owner, by source and overall."""
    by_branch_owner, by_owner, by_source = (defaultdict(lambda: defaultdict(int)) for _ in "abc")
    overall: dict = defaultdict(int)
    for row in rows:
        for name, value in row.items():
            if name in ("branch_id", "owner_key", "source_id"):
                continue
            value = int(value or 0)
            by_branch_owner[(row["branch_id"], row["owner_key"])][name] += value
            by_owner[row["owner_key"]][name] += value
            by_source[row["source_id"]][name] += value
            overall[name] += value
    return by_branch_owner, by_owner, by_source, overall


def _histogram(sums: dict) -> list[int]:
    return [sums.get(c, 0) for c in FIRST_RESPONSE_COLUMNS]


def _response_row(label: str, sums: dict) -> list:
    histogram = _histogram(sums)
    return [
        label,
        sum(histogram),
        _round(percentile(histogram, 0.5)),
        _round(percentile(histogram, 0.9)),
        sums.get("sla_due", 0),
        _rate(sums.get("sla_met", 0), sums.get("sla_due", 0)),
    ]


def first_response_table(by_branch_owner, overall, names) -> Table:
    """Median and p90 first response (opening-hour minutes) and SLA met, by branch and owner."""
    table = Table(
        "first_response",
        str(_l("First response")),
        [
            str(_l("Branch / owner")),
            str(_l("Leads contacted")),
            str(_l("Median (min)")),
            str(_l("90th percentile (min)")),
            str(_l("First-contact deadlines")),
            str(_l("Deadlines met (%)")),
        ],
    )
    table.rows.append(_response_row(str(_l("All")), overall))
    branches: dict = defaultdict(lambda: defaultdict(int))
    for (branch_id, _), sums in by_branch_owner.items():
        for name, value in sums.items():
            branches[branch_id][name] += value
    for branch_id in sorted(branches, key=lambda b: names["branch"].get(b, "")):
        table.rows.append(_response_row(names["branch"].get(branch_id, "?"), branches[branch_id]))
        owners = [o for (b, o) in by_branch_owner if b == branch_id]
        for owner in sorted(owners, key=lambda o: owner_name(o, names)):
            label = "— " + owner_name(owner, names)
            table.rows.append(_response_row(label, by_branch_owner[(branch_id, owner)]))
    table.chart = {
        "type": "bar",
        "labels": [r[0] for r in table.rows[1:]],
        "datasets": [
            {"label": str(_l("Median (min)")), "data": [r[2] for r in table.rows[1:]]},
            {"label": str(_l("90th percentile (min)")), "data": [r[3] for r in table.rows[1:]]},
        ],
    }
    return table


def owner_name(owner_key: int, names: dict) -> str:
    if owner_key == NO_OWNER:
        return str(_l("Branch queue"))
    return names["owner"].get(owner_key, "?")


FUNNEL_STAGES = ("leads_in", "contacted", "test_driven", "offered", "won_cohort")


def funnel_headers() -> list[str]:
    return [
        str(_l("Leads")),
        str(_l("Contacted")),
        str(_l("Test drive")),
        str(_l("Offer")),
        str(_l("Won")),
        str(_l("Won (%)")),
    ]


def _funnel_row(label: str, sums: dict) -> list:
    counts = [sums.get(stage, 0) for stage in FUNNEL_STAGES]
    return [label, *counts, _rate(counts[-1], counts[0])]


def funnel_table(by_source, by_owner, overall, names) -> Table:
    """Leads → contacted → test drive → offer → won, overall, by source and by owner."""
    table = Table("funnel", str(_l("Conversion funnel")), [str(_l("Group")), *funnel_headers()])
    table.rows.append(_funnel_row(str(_l("All")), overall))
    for source in sorted(by_source, key=lambda s: names["source"].get(s, "")):
        label = str(_l("Source")) + ": " + names["source"].get(source, "?")
        table.rows.append(_funnel_row(label, by_source[source]))
    for owner in sorted(by_owner, key=lambda o: owner_name(o, names)):
        label = str(_l("Owner")) + ": " + owner_name(owner, names)
        table.rows.append(_funnel_row(label, by_owner[owner]))
    stages = funnel_headers()[:5]
    counts = table.rows[0][1:6]
    table.chart = {
        "type": "bar",
        "horizontal": True,
        "labels": stages,
        "datasets": [{"label": table.title, "data": counts}],
    }
    return table


def pipeline_table(rows: list[PipelineRow], names, links) -> Table:
    """Open leads now by owner and age, and those with an overdue deadline (linked)."""
    bands = [
        str(_l("0–%(n)s days", n=AGE_BUCKETS[0])),
        str(_l("%(a)s–%(b)s days", a=AGE_BUCKETS[0] + 1, b=AGE_BUCKETS[1])),
        str(_l("%(a)s–%(b)s days", a=AGE_BUCKETS[1] + 1, b=AGE_BUCKETS[2])),
        str(_l("Over %(n)s days", n=AGE_BUCKETS[2])),
    ]
    table = Table(
        "pipeline",
        str(_l("Open pipeline")),
        [str(_l("Owner")), *bands, pgettext("report", "Open"), str(_l("Overdue deadlines"))],
    )
    ordered = sorted(rows, key=lambda r: owner_name(r.owner_id or NO_OWNER, names))
    for index, row in enumerate(ordered):
        key = row.owner_id or NO_OWNER
        table.rows.append([owner_name(key, names), *row.ages, sum(row.ages), row.overdue])
        table.links[(index, len(bands) + 1)] = links(row.owner_id, overdue=False)
        table.links[(index, len(bands) + 2)] = links(row.owner_id, overdue=True)
    table.chart = {
        "type": "bar",
        "stacked": True,
        "labels": [r[0] for r in table.rows],
        "datasets": [
            {"label": band, "data": [r[1 + i] for r in table.rows]} for i, band in enumerate(bands)
        ],
    }
    return table
