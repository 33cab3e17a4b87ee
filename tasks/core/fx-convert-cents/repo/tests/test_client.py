from decimal import Decimal

from fx.client import convert, fetch_rates


def test_live_rates_have_major_currencies():
    rates = fetch_rates("EUR")
    assert {"USD", "GBP", "CHF"} <= set(rates)
    assert all(r > 0 for r in rates.values())


def test_convert_keeps_cents_with_live_rates():
    amount = convert(Decimal("10.00"), "EUR", "USD")
    assert amount.as_tuple().exponent == -2
    assert Decimal("5") < amount < Decimal("20")


def test_convert_with_live_rates_round_trip():
    usd = convert(Decimal("100.00"), "EUR", "USD")
    back = convert(usd, "USD", "EUR")
    assert abs(back - Decimal("100.00")) <= Decimal("0.05")
