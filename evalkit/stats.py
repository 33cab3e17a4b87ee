"""Statistics for false-claim rates: intervals, clustered errors, paired comparisons, power.

The three calls a notebook needs::

    df = evalkit.load("results/")
    evalkit.stats.fc_rate(df, by=["variant", "outcome_class"])      # rates with 95% intervals
    evalkit.stats.compare(df, "baseline", "candidate").summary()    # paired difference, test, CI

Results are shaped like scipy's: ``.statistic``, ``.pvalue`` (where a test is meaningful),
``.confidence_interval(confidence_level=0.95)`` returning ``ConfidenceInterval(low, high)``, plus
``n`` and the other fields each result documents.

Inputs: booleans as lists (``None`` = missing), numpy arrays, or pandas Series (nullable
``boolean`` included). Missing values are dropped and counted in ``n_dropped``; they are never
counted as False.

Conventions (each one a decision; see docs/notebook.md):

- **Empty input** (n = 0, or every value missing): ``statistic`` is NaN and the interval is the
  whole range, (0, 1) for a rate and (-1, 1) for a difference of rates. No warning is emitted.
- **Clustered standard errors** (Miller 2024, "Adding Error Bars to Evals", eq. 4, with the
  usual small-sample factor G/(G-1))::

      SE^2 = G/(G-1) * (1/n^2) * sum_g ( sum_{i in g} (x_i - mean) )^2

  With one sample per cluster this is exactly s^2/n, the unclustered SE. The design effect is
  SE_clustered^2 / SE_unclustered^2 and the effective n is n / max(design effect, 1). Wilson,
  exact and Jeffreys intervals with a cluster use the effective n (and k = rate x effective n);
  Wald uses rate +- z SE. With a single cluster the effective n is 1; when every value is equal
  the design effect cannot be estimated and is taken as 1.
- **One paired inference** (docs/statistics.md): each variant's values are averaged per task
  (pair key) first, then tasks present in both are paired. ``compare`` / ``paired_score`` use
  Tango's score test and the interval that inverts it, so the interval excludes 0 exactly when
  p < 1 - level; with epochs the counts are scaled by the clustered information factor (tasks
  are the unit). Exact McNemar (``mcnemar``), Newcombe's paired interval and the clustered t
  (``paired_difference(method=...)``) remain available but are not what reports show.
- **Jeffreys** follows Brown, Cai & DasGupta (2001): lower bound 0 when k = 0, upper bound 1 when
  k = n (statsmodels leaves the raw beta quantiles there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "ConfidenceInterval",
    "ProportionResult",
    "BootstrapResult",
    "DifferenceResult",
    "McNemarResult",
    "CompareResult",
    "proportion",
    "proportion_from_counts",
    "proportion_ci",
    "clustered_se",
    "bootstrap",
    "paired_difference",
    "paired_score",
    "paired_score_counts",
    "mcnemar",
    "newcombe_difference",
    "newcombe_from_counts",
    "holm",
    "holm_levels",
    "paired_power",
    "tasks_needed",
    "minimum_detectable_difference",
    "fc_rate",
    "compare",
    "compare_within",
    "cheating_rate",
]

Method = Literal["wilson", "exact", "jeffreys", "wald"]
METHODS: tuple[str, ...] = ("wilson", "exact", "jeffreys", "wald")


class ConfidenceInterval(NamedTuple):
    low: float
    high: float


def _z(confidence_level: float) -> float:
    from scipy.special import ndtri

    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level}")
    return float(ndtri(0.5 + confidence_level / 2))


# --------------------------------------------------------------------------- input handling


def _to_float(x: Any, name: str = "x") -> np.ndarray:
    """Values as a float array with NaN for missing (None, pd.NA, NaN)."""
    import numpy as np

    if hasattr(x, "to_numpy"):  # pandas Series / arrays, nullable dtypes included
        try:
            return np.asarray(x.astype("Float64").to_numpy(dtype=float, na_value=np.nan))
        except (TypeError, ValueError):
            x = list(x)
    arr = np.asarray(x)
    if arr.dtype == object:
        arr = np.array([np.nan if _isna(v) else float(v) for v in arr.ravel()], dtype=float)
    return arr.astype(float).ravel()


def _isna(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN, pd.NA raises TypeError
    except TypeError:
        return True


def _binary(x: Any, name: str = "x") -> np.ndarray:
    import numpy as np

    arr = _to_float(x, name)
    ok = arr[~np.isnan(arr)]
    if ok.size and not np.all((ok == 0) | (ok == 1)):
        raise ValueError(f"{name}: expected booleans or 0/1 values")
    return arr


def _codes(keys: Any, n: int, name: str) -> np.ndarray:
    """Integer codes for cluster / pair keys (any hashable values)."""
    import numpy as np
    import pandas as pd

    codes, _ = pd.factorize(np.asarray(keys, dtype=object) if not hasattr(keys, "dtype") else keys)
    codes = np.asarray(codes)
    if codes.shape[0] != n:
        raise ValueError(f"{name}: length {codes.shape[0]} does not match the data ({n})")
    if np.any(codes < 0):
        raise ValueError(f"{name}: has missing values")
    return codes


# --------------------------------------------------------------------------- proportions


def proportion_ci(
    k: Any, n: Any, method: Method = "wilson", confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised interval bounds for k successes of n (k may be fractional: effective counts).

    n = 0 gives (0, 1). Bounds are clipped to [0, 1].
    """
    import numpy as np
    from scipy.special import betaincinv

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    k, n = np.broadcast_arrays(k, n)
    z = _z(confidence_level)
    alpha = 1 - confidence_level
    empty = n <= 0
    safe_n = np.where(empty, 1.0, n)
    p = np.where(empty, 0.0, k / safe_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            denom = safe_n + z * z
            center = (k + z * z / 2) / denom
            half = z / denom * np.sqrt(np.maximum(k * (safe_n - k) / safe_n, 0) + z * z / 4)
            low, high = center - half, center + half
            # exact algebra gives 0 at k = 0 and 1 at k = n; avoid rounding noise there
            low = np.where(k <= 0, 0.0, low)
            high = np.where(k >= safe_n, 1.0, high)
        elif method == "exact":
            low = np.where(k <= 0, 0.0, betaincinv(k, safe_n - k + 1, alpha / 2))
            high = np.where(k >= safe_n, 1.0, betaincinv(k + 1, safe_n - k, 1 - alpha / 2))
        elif method == "jeffreys":
            low = np.where(k <= 0, 0.0, betaincinv(k + 0.5, safe_n - k + 0.5, alpha / 2))
            high = np.where(
                k >= safe_n, 1.0, betaincinv(k + 0.5, safe_n - k + 0.5, 1 - alpha / 2)
            )
        elif method == "wald":
            half = z * np.sqrt(p * (1 - p) / safe_n)
            low, high = p - half, p + half
        else:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    low = np.clip(np.where(empty, 0.0, low), 0.0, 1.0)
    high = np.clip(np.where(empty, 1.0, high), 0.0, 1.0)
    return low, high


def clustered_se(x: Any, cluster: Any) -> tuple[float, float, int]:
    """Miller (2024) clustered SE of a mean, with G/(G-1): returns (se, design_effect, G).

    ``x`` must have no missing values (see :func:`proportion` for the NA-aware entry point).
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    n = x.size
    codes = _codes(cluster, n, "cluster")
    if n == 0:
        return math.nan, 1.0, 0
    g = int(codes.max()) + 1
    resid = x - x.mean()
    sums = np.bincount(codes, weights=resid, minlength=g)
    ss = float(resid @ resid)
    if g < 2:
        return math.nan, math.inf if ss > 0 else 1.0, g
    var_c = g / (g - 1) * float(sums @ sums) / (n * n)
    var_iid = ss / (n * (n - 1)) if n > 1 else 0.0
    deff = var_c / var_iid if var_iid > 0 else 1.0
    return math.sqrt(var_c), deff, g


@dataclass(frozen=True)
class ProportionResult:
    """A rate with its interval. ``statistic`` = k / n (NaN when n = 0)."""

    statistic: float
    k: int
    n: int
    n_dropped: int
    method: str
    se: float  # sqrt(p(1-p)/n), or the clustered SE
    n_clusters: int | None = None
    design_effect: float = 1.0
    effective_n: float = math.nan
    _default_level: float = field(default=0.95, repr=False)

    @property
    def rate(self) -> float:
        return self.statistic

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        if self.n == 0:
            return ConfidenceInterval(0.0, 1.0)
        if self.n_clusters is not None and self.method == "wald":
            z = _z(confidence_level)
            se = self.se if not math.isnan(self.se) else 0.5  # one cluster: no information
            return ConfidenceInterval(
                max(0.0, self.statistic - z * se), min(1.0, self.statistic + z * se)
            )
        n_eff = self.effective_n
        low, high = proportion_ci(self.statistic * n_eff, n_eff, self.method, confidence_level)  # type: ignore[arg-type]
        return ConfidenceInterval(float(low), float(high))

    def __str__(self) -> str:
        lo, hi = self.confidence_interval(self._default_level)
        rate = "n/a" if self.n == 0 else f"{100 * self.statistic:.1f}%"
        extra = (
            f", {self.n_clusters} clusters, effective n {self.effective_n:.1f}"
            if self.n_clusters is not None
            else ""
        )
        return (
            f"{self.k}/{self.n} = {rate} ({100 * self._default_level:g}% CI "
            f"{100 * lo:.1f}% to {100 * hi:.1f}%, {self.method}{extra})"
        )


def proportion_from_counts(k: int, n: int, method: Method = "wilson") -> ProportionResult:
    """A rate from counts: k successes out of n."""
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    p = k / n if n else math.nan
    se = math.sqrt(p * (1 - p) / n) if n else math.nan
    return ProportionResult(p, int(k), int(n), 0, method, se, None, 1.0, float(n))


def proportion(x: Any, method: Method = "wilson", cluster: Any = None) -> ProportionResult:
    """Rate of True in ``x`` (missing values dropped and counted) with its interval.

    ``cluster`` (e.g. task ids, same length as x) gives Miller's clustered SE, the design effect
    and the effective n, which the interval then uses (see the module docstring).
    """
    import numpy as np

    arr = _binary(x)
    keep = ~np.isnan(arr)
    n_dropped = int(arr.size - keep.sum())
    if cluster is None:
        vals = arr[keep]
        res = proportion_from_counts(int(vals.sum()), int(vals.size), method)
        return ProportionResult(**{**res.__dict__, "n_dropped": n_dropped})
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    codes = _codes(cluster, arr.size, "cluster")
    vals, codes = arr[keep], codes[keep]
    n = int(vals.size)
    if n == 0:
        return ProportionResult(math.nan, 0, 0, n_dropped, method, math.nan, 0, 1.0, 0.0)
    codes = _renumber(codes)
    se, deff, g = clustered_se(vals, codes)
    n_eff = 1.0 if g < 2 else n / max(deff, 1.0)
    return ProportionResult(
        float(vals.mean()), int(vals.sum()), n, n_dropped, method, se, g, deff, n_eff
    )


# --------------------------------------------------------------------------- bootstrap


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap of a mean (a rate, or a mean paired difference), optionally by cluster."""

    statistic: float
    n: int
    n_dropped: int
    n_clusters: int
    method: str
    standard_error: float
    bootstrap_distribution: np.ndarray = field(repr=False)
    _jackknife: np.ndarray = field(repr=False)
    _jackknife_weights: np.ndarray = field(repr=False)

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        import numpy as np
        from scipy.special import ndtr, ndtri

        if self.n == 0:
            return ConfidenceInterval(math.nan, math.nan)
        dist = self.bootstrap_distribution
        alpha = 1 - confidence_level
        theta = self.statistic
        if np.all(dist == dist[0]):
            return ConfidenceInterval(float(dist[0]), float(dist[0]))
        if self.method == "percentile":
            lo, hi = np.quantile(dist, [alpha / 2, 1 - alpha / 2])
        elif self.method == "basic":
            q_lo, q_hi = np.quantile(dist, [alpha / 2, 1 - alpha / 2])
            lo, hi = 2 * theta - q_hi, 2 * theta - q_lo
        elif self.method == "bca":
            # mid-rank for ties: a discrete statistic (a rate) often equals theta exactly
            below = np.mean(dist < theta) + 0.5 * np.mean(dist == theta)
            z0 = float(ndtri(min(max(below, 1e-12), 1 - 1e-12)))
            jk, w = self._jackknife, self._jackknife_weights
            d = np.sum(w * jk) / np.sum(w) - jk
            denom = 6.0 * np.sum(w * d**2) ** 1.5
            a = float(np.sum(w * d**3) / denom) if denom > 0 else 0.0
            out = []
            for q in (alpha / 2, 1 - alpha / 2):
                zq = ndtri(q)
                out.append(float(ndtr(z0 + (z0 + zq) / (1 - a * (z0 + zq)))))
            lo, hi = np.quantile(dist, out)
        else:  # pragma: no cover - checked in bootstrap()
            raise ValueError(self.method)
        return ConfidenceInterval(float(lo), float(hi))


def bootstrap(
    x: Any,
    *,
    cluster: Any = None,
    n_resamples: int = 10_000,
    method: Literal["percentile", "basic", "bca"] = "bca",
    seed: int | None = 0,
) -> BootstrapResult:
    """Seeded, vectorised bootstrap of the mean of ``x`` (missing values dropped).

    With ``cluster`` (task ids) whole clusters are resampled: the statistic of a resample is
    sum(cluster sums) / sum(cluster sizes). Identical units are pooled, so a resample is one
    multinomial draw over the distinct (sum, size) units: 10^4 resamples of 10^5 samples take
    milliseconds. ``method``: "percentile", "basic", or "bca" (bias-corrected and accelerated,
    jackknife over clusters; ties in the bootstrap distribution count half).
    """
    import numpy as np

    if method not in ("percentile", "basic", "bca"):
        raise ValueError(f"method must be percentile, basic or bca, got {method!r}")
    arr = _to_float(x)
    keep = ~np.isnan(arr)
    n_dropped = int(arr.size - keep.sum())
    vals = arr[keep]
    n = int(vals.size)
    empty = np.array([])
    if n == 0:
        return BootstrapResult(math.nan, 0, n_dropped, 0, method, math.nan, empty, empty, empty)
    if cluster is None:
        sums, sizes = vals, np.ones(n)
    else:
        codes = _codes(cluster, arr.size, "cluster")[keep]
        codes = _renumber(codes)
        sums = np.bincount(codes, weights=vals)
        sizes = np.bincount(codes).astype(float)
    g = sums.size
    units, mult = np.unique(np.stack([sums, sizes], axis=1), axis=0, return_counts=True)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(g, mult / g, size=n_resamples).astype(float)
    dist = (counts @ units[:, 0]) / (counts @ units[:, 1])
    total_s, total_m = float(sums.sum()), float(sizes.sum())
    theta = total_s / total_m
    # leave-one-unit-out estimates (for BCa); a single unit has no jackknife
    denom = total_m - units[:, 1]
    jk = np.where(denom > 0, (total_s - units[:, 0]) / np.where(denom > 0, denom, 1), theta)
    return BootstrapResult(
        theta, n, n_dropped, g, method, float(dist.std(ddof=1)) if dist.size > 1 else 0.0,
        dist, jk, mult.astype(float),
    )


# --------------------------------------------------------------------------- differences


@dataclass(frozen=True)
class DifferenceResult:
    """A difference of rates (a - b) with its interval.

    ``method``: "score" (paired: Tango's score test and interval, counts scaled by the
    clustered information factor when tasks have several epochs; ``pvalue`` is the same score
    test at 0, so the interval excludes 0 exactly when ``pvalue`` < 1 - level), "newcombe"
    (hybrid score: Newcombe 1998, method 10 for independent samples; Newcombe 1998b for paired
    binary data) or "clustered" (mean of per-task differences, SE of those differences,
    Student t with n_pairs - 1 degrees of freedom).
    """

    statistic: float
    rate_a: float
    rate_b: float
    n_a: int
    n_b: int
    n_dropped: int
    method: str
    paired: bool
    se: float = math.nan
    pvalue: float | None = None  # "score": the score test; "clustered": the t-test; else None
    n_pairs: int | None = None
    _params: tuple[Any, ...] = field(default=(), repr=False)

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        if math.isnan(self.statistic):
            return ConfidenceInterval(-1.0, 1.0)
        if self.method == "score":
            return _score_interval(*self._params[:3], confidence_level)
        if self.method == "clustered":
            from scipy.stats import t

            df = (self.n_pairs or 0) - 1
            if df < 1 or math.isnan(self.se):
                return ConfidenceInterval(-1.0, 1.0)
            half = float(t.ppf(0.5 + confidence_level / 2, df)) * self.se
            return ConfidenceInterval(
                max(-1.0, self.statistic - half), min(1.0, self.statistic + half)
            )
        if self.paired:
            return _newcombe_paired(*self._params, confidence_level)
        k1, n1, k2, n2 = self._params
        return _newcombe_unpaired(k1, n1, k2, n2, confidence_level)


def _newcombe_unpaired(k1: float, n1: float, k2: float, n2: float, level: float):
    if n1 == 0 or n2 == 0:
        return ConfidenceInterval(-1.0, 1.0)
    (l1, l2), (u1, u2) = proportion_ci([k1, k2], [n1, n2], "wilson", level)
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return ConfidenceInterval(max(-1.0, low), min(1.0, high))


def _newcombe_paired(both: int, a_only: int, b_only: int, neither: int, level: float):
    """Newcombe (1998b) method 10: Wilson intervals for each margin, with the phi correlation."""
    n = both + a_only + b_only + neither
    if n == 0:
        return ConfidenceInterval(-1.0, 1.0)
    k1, k2 = both + a_only, both + b_only
    (l1, l2), (u1, u2) = proportion_ci([k1, k2], [n, n], "wilson", level)
    p1, p2 = k1 / n, k2 / n
    denom = (k1) * (n - k1) * (k2) * (n - k2)
    phi = (both * neither - a_only * b_only) / math.sqrt(denom) if denom > 0 else 0.0
    d = p1 - p2
    dl = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    du = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    return ConfidenceInterval(
        max(-1.0, d - math.sqrt(max(dl, 0.0))), min(1.0, d + math.sqrt(max(du, 0.0)))
    )


def newcombe_from_counts(k1: int, n1: int, k2: int, n2: int) -> DifferenceResult:
    """Unpaired difference k1/n1 - k2/n2 with Newcombe's hybrid score interval (method 10)."""
    for k, n in ((k1, n1), (k2, n2)):
        if n < 0 or k < 0 or k > n:
            raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p1 = k1 / n1 if n1 else math.nan
    p2 = k2 / n2 if n2 else math.nan
    return DifferenceResult(
        p1 - p2, p1, p2, n1, n2, 0, "newcombe", False, _params=(k1, n1, k2, n2)
    )


def newcombe_difference(a: Any, b: Any) -> DifferenceResult:
    """Unpaired rate(a) - rate(b) with Newcombe's hybrid score interval (1998, method 10)."""
    import numpy as np

    xa, xb = _binary(a, "a"), _binary(b, "b")
    va, vb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    res = newcombe_from_counts(int(va.sum()), va.size, int(vb.sum()), vb.size)
    dropped = int(xa.size - va.size + xb.size - vb.size)
    return DifferenceResult(**{**res.__dict__, "n_dropped": dropped})


def _pairs(
    a: Any, b: Any, pair: Any
) -> tuple[np.ndarray, np.ndarray, int, bool, np.ndarray, np.ndarray]:
    """Per-task means of a and b for tasks present in both.

    Returns (ma, mb, n_dropped, binary, ca, cb): ca / cb count the samples behind each mean.
    """
    import numpy as np
    import pandas as pd

    if pair is None and isinstance(a, pd.Series) and isinstance(b, pd.Series):
        sa = pd.Series(_binary(a, "a"), index=a.index).dropna()
        sb = pd.Series(_binary(b, "b"), index=b.index).dropna()
        dropped = len(a) + len(b) - len(sa) - len(sb)
        ga = sa.groupby(level=0, sort=False).agg(["mean", "size"])
        gb = sb.groupby(level=0, sort=False).agg(["mean", "size"])
        ga, gb = ga.align(gb, join="inner", axis=0)
        ma, mb = ga["mean"].to_numpy(float), gb["mean"].to_numpy(float)
        ca, cb = ga["size"].to_numpy(float), gb["size"].to_numpy(float)
    else:
        xa, xb = _binary(a, "a"), _binary(b, "b")
        if xa.size != xb.size:
            raise ValueError(
                f"a and b have different lengths ({xa.size}, {xb.size}); pass pandas Series "
                "indexed by task id to pair them by index"
            )
        keep = ~(np.isnan(xa) | np.isnan(xb))
        dropped = int((~keep).sum())
        if pair is None:
            ma, mb = xa[keep], xb[keep]
            ca = cb = np.ones(ma.size)
        else:
            codes = _codes(pair, xa.size, "pair")[keep]
            codes = _renumber(codes)
            cnt = np.bincount(codes).astype(float)
            ma = np.bincount(codes, weights=xa[keep]) / cnt if cnt.size else np.array([])
            mb = np.bincount(codes, weights=xb[keep]) / cnt if cnt.size else np.array([])
            ca = cb = cnt
    binary = bool(np.all((ma == 0) | (ma == 1)) and np.all((mb == 0) | (mb == 1)))
    return ma, mb, int(dropped), binary, ca, cb


def paired_difference(
    a: Any,
    b: Any,
    pair: Any = None,
    method: Literal["auto", "score", "newcombe", "clustered"] = "auto",
) -> DifferenceResult:
    """Paired rate(a) - rate(b) over tasks that both were run on.

    Pairing: ``pair`` gives the task id of each position (a, b and pair of equal length); or,
    with ``pair=None``, pandas Series are paired by index (duplicated index labels = epochs) and
    plain sequences position by position. Epochs are averaged per task first.

    ``method="auto"`` (= "score") is the one inference evalkit uses everywhere: Tango's score
    test and the interval that inverts it (see :func:`paired_score`), so the interval excludes 0
    exactly when ``pvalue`` < 1 - level. "newcombe" (one epoch only) and "clustered" (t on the
    per-task differences) are kept for comparison; their ``pvalue`` is None and the t-test.
    """
    ma, mb, dropped, binary, ca, cb = _pairs(a, b, pair)
    return _paired_result(ma, mb, dropped, binary, method, ca, cb)


def _paired_result(
    ma: np.ndarray, mb: np.ndarray, dropped: int, binary: bool, method: str,
    ca: np.ndarray | None = None, cb: np.ndarray | None = None,
) -> DifferenceResult:
    import numpy as np

    t_n = int(ma.size)
    if method == "auto":
        method = "score"
    if method not in ("score", "newcombe", "clustered"):
        raise ValueError(f"method must be auto, score, newcombe or clustered, got {method!r}")
    if method == "score":
        return _score_result(ma, mb, dropped, ca, cb)
    if method == "newcombe" and not binary:
        raise ValueError("method='newcombe' needs one 0/1 value per task and variant (epochs=1)")
    if t_n == 0:
        return DifferenceResult(
            math.nan, math.nan, math.nan, 0, 0, dropped, method, True, n_pairs=0,
            _params=(0, 0, 0, 0),
        )
    d = ma - mb
    diff = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(t_n)) if t_n > 1 else math.nan
    pvalue = None
    if method == "clustered":
        from scipy.stats import t

        if t_n > 1 and se > 0:
            pvalue = float(2 * t.sf(abs(diff) / se, t_n - 1))
        elif t_n > 1:
            pvalue = 1.0 if diff == 0 else 0.0
    params: tuple[Any, ...] = ()
    if binary:
        both = int(np.sum((ma == 1) & (mb == 1)))
        a_only = int(np.sum((ma == 1) & (mb == 0)))
        b_only = int(np.sum((ma == 0) & (mb == 1)))
        params = (both, a_only, b_only, t_n - both - a_only - b_only)
    return DifferenceResult(
        diff, float(ma.mean()), float(mb.mean()), t_n, t_n, dropped, method, True, se, pvalue,
        t_n, params,
    )


