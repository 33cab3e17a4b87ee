"""Roman numerals for chapter headings (1..3999)."""

from __future__ import annotations

_VALUES = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]
_SINGLE = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


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
    """Inverse of to_roman (a smaller symbol before a larger one is subtracted)."""
    digits = [_SINGLE[c] for c in s.upper()]
    total = 0
    for i, d in enumerate(digits):
        total += -d if i + 1 < len(digits) and d < digits[i + 1] else d
    return total
