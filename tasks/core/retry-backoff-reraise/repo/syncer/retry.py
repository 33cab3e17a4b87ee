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
) -> T | None:
    """Call ``fn`` until it succeeds, at most ``attempts`` times."""
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001
            log.warning("attempt %d failed: %s", attempt + 1, exc)
            sleep(base_delay)
    return None