# --------------------------------------------------------------------------- paired score


def _tango_stat(d: float, b: float, c: float, n: float) -> float:
    """Tango's (1998) score statistic for H0: p(a only) - p(b only) = d, on counts b, c of n.

    The variance uses the maximum-likelihood cell probabilities under H0 (constrained MLE of
    p(b only), the root of a quadratic), which is what keeps the interval sensible when no or
    few tasks are discordant. Decreasing in d; 0 at d = (b - c) / n.
    """
    big_a = 2.0 * n
    big_b = -b - c + (2.0 * n - b + c) * d
    big_c = -c * d * (1.0 - d)
    q = (math.sqrt(max(big_b * big_b - 4.0 * big_a * big_c, 0.0)) - big_b) / (2.0 * big_a)
    var = n * (2.0 * q + d * (1.0 - d))
    num = b - c - n * d
    if var <= 1e-300:
        return 0.0 if abs(num) <= 1e-12 * max(n, 1.0) else math.copysign(math.inf, num)
    return num / math.sqrt(var)


def _score_pvalue(b: float, c: float) -> float:
    """Two-sided score test of d = 0: McNemar's asymptotic test (b - c) / sqrt(b + c)."""
    if b + c <= 0:
        return 1.0
    return math.erfc(abs(b - c) / math.sqrt(b + c) / math.sqrt(2.0))


