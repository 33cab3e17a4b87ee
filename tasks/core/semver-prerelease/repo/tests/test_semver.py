import pytest

from semver import compare, latest, parse


def test_parse_full():
    assert parse("v1.2.3-rc.1+build.5") == (1, 2, 3, "rc.1", "build.5")


def test_parse_rejects_garbage():
    with pytest.raises(ValueError):
        parse("1.2")


@pytest.mark.parametrize(
    "lower, higher",
    [
        ("1.0.0", "2.0.0"),
        ("1.9.0", "1.10.0"),
        ("1.0.0-alpha", "1.0.0"),
        ("1.0.0-alpha", "1.0.0-alpha.1"),
        ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
        ("1.0.0-alpha.beta", "1.0.0-beta"),
        ("1.0.0-beta.2", "1.0.0-beta.11"),
        ("1.0.0-beta.11", "1.0.0-rc.1"),
        ("1.0.0-rc.1", "1.0.0"),
    ],
)
def test_precedence(lower, higher):
    assert compare(lower, higher) == -1
    assert compare(higher, lower) == 1


def test_build_metadata_is_ignored():
    assert compare("1.0.0+001", "1.0.0+exp.sha.5114f85") == 0


def test_latest_release_candidate():
    assert latest(["2.0.0-rc.2", "2.0.0-rc.10", "1.9.9"]) == "2.0.0-rc.10"


def test_latest_prefers_release():
    assert latest(["2.0.0-beta", "2.0.0", "2.0.0-rc.1"]) == "2.0.0"
