"""Invoice arithmetic (Decimal throughout; commercial rounding)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_price: Decimal | str


def money(value: Decimal | str | int) -> Decimal:
    """Round to the cent, half away from zero."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(line: Line) -> Decimal:
    return money(Decimal(line.unit_price) * line.quantity)


def invoice_totals(lines: list[Line], vat_rate: Decimal | str) -> dict[str, Decimal]:
    """Net (sum of rounded line totals), VAT on the net, and gross."""
    net = sum((line_total(l) for l in lines), Decimal("0.00"))
    vat = money(net * Decimal(vat_rate))
    return {"net": net, "vat": vat, "gross": net + vat}
