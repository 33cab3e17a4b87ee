"""Monthly sales report as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

COLUMNS = ["month", "region", "units", "revenue", "cost"]


@dataclass(frozen=True)
class Row:
    month: str
    region: str
    units: int
    revenue: Decimal
    cost: Decimal


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.month, r.region, r.units, f"{r.revenue:.2f}", f"{r.cost:.2f}"])
    return out.getvalue()
