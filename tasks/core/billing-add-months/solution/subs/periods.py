"""Billing period arithmetic."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` calendar months (negative allowed), clamped to month end."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return d.replace(year=year, month=month, day=min(d.day, last_day))


def renewal_dates(start: date, count: int) -> list[date]:
    """The next ``count`` monthly renewal dates after ``start``, anchored on its day."""
    return [add_months(start, i) for i in range(1, count + 1)]
