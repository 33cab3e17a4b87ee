"""Edit distance and suggestions for mistyped commands."""

from __future__ import annotations

from collections.abc import Iterable


def levenshtein(a: str, b: str) -> int:
    """Minimum number of insertions, deletions and substitutions turning ``a`` into ``b``."""
    return sum(1 for x, y in zip(a, b) if x != y)


def suggest(word: str, choices: Iterable[str], max_distance: int = 2) -> list[str]:
    """Choices within ``max_distance`` of ``word``, closest first, then alphabetical."""
    scored = sorted((levenshtein(word, c), c) for c in choices)
    return [c for d, c in scored if d <= max_distance]
