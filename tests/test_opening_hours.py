"""F25 and issue 6 §6: delays counted in a branch's sales opening hours, DST-safe."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from carflow.services.opening_hours import add_opening_minutes, local_to_utc, parse_hours

BXL = ZoneInfo("Europe/Brussels")
WEEKDAYS = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
LUNCH = {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def due(hours, local_start: datetime, minutes: int) -> datetime:
    start = local_start.replace(tzinfo=BXL)
    return add_opening_minutes(hours, "Europe/Brussels", start, minutes).astimezone(BXL)


def test_four_hours_from_friday_17h_fall_due_monday_noon():
    # 2026-11-27 is a Friday: 1 hour on Friday, 3 on Monday morning.
    assert due(WEEKDAYS, datetime(2026, 11, 27, 17, 0), 240) == datetime(
        2026, 11, 30, 12, 0, tzinfo=BXL
    )


def test_set_in_the_evening_starts_counting_next_morning():
    assert due(WEEKDAYS, datetime(2026, 11, 24, 21, 30), 60) == datetime(
        2026, 11, 25, 10, 0, tzinfo=BXL
    )


def test_set_on_a_sunday_starts_counting_on_monday():
    assert due(WEEKDAYS, datetime(2026, 11, 29, 11, 0), 90) == datetime(
        2026, 11, 30, 10, 30, tzinfo=BXL
    )


def test_lunch_break_is_not_counted():
    assert due(LUNCH, datetime(2026, 11, 24, 12, 0), 60) == datetime(
        2026, 11, 24, 14, 0, tzinfo=BXL
    )


def test_ending_exactly_at_closing_time():
    assert due(WEEKDAYS, datetime(2026, 11, 24, 17, 0), 60) == datetime(
        2026, 11, 24, 18, 0, tzinfo=BXL
    )


@pytest.mark.parametrize("hours", [None, {}, {"mon": []}, {"mon": [["18:00", "09:00"]]}])
def test_empty_hours_mean_plain_addition(hours):
    start = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert add_opening_minutes(hours, "Europe/Brussels", start, 240) == datetime(
        2026, 11, 27, 20, 0, tzinfo=UTC
    )


def test_spring_forward_in_always_open_hours_counts_real_time():
    # Last Sunday of March 2026 (29th): 02:00 -> 03:00 in Brussels. Open all Sunday.
    hours = {"sun": [["00:00", "23:59"]]}
    start = datetime(2026, 3, 29, 1, 0, tzinfo=BXL)  # 00:00 UTC
    result = add_opening_minutes(hours, "Europe/Brussels", start, 120)
    assert result == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # two real hours later
    assert result.astimezone(BXL).hour == 4  # the wall clock skipped an hour


def test_across_autumn_dst_change_weekday_hours_stay_wall_clock():
    # Friday 2026-10-23 17:00 CEST; clocks go back on Sunday 25th; Monday is CET.
    result = due(WEEKDAYS, datetime(2026, 10, 23, 17, 0), 240)
    assert result == datetime(2026, 10, 26, 12, 0, tzinfo=BXL)
    assert result.utcoffset().total_seconds() == 3600  # CET after the change
    assert result.astimezone(UTC) == datetime(2026, 10, 26, 11, 0, tzinfo=UTC)


def test_across_spring_dst_change_weekday_hours_stay_wall_clock():
    result = due(WEEKDAYS, datetime(2026, 3, 27, 17, 0), 240)  # Friday, CET
    assert result == datetime(2026, 3, 30, 12, 0, tzinfo=BXL)
    assert result.astimezone(UTC) == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # CEST


def test_parse_hours_skips_invalid_intervals_and_sorts():
    parsed = parse_hours({"mon": [["13:00", "17:00"], ["08:00", "12:00"], ["bad"], ["x", "y"]]})
    assert [(a.hour, b.hour) for a, b in parsed[0]] == [(8, 12), (13, 17)]


def test_local_input_is_converted_with_the_users_zone():
    naive = datetime(2026, 7, 1, 9, 30)
    assert local_to_utc(naive, "Europe/Brussels") == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
