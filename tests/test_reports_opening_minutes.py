"""Issue 16: first response counted in opening hours — `opening_minutes_between` is the
inverse of `add_opening_minutes` (also across the DST change), plain minutes without hours."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from carflow.services.opening_hours import add_opening_minutes, opening_minutes_between

HOURS = {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
TZ = "Europe/Brussels"


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    minutes=st.integers(1, 60 * 24 * 10),
)
def test_inverse_of_add_opening_minutes(start, minutes):
    start = start.replace(second=0, microsecond=0, tzinfo=UTC)
    due = add_opening_minutes(HOURS, TZ, start, minutes)
    assert opening_minutes_between(HOURS, TZ, start, due) == minutes


def test_weekend_and_lunch_are_not_counted():
    friday_17h = datetime(2026, 3, 27, 16, 0, tzinfo=UTC)  # 17:00 in Brussels (CET)
    monday_10h = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 10:00 in Brussels (CEST)
    assert opening_minutes_between(HOURS, TZ, friday_17h, monday_10h) == 60 + 60


def test_without_hours_plain_minutes_and_never_negative():
    start = datetime(2026, 3, 27, 16, 0, tzinfo=UTC)
    assert opening_minutes_between(None, TZ, start, start + timedelta(hours=50)) == 3000
    assert opening_minutes_between(HOURS, TZ, start, start - timedelta(hours=1)) == 0
