"""A small memoize decorator with introspection."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any


def memoize(func: Callable[..., Any]) -> Callable[..., Any]:
    """Cache results of ``func`` by its arguments (which must be hashable).

    Arguments are bound to the signature with defaults applied, so ``f(1)``, ``f(x=1)`` and a
    call relying on a default value of 1 share one entry.
    """
    cache: dict[Any, Any] = {}
    stats = {"hits": 0, "misses": 0}
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = tuple(sorted(bound.arguments.items()))
        if key in cache:
            stats["hits"] += 1
            return cache[key]
        stats["misses"] += 1
        result = cache[key] = func(*args, **kwargs)
        return result

    def cache_info() -> dict[str, int]:
        return {"hits": stats["hits"], "misses": stats["misses"], "size": len(cache)}

    def cache_clear() -> None:
        cache.clear()
        stats.update(hits=0, misses=0)

    wrapper.cache_info = cache_info  # type: ignore[attr-defined]
    wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
    return wrapper
