"""Provider registry: ``get_provider("anthropic:claude-...")``, ``get_provider("sim:honest")``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from evalkit.providers.base import (
    ModelRequest,
    ModelResponse,
    NoResponseError,
    Provider,
    ProviderError,
)

__all__ = ["ModelRequest", "ModelResponse", "NoResponseError", "Provider", "ProviderError",
           "get_provider", "register"]

Factory = Callable[..., Provider]

#: prefix -> "module:function" (loaded lazily) or a factory registered at run time
_REGISTRY: dict[str, str | Factory] = {
    "anthropic": "evalkit.providers.anthropic:create",
    "sim": "evalkit.providers.sim:create",
    "script": "evalkit.providers.script:create",
    "openai": "evalkit.providers.openai:create",
}


def register(prefix: str, factory: Factory) -> None:
    """Make ``prefix:<rest>`` resolve to ``factory(rest, **options)``."""
    _REGISTRY[prefix] = factory


def get_provider(model: str, **options: Any) -> Provider:
    prefix, sep, rest = model.partition(":")
    if not sep or prefix not in _REGISTRY:
        known = ", ".join(f"{p}:…" for p in sorted(_REGISTRY))
        raise ValueError(f"unknown model {model!r}: expected one of {known}")
    factory = _REGISTRY[prefix]
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
    return factory(rest, **options)