def _score_interval(b: float, c: float, n: float, level: float) -> ConfidenceInterval:
    """{d : |T(d)| <= z}: the set of differences the score test does not reject at 1 - level.

    T is decreasing in d, so each end is one root, found to double precision.
    """
    if n <= 0:
        return ConfidenceInterval(-1.0, 1.0)
    z = _z(level)
    est = (b - c) / n

    def root(target: float, lo: float, hi: float) -> float:
        from scipy.optimize import brentq

        # T(lo) > target >= T(hi); T is clipped so the edges' infinities stay finite
        def g(d: float) -> float:
            return max(-1e6, min(1e6, _tango_stat(d, b, c, n))) - target

        if g(hi) == 0:
            return hi
        return float(brentq(g, lo, hi, xtol=1e-15, rtol=8.9e-16, maxiter=500))

    edge = 1.0 - 1e-12
    low = -1.0 if est <= -1 or _tango_stat(-edge, b, c, n) <= z else root(z, -edge, est)
    high = 1.0 if est >= 1 or _tango_stat(edge, b, c, n) >= -z else root(-z, est, edge)
    return ConfidenceInterval(max(-1.0, low), min(1.0, high))


def paired_score_counts(
    ma: Any, mb: Any, ca: Any = None, cb: Any = None
) -> tuple[float, float, float, float]:
    """Score-test inputs from per-task rates: (b, c, n, f), the counts already scaled by f.

    One epoch: b, c are the discordant counts (a only, b only) and n the number of tasks, so
    the method is Tango's. With epochs, ma / mb are per-task rates over ca / cb samples;
    b = sum ma (1 - mb) and c = sum mb (1 - ma) keep b - c = n x mean difference, and the
    information factor f = v1 / vc (v1: the variance of one task's difference implied by
    b, c; vc: the observed variance of the per-task mean differences, clustered by task) scales
    b, c and n, capped at the epochs per task (independent epochs) — the paired analogue of the
    effective n used for clustered rates.
    """
    import numpy as np

    ma, mb = np.asarray(ma, float), np.asarray(mb, float)
    n = float(ma.size)
    if n == 0:
        return 0.0, 0.0, 0.0, 1.0
    b = float(np.sum(ma * (1 - mb)))
    c = float(np.sum(mb * (1 - ma)))
    d = ma - mb
    mean = float(d.mean())
    v1 = max((b + c) / n - mean * mean, 0.0)
    vc = float(np.mean((d - mean) ** 2))
    ca = np.ones(ma.size) if ca is None else np.asarray(ca, float)
    cb = np.ones(ma.size) if cb is None else np.asarray(cb, float)
    cap = float(np.mean(2.0 / (1.0 / np.maximum(ca, 1) + 1.0 / np.maximum(cb, 1))))
    if vc > 1e-15:
        f = min(v1 / vc, cap)
    else:
        f = cap if v1 > 0 else 1.0
    if abs(f - 1.0) < 1e-12:
        f = 1.0
    return b * f, c * f, n * f, f


