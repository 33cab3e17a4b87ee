"""Retry helper for flaky upstream calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


def retry(
    fn: Callable[[], T],
    attempts: int = 3,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    sleep: Callable[[float], Any] = time.sleep,
) -> T:
    """Call ``fn`` until it succeeds, at most ``attempts`` times.

    Only ``retry_on`` exceptions are retried; the last one is re-raised when all attempts fail.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        try:
            return fn()
        except retry_on as exc:
            if attempt == attempts - 1:
                raise
            log.warning("attempt %d failed: %s", attempt + 1, exc)
            sleep(min(base_delay * 2**attempt, max_delay))
    raise AssertionError("unreachable")
