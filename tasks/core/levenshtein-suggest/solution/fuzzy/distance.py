"""Edit distance and suggestions for mistyped commands."""

from __future__ import annotations

from collections.abc import Iterable


def levenshtein(a: str, b: str) -> int:
    """Minimum number of insertions, deletions and substitutions turning ``a`` into ``b``."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(
                previous[j] + 1,  # deletion
                current[j - 1] + 1,  # insertion
                previous[j - 1] + (ca != cb),  # substitution
            ))
        previous = current
    return previous[-1]


def suggest(word: str, choices: Iterable[str], max_distance: int = 2) -> list[str]:
    """Choices within ``max_distance`` of ``word``, closest first, then alphabetical."""
    scored = sorted((levenshtein(word, c), c) for c in choices)
    return [c for d, c in scored if d <= max_distance]
