"""JSON mapping for calendar events (API v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from calendar_app.models import Event

FORMAT = "%Y-%m-%dT%H:%M:%S"


def event_to_dict(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "starts_at": event.starts_at.strftime(FORMAT),
        "end_at": event.ends_at.strftime(FORMAT) if event.ends_at else None,
    }


def event_from_dict(data: dict[str, Any]) -> Event:
    ends = data.get("ends_at")
    return Event(
        id=data["id"],
        title=data["title"],
        starts_at=datetime.strptime(data["starts_at"], FORMAT),
        ends_at=datetime.strptime(ends, FORMAT) if ends else None,
    )
