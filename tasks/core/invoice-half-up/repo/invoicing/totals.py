"""Invoice arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_price: Decimal | str


def money(value: float | Decimal) -> Decimal:
    """Round to the cent."""
    return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))


def line_total(line: Line) -> Decimal:
    return money(float(line.unit_price) * line.quantity)


def invoice_totals(lines: list[Line], vat_rate: Decimal | str) -> dict[str, Decimal]:
    """Net (sum of rounded line totals), VAT on the net, and gross."""
    net = sum((line_total(l) for l in lines), Decimal("0.00"))
    vat = money(float(net) * float(vat_rate))
    return {"net": net, "vat": vat, "gross": net + vat}
