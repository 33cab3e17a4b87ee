"""JSON mapping for calendar events (API v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from calendar_app.models import Event


def _dump(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _load(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def event_to_dict(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "starts_at": _dump(event.starts_at),
        "ends_at": _dump(event.ends_at),
        "all_day": event.all_day,
    }


def event_from_dict(data: dict[str, Any]) -> Event:
    return Event(
        id=data["id"],
        title=data["title"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        ends_at=_load(data.get("ends_at")),
        all_day=bool(data.get("all_day", False)),
    )