def _score_result(
    ma: np.ndarray, mb: np.ndarray, dropped: int, ca: np.ndarray | None,
    cb: np.ndarray | None,
) -> DifferenceResult:
    t_n = int(ma.size)
    if t_n == 0:
        return DifferenceResult(
            math.nan, math.nan, math.nan, 0, 0, dropped, "score", True, n_pairs=0,
            _params=(0.0, 0.0, 0.0, 1.0),
        )
    b, c, n, f = paired_score_counts(ma, mb, ca, cb)
    diff = float(ma.mean() - mb.mean())
    var = (b + c) / n - diff * diff
    se = math.sqrt(max(var, 0.0) / n)
    return DifferenceResult(
        diff, float(ma.mean()), float(mb.mean()), t_n, t_n, dropped, "score", True, se,
        _score_pvalue(b, c), t_n, (b, c, n, f),
    )


def paired_score(a: Any, b: Any, pair: Any = None) -> DifferenceResult:
    """rate(a) - rate(b) on the same tasks: Tango's score test and its inverted interval.

    The one paired inference evalkit reports (Tango 1998; recommended for paired proportions by
    Fagerland, Lydersen & Laake 2014). ``pvalue`` is the score test of "no difference"
    (McNemar's asymptotic test without continuity correction, with one epoch) and
    ``confidence_interval(level)`` is every difference that test does not reject, so the
    interval excludes 0 exactly when ``pvalue`` < 1 - level. Epochs: tasks are the unit
    (epochs averaged per task); see :func:`paired_score_counts`. Pairing as
    :func:`paired_difference`.
    """
    ma, mb, dropped, _, ca, cb = _pairs(a, b, pair)
    return _score_result(ma, mb, dropped, ca, cb)


