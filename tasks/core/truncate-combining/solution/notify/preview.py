"""Short previews of message bodies for push notifications."""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
ZWJ = "\u200d"


def _is_extender(ch: str) -> bool:
    """Code points that attach to the previous character."""
    cp = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters (subdivision flags)
    )


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def clusters(text: str) -> list[str]:
    """Split ``text`` into user-perceived characters (a practical subset of UAX #29)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i + 1
        if _is_regional_indicator(text[i]) and j < len(text) and _is_regional_indicator(text[j]):
            j += 1
        while j < len(text):
            if _is_extender(text[j]):
                j += 1
            elif text[j] == ZWJ:
                j += 2 if j + 1 < len(text) else 1
            else:
                break
        out.append(text[i:j])
        i = j
    return out


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` user-perceived characters; ends with an ellipsis when cut."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    parts = clusters(text)
    if len(parts) <= limit:
        return text
    return "".join(parts[: limit - 1]) + ELLIPSIS
