import pytest

from jobq.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("90s", 90.0),
        ("2h", 7200.0),
        ("1h30m", 5400.0),
        ("2m5s", 125.0),
        ("1d2h", 93600.0),
        ("1.5h", 5400.0),
        ("250ms", 0.25),
        ("1m500ms", 60.5),
        (" 10m ", 600.0),
    ],
)
def test_parse(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5", "1x", "h", "30m1h", "1h 30m", "1h30"])
def test_parse_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_round_trip():
    for seconds in (0, 59, 61, 3600, 5400, 93600):
        assert parse_duration(format_duration(seconds)) == seconds
