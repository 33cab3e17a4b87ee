"""What the agent loop needs from a model: one call that answers one turn.

A provider is anything with this shape; ``evalkit.providers.register`` maps a prefix such as
``anthropic`` or ``sim`` to a factory taking the part after the colon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from evalkit.records import Usage

#: Seconds one model call may go without an answer (retries included) before it is an error.
#: 600 s is the longest a non-streaming Messages call may take (the SDK refuses requests it
#: expects to run longer); a sample's remaining wall time shortens it.
DEFAULT_RESPONSE_TIMEOUT_S = 600.0


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
    #: Seconds the caller waits for this answer (the agent loop: its per-call limit or the
    #: sample's remaining wall time, whichever is less); None: the provider's own limit.
    #: HTTP providers bound their attempts, retries included, by it and then raise
    #: ``NoResponseError``.
    response_timeout: float | None = None


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


class NoResponseError(ProviderError):
    """No answer within the call's response deadline: the provider stalled. The sample is an
    error (``--retry-errors`` runs it again), never a limit, since the model spent nothing."""

    def __init__(self, provider: str, seconds: float, detail: str = "") -> None:
        text = f"no response from {provider} within {format_seconds(seconds)} s"
        super().__init__(f"{text} ({detail})" if detail else text)
        self.provider = provider
        self.seconds = seconds


def format_seconds(seconds: float) -> str:
    """``600``, ``1.5``, ``0.25``: a deadline as people write it."""
    return f"{seconds:.3g}" if seconds < 1000 else f"{seconds:.0f}"


@runtime_checkable
class Provider(Protocol):
    #: e.g. "anthropic:claude-sonnet-4-5" or "sim:honest"
    name: str
    #: True for the built-in simulated agents; shown in every output that names the model.
    simulated: bool

    async def respond(self, request: ModelRequest) -> ModelResponse: ...

    async def aclose(self) -> None: ...
