"""Daily reminder scheduling in the user's local time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def next_occurrences(start: datetime, count: int) -> list[datetime]:
    """``count`` daily occurrences at the wall-clock time of ``start`` (aware, user's zone)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    zone = start.tzinfo
    start_utc = start.astimezone(timezone.utc)
    return [(start_utc + timedelta(days=i)).astimezone(zone) for i in range(count)]
