"""Roman numerals for chapter headings (1..3999)."""

from __future__ import annotations

_VALUES = [(1000, "M"), (500, "D"), (100, "C"), (50, "L"), (10, "X"), (5, "V"), (1, "I")]


def to_roman(n: int) -> str:
    """Standard (subtractive) Roman numeral for 1 <= n <= 3999."""
    if not 1 <= n <= 3999:
        raise ValueError("n must be between 1 and 3999")
    out = []
    for value, symbol in _VALUES:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def from_roman(s: str) -> int:
    """Inverse of to_roman."""
    table = {symbol: value for value, symbol in _VALUES}
    return sum(table[c] for c in s.upper())
