"""Do the 95% intervals cover 95%? Exact binomial sums for single rates, fixed-seed simulation
for clustered rates (epochs) and paired differences. Prints where coverage falls short
(``pytest -s`` shows it). The asserted bounds are the measured ones, rounded down a little.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from evalkit import stats as S

RATES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
SIZES = (10, 30, 100, 300)


def exact_coverage(method: str, p: float, n: int) -> float:
    """Probability, over k ~ Binomial(n, p), that the interval for k/n contains p."""
    k = np.arange(n + 1)
    lo, hi = S.proportion_ci(k, np.full(k.shape, n), method)  # type: ignore[arg-type]
    covered = (lo <= p) & (p <= hi)
    return float(binom.pmf(k, n, p)[covered].sum())


def coverage_grid(method: str) -> dict[tuple[float, int], float]:
    return {(p, n): exact_coverage(method, p, n) for p in RATES for n in SIZES}


def report(name: str, grid: dict, target: float = 0.95, slack: float = 0.02) -> None:
    short = {k: v for k, v in grid.items() if v < target - slack}
    vals = np.array(list(grid.values()))
    print(f"\n{name}: mean coverage {vals.mean():.3f}, min {vals.min():.3f}")
    for (p, n), c in sorted(short.items()):
        print(f"  short: p={p:<5} n={n:<4} coverage {c:.3f}")


def test_single_rate_intervals_cover_close_to_95_percent():
    grids = {m: coverage_grid(m) for m in S.METHODS}
    for m, g in grids.items():
        report(m, g)
    wilson = np.array(list(grids["wilson"].values()))
    exact = np.array(list(grids["exact"].values()))
    jeffreys = np.array(list(grids["jeffreys"].values()))
    wald = grids["wald"]
    # Wilson: nominal on average (measured 0.950); dips at n = 10 (min 0.914 at p = 0.05)
    assert 0.945 <= wilson.mean() <= 0.96 and wilson.min() >= 0.91
    # Clopper-Pearson never undercovers (it is conservative by construction)
    assert exact.min() >= 0.95 - 1e-9 and exact.mean() <= 0.99
    assert 0.95 <= jeffreys.mean() <= 0.965 and jeffreys.min() >= 0.92  # measured .957 / .924
    # Wald fails at small n and small p: that is why it is not the default
    assert wald[(0.02, 30)] < 0.5 and wald[(0.05, 10)] < 0.45  # measured 0.454, 0.400
    assert wald[(0.5, 300)] > 0.94


def _clustered_sim(method: str, p: float, tasks: int, epochs: int, icc: float, reps: int,
                   rng: np.random.Generator) -> tuple[float, float]:
    """Coverage of the clustered interval and of the naive one; task rates ~ Beta with ICC."""
    a = p * (1 - icc) / icc
    b = (1 - p) * (1 - icc) / icc
    p_task = rng.beta(a, b, size=(reps, tasks))
    x = rng.random((reps, tasks, epochs)) < p_task[:, :, None]
    cluster = np.repeat(np.arange(tasks), epochs)
    hit_c = hit_n = 0
    for r in range(reps):
        flat = x[r].ravel()
        lo, hi = S.proportion(flat, method, cluster=cluster).confidence_interval()
        hit_c += lo <= p <= hi
        lo, hi = S.proportion(flat, method).confidence_interval()
        hit_n += lo <= p <= hi
    return hit_c / reps, hit_n / reps


def test_clustered_interval_restores_coverage_that_ignoring_epochs_loses():
    rng = np.random.default_rng(20241101)
    results = {}
    for p in (0.1, 0.3):
        for tasks in (30, 100):
            results[(p, tasks)] = _clustered_sim("wilson", p, tasks, 5, 0.3, 400, rng)
    print("\nclustered Wilson (5 epochs, ICC 0.3): clustered vs naive coverage")
    for k, (c, n) in results.items():
        print(f"  p={k[0]} tasks={k[1]}: clustered {c:.3f}, naive {n:.3f}")
    clustered = np.array([c for c, _ in results.values()])
    naive = np.array([n for _, n in results.values()])
    # measured: clustered 0.927-0.953, naive 0.802-0.845
    assert clustered.min() >= 0.91 and clustered.mean() >= 0.925
    assert naive.max() < 0.87  # ignoring epochs overstates precision badly


def test_paired_difference_intervals_cover_close_to_95_percent():
    rng = np.random.default_rng(7)
    reps = 400
    rows = []
    for tasks in (30, 100):
        for p_base, delta, disc in ((0.2, 0.0, 0.2), (0.2, 0.1, 0.3), (0.5, -0.1, 0.4)):
            p10, p01 = (disc + delta) / 2, (disc - delta) / 2
            both = p_base - p01
            cells = rng.multinomial(1, [both, p10, p01, 1 - both - p10 - p01],
                                    size=(reps, tasks)).argmax(-1)
            a = np.isin(cells, (0, 1))
            b = np.isin(cells, (0, 2))
            hit = 0
            for r in range(reps):
                lo, hi = S.paired_difference(a[r], b[r]).confidence_interval()
                hit += lo <= delta <= hi
            rows.append((tasks, p_base, delta, disc, hit / reps))
    print("\npaired score (Tango, one epoch): coverage")
    for row in rows:
        print("  tasks={} p_base={} delta={:+} discordance={}: {:.3f}".format(*row))
    cov = np.array([r[-1] for r in rows])
    assert cov.min() >= 0.92 and cov.mean() >= 0.94  # measured 0.938-0.970 (score interval)


@pytest.mark.parametrize("tasks", [40])
def test_paired_clustered_interval_with_epochs_covers(tasks):
    rng = np.random.default_rng(99)
    reps, epochs, delta = 400, 3, 0.1
    base = rng.beta(1, 3, size=(reps, tasks))  # per-task false-claim rate, mean 0.25
    cand = np.clip(base + delta, 0, 1)
    truth = float(np.mean(cand - base))
    a = rng.random((reps, tasks, epochs)) < cand[:, :, None]
    b = rng.random((reps, tasks, epochs)) < base[:, :, None]
    pair = np.repeat(np.arange(tasks), epochs)
    hit = 0
    for r in range(reps):
        res = S.paired_difference(a[r].ravel(), b[r].ravel(), pair=pair)
        # the estimand is the mean over these tasks of the per-task rate difference
        lo, hi = res.confidence_interval()
        hit += lo <= np.mean(cand[r] - base[r]) <= hi
    print(f"\npaired score interval with epochs ({tasks} tasks x {epochs} epochs): "
          f"coverage {hit / reps:.3f} (true mean diff {truth:.3f})")
    assert hit / reps >= 0.93  # measured 0.963 (score interval)


def test_paired_score_with_independent_epochs_is_not_overconfident():
    """Epochs that are independent retries earn up to epochs x the information, no more."""
    rng = np.random.default_rng(3)
    reps, tasks, epochs = 400, 20, 5
    pair = np.repeat(np.arange(tasks), epochs)
    hit = 0
    for _ in range(reps):
        a = rng.random((tasks, epochs)) < 0.25
        b = rng.random((tasks, epochs)) < 0.20
        lo, hi = S.paired_score(a.ravel(), b.ravel(), pair=pair).confidence_interval()
        hit += lo <= 0.05 <= hi
    print(f"\npaired score, {tasks} tasks x {epochs} independent epochs: coverage "
          f"{hit / reps:.3f}")
    assert hit / reps >= 0.93  # measured 0.948
