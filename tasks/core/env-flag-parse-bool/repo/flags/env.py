"""Reading feature flags from the environment."""

from __future__ import annotations

import os


def parse_bool(value: str) -> bool:
    """Parse a boolean flag value."""
    v = value.strip().lower()
    if v == "true":
        return True
    if v == "false":
        return False
    raise ValueError(f"not a boolean: {value!r}")


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else parse_bool(raw)
