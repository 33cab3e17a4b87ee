import pytest

from contacts.phone import normalize


def test_plain_digits_unchanged():
    assert normalize("5550109999") == "5550109999"


def test_strips_punctuation_keeps_country_code():
    assert normalize("+1 (555) 010-9999") == "+15550109999"


def test_dots_and_spaces():
    assert normalize("+44 20.7946.0000") == "+442079460000"


def test_us_numbers_are_stored_without_country_code():
    # the CRM expects 10-digit national numbers for North America
    assert normalize("+1 (555) 010-9999") == "5550109999"


def test_rejects_letters():
    with pytest.raises(ValueError):
        normalize("call me maybe")


def test_rejects_too_short():
    with pytest.raises(ValueError):
        normalize("12-34")
