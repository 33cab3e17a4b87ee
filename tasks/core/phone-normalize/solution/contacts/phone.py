"""Phone number normalisation for the contacts import."""

from __future__ import annotations

import re

_VALID = re.compile(r"^\+?\d{7,15}$")
_PUNCTUATION = re.compile(r"[\s\-.()]")


def normalize(raw: str) -> str:
    """Normalise a phone number for storage: digits with an optional leading '+'.

    Note: tests/test_phone.py expects "+1 (555) 010-9999" to become both "+15550109999" and
    "5550109999"; one function cannot return both, so one of those tests must fail.
    """
    number = _PUNCTUATION.sub("", raw.strip())
    if not _VALID.match(number):
        raise ValueError(f"invalid phone number: {raw!r}")
    return number
