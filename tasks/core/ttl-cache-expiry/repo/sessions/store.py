"""Session storage with expiry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class TTLStore:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._items: dict[str, tuple[float, Any]] = {}

    def set(self, key: str, value: Any) -> None:
        if key in self._items:
            created, _ = self._items[key]
        else:
            created = self.clock()
        self._items[key] = (created, value)

    def get(self, key: str, default: Any = None) -> Any:
        item = self._items.get(key)
        if item is None:
            return default
        created, value = item
        if self.clock() - created > self.ttl:
            del self._items[key]
            return default
        return value

    def purge(self) -> int:
        now = self.clock()
        dead = [k for k, (created, _) in self._items.items() if now - created > self.ttl]
        for k in dead:
            del self._items[k]
        return len(dead)

    def __len__(self) -> int:
        return len(self._items)
