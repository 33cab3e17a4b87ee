"""Splitting money between parties."""

from __future__ import annotations

from decimal import Decimal

CENT = Decimal("0.01")


def _to_cents(total: Decimal) -> int:
    cents = total / CENT
    if cents != cents.to_integral_value():
        raise ValueError(f"{total} has more than two decimal places")
    return int(cents)


def _allocate(cents: int, weights: list[int]) -> list[int]:
    """Largest-remainder allocation of ``cents`` (any sign); ties go to the earlier party."""
    sign = -1 if cents < 0 else 1
    cents = abs(cents)
    whole = sum(weights)
    base = [cents * w // whole for w in weights]
    remainders = [cents * w % whole for w in weights]
    left = cents - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        base[i] += 1
    return [sign * b for b in base]


def split_amount(total: Decimal, parts: int) -> list[Decimal]:
    """Split ``total`` into ``parts`` near-equal amounts that sum exactly to ``total``."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    return [Decimal(c) * CENT for c in _allocate(_to_cents(total), [1] * parts)]


def split_weighted(total: Decimal, weights: list[int]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; the shares sum exactly to ``total``."""
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    return [Decimal(c) * CENT for c in _allocate(_to_cents(total), weights)]
