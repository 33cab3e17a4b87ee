from decimal import Decimal as D

from invoicing.totals import Line, invoice_totals, line_total, money


def test_money_rounds_half_up():
    assert money(D("2.625")) == D("2.63")
    assert money(D("2.375")) == D("2.38")
    assert money(D("2.374")) == D("2.37")


def test_money_rounds_half_away_from_zero_for_negatives():
    assert money(D("-2.625")) == D("-2.63")


def test_line_total_half_up():
    assert line_total(Line("bolts", 3, "0.875")) == D("2.63")


def test_line_total_accepts_decimal_price():
    assert line_total(Line("nuts", 2, D("1.005"))) == D("2.01")


def test_vat_half_up():
    totals = invoice_totals([Line("service", 1, "13.50")], "0.19")
    assert totals == {"net": D("13.50"), "vat": D("2.57"), "gross": D("16.07")}
    totals = invoice_totals([Line("service", 1, "12.50")], "0.19")
    assert totals == {"net": D("12.50"), "vat": D("2.38"), "gross": D("14.88")}


def test_large_amounts_do_not_lose_precision():
    totals = invoice_totals([Line("licence", 1, "12345678901234.565")], "0")
    assert totals["net"] == D("12345678901234.57")


def test_results_are_decimals_with_two_places():
    totals = invoice_totals([Line("a", 1, "1"), Line("b", 2, "0.5")], "0.07")
    assert all(isinstance(v, D) and v.as_tuple().exponent == -2 for v in totals.values())
    assert totals["gross"] == D("2.14")
