"""Daily reminder scheduling in the user's local time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def _resolve(naive: datetime, zone) -> datetime:
    """Attach ``zone`` to a local time: first occurrence if ambiguous, shifted past a gap."""
    local = naive.replace(tzinfo=zone, fold=0)
    # A wall time in a gap does not survive a round trip through UTC; fold=0 uses the offset
    # from before the gap, so the round trip lands after it, shifted forward by the gap.
    round_trip = local.astimezone(timezone.utc).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        return round_trip
    return local


def next_occurrences(start: datetime, count: int) -> list[datetime]:
    """``count`` daily occurrences at the wall-clock time of ``start`` (aware, user's zone)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    zone = start.tzinfo
    naive = start.replace(tzinfo=None)
    return [_resolve(naive + timedelta(days=i), zone) for i in range(count)]
