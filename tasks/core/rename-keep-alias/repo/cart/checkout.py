"""Checkout summary."""

from __future__ import annotations

from decimal import Decimal

from cart.totals import calc_tot


def summary(lines: list[tuple[Decimal, int]], coupon: str | None = None) -> str:
    discount = Decimal("0.10") if coupon == "WELCOME10" else Decimal("0")
    return f"{len(lines)} item(s), total {calc_tot(lines, discount)}"
