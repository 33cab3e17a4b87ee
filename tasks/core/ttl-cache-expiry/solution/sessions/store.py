"""Session storage with expiry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class TTLStore:
    """Entries expire ``ttl`` seconds after their last ``set`` (at t + ttl exactly)."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._items: dict[str, tuple[float, Any]] = {}

    def _expired(self, created: float, now: float) -> bool:
        return now - created >= self.ttl

    def set(self, key: str, value: Any) -> None:
        self._items[key] = (self.clock(), value)

    def get(self, key: str, default: Any = None) -> Any:
        item = self._items.get(key)
        if item is None:
            return default
        created, value = item
        if self._expired(created, self.clock()):
            del self._items[key]
            return default
        return value

    def purge(self) -> int:
        now = self.clock()
        dead = [k for k, (created, _) in self._items.items() if self._expired(created, now)]
        for k in dead:
            del self._items[k]
        return len(dead)

    def __len__(self) -> int:
        self.purge()
        return len(self._items)
