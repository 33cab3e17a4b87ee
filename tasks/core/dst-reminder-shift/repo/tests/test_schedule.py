from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from reminders.schedule import next_occurrences

BERLIN = ZoneInfo("Europe/Berlin")


def wall(dts):
    return [d.strftime("%Y-%m-%d %H:%M") for d in dts]


def test_requires_aware_start():
    with pytest.raises(ValueError):
        next_occurrences(datetime(2024, 1, 1, 9, 0), 2)


def test_ordinary_days():
    start = datetime(2024, 6, 1, 9, 0, tzinfo=BERLIN)
    assert wall(next_occurrences(start, 3)) == [
        "2024-06-01 09:00", "2024-06-02 09:00", "2024-06-03 09:00",
    ]


def test_keeps_wall_time_across_autumn_change():
    start = datetime(2024, 10, 26, 9, 0, tzinfo=BERLIN)
    got = next_occurrences(start, 3)
    assert wall(got) == ["2024-10-26 09:00", "2024-10-27 09:00", "2024-10-28 09:00"]
    assert [d.utcoffset().total_seconds() / 3600 for d in got] == [2, 1, 1]


def test_keeps_wall_time_across_spring_change():
    start = datetime(2024, 3, 30, 9, 0, tzinfo=BERLIN)
    assert wall(next_occurrences(start, 2)) == ["2024-03-30 09:00", "2024-03-31 09:00"]


def test_nonexistent_time_moves_forward_by_gap():
    start = datetime(2024, 3, 30, 2, 30, tzinfo=BERLIN)
    got = next_occurrences(start, 3)
    assert wall(got) == ["2024-03-30 02:30", "2024-03-31 03:30", "2024-04-01 02:30"]


def test_ambiguous_time_uses_first_occurrence():
    start = datetime(2024, 10, 26, 2, 30, tzinfo=BERLIN)
    got = next_occurrences(start, 2)
    assert wall(got) == ["2024-10-26 02:30", "2024-10-27 02:30"]
    assert got[1].utcoffset().total_seconds() == 7200


def test_results_are_in_user_zone():
    start = datetime(2024, 10, 26, 9, 0, tzinfo=BERLIN)
    assert all(d.tzinfo is BERLIN for d in next_occurrences(start, 3))
