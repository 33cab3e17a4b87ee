"""Shopping cart totals."""

from __future__ import annotations

from decimal import Decimal


def calc_tot(lines: list[tuple[Decimal, int]], discount: Decimal = Decimal("0")) -> Decimal:
    """Sum of price * quantity, minus a fractional ``discount`` (0.1 = 10 %)."""
    subtotal = sum((price * qty for price, qty in lines), Decimal("0"))
    return (subtotal * (1 - discount)).quantize(Decimal("0.01"))
