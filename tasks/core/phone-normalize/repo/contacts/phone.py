"""Phone number normalisation for the contacts import."""

from __future__ import annotations

import re

_VALID = re.compile(r"^\+?\d{7,15}$")


def normalize(raw: str) -> str:
    """Normalise a phone number for storage and de-duplication."""
    number = raw.strip()
    if not _VALID.match(number):
        raise ValueError(f"invalid phone number: {raw!r}")
    return number