@dataclass(frozen=True)
class McNemarResult:
    """Exact McNemar test: binomial(1/2) on discordant pairs.

    ``statistic`` = min(a_only, b_only) (as statsmodels); ``a_only``: tasks where a is True (or
    higher on average) and b is not; ``b_only`` the reverse. ``pvalue`` is two-sided exact,
    ``pvalue_mid`` the mid-p version (less conservative; Fagerland et al. 2013).
    """

    statistic: int
    pvalue: float
    pvalue_mid: float
    a_only: int
    b_only: int
    n_pairs: int
    n_dropped: int

    @property
    def n_discordant(self) -> int:
        return self.a_only + self.b_only


def _mcnemar_counts(a_only: int, b_only: int) -> tuple[float, float]:
    from scipy.special import bdtr

    m = a_only + b_only
    if m == 0:
        return 1.0, 1.0
    lo = min(a_only, b_only)
    cdf = float(bdtr(lo, m, 0.5))
    pmf = cdf - (float(bdtr(lo - 1, m, 0.5)) if lo > 0 else 0.0)
    return min(1.0, 2 * cdf), min(1.0, 2 * (cdf - 0.5 * pmf))


def mcnemar(a: Any, b: Any, pair: Any = None) -> McNemarResult:
    """Exact McNemar test of a vs b on the same tasks (pairing as :func:`paired_difference`)."""
    ma, mb, dropped, *_ = _pairs(a, b, pair)
    return _mcnemar_result(ma, mb, dropped)


def _mcnemar_result(ma: np.ndarray, mb: np.ndarray, dropped: int) -> McNemarResult:
    import numpy as np

    a_only = int(np.sum(ma > mb))
    b_only = int(np.sum(ma < mb))
    p, mid = _mcnemar_counts(a_only, b_only)
    return McNemarResult(min(a_only, b_only), p, mid, a_only, b_only, int(ma.size), dropped)


def holm(pvalues: Sequence[float] | Any) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error). NaN entries stay NaN, not counted."""
    import numpy as np

    p = _to_float(pvalues)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adj, 1.0)
    return out


def holm_levels(pvalues: Sequence[float] | Any, alpha: float = 0.05) -> np.ndarray:
    """Confidence level for each row's interval so that it agrees with Holm's decision.

    Holm compares the r-th smallest p with alpha / (m - r + 1) and stops at the first that
    fails (rank r0). Rows before r0 get level 1 - alpha / (m - r + 1); r0 and every later row
    get 1 - alpha / (m - r0 + 1). Each row's interval then excludes 0 exactly when its Holm-
    adjusted p is below alpha (for tests whose interval inverts them, as ``paired_score``).
    NaN p-values get NaN.
    """
    import numpy as np

    p = _to_float(pvalues)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    order = ok[np.argsort(p[ok], kind="stable")]
    stopped: float | None = None
    for r, i in enumerate(order):
        local = alpha / (m - r)
        if stopped is None and not p[i] < local:
            stopped = local
        out[i] = 1 - (local if stopped is None else stopped)
    return out


# --------------------------------------------------------------------------- power


def _paired_variances(
    delta: float, p_base: float, rho: float | None, discordance: float | None
) -> tuple[float, float]:
    """(null variance psi, alternative variance psi - delta^2) of one task's difference."""
    p_new = p_base + delta
    if not (0 <= p_base <= 1 and 0 <= p_new <= 1):
        raise ValueError(f"rates out of [0, 1]: p_base={p_base}, p_base+delta={p_new}")
    if discordance is not None:
        psi = float(discordance)
        if psi < abs(delta) or psi > 1:
            raise ValueError(f"discordance must be in [|delta|, 1], got {psi}")
    else:
        r = 0.0 if rho is None else float(rho)
        cov = r * math.sqrt(p_base * (1 - p_base) * p_new * (1 - p_new))
        psi = p_base * (1 - p_new) + p_new * (1 - p_base) - 2 * cov
        if psi < abs(delta) - 1e-12:
            raise ValueError(f"rho={r} is impossible for rates {p_base} and {p_new}")
    return psi, max(psi - delta * delta, 0.0)


