"""Rolling-window statistics for time series."""

from __future__ import annotations

from collections.abc import Sequence


def windows(values: Sequence[float], size: int) -> list[Sequence[float]]:
    """All contiguous windows of ``size`` values, oldest first."""
    if size < 1:
        raise ValueError("size must be positive")
    return [values[i : i + size] for i in range(len(values) - size + 1)]


def moving_average(values: Sequence[float], size: int) -> list[float]:
    """Mean of each window."""
    if size < 1:
        raise ValueError("size must be positive")
    if len(values) < size:
        return []
    total = sum(values[:size])
    out = [total / size]
    for i in range(size, len(values)):
        total += values[i] - values[i - size]
        out.append(total / size)
    return out


def max_in_windows(values: Sequence[float], size: int) -> list[float]:
    """Maximum of each window."""
    return [max(w) for w in windows(values, size)]
