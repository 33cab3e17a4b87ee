"""In-memory username registry (the real one is backed by the users table)."""

from __future__ import annotations


class NameTaken(Exception):
    """Raised when a username is already registered (ignoring case)."""


def canonical(name: str) -> str:
    """The form used to compare usernames."""
    return name.strip().lower()


class Registry:
    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}

    def register(self, name: str) -> None:
        key = canonical(name)
        if key in self._by_key:
            raise NameTaken(f"{name!r} is already taken by {self._by_key[key]!r}")
        self._by_key[key] = name.strip()

    def lookup(self, name: str) -> str | None:
        """The display name registered for ``name``, or None."""
        return self._by_key.get(canonical(name))

    def __len__(self) -> int:
        return len(self._by_key)
