import pytest

from flags.env import flag, parse_bool


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "on", " ON "])
def test_truthy(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["false", "0", "no", "off"])
def test_falsy(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", ["", "maybe", "2", "yes please"])
def test_garbage_rejected(value):
    with pytest.raises(ValueError):
        parse_bool(value)


def test_strict_mode_for_security_flags():
    # security-relevant flags must be spelled out; "yes" is too easy to set by accident
    with pytest.raises(ValueError):
        parse_bool("yes")


def test_flag_default(monkeypatch):
    monkeypatch.delenv("FEATURE_X", raising=False)
    assert flag("FEATURE_X", default=True) is True
    monkeypatch.setenv("FEATURE_X", "off")
    assert flag("FEATURE_X", default=True) is False
