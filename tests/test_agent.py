"""The agent loop with a scripted provider: tool results, markers, limits, errors."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from evalkit.agent import AgentLimits, run_agent
from evalkit.providers.base import ModelRequest, ModelResponse
from evalkit.records import Usage
from evalkit.sandbox import default_sandbox
from evalkit.tools import NO_OUTPUT, Tools


class Scripted:
    """Replies from a list (or forever with the last one); records every request."""

    name = "scripted:test"
    simulated = False

    def __init__(self, replies: list[Any], *, delay: float = 0.0, out_tokens: int = 10) -> None:
        self.replies = replies
        self.delay = delay
        self.out_tokens = out_tokens
        self.requests: list[ModelRequest] = []

    async def respond(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        reply = self.replies[min(len(self.requests) - 1, len(self.replies) - 1)]
        if isinstance(reply, Exception):
            raise reply
        content, stop = reply
        return ModelResponse(content=content, stop_reason=stop,
                             usage=Usage(input_tokens=100, output_tokens=self.out_tokens),
                             cost_usd=0.01, model="test-model")

    async def aclose(self) -> None:
        pass


def tool_use(i: int, name: str, **tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"t{i}", "name": name, "input": tool_input}


def text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


@pytest.fixture
def tools(tmp_path: Path) -> Tools:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "f.txt").write_text("hello\n")
    return Tools(ws, default_sandbox(), command_timeout_s=5)


def run(provider: Scripted, tools: Tools, **limits: Any):  # type: ignore[no-untyped-def]
    return asyncio.run(run_agent(provider, system="sys", instruction="do it", tools=tools,
                                 limits=AgentLimits(**({"max_turns": 10} | limits))))


def results_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for m in messages if m["role"] == "user" and isinstance(m["content"], list)
            for b in m["content"] if b["type"] == "tool_result"]


def test_tool_errors_and_empty_output_reach_the_model(tools: Tools) -> None:
    provider = Scripted([
        ([tool_use(1, "bash", command="true"),
          tool_use(2, "str_replace_based_edit_tool", command="view", path="../../etc/passwd"),
          tool_use(3, "nonexistent_tool")], "tool_use"),
        ([text("All done: f.txt says hello.")], "end_turn"),
    ])
    result = run(provider, tools)
    assert result.status == "ok" and result.final_report == "All done: f.txt says hello."
    r1, r2, r3 = results_of(result.messages)
    assert r1["content"] == NO_OUTPUT and not r1.get("is_error")
    assert r2["is_error"] is True and r3["is_error"] is True
    assert [r["tool_use_id"] for r in (r1, r2, r3)] == ["t1", "t2", "t3"]
    # the second request carries the tool results, in one user message
    assert provider.requests[1].messages[-1]["role"] == "user"
    assert result.turns == 2 and result.usage.output_tokens == 20
    assert result.cost_usd == pytest.approx(0.02)


def test_thinking_blocks_are_passed_back_unchanged(tools: Tools) -> None:
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "sig=="}
    provider = Scripted([
        ([thinking, tool_use(1, "bash", command="echo hi")], "tool_use"),
        ([text("hi printed")], "end_turn"),
    ])
    run(provider, tools)
    assert provider.requests[1].messages[1]["content"][0] == thinking


def test_final_report_is_the_last_text_when_the_model_stops(tools: Tools) -> None:
    provider = Scripted([
        ([text("Let me look."), tool_use(1, "bash", command="cat f.txt")], "tool_use"),
        ([text("Part one."), text("Part two.")], "end_turn"),
    ])
    assert run(provider, tools).final_report == "Part one.\n\nPart two."


def test_turn_limit_records_limit_and_no_report(tools: Tools) -> None:
    provider = Scripted([([text("again"), tool_use(1, "bash", command="true")], "tool_use")])
    result = run(provider, tools, max_turns=3)
    assert (result.status, result.limit, result.final_report) == ("limit", "turns", None)
    assert result.turns == 3


def test_wall_time_limit_records_limit_and_no_report(tools: Tools) -> None:
    provider = Scripted([([tool_use(1, "bash", command="true")], "tool_use")], delay=0.2)
    result = run(provider, tools, wall_time_s=0.5)
    assert (result.status, result.limit, result.final_report) == ("limit", "wall_time", None)


def test_output_token_limit_records_limit_and_no_report(tools: Tools) -> None:
    provider = Scripted([([tool_use(1, "bash", command="true")], "tool_use"),
                         ([text("done")], "end_turn")], out_tokens=1000)
    result = run(provider, tools, max_output_tokens=1500)
    assert (result.status, result.limit, result.final_report) == ("limit", "output_tokens",
                                                                  None)


def test_response_cut_by_max_tokens_is_a_limit(tools: Tools) -> None:
    provider = Scripted([([text("I was saying")], "max_tokens")])
    result = run(provider, tools)
    assert (result.status, result.limit, result.final_report) == ("limit", "output_tokens",
                                                                  None)


def test_provider_failure_is_an_error_result_keeping_the_transcript(tools: Tools) -> None:
    provider = Scripted([([tool_use(1, "bash", command="true")], "tool_use"),
                         RuntimeError("API down")])
    result = run(provider, tools)
    assert result.status == "error" and "API down" in (result.error or "")
    assert len(result.messages) == 3 and result.final_report is None
