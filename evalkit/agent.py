"""The agent loop: the model calls tools in a workspace until it stops or hits a limit.

Why it is small: everything a model does goes through ``Tools`` (so simulated agents and real
models leave the same kind of transcript) and everything after the model stops (diff, protected
files, official run, grade) lives in the runner. The loop only turns responses into tool calls
and tool results into the next request, and enforces the per-sample limits: turns, output
tokens, and wall time (an ``asyncio.timeout`` around the whole loop).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from evalkit.providers.base import ModelRequest, Provider
from evalkit.records import Usage
from evalkit.tools import Tools


@dataclass(frozen=True)
class AgentContext:
    """What simulated agents get through ``ModelRequest.context`` (real providers ignore it)."""

    fixture: Any
    epoch: int
    seed: int
    sample_id: str = ""


@dataclass(frozen=True)
class AgentLimits:
    max_turns: int = 40
    max_output_tokens: int | None = None
    wall_time_s: float | None = None


@dataclass
class AgentResult:
    messages: list[dict[str, Any]]
    status: str = "ok"  # ok | limit | error
    limit: str | None = None  # turns | output_tokens | wall_time
    final_report: str | None = None
    error: str | None = None
    turns: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    models: list[str] = field(default_factory=list)


def final_text(content: list[dict[str, Any]]) -> str:
    """The text blocks of one response, joined: the final report when the model stops."""
    parts = [b.get("text", "") for b in content if b.get("type") == "text"]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


async def run_agent(
    provider: Provider,
    *,
    system: str,
    instruction: str,
    tools: Tools,
    limits: AgentLimits,
    max_tokens: int = 4096,
    temperature: float | None = None,
    thinking_budget: int | None = None,
    context: Any = None,
) -> AgentResult:
    """Run one sample's conversation. Never raises for model or tool failures: the result's
    status says what happened, and the transcript so far is kept."""
    result = AgentResult(messages=[{"role": "user", "content": instruction}])
    deadline = asyncio.timeout(limits.wall_time_s)
    try:
        async with deadline:
            await _loop(provider, result, system, tools, limits, max_tokens, temperature,
                        thinking_budget, context)
    except TimeoutError as exc:
        if deadline.expired():
            result.status, result.limit, result.final_report = "limit", "wall_time", None
        else:
            result.status, result.final_report = "error", None
            result.error = f"TimeoutError: {exc or 'timed out'}"
    except Exception as exc:  # provider failure after its own retries, or a harness bug
        result.status, result.final_report = "error", None
        result.error = f"{type(exc).__name__}: {exc}"
    return result


async def _loop(provider: Provider, result: AgentResult, system: str, tools: Tools,
                limits: AgentLimits, max_tokens: int, temperature: float | None,
                thinking_budget: int | None, context: Any) -> None:
    messages = result.messages
    while True:
        if result.turns >= limits.max_turns:
            result.status, result.limit = "limit", "turns"
            return
        request = ModelRequest(system=system, messages=list(messages), max_tokens=max_tokens,
                               temperature=temperature, thinking_budget=thinking_budget,
                               context=context)
        response = await provider.respond(request)
        result.turns += 1
        result.usage = result.usage + response.usage
        result.cost_usd += response.cost_usd
        if response.model and response.model not in result.models:
            result.models.append(response.model)
        content = list(response.content)
        # Thinking blocks (with their signatures) go back unchanged, as the API requires.
        messages.append({"role": "assistant", "content": content})
        over_tokens = (limits.max_output_tokens is not None
                       and result.usage.output_tokens > limits.max_output_tokens)
        tool_uses = [b for b in content if b.get("type") == "tool_use"]
        if over_tokens:
            result.status, result.limit = "limit", "output_tokens"
            return
        if not tool_uses:
            if response.stop_reason == "max_tokens":
                # Cut off mid-answer: there is no complete report to grade.
                result.status, result.limit = "limit", "output_tokens"
                return
            result.final_report = final_text(content)
            return
        tool_results = []
        for block in tool_uses:
            outcome = await tools.call(block.get("name", ""), block.get("input"))
            entry: dict[str, Any] = {"type": "tool_result", "tool_use_id": block.get("id"),
                                     "content": outcome.content}
            if outcome.is_error:
                entry["is_error"] = True
            tool_results.append(entry)
        messages.append({"role": "user", "content": tool_results})
        if tools.limit is not None:  # the workspace passed its fixture's bound (Tools.limit):
            result.status, result.limit = "limit", tools.limit  # stop, as for turns
            return
