from datetime import date

from subs.periods import add_months, renewal_dates


def test_simple_month():
    assert add_months(date(2024, 5, 15), 1) == date(2024, 6, 15)


def test_year_rollover():
    assert add_months(date(2024, 12, 10), 1) == date(2025, 1, 10)
    assert add_months(date(2024, 1, 10), -1) == date(2023, 12, 10)


def test_clamps_to_end_of_short_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 3, 31), 1) == date(2024, 4, 30)


def test_clamps_backwards():
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_renewals_stay_anchored_to_start_day():
    assert renewal_dates(date(2024, 1, 31), 4) == [
        date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31),
    ]


def test_renewals_mid_month():
    assert renewal_dates(date(2024, 11, 15), 2) == [date(2024, 12, 15), date(2025, 1, 15)]
