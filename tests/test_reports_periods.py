"""Issue 16 item 1: the named periods of the reports' filter, in local days."""

from datetime import date

import pytest

from carflow.reports.filters import period_bounds


@pytest.mark.parametrize(
    ("period", "today", "bounds"),
    [
        ("this_month", date(2026, 11, 29), (date(2026, 11, 1), date(2026, 11, 29))),
        ("last_month", date(2026, 11, 29), (date(2026, 10, 1), date(2026, 10, 31))),
        ("last_month", date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31))),
        ("this_year", date(2026, 11, 29), (date(2026, 1, 1), date(2026, 11, 29))),
        ("last_12_months", date(2026, 11, 29), (date(2025, 11, 1), date(2026, 10, 31))),
        ("last_12_months", date(2026, 1, 15), (date(2025, 1, 1), date(2025, 12, 31))),
        ("last_12_months", date(2024, 3, 31), (date(2023, 3, 1), date(2024, 2, 29))),
    ],
)
def test_named_periods(period, today, bounds):
    assert period_bounds(period, today) == bounds
