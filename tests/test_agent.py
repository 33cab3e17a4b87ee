"""The agent loop with a scripted provider: tool results, markers, limits, errors."""

from __future__ import annotations

import asyncio
import time
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


def test_wall_time_spent_by_an_answering_model_is_a_limit(tools: Tools) -> None:
    """The model answered every call; the last one only got what was left of the wall time."""
    provider = Scripted([([tool_use(1, "bash", command="true")], "tool_use")], delay=0.2)
    result = run(provider, tools, wall_time_s=0.5)
    assert (result.status, result.limit, result.final_report) == ("limit", "wall_time", None)
    assert result.error is None and result.turns >= 1


def test_wall_time_spent_in_tools_is_a_limit(tools: Tools) -> None:
    provider = Scripted([([tool_use(1, "bash", command="sleep 5")], "tool_use")])
    result = run(provider, tools, wall_time_s=0.6)
    assert (result.status, result.limit, result.error) == ("limit", "wall_time", None)
    assert result.turns == 1


def test_model_that_never_answers_before_the_wall_time_is_an_error_not_a_limit(
        tools: Tools) -> None:
    provider = Scripted([([text("too late")], "end_turn")], delay=30)
    t0 = time.monotonic()
    result = run(provider, tools, wall_time_s=0.5)
    assert time.monotonic() - t0 < 3
    assert (result.status, result.limit, result.final_report) == ("error", None, None)
    assert result.error == ("no response from scripted:test within 0.5 s (the sample's wall "
                            "time ran out while waiting)")
    assert result.turns == 0


def test_a_stall_after_answers_is_an_error_when_it_ate_most_of_the_wall_time(
        tools: Tools) -> None:
    class StallsSecond(Scripted):
        async def respond(self, request: ModelRequest) -> ModelResponse:
            if self.requests:
                self.requests.append(request)
                await asyncio.sleep(30)
            return await super().respond(request)

    provider = StallsSecond([([tool_use(1, "bash", command="true")], "tool_use")])
    result = run(provider, tools, wall_time_s=1.0)
    assert (result.status, result.limit) == ("error", None)
    assert "no response from scripted:test within" in (result.error or "")
    assert result.turns == 1 and len(result.messages) == 3  # the transcript so far is kept


def test_response_timeout_ends_a_stalled_call_before_the_wall_time(tools: Tools) -> None:
    provider = Scripted([([text("too late")], "end_turn")], delay=30)
    t0 = time.monotonic()
    result = run(provider, tools, wall_time_s=20, response_timeout_s=0.3)
    assert time.monotonic() - t0 < 3
    assert (result.status, result.limit) == ("error", None)
    assert result.error == "no response from scripted:test within 0.3 s"


def test_each_request_carries_its_response_deadline(tools: Tools) -> None:
    provider = Scripted([([text("done")], "end_turn")])
    provider.response_timeout = 7.0  # a provider option is the default per-call limit
    run(provider, tools, wall_time_s=100)
    assert 7.0 <= provider.requests[0].response_timeout <= 8.0
    provider = Scripted([([text("done")], "end_turn")])
    run(provider, tools, wall_time_s=2)  # the remaining wall time caps it
    assert provider.requests[0].response_timeout <= 3.0


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
