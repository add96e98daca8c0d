"""Counting delays in a branch's sales opening hours, and local/UTC conversions.

Opening hours are wall-clock times in the branch's time zone
(`{"mon": [["09:00", "12:30"], ["13:30", "18:00"]], ...}`). Each open interval is
turned into two aware moments with zoneinfo, so a DST change is counted in real
elapsed time. Empty or missing hours mean "always open": plain addition.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS_SCANNED = 800  # a delay never spans more than ~2 years of opening hours


def _parse_time(value: str) -> time:
    hours, minutes = str(value).split(":")[:2]
    return time(int(hours), int(minutes))


def parse_hours(hours: dict | None) -> dict[int, list[tuple[time, time]]]:
    """{weekday (0 = Monday): [(open, close), ...]} sorted; invalid intervals are skipped."""
    parsed: dict[int, list[tuple[time, time]]] = {}
    for index, key in enumerate(DAY_KEYS):
        intervals = []
        for pair in (hours or {}).get(key) or ():
            try:
                opens, closes = _parse_time(pair[0]), _parse_time(pair[1])
            except (ValueError, IndexError, TypeError):
                continue
            if opens < closes:
                intervals.append((opens, closes))
        if intervals:
            parsed[index] = sorted(intervals)
    return parsed


def _open_intervals(parsed, zone: ZoneInfo, first_day: date):
    """Yield each open interval from `first_day` on as (start, end) aware UTC moments."""
    for offset in range(MAX_DAYS_SCANNED):
        day = first_day + timedelta(days=offset)
        for opens, closes in parsed.get(day.weekday(), ()):
            start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day, closes, tzinfo=zone).astimezone(UTC)
            if end > start:
                yield start, end


def add_opening_minutes(hours: dict | None, tz_name: str, start: datetime, minutes: int):
    """The moment `minutes` of opening time after `start` (aware), as aware UTC."""
    start = start.astimezone(UTC)
    parsed = parse_hours(hours)
    if not parsed or minutes <= 0:
        return start + timedelta(minutes=max(minutes, 0))
    zone = ZoneInfo(tz_name or "UTC")
    remaining = timedelta(minutes=minutes)
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    for interval_start, interval_end in _open_intervals(parsed, zone, first_day):
        if interval_end <= start:
            continue
        begin = max(interval_start, start)
        available = interval_end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    return start + timedelta(minutes=minutes)  # unreachable with sane hours


def local_to_utc(value: datetime, tz_name: str) -> datetime:
    """A wall-clock time entered in `tz_name` (naive) as an aware UTC moment."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz_name or "UTC"))
    return value.astimezone(UTC)


def utc_to_local(value: datetime, tz_name: str) -> datetime:
    """An aware moment as a naive wall-clock time in `tz_name` (for form inputs)."""
    return value.astimezone(ZoneInfo(tz_name or "UTC")).replace(tzinfo=None)


def local_day_bounds(day: date, tz_name: str, days: int = 1) -> tuple[datetime, datetime]:
    """[start, end) in UTC of `days` local days starting on `day` in `tz_name`."""
    zone = ZoneInfo(tz_name or "UTC")
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=days), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def opening_minutes_between(hours: dict | None, tz_name: str, start: datetime, end: datetime):
    """Whole minutes of opening time from `start` to `end` (aware; plain minutes when the
    hours are empty, 0 when `end` is not after `start`). The inverse of add_opening_minutes."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0
    parsed = parse_hours(hours)
    if not parsed:
        return int((end - start).total_seconds() // 60)
    zone = ZoneInfo(tz_name or "UTC")
    total = timedelta(0)
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    for interval_start, interval_end in _open_intervals(parsed, zone, first_day):
        if interval_start >= end:
            break
        if interval_end > start:
            total += min(interval_end, end) - max(interval_start, start)
    return int(total.total_seconds() // 60)