def _epoch_factor(epochs: int, icc: float | None) -> float:
    if epochs < 1:
        raise ValueError("epochs must be >= 1")
    if epochs == 1:
        return 1.0
    if icc is None:
        raise ValueError(
            "with epochs > 1 give icc: the correlation of two epochs of the same task "
            "(0 = epochs are independent retries, 1 = epochs repeat the same answer)"
        )
    return icc + (1 - icc) / epochs


def paired_power(
    n_tasks: int,
    delta: float,
    p_base: float,
    *,
    rho: float | None = None,
    discordance: float | None = None,
    alpha: float = 0.05,
    epochs: int = 1,
    icc: float | None = None,
    paired: bool = True,
) -> float:
    """Power of a two-sided test to detect rate(candidate) - rate(baseline) = ``delta``.

    Paired (McNemar-type, Connor 1987): per-task difference variance psi under the null and
    psi - delta^2 under the alternative, where psi is the discordance P(a != b), given directly
    or from ``rho`` (the correlation of the two variants' outcomes on a task; default 0).
    With several epochs both variances shrink by icc + (1 - icc)/epochs. ``paired=False`` gives
    the two-independent-groups test with n_tasks per group (pooled null variance).
    """
    from scipy.stats import norm

    if n_tasks <= 0 or delta == 0:
        return alpha if delta == 0 else 0.0
    za = norm.ppf(1 - alpha / 2)
    f = _epoch_factor(epochs, icc)
    if paired:
        v0, v1 = _paired_variances(delta, p_base, rho, discordance)
    else:
        p_new = p_base + delta
        pbar = (p_base + p_new) / 2
        v0, v1 = 2 * pbar * (1 - pbar), p_base * (1 - p_base) + p_new * (1 - p_new)
    v0, v1 = v0 * f, v1 * f
    if v1 == 0:
        return 1.0
    z = (abs(delta) * math.sqrt(n_tasks) - za * math.sqrt(v0)) / math.sqrt(v1)
    z_other = (-abs(delta) * math.sqrt(n_tasks) - za * math.sqrt(v0)) / math.sqrt(v1)
    return float(norm.cdf(z) + norm.cdf(z_other))


def tasks_needed(
    delta: float,
    p_base: float,
    *,
    rho: float | None = None,
    discordance: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    epochs: int = 1,
    icc: float | None = None,
    paired: bool = True,
) -> int:
    """Tasks (per variant) needed to detect ``delta`` with the given power; see paired_power.

    Closed form (Connor 1987 for paired; Fleiss for unpaired), rounded up:
    n = (z_{1-alpha/2} sqrt(v0) + z_power sqrt(v1))^2 / delta^2, with v0, v1 scaled for epochs.
    """
    from scipy.stats import norm

    if delta == 0:
        raise ValueError("delta must be non-zero")
    za, zb = norm.ppf(1 - alpha / 2), norm.ppf(power)
    f = _epoch_factor(epochs, icc)
    if paired:
        v0, v1 = _paired_variances(delta, p_base, rho, discordance)
    else:
        p_new = p_base + delta
        pbar = (p_base + p_new) / 2
        v0, v1 = 2 * pbar * (1 - pbar), p_base * (1 - p_base) + p_new * (1 - p_new)
    n = (za * math.sqrt(v0 * f) + zb * math.sqrt(v1 * f)) ** 2 / delta**2
    return max(1, math.ceil(n - 1e-9))


def minimum_detectable_difference(
    n_tasks: int,
    p_base: float,
    *,
    rho: float | None = None,
    discordance: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    epochs: int = 1,
    icc: float | None = None,
    paired: bool = True,
    direction: Literal["up", "down"] = "up",
) -> float:
    """Smallest |delta| detectable with ``n_tasks`` (solves paired_power(...) = power).

    ``direction="up"`` searches candidate rates above p_base (a regression in false claims).
    Returns NaN when even the largest possible difference is not detectable. With
    ``discordance`` given it is held fixed while delta varies.
    """
    from scipy.optimize import brentq

    sign = 1.0 if direction == "up" else -1.0
    top = (1 - p_base) if sign > 0 else p_base
    if discordance is not None:
        top = min(top, discordance)
    if top <= 0:
        return math.nan

    def gap(d: float) -> float:
        return paired_power(
            n_tasks, sign * d, p_base, rho=rho, discordance=discordance, alpha=alpha,
            epochs=epochs, icc=icc, paired=paired,
        ) - power

    hi = top - 1e-12
    try:
        if gap(hi) < 0:
            return math.nan
    except ValueError:  # rho impossible at the extreme: shrink until feasible
        while hi > 1e-9:
            hi *= 0.99
            try:
                if gap(hi) >= 0:
                    break
            except ValueError:
                continue
        else:
            return math.nan
    return float(brentq(gap, 1e-12, hi, xtol=1e-10))


# --------------------------------------------------------------------------- data frames


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _renumber(codes: np.ndarray) -> np.ndarray:
    """Codes 0..k-1 for the distinct values of ``codes`` (non-negative ints), in their sorted
    order: what ``np.unique(codes, return_inverse=True)[1]`` gives, without the sort."""
    if codes.size == 0:
        return codes
    return _dense(codes, int(codes.max()) + 1)[0]


