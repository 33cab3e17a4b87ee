"""evalkit.stats against independent references (statsmodels, the literature) and edge cases."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit import stats as S

sm_prop = pytest.importorskip("statsmodels.stats.proportion")

GRID = [(k, n) for n in (1, 2, 5, 10, 30, 57, 200) for k in range(0, n + 1, max(1, n // 7))]
GRID += [(n, n) for n in (1, 5, 30, 200)]


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --------------------------------------------------------------------------- proportions


@pytest.mark.parametrize("method,sm_method", [("wilson", "wilson"), ("exact", "beta")])
def test_interval_matches_statsmodels_to_1e6(method, sm_method):
    for k, n in GRID:
        lo, hi = S.proportion_from_counts(k, n, method).confidence_interval()
        ref = sm_prop.proportion_confint(k, n, alpha=0.05, method=sm_method)
        assert lo == pytest.approx(ref[0], abs=1e-6), (k, n)
        assert hi == pytest.approx(ref[1], abs=1e-6), (k, n)


def test_jeffreys_matches_statsmodels_inside_and_is_pinned_at_the_boundaries():
    for k, n in GRID:
        lo, hi = S.proportion_from_counts(k, n, "jeffreys").confidence_interval()
        ref = sm_prop.proportion_confint(k, n, alpha=0.05, method="jeffreys")
        assert lo == pytest.approx(0.0 if k == 0 else ref[0], abs=1e-6)
        assert hi == pytest.approx(1.0 if k == n else ref[1], abs=1e-6)


def test_wald_matches_statsmodels_normal_clipped():
    for k, n in GRID:
        lo, hi = S.proportion_from_counts(k, n, "wald").confidence_interval()
        ref = sm_prop.proportion_confint(k, n, alpha=0.05, method="normal")
        assert lo == pytest.approx(max(0, ref[0]), abs=1e-6)
        assert hi == pytest.approx(min(1, ref[1]), abs=1e-6)


def test_other_levels_match_statsmodels():
    for level in (0.8, 0.9, 0.99):
        lo, hi = S.proportion_from_counts(7, 40).confidence_interval(level)
        ref = sm_prop.proportion_confint(7, 40, alpha=1 - level, method="wilson")
        assert (lo, hi) == pytest.approx(ref, abs=1e-9)


def test_wilson_literature_values_from_design_brief():
    # DESIGN.md: 5/30 -> 7.3-33.6%, 9/30 -> 16.7-47.9%
    lo, hi = S.proportion_from_counts(5, 30).confidence_interval()
    assert (round(100 * lo, 1), round(100 * hi, 1)) == (7.3, 33.6)
    lo, hi = S.proportion_from_counts(9, 30).confidence_interval()
    assert (round(100 * lo, 1), round(100 * hi, 1)) == (16.7, 47.9)


def test_proportion_accepts_lists_arrays_and_nullable_series_and_counts_missing():
    inputs = [
        [True, False, None, True],
        pd.Series([True, False, pd.NA, True], dtype="boolean"),
        np.array([1.0, 0.0, np.nan, 1.0]),
        pd.Series([1, 0, None, 1], dtype="Int64"),
    ]
    for x in inputs:
        r = S.proportion(x)
        assert (r.k, r.n, r.n_dropped) == (2, 3, 1)
        assert r.statistic == pytest.approx(2 / 3)


def test_proportion_rejects_non_binary_values():
    with pytest.raises(ValueError, match="booleans"):
        S.proportion([0.5, 1.0])


@pytest.mark.parametrize("method", S.METHODS)
def test_edge_cases_have_defined_answers(method):
    # n = 0 and all-missing: rate NaN, interval the whole range
    for x in ([], [None, None], pd.Series([pd.NA] * 3, dtype="boolean")):
        r = S.proportion(x, method)
        assert r.n == 0 and math.isnan(r.statistic)
        assert r.confidence_interval() == (0.0, 1.0)
    # 0 of n: lower bound exactly 0; n of n: upper exactly 1
    lo, hi = S.proportion([False] * 12, method).confidence_interval()
    assert lo == 0.0 and 0 <= hi < 1
    lo, hi = S.proportion([True] * 12, method).confidence_interval()
    assert hi == 1.0 and 0 < lo <= 1
    # n = 1
    lo, hi = S.proportion([True], method).confidence_interval()
    assert 0 <= lo <= hi == 1.0
    assert str(S.proportion([], method)).startswith("0/0 = n/a")


def test_invalid_counts_and_method_are_rejected():
    with pytest.raises(ValueError):
        S.proportion_from_counts(5, 3)
    with pytest.raises(ValueError):
        S.proportion([True], method="agresti")


# --------------------------------------------------------------------------- clustering


def test_clustered_se_matches_statsmodels_cluster_robust_ols():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(3)
    task = np.repeat(np.arange(25), 4)
    p_task = rng.beta(1, 3, 25)[task]
    x = (rng.random(task.size) < p_task).astype(float)
    se, deff, g = S.clustered_se(x, task)
    fit = sm.OLS(x, np.ones_like(x)).fit(cov_type="cluster", cov_kwds={"groups": task})
    assert se == pytest.approx(float(fit.bse[0]), abs=1e-9)
    assert g == 25
    naive = x.std(ddof=1) / math.sqrt(x.size)
    assert deff == pytest.approx((se / naive) ** 2)


def test_clustering_with_one_sample_per_task_changes_nothing():
    x = [True, False, False, True, False, False, False]
    plain = S.proportion(x)
    clus = S.proportion(x, cluster=list("abcdefg"))
    assert clus.design_effect == pytest.approx(1.0)
    assert clus.effective_n == pytest.approx(7)
    assert clus.confidence_interval() == pytest.approx(plain.confidence_interval())


def test_perfectly_repeated_epochs_count_as_one_sample_per_task():
    # 10 tasks x 5 epochs, each task answers the same every epoch: the information is 10 tasks
    per_task = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    x = np.repeat(per_task, 5)
    r = S.proportion(x, cluster=np.repeat(np.arange(10), 5))
    assert r.design_effect == pytest.approx(5.0 * (49 / 50) / (9 / 10) / 1, rel=0.1)
    assert r.effective_n == pytest.approx(10, rel=0.15)
    wide = r.confidence_interval()
    narrow = S.proportion(x).confidence_interval()
    assert wide[1] - wide[0] > narrow[1] - narrow[0]


def test_cluster_edge_cases():
    one = S.proportion([True, False, True], cluster=["t", "t", "t"])
    assert one.n_clusters == 1 and one.effective_n == 1.0
    lo, hi = one.confidence_interval()
    assert 0 <= lo < hi <= 1
    none = S.proportion([None, None], cluster=["a", "b"])
    assert none.n == 0 and none.confidence_interval() == (0.0, 1.0)
    with pytest.raises(ValueError, match="length"):
        S.proportion([True, False], cluster=["a"])


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_seeded_and_close_to_scipy_percentile():
    from scipy.stats import bootstrap as scipy_bootstrap

    rng = np.random.default_rng(0)
    x = rng.random(120) < 0.3
    a = S.bootstrap(x, method="percentile", seed=1, n_resamples=20000)
    b = S.bootstrap(x, method="percentile", seed=1, n_resamples=20000)
    assert a.confidence_interval() == b.confidence_interval()
    ref = scipy_bootstrap((x.astype(float),), np.mean, n_resamples=20000, method="percentile",
                          random_state=2).confidence_interval
    assert a.confidence_interval() == pytest.approx((ref.low, ref.high), abs=0.015)
    bca = S.bootstrap(x, method="bca", n_resamples=20000).confidence_interval()
    ref = scipy_bootstrap((x.astype(float),), np.mean, n_resamples=20000, method="BCa",
                          random_state=2).confidence_interval
    assert bca == pytest.approx((ref.low, ref.high), abs=0.015)


def test_cluster_bootstrap_widens_when_epochs_repeat():
    per_task = np.array([1, 0, 0, 1, 0, 0, 0, 1, 0, 0] * 3)
    x = np.repeat(per_task, 4)
    task = np.repeat(np.arange(per_task.size), 4)
    iid = S.bootstrap(x, method="percentile").confidence_interval()
    clus = S.bootstrap(x, cluster=task, method="percentile").confidence_interval()
    assert (clus[1] - clus[0]) > 1.5 * (iid[1] - iid[0])
    r = S.bootstrap(x, cluster=task)
    assert r.n_clusters == 30 and r.n == 120


def test_bootstrap_edge_cases():
    r = S.bootstrap([None])
    assert r.n == 0 and all(math.isnan(v) for v in r.confidence_interval())
    assert S.bootstrap([True, True, True]).confidence_interval() == (1.0, 1.0)
    with pytest.raises(ValueError):
        S.bootstrap([True], method="studentized")


# --------------------------------------------------------------------------- differences

# Newcombe (1998) Stat Med 17:873-890, Table II, method 10 (hybrid score, no cc): the
# published 4-decimal bounds.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize("counts,expected", NEWCOMBE_TABLE_II)
def test_newcombe_unpaired_matches_newcombe_1998_table_ii(counts, expected):
    r = S.newcombe_from_counts(*counts)
    assert r.confidence_interval() == pytest.approx(expected, abs=5e-5)


def test_newcombe_difference_from_booleans_equals_counts():
    a = [True] * 56 + [False] * 14 + [None]
    b = [True] * 48 + [False] * 32
    r = S.newcombe_difference(a, b)
    assert r.n_dropped == 1 and r.statistic == pytest.approx(56 / 70 - 48 / 80)
    assert r.confidence_interval() == pytest.approx(
        S.newcombe_from_counts(56, 70, 48, 80).confidence_interval(), abs=1e-12)
    assert S.newcombe_difference([], [True]).confidence_interval() == (-1.0, 1.0)


def test_paired_newcombe_with_uncorrelated_margins_equals_unpaired():
    # phi = 0 when both*neither == a_only*b_only: here 10*10 == 10*10
    a = [1] * 10 + [1] * 10 + [0] * 10 + [0] * 10
    b = [1] * 10 + [0] * 10 + [1] * 10 + [0] * 10
    paired = S.paired_difference(a, b, method="newcombe")
    assert paired.method == "newcombe"
    assert paired.confidence_interval() == pytest.approx(
        S.newcombe_from_counts(20, 40, 20, 40).confidence_interval(), abs=1e-12)


def test_paired_difference_averages_epochs_per_task_then_pairs():
    df = pd.DataFrame({
        "task": ["t1"] * 4 + ["t2"] * 2 + ["t3"] * 2,
        "a": [1, 1, 0, 1, 0, 0, 1, 1],
        "b": [0, 0, 0, 1, 0, 1, 1, 1],
    })
    r = S.paired_difference(df["a"], df["b"], pair=df["task"], method="clustered")
    # per task: a = (0.75, 0, 1), b = (0.25, 0.5, 1) -> d = (0.5, -0.5, 0)
    assert r.method == "clustered" and r.n_pairs == 3
    assert r.statistic == pytest.approx(0.0)
    assert r.se == pytest.approx(np.std([0.5, -0.5, 0], ddof=1) / math.sqrt(3))
    sa = pd.Series(df["a"].to_numpy(), index=df["task"])
    sb = pd.Series(df["b"].to_numpy(), index=df["task"])
    assert S.paired_difference(sa, sb).statistic == pytest.approx(0.0)


def test_paired_difference_by_index_drops_unpaired_and_missing():
    a = pd.Series([True, False, None, True], index=["t1", "t2", "t3", "t4"], dtype="boolean")
    b = pd.Series([False, False, True], index=["t1", "t2", "t3"], dtype="boolean")
    r = S.paired_difference(a, b)
    assert r.n_pairs == 2 and r.n_dropped == 1 and r.statistic == pytest.approx(0.5)


def test_paired_difference_edge_cases():
    r = S.paired_difference([], [])
    assert math.isnan(r.statistic) and r.confidence_interval() == (-1.0, 1.0)
    r = S.paired_difference([True], [False])
    lo, hi = r.confidence_interval()
    assert -1 <= lo < 1.0 and hi == 1.0
    r = S.paired_difference([False] * 30, [False] * 30)  # no discordance: still an interval
    lo, hi = r.confidence_interval()
    assert lo < 0 < hi and r.statistic == 0.0
    with pytest.raises(ValueError, match="lengths"):
        S.paired_difference([True], [True, False])


def test_mcnemar_matches_statsmodels_exact_and_mid_p():
    from scipy.stats import binom
    from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

    for both, a_only, b_only, neither in [(10, 9, 2, 30), (5, 0, 6, 3), (1, 3, 3, 1), (2, 0, 0, 5),
                                          (40, 25, 11, 100)]:
        a = [1] * both + [1] * a_only + [0] * b_only + [0] * neither
        b = [1] * both + [0] * a_only + [1] * b_only + [0] * neither
        r = S.mcnemar(a, b)
        ref = sm_mcnemar([[both, a_only], [b_only, neither]], exact=True)
        assert r.pvalue == pytest.approx(ref.pvalue, abs=1e-9)
        assert r.statistic == ref.statistic
        m, lo = a_only + b_only, min(a_only, b_only)
        mid = 1.0 if m == 0 else min(1, 2 * binom.cdf(lo, m, 0.5) - binom.pmf(lo, m, 0.5))
        assert r.pvalue_mid == pytest.approx(mid, abs=1e-12)
        assert (r.a_only, r.b_only, r.n_pairs) == (a_only, b_only, both + a_only + b_only + neither)


def test_mcnemar_with_epochs_is_the_sign_test_on_task_averages():
    pair = ["t1", "t1", "t2", "t2", "t3", "t3"]
    a = [1, 1, 1, 0, 0, 0]
    b = [1, 0, 1, 0, 0, 1]
    r = S.mcnemar(a, b, pair=pair)  # t1: 1 vs .5 (a), t2: .5 vs .5 (tie), t3: 0 vs .5 (b)
    assert (r.a_only, r.b_only, r.n_pairs, r.pvalue) == (1, 1, 3, 1.0)


def test_holm_matches_statsmodels_and_keeps_nan():
    from statsmodels.stats.multitest import multipletests

    p = [0.01, 0.04, 0.03, 0.2, 0.005, 0.5]
    assert S.holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-12)
    out = S.holm([0.01, None, 0.04])
    assert math.isnan(out[1]) and out[[0, 2]] == pytest.approx([0.02, 0.04])
    assert S.holm([]).size == 0


# --------------------------------------------------------------------------- power


def test_tasks_needed_is_connors_formula():
    from scipy.stats import norm

    psi, delta = 0.3, 0.1
    expected = (norm.ppf(0.975) * math.sqrt(psi) + norm.ppf(0.8) * math.sqrt(psi - delta**2)) ** 2
    expected /= delta**2
    assert S.tasks_needed(delta, 0.2, discordance=psi) == math.ceil(expected)
    # rho = 0 paired equals psi = p1 q2 + p2 q1
    p1, p2 = 0.2, 0.3
    assert S.tasks_needed(0.1, 0.2, rho=0.0) == S.tasks_needed(
        0.1, 0.2, discordance=p1 * (1 - p2) + p2 * (1 - p1))


def test_unpaired_sample_size_matches_the_textbook_formula():
    from scipy.stats import norm

    p1, p2 = 0.167, 0.30
    pbar = (p1 + p2) / 2
    n = (norm.ppf(0.975) * math.sqrt(2 * pbar * (1 - pbar))
         + norm.ppf(0.8) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    assert S.tasks_needed(p2 - p1, p1, paired=False) == math.ceil(n)


def test_power_and_mdd_invert_tasks_needed():
    n = S.tasks_needed(0.1, 0.2, rho=0.4)
    assert S.paired_power(n, 0.1, 0.2, rho=0.4) >= 0.8
    assert S.paired_power(n - 1, 0.1, 0.2, rho=0.4) < 0.8 + 1e-3
    mdd = S.minimum_detectable_difference(n, 0.2, rho=0.4)
    assert mdd == pytest.approx(0.1, abs=0.005)
    assert S.paired_power(n, mdd, 0.2, rho=0.4) == pytest.approx(0.8, abs=1e-6)
    # more correlation -> fewer tasks; more epochs help unless epochs repeat (icc = 1)
    assert S.tasks_needed(0.1, 0.2, rho=0.7) < S.tasks_needed(0.1, 0.2, rho=0.0)
    assert S.tasks_needed(0.1, 0.2, rho=0.4, epochs=5, icc=0.3) < n
    assert S.tasks_needed(0.1, 0.2, rho=0.4, epochs=5, icc=1.0) == n
    with pytest.raises(ValueError, match="icc"):
        S.tasks_needed(0.1, 0.2, rho=0.4, epochs=3)


def test_tasks_needed_gives_the_promised_power_in_simulation():
    # McNemar-type z test on simulated paired binary data at the computed n
    rng = np.random.default_rng(11)
    psi, delta, p0 = 0.3, 0.1, 0.2
    n = S.tasks_needed(delta, p0, discordance=psi)
    p10, p01 = (psi + delta) / 2, (psi - delta) / 2  # candidate-only, baseline-only
    counts = rng.multinomial(n, [p10, p01, 1 - psi], size=20000)
    b, c = counts[:, 0], counts[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(b + c > 0, (b - c) / np.sqrt(b + c), 0.0)
    power = np.mean(np.abs(z) > 1.959964)
    assert power == pytest.approx(0.8, abs=0.03)


def test_mdd_edge_cases():
    assert math.isnan(S.minimum_detectable_difference(3, 0.5, rho=0.0))
    assert math.isnan(S.minimum_detectable_difference(100, 1.0, rho=0.0))
    assert S.minimum_detectable_difference(30, 0.167, rho=0.5) > 0.15  # 30 tasks: big MDD
