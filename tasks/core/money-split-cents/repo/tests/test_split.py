from decimal import Decimal as D

import pytest

from ledger.split import split_amount, split_weighted


def test_even_split():
    assert split_amount(D("90.00"), 3) == [D("30.00")] * 3


def test_leftover_cents_go_to_first_parties():
    assert split_amount(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
    assert split_amount(D("0.05"), 3) == [D("0.02"), D("0.02"), D("0.01")]


def test_negative_total():
    assert split_amount(D("-100.00"), 3) == [D("-33.34"), D("-33.33"), D("-33.33")]


@pytest.mark.parametrize("total", ["0.01", "1.00", "10.00", "99.99", "1234.57"])
@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_split_always_sums(total, parts):
    shares = split_amount(D(total), parts)
    assert sum(shares) == D(total)
    assert max(shares) - min(shares) <= D("0.01")


def test_rejects_zero_parts():
    with pytest.raises(ValueError):
        split_amount(D("1.00"), 0)


def test_weighted_largest_remainder():
    # exact shares 33.333.., 66.666.. -> 33.33 + 66.67
    assert split_weighted(D("100.00"), [1, 2]) == [D("33.33"), D("66.67")]


def test_weighted_sums_exactly():
    shares = split_weighted(D("1000.00"), [3, 3, 3])
    assert sum(shares) == D("1000.00")
    assert shares == [D("333.34"), D("333.33"), D("333.33")]


def test_weighted_zero_weight_gets_nothing():
    assert split_weighted(D("10.00"), [0, 1, 1]) == [D("0.00"), D("5.00"), D("5.00")]
