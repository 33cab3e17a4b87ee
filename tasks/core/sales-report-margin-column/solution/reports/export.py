"""Monthly sales report as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

COLUMNS = ["month", "region", "units", "revenue", "margin_pct", "cost"]


@dataclass(frozen=True)
class Row:
    month: str
    region: str
    units: int
    revenue: Decimal
    cost: Decimal


def margin_pct(row: Row) -> str:
    """(revenue - cost) / revenue in percent, one decimal; "" when revenue is 0."""
    if row.revenue == 0:
        return ""
    pct = (row.revenue - row.cost) / row.revenue * 100
    return str(pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.month, r.region, r.units, f"{r.revenue:.2f}", margin_pct(r),
                         f"{r.cost:.2f}"])
    return out.getvalue()
