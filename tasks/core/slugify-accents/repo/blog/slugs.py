"""URL slugs for posts."""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str, max_length: int = 60) -> str:
    """Lower-case ASCII slug: words joined by '-', at most ``max_length`` characters."""
    slug = _NON_WORD.sub("-", title.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def unique_slug(title: str, taken: set[str]) -> str:
    """A slug not in ``taken``, adding -2, -3, ... when needed."""
    base = slugify(title)
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug
