import calendar

import pytest

from calendar_utils.leap import days_in_month, is_leap_year


@pytest.mark.parametrize("year, leap", [(1996, True), (1900, False), (2000, True),
                                        (2023, False), (2024, True), (2100, False)])
def test_is_leap_year(year, leap):
    assert is_leap_year(year) is leap


def test_agrees_with_stdlib():
    for year in range(1582, 2500):
        assert is_leap_year(year) == calendar.isleap(year)


def test_days_in_month():
    assert days_in_month(2023, 2) == 28
    assert days_in_month(2024, 2) == 29
    assert days_in_month(2024, 4) == 30
    assert days_in_month(2024, 12) == 31
