"""Human-friendly durations for job configuration."""

from __future__ import annotations

import re

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_ORDER = ("d", "h", "m", "s", "ms")

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(text: str) -> float:
    """Parse a duration such as ``"90s"`` or ``"1h30m"`` into seconds.

    Units may be combined, largest first, each at most once.
    """
    text = text.strip()
    total, pos, last = 0.0, 0, -1
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            raise ValueError(f"invalid duration: {text!r}")
        value, unit = m.groups()
        rank = _ORDER.index(unit)
        if rank <= last:
            raise ValueError(f"invalid duration (units out of order): {text!r}")
        last = rank
        total += float(value) * UNITS[unit]
        pos = m.end()
    if last < 0:
        raise ValueError(f"invalid duration: {text!r}")
    return total


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
