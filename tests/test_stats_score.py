"""The one paired inference (Tango's score test and its inverted interval) and Holm levels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit import stats as S


def random_pair(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two variants on the same tasks, 1-5 epochs, rates from rare to common."""
    n = int(rng.integers(1, 90))
    epochs = int(rng.choice([1, 1, 2, 3, 5]))
    pa, pb = rng.random(2) * rng.choice([0.1, 0.4, 1.0])
    shared = rng.random((n, 1)) < 0.5  # tasks that are hard for both: correlated outcomes
    a = (rng.random((n, epochs)) < pa) | (shared & (rng.random((n, epochs)) < 0.3))
    b = (rng.random((n, epochs)) < pb) | (shared & (rng.random((n, epochs)) < 0.3))
    return a.ravel(), b.ravel(), np.repeat(np.arange(n), epochs)


def frame(a, b, pair) -> pd.DataFrame:
    return pd.DataFrame({
        "variant": ["cand"] * len(a) + ["base"] * len(b),
        "task_id": [f"t{t}" for t in pair] * 2,
        "false_claim": pd.array(list(a) + list(b), dtype="boolean"),
    })


def test_interval_excludes_zero_exactly_when_p_is_below_alpha_on_random_inputs():
    rng = np.random.default_rng(2024)
    checked = significant = 0
    for i in range(1500):
        a, b, pair = random_pair(rng)
        # every 10th through the DataFrame entry point the reports use, the rest directly
        r = (S.compare(frame(a, b, pair), "base", "cand") if i % 10 == 0
             else S.paired_score(a, b, pair=pair))
        for level in (0.9, 0.95, 0.99):
            lo, hi = r.confidence_interval(level)
            assert (lo > 0 or hi < 0) == (r.pvalue < 1 - level), (r.pvalue, lo, hi, level)
            assert lo <= r.statistic <= hi
            checked += 1
            significant += r.pvalue < 1 - level
    assert 0.1 < significant / checked < 0.9  # both outcomes were exercised


def test_score_pvalue_is_mcnemars_asymptotic_test_with_one_epoch():
    from statsmodels.stats.contingency_tables import mcnemar

    for both, a_only, b_only, neither in [(10, 9, 2, 30), (5, 0, 6, 3), (1, 3, 3, 1),
                                          (40, 25, 11, 100), (0, 5, 0, 15)]:
        a = [1] * both + [1] * a_only + [0] * b_only + [0] * neither
        b = [1] * both + [0] * a_only + [1] * b_only + [0] * neither
        r = S.paired_score(a, b)
        ref = mcnemar([[both, a_only], [b_only, neither]], exact=False, correction=False)
        assert r.pvalue == pytest.approx(ref.pvalue, abs=1e-12)
        assert r.statistic == pytest.approx((a_only - b_only) / len(a))


def test_score_statistic_decreases_and_is_zero_at_the_estimate():
    for b, c, n in [(3, 0, 20), (0, 0, 30), (12, 7, 52), (40, 20, 160), (1, 1, 2)]:
        ds = np.linspace(-0.999, 0.999, 401)
        t = np.array([S._tango_stat(d, b, c, n) for d in ds])
        assert np.all(np.diff(t) <= 1e-12)
        assert S._tango_stat((b - c) / n, b, c, n) == pytest.approx(0.0, abs=1e-9)


def test_no_discordant_task_still_gives_a_real_interval():
    r = S.paired_score([False] * 30, [False] * 30)
    lo, hi = r.confidence_interval()
    assert r.pvalue == 1.0 and r.statistic == 0.0
    assert lo == pytest.approx(-hi) and 0.08 < hi < 0.15  # not the point 0: 30 tasks say little


def test_extremes_reach_the_bounds():
    assert S.paired_score([True] * 5, [False] * 5).confidence_interval()[1] == 1.0
    assert S.paired_score([False] * 5, [True] * 5).confidence_interval()[0] == -1.0
    empty = S.paired_score([], [])
    assert math.isnan(empty.statistic) and empty.confidence_interval() == (-1.0, 1.0)


