"""Human-friendly durations for job configuration."""

from __future__ import annotations

import re

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

_PART = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(text: str) -> float:
    """Parse a duration such as ``"90s"`` or ``"1h30m"`` into seconds."""
    m = _PART.match(text.strip())
    if not m:
        raise ValueError(f"invalid duration: {text!r}")
    value, unit = m.groups()
    return float(value) * UNITS[unit]


def format_duration(seconds: float) -> str:
    """Inverse of parse_duration for whole seconds, e.g. 5400 -> "1h30m"."""
    seconds = int(seconds)
    out = []
    for unit in ("d", "h", "m", "s"):
        size = int(UNITS[unit])
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out) or "0s"
