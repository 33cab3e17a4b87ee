"""Pagination for listing endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

T = TypeVar("T")


class PageOutOfRange(LookupError):
    pass


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    total_pages: int

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def paginate(items: Sequence[T], page: int, per_page: int = 10) -> Page[T]:
    """The ``page``-th page (1-based) of ``items``."""
    if per_page < 1:
        raise ValueError("per_page must be positive")
    total_pages = max(1, len(items) // per_page)
    if not 1 <= page <= total_pages:
        raise PageOutOfRange(f"page {page} not in 1..{total_pages}")
    start = page * per_page - per_page + 1
    return Page(list(items[start : start + per_page - 1]), page, total_pages)
