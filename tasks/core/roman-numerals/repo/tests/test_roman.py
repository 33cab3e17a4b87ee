import pytest

from numerals.roman import from_roman, to_roman


@pytest.mark.parametrize(
    "n, roman",
    [
        (1, "I"),
        (3, "III"),
        (4, "IV"),
        (9, "IX"),
        (14, "XIV"),
        (40, "XL"),
        (90, "XC"),
        (400, "CD"),
        (944, "CMXLIV"),
        (1994, "MCMXCIV"),
        (2024, "MMXXIV"),
        (3999, "MMMCMXCIX"),
        (49, "XLVIIII"),
    ],
)
def test_to_roman(n, roman):
    assert to_roman(n) == roman


@pytest.mark.parametrize("roman, n", [("IV", 4), ("MCMXCIV", 1994), ("xlii", 42)])
def test_from_roman(roman, n):
    assert from_roman(roman) == n


def test_round_trip():
    for n in range(1, 4000):
        assert from_roman(to_roman(n)) == n


@pytest.mark.parametrize("n", [0, 4000, -1])
def test_out_of_range(n):
    with pytest.raises(ValueError):
        to_roman(n)
