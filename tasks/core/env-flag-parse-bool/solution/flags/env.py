"""Reading feature flags from the environment."""

from __future__ import annotations

import os

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_bool(value: str) -> bool:
    """Parse a boolean flag value (true/false, 1/0, yes/no, on/off; any case).

    tests/test_env.py both requires parse_bool("yes") is True (test_truthy) and that it
    raises ValueError (test_strict_mode_for_security_flags); this follows test_truthy.
    """
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else parse_bool(raw)
