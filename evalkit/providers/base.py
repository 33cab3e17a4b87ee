"""What the agent loop needs from a model: one call that answers one turn.

A provider is anything with this shape; ``evalkit.providers.register`` maps a prefix such as
``anthropic`` or ``sim`` to a factory taking the part after the colon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from evalkit.records import Usage


@dataclass(frozen=True)
class ModelRequest:
    """One turn's input, Anthropic-shaped so that transcripts need no translation."""

    system: str
    messages: list[dict[str, Any]]  # Anthropic Messages API shape
    max_tokens: int = 4096
    temperature: float | None = None
    thinking_budget: int | None = None  # extended thinking budget in tokens, None = off
    #: Opaque per-sample context for simulated agents (the fixture, the epoch, a seed).
    #: Real providers must ignore it: it is never sent to a model.
    context: Any = None


@dataclass(frozen=True)
class ModelResponse:
    """One turn's output: content blocks as the Messages API returns them (as dicts)."""

    content: list[dict[str, Any]]  # {"type": "text"|"tool_use"|"thinking", ...}
    stop_reason: str  # "end_turn" | "tool_use" | "max_tokens" | ...
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    model: str = ""


def offline_response(model: str, request: ModelRequest, content: list[dict[str, Any]],
                     stop: str) -> ModelResponse:
    """A free answer from an offline agent (sim:, script:), its usage estimated from text length
    (about 4 characters a token) so progress and reports show plausible token counts."""
    import json

    prompt_chars = len(request.system) + len(json.dumps(request.messages))
    out_chars = len(json.dumps(content))
    usage = Usage(input_tokens=max(1, prompt_chars // 4), output_tokens=max(1, out_chars // 4))
    return ModelResponse(content=content, stop_reason=stop, usage=usage, cost_usd=0.0,
                         model=model)


class ProviderError(Exception):
    """A model call failed for good (after the provider's own bounded retries)."""


@runtime_checkable
class Provider(Protocol):
    #: e.g. "anthropic:claude-sonnet-4-5" or "sim:honest"
    name: str
    #: True for the built-in simulated agents; shown in every output that names the model.
    simulated: bool

    async def respond(self, request: ModelRequest) -> ModelResponse: ...

    async def aclose(self) -> None: ...