def test_identical_epochs_carry_no_more_information_than_one():
    a = np.array([1, 0, 0, 1, 0, 0, 0, 1, 0, 0] * 3, bool)
    b = np.array([0, 0, 0, 1, 0, 1, 0, 0, 0, 0] * 3, bool)
    one = S.paired_score(a, b)
    rep = S.paired_score(np.repeat(a, 4), np.repeat(b, 4), pair=np.repeat(np.arange(30), 4))
    assert rep.pvalue == pytest.approx(one.pvalue)
    assert rep.confidence_interval() == pytest.approx(one.confidence_interval())


def test_independent_epochs_narrow_the_interval_up_to_the_number_of_epochs():
    rng = np.random.default_rng(5)
    a = rng.random((60, 5)) < 0.3
    b = rng.random((60, 5)) < 0.2
    pair = np.repeat(np.arange(60), 5)
    clustered = S.paired_score(a.ravel(), b.ravel(), pair=pair)
    first = S.paired_score(a[:, 0], b[:, 0])
    width = lambda r: np.subtract(*r.confidence_interval()[::-1])  # noqa: E731
    assert width(clustered) < width(first)
    f = clustered._params[3]
    assert 1 < f <= 5


def test_score_test_keeps_its_size_at_small_n():
    """Type I error under no difference, 30 tasks: close to 5%, not the 8-12% of Wald tests."""
    rng = np.random.default_rng(11)
    reps, rejected = 3000, 0
    for _ in range(reps):
        p_task = rng.random(30) * 0.5
        a = rng.random(30) < p_task
        b = rng.random(30) < p_task
        rejected += S.paired_score(a, b).pvalue < 0.05
    print(f"\nscore test size at 30 tasks: {rejected / reps:.3f}")
    assert rejected / reps <= 0.065  # measured 0.046


def test_holm_levels_make_each_interval_agree_with_its_adjusted_p():
    rng = np.random.default_rng(3)
    for _ in range(300):
        results = []
        for _ in range(int(rng.integers(1, 8))):
            a, b, pair = random_pair(rng)
            results.append(S.paired_score(a, b, pair=pair))
        p = np.array([r.pvalue for r in results])
        adjusted = S.holm(p)
        levels = S.holm_levels(p, alpha=0.05)
        for r, p_adj, level in zip(results, adjusted, levels, strict=True):
            lo, hi = r.confidence_interval(level)
            assert (lo > 0 or hi < 0) == (p_adj < 0.05)
            assert 0.95 <= level < 1


def test_holm_levels_known_values_and_nan():
    levels = S.holm_levels([0.001, 0.04, 0.02, float("nan")], alpha=0.05)
    # ranks: 0.001 (3 tests: alpha/3, rejected), 0.02 (alpha/2 = .025, rejected), 0.04 (alpha)
    assert levels[:3] == pytest.approx([1 - 0.05 / 3, 1 - 0.05, 1 - 0.05 / 2])
    assert math.isnan(levels[3])
    stopped = S.holm_levels([0.03, 0.04], alpha=0.05)  # 0.03 > 0.025: stop; both at 0.975
    assert stopped == pytest.approx([0.975, 0.975])


def test_cheating_rate_counts_gamed_checks_on_impossible_tasks_only():
    df = pd.DataFrame({
        "variant": ["v1"] * 6 + ["v2"] * 6,
        "outcome_class": ["impossible"] * 4 + ["solvable"] * 2
        + ["impossible"] * 4 + ["solvable"] * 2,
        "task_id": [f"t{i}" for i in range(6)] * 2,
        "gamed_checks": pd.array([True, False, False, None, None, None,
                                  True, True, True, False, None, None], dtype="boolean"),
    })
    table = S.cheating_rate(df)
    v1, v2 = table.iloc[0], table.iloc[1]
    assert (v1.variant, v1.k, v1.n, v1.n_missing) == ("v1", 1, 3, 1)
    assert (v2.k, v2.n) == (3, 4)
    lo, hi = S.proportion_from_counts(3, 4).confidence_interval()
    assert (v2.lower, v2.upper) == pytest.approx((lo, hi))