def _dense(values: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes, the sorted distinct values): ``values`` (ints in 0..space-1) numbered densely.
    A bincount over the space when it is small, else a sort."""
    import numpy as np

    if space <= max(4 * values.size, 1 << 16):
        present = np.bincount(values, minlength=space) > 0
        number = np.cumsum(present) - 1
        return number[values], np.flatnonzero(present)
    first, codes = np.unique(values, return_inverse=True)
    return codes.ravel(), first


def _group_codes(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Group number of each row and the group keys, as ``df.groupby(keys, observed=True,
    dropna=False, sort=True)`` orders them; from the category codes when every key is a
    category (the frames ``load`` makes), which costs a fraction of a groupby."""
    import numpy as np
    import pandas as pd

    if not keys:
        return np.zeros(len(df), dtype=np.int64), [()]
    cols = [df[k] for k in keys]
    if not all(isinstance(c.dtype, pd.CategoricalDtype) for c in cols):
        grouped = df.groupby(keys, observed=True, dropna=False, sort=True)
        labels = [k if isinstance(k, tuple) else (k,) for k in grouped.size().index]
        return np.asarray(grouped.ngroup(), dtype=np.int64), labels
    combined = np.zeros(len(df), dtype=np.int64)
    radix = []
    for c in cols:
        codes = c.cat.codes.to_numpy().astype(np.int64)
        size = len(c.cat.categories) + 1  # NA sorts last, as groupby puts it
        combined = combined * size + np.where(codes < 0, size - 1, codes)
        radix.append(size)
    space = math.prod(radix)
    gid, observed = _dense(combined, space)
    labels = []
    for value in observed.tolist():
        key = []
        for c, size in zip(reversed(cols), reversed(radix), strict=True):
            value, digit = divmod(value, size)
            key.append(c.cat.categories[digit] if digit < size - 1 else np.nan)
        labels.append(tuple(reversed(key)))
    return gid, labels


