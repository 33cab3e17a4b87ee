import pytest

from stats.summary import percentile, summary


def test_median_of_even_count_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5


def test_median_of_odd_count():
    assert percentile([3, 1, 2], 50) == 2.0


def test_extremes():
    data = [7, 1, 9, 4]
    assert percentile(data, 0) == 1.0
    assert percentile(data, 100) == 9.0


def test_p95_interpolates():
    data = list(range(1, 21))  # 1..20
    # rank = 0.95 * 19 = 18.05 -> 19 + 0.05 * (20 - 19)
    assert percentile(data, 95) == pytest.approx(19.05)


def test_p25_interpolates():
    # rank = 0.25 * 4 = 1 -> x[1] exactly
    assert percentile([10, 20, 30, 40, 50], 25) == pytest.approx(25.0)


def test_single_value():
    assert percentile([42], 99) == 42.0


def test_summary_keys():
    s = summary(list(range(101)))
    assert s == {"p50": 50.0, "p95": 95.0, "p99": 99.0}


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)
