"""Splitting money between parties."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def split_amount(total: Decimal, parts: int) -> list[Decimal]:
    """Split ``total`` into ``parts`` near-equal amounts."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    share = (total / parts).quantize(CENT, rounding=ROUND_HALF_UP)
    return [share] * parts


def split_weighted(total: Decimal, weights: list[int]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``."""
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(weights)
    return [(total * w / whole).quantize(CENT, rounding=ROUND_HALF_UP) for w in weights]