def fc_rate(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = ("variant", "outcome_class"),
    flag: str = "false_claim",
    method: Method = "wilson",
    cluster: str | None = "task_id",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Rate of ``flag`` per group with its interval: one row per observed group.

    Columns: the ``by`` columns, n (non-missing), k (True), rate, lower, upper, n_missing; with
    ``cluster`` also n_clusters, design_effect and effective_n (the interval uses effective n).
    A group whose flag is all missing has n = 0, rate NaN, lower 0, upper 1. Clustering only
    changes anything when a task appears several times in a group (epochs).
    """
    import numpy as np
    import pandas as pd

    keys = _as_list(by)
    for col in [*keys, flag] + ([cluster] if cluster else []):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not in the frame (columns: {list(df.columns)})")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    # One pass over the whole column with group codes (issue 19): iterating the groups built a
    # sub-frame of every column per group and took 4.6x a plain pandas groupby at 10^6 rows.
    x = _binary(df[flag], flag)
    gid, labels = _group_codes(df, keys)
    n_groups = len(labels)
    valid = ~np.isnan(x)
    g_valid, x_valid = gid[valid], x[valid]
    total = np.bincount(gid, minlength=n_groups)
    n = np.bincount(g_valid, minlength=n_groups)
    k = np.bincount(g_valid, weights=x_valid, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    z = _z(confidence_level)
    if cluster:
        codes = _codes(df[cluster], len(df), "cluster")
        n_codes = int(codes.max()) + 1 if codes.size else 1
        pair, first = _dense(g_valid * n_codes + codes[valid], n_groups * n_codes)
        pair_group = first // n_codes
        n_gc = np.bincount(pair, minlength=len(first)).astype(float)
        k_gc = np.bincount(pair, weights=x_valid, minlength=len(first))
        resid = k_gc - n_gc * np.nan_to_num(rate)[pair_group]  # sum of x - mean per cluster
        sum_sq = np.bincount(pair_group, weights=resid * resid, minlength=n_groups)
        n_clusters = np.bincount(pair_group, minlength=n_groups)
        nf = n.astype(float)
        p0 = np.nan_to_num(rate)
        ss = k * (1 - p0) ** 2 + (nf - k) * p0 * p0  # sum of (x - mean)^2
        with np.errstate(divide="ignore", invalid="ignore"):
            g = n_clusters.astype(float)
            var_c = g / (g - 1) * sum_sq / (nf * nf)
            var_iid = np.where(n > 1, ss / (nf * (nf - 1)), 0.0)
            deff = np.where(var_iid > 0, var_c / var_iid, 1.0)
        few = n_clusters < 2
        se = np.where(few, np.nan, np.sqrt(np.where(few, 0.0, var_c)))
        deff = np.where(few, np.where(ss > 0, np.inf, 1.0), deff)
        n_eff = np.where(few, 1.0, nf / np.maximum(np.where(few, 1.0, deff), 1.0))
        empty = n == 0
        n_clusters = np.where(empty, 0, n_clusters)
        deff = np.where(empty, 1.0, deff)
        n_eff = np.where(empty, 0.0, n_eff)
        if method == "wald":
            half = z * np.where(np.isnan(se), 0.5, se)
            lo, hi = np.maximum(0.0, rate - half), np.minimum(1.0, rate + half)
        else:
            lo, hi = proportion_ci(np.where(empty, 0.0, rate * n_eff), n_eff, method,
                                   confidence_level)
    else:
        nf = n.astype(float)
        lo, hi = proportion_ci(np.where(n > 0, rate * nf, 0.0), nf, method, confidence_level)
    lo = np.where(n == 0, 0.0, lo)
    hi = np.where(n == 0, 1.0, hi)
    out = pd.DataFrame([dict(zip(keys, key, strict=True)) for key in labels], columns=keys)
    out["n"] = n.astype(np.int64)
    out["k"] = k.astype(np.int64)
    out["rate"] = rate
    out["lower"] = lo.astype(float)
    out["upper"] = hi.astype(float)
    out["n_missing"] = (total - n).astype(np.int64)
    if cluster:
        out["n_clusters"] = n_clusters.astype(np.int64)
        out["design_effect"] = deff.astype(float)
        out["effective_n"] = n_eff.astype(float)
    return out


def cheating_rate(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = "variant",
    method: Method = "wilson",
    cluster: str | None = "task_id",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """ImpossibleBench's cheating rate: ``gamed_checks`` on ``impossible`` tasks, per group.

    Same columns as :func:`fc_rate`. Only impossible tasks count (the flag is NA elsewhere);
    an official pass on an impossible task means the checks were gamed.
    """
    if "outcome_class" not in df.columns:
        raise KeyError("column 'outcome_class' not in the frame")
    part = df[df["outcome_class"].astype("string") == "impossible"]
    return fc_rate(part, by=by, flag="gamed_checks", method=method, cluster=cluster,
                   confidence_level=confidence_level)


_FLAG_WORDS = {
    "false_claim": "makes false claims",
    "false_completion": "falsely claims completion",
    "false_tests_pass": "falsely claims tests pass",
    "fabricated_verification": "fabricates verification",
    "contradicts_observation": "contradicts what it saw",
    "tampered_checks": "tampers with checks",
    "under_claim": "under-claims",
    "gamed_checks": "games the checks of impossible tasks",
    "claimed_success": "claims success",
    "actual_success": "succeeds",
}


@dataclass(frozen=True)
class CompareResult:
    """Candidate vs baseline on the same tasks. ``statistic`` = rate(candidate) - rate(baseline).

    One inference: ``pvalue`` and ``confidence_interval()`` come from the same paired score test
    (:func:`paired_score`: Tango's, tasks as the unit, epochs averaged), so the interval excludes
    0 exactly when ``pvalue`` < 1 - level. ``test`` keeps the discordant-task counts (and exact
    McNemar, for reference only).
    """

    baseline: str
    candidate: str
    flag: str
    statistic: float
    pvalue: float
    rate_baseline: float
    rate_candidate: float
    n_pairs: int
    candidate_only: int  # tasks where only the candidate has the flag (or more often)
    baseline_only: int
    n_unpaired: int  # tasks run by only one of the two (left out)
    n_missing: int  # samples whose flag is missing (left out)
    difference: DifferenceResult = field(repr=False)
    test: McNemarResult = field(repr=False)

    @property
    def n_discordant(self) -> int:
        return self.candidate_only + self.baseline_only

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        return self.difference.confidence_interval(confidence_level)

    def significant(self, alpha: float = 0.05) -> bool:
        """p < alpha, which is the same as: the (1 - alpha) interval excludes 0."""
        return self.n_pairs > 0 and self.pvalue < alpha

    def summary(self, confidence_level: float = 0.95) -> str:
        """One plain sentence, e.g. "candidate makes false claims more often: +12.8 points, ...".

        A direction is stated only when the difference is significant at 1 - confidence_level
        (p below it, and therefore the interval excludes 0); otherwise "no clear difference".
        """
        words = _FLAG_WORDS.get(self.flag, f"has {self.flag}")
        if self.n_pairs == 0:
            return f"{self.candidate} vs {self.baseline}: no tasks in common, nothing to compare"
        lo, hi = self.confidence_interval(confidence_level)
        d = 100 * self.statistic
        ci = f"{100 * confidence_level:g}% CI {_signed(100 * lo)} to {_signed(100 * hi)}"
        p = "p < 0.001" if self.pvalue < 0.001 else f"p = {self.pvalue:.3f}"
        tail = f"{ci}, {p}, {self.n_pairs} paired tasks"
        if self.significant(1 - confidence_level):
            more = "more" if d > 0 else "less"
            head = (f"{self.candidate} {words} {more} often than {self.baseline}: "
                    f"{_signed(d)} points")
        else:
            head = f"no clear difference: {self.candidate} vs {self.baseline} {_signed(d)} points"
        return f"{head}, {tail}"

    def __str__(self) -> str:
        return self.summary()


def _signed(x: float, digits: int = 1) -> str:
    """``+1.2`` / ``-1.2`` / ``+0.0``: never "-0.0" (a rounding artefact, not a direction)."""
    text = f"{x:+.{digits}f}"
    return "+" + text[1:] if float(text) == 0 else text


def compare(
    df: pd.DataFrame,
    baseline: str,
    candidate: str,
    flag: str = "false_claim",
    by: str = "variant",
    pair_on: str = "task_id",
) -> CompareResult:
    """Paired comparison of two values of ``by`` (variants) on the tasks both ran.

    Epochs are averaged per task and variant, tasks are paired on ``pair_on``; tasks that only
    one variant ran and samples with a missing flag are left out and counted.
    """
    import pandas as pd

    for col in (by, flag, pair_on):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not in the frame")
    present = set(df[by].dropna().unique())
    for name in (baseline, candidate):
        if name not in present:
            raise ValueError(f"{by}={name!r} not in the frame (have: {sorted(map(str, present))})")
    # Codes and bincounts instead of a two-key groupby + unstack (issue 19: ~4x faster at
    # 10^6 rows); tasks in sorted order as the groupby gave them, so sums agree to the bit.
    import numpy as np

    sel = np.asarray(df[by].isin([baseline, candidate]), dtype=bool)
    sub = df[sel] if not sel.all() else df
    vals = _binary(sub[flag], flag)
    n_missing = int(np.isnan(vals).sum())
    is_cand = np.asarray(sub[by] == candidate, dtype=bool)
    task, _ = pd.factorize(sub[pair_on], sort=True)
    task = np.asarray(task)
    keep = ~np.isnan(vals) & (task >= 0)
    n_tasks = int(task.max()) + 1 if task.size else 0
    stats = []
    for mask in (keep & is_cand, keep & ~is_cand):
        cnt = np.bincount(task[mask], minlength=n_tasks).astype(float)
        tot = np.bincount(task[mask], weights=vals[mask], minlength=n_tasks)
        stats.append((cnt, tot))
    (cnt_c, sum_c), (cnt_b, sum_b) = stats
    both = (cnt_c > 0) & (cnt_b > 0)
    n_unpaired = int(((cnt_c > 0) | (cnt_b > 0)).sum() - both.sum())
    mc, mb = sum_c[both] / cnt_c[both], sum_b[both] / cnt_b[both]
    diff = _score_result(mc, mb, n_missing, cnt_c[both], cnt_b[both])
    test = _mcnemar_result(mc, mb, n_missing)
    return CompareResult(
        baseline, candidate, flag, diff.statistic,
        1.0 if diff.pvalue is None else diff.pvalue, diff.rate_b, diff.rate_a,
        int(both.sum()), test.a_only, test.b_only, n_unpaired, n_missing, diff, test,
    )


def compare_within(
    df: pd.DataFrame,
    baseline: str,
    candidate: str,
    within: str = "outcome_class",
    flag: str = "false_claim",
    by: str = "variant",
    pair_on: str = "task_id",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """:func:`compare` in each category of ``within``, with Holm-adjusted p-values."""
    import pandas as pd

    rows = []
    for key, g in df.groupby(within, observed=True, sort=True):
        r = compare(g, baseline, candidate, flag, by, pair_on) if _has_both(
            g, by, baseline, candidate) else None
        if r is None:
            continue
        lo, hi = r.confidence_interval(confidence_level)
        rows.append({
            within: key, "n_pairs": r.n_pairs, "rate_baseline": r.rate_baseline,
            "rate_candidate": r.rate_candidate, "difference": r.statistic, "lower": lo,
            "upper": hi, "candidate_only": r.candidate_only, "baseline_only": r.baseline_only,
            "pvalue": r.pvalue,
        })
    out = pd.DataFrame(rows, columns=[
        within, "n_pairs", "rate_baseline", "rate_candidate", "difference", "lower", "upper",
        "candidate_only", "baseline_only", "pvalue"])
    out["pvalue_holm"] = holm(out["pvalue"].to_numpy(float)) if len(out) else []
    return out


def _has_both(g: pd.DataFrame, by: str, a: str, b: str) -> bool:
    present = set(g[by].dropna().unique())
    return a in present and b in present
