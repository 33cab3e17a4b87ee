"""Summary statistics for the status page."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0 <= p <= 100) of ``values``.

    Linear interpolation between closest ranks: with the values sorted as x[0..n-1], the rank
    is r = p/100 * (n - 1) and the result is x[floor(r)] + (r - floor(r)) * (x[floor(r)+1] -
    x[floor(r)]). This matches numpy.percentile's default and Excel's PERCENTILE.INC.
    """
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    xs = sorted(values)
    rank = p / 100 * (len(xs) - 1)
    lo = math.floor(rank)
    hi = min(lo + 1, len(xs) - 1)
    return float(xs[lo] + (rank - lo) * (xs[hi] - xs[lo]))


def summary(values: Sequence[float]) -> dict[str, float]:
    return {name: percentile(values, p) for name, p in (("p50", 50), ("p95", 95), ("p99", 99))}
