from decimal import Decimal as D

from cart import calc_tot
from cart.checkout import summary


def test_total():
    assert calc_tot([(D("2.50"), 2), (D("1.00"), 3)]) == D("8.00")


def test_discount():
    assert calc_tot([(D("10.00"), 1)], D("0.15")) == D("8.50")


def test_summary_with_coupon():
    assert summary([(D("20.00"), 1)], "WELCOME10") == "1 item(s), total 18.00"
