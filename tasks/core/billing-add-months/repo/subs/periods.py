"""Billing period arithmetic."""

from __future__ import annotations

from datetime import date


def add_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` calendar months (negative allowed)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return d.replace(year=year, month=month)


def renewal_dates(start: date, count: int) -> list[date]:
    """The next ``count`` monthly renewal dates after ``start``."""
    dates = []
    current = start
    for _ in range(count):
        current = add_months(current, 1)
        dates.append(current)
    return dates
