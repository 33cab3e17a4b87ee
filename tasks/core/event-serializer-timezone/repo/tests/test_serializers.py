from datetime import datetime, timedelta, timezone

import pytest

from calendar_app.models import Event
from calendar_app.serializers import event_from_dict, event_to_dict

CEST = timezone(timedelta(hours=2))


def make(**kw):
    base = dict(
        id="e1",
        title="Standup",
        starts_at=datetime(2024, 6, 3, 9, 0, tzinfo=CEST),
        ends_at=datetime(2024, 6, 3, 9, 15, tzinfo=CEST),
    )
    base.update(kw)
    return Event(**base)


def test_to_dict_format():
    assert event_to_dict(make()) == {
        "id": "e1",
        "title": "Standup",
        "starts_at": "2024-06-03T09:00:00+02:00",
        "ends_at": "2024-06-03T09:15:00+02:00",
        "all_day": False,
    }


def test_round_trip_keeps_end_and_offset():
    event = make()
    back = event_from_dict(event_to_dict(event))
    assert back == event
    assert back.starts_at.utcoffset() == timedelta(hours=2)
    assert back.duration_minutes == 15


def test_round_trip_without_end():
    event = make(ends_at=None)
    assert event_from_dict(event_to_dict(event)) == event


def test_all_day_round_trip():
    event = make(all_day=True, ends_at=None)
    data = event_to_dict(event)
    assert data["all_day"] is True
    assert event_from_dict(data).all_day is True


def test_all_day_defaults_to_false_when_missing():
    data = event_to_dict(make())
    del data["all_day"]
    assert event_from_dict(data).all_day is False


def test_end_before_start_rejected():
    with pytest.raises(ValueError):
        make(ends_at=datetime(2024, 6, 3, 8, 0, tzinfo=CEST))
