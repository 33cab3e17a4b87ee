"""Domain model for calendar events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Event:
    id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    all_day: bool = False

    def __post_init__(self) -> None:
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError(f"event {self.id}: ends_at is before starts_at")

    @property
    def duration_minutes(self) -> int | None:
        if self.ends_at is None:
            return None
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
