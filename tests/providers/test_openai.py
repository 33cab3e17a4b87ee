"""The openai: provider against a real HTTP server speaking Chat Completions (tests/fakeopenai.py).

The official SDK does the HTTP; the fake server injects rate limits, server errors, dropped
connections, malformed bodies and malformed tool arguments, and records what was sent.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from evalkit.agent import AgentLimits, run_agent
from evalkit.grading import grade_transcript
from evalkit.pricing import load_prices
from evalkit.providers import get_provider
from evalkit.providers.base import ModelRequest, ProviderError
from evalkit.providers.openai import OpenAIProvider, OpenAIProviderError
from evalkit.records import Usage
from evalkit.sandbox import default_sandbox
from evalkit.tools import Tools
from tests.fakeopenai import (
    FakeOpenAI,
    drop,
    error,
    malformed,
    rate_limited,
    server_error,
    text,
    tool_calls,
)
from tests.fakeopenai import fake_openai as _fake_openai  # noqa: F401 - the fixture

MODEL = "qwen2.5-coder-7b"  # not in the price table: a local model


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)


def provider(api: FakeOpenAI, model: str = MODEL, **kw: Any) -> OpenAIProvider:
    kw.setdefault("backoff_base", 0.01)
    return get_provider(f"openai:{model}", base_url=api.base_url, **kw)  # type: ignore[return-value]


def request(messages: list[dict[str, Any]] | None = None) -> ModelRequest:
    return ModelRequest(system="You fix bugs.", messages=messages or [
        {"role": "user", "content": "Make the tests pass."}])


def call(p: OpenAIProvider, req: ModelRequest | None = None) -> Any:
    async def go() -> Any:
        try:
            return await p.respond(req or request())
        finally:
            await p.aclose()
    return asyncio.run(go())


def agent(p: OpenAIProvider, ws: Path, instruction: str = "Fix it.") -> Any:
    async def go() -> Any:
        try:
            return await run_agent(p, system="You fix bugs.", instruction=instruction,
                                   tools=Tools(ws, default_sandbox(), command_timeout_s=20),
                                   limits=AgentLimits(max_turns=6))
        finally:
            await p.aclose()
    return asyncio.run(go())


# --------------------------------------------------------------------------- turns


def test_tool_calls_come_back_as_tool_use_blocks_and_tools_are_function_schemas(fake_openai):
    api = fake_openai([tool_calls(("bash", {"command": "pytest -q"}), text="Running tests.")])
    r = call(provider(api))
    assert r.stop_reason == "tool_use" and r.model == MODEL
    assert r.content[0] == {"type": "text", "text": "Running tests."}
    assert r.content[1]["type"] == "tool_use" and r.content[1]["name"] == "bash"
    assert r.content[1]["input"] == {"command": "pytest -q"}
    body = api.chat_requests[0].body
    assert [t["function"]["name"] for t in body["tools"]] == ["bash", "str_replace_based_edit_tool"]
    assert all(t["type"] == "function" and t["function"]["parameters"]["type"] == "object"
               for t in body["tools"])
    assert body["messages"][0] == {"role": "system", "content": "You fix bugs."}
    assert body["max_tokens"] == 4096


def test_parallel_calls_run_in_order_and_results_go_back_as_tool_messages(fake_openai, tmp_path):
    api = fake_openai([
        tool_calls(("bash", {"command": "echo one"}), ("bash", {"command": "echo two"}),
                   ("str_replace_based_edit_tool",
                    {"command": "create", "path": "n.txt", "file_text": "x\n"})),
        text("Done."),
    ])
    result = agent(provider(api), tmp_path)
    assert result.status == "ok" and result.final_report == "Done."
    msgs = api.chat_requests[1].body["messages"]
    assistant = msgs[2]
    ids = [c["id"] for c in assistant["tool_calls"]]
    tools = [m for m in msgs if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tools] == ids
    assert tools[0]["content"].strip() == "one" and tools[1]["content"].strip() == "two"
    assert "created" in tools[2]["content"] and (tmp_path / "n.txt").read_text() == "x\n"
    # the transcript keeps evalkit's usual (Anthropic) shape
    blocks = result.messages[1]["content"]
    assert [b["type"] for b in blocks] == ["tool_use"] * 3
    assert [b["tool_use_id"] for b in result.messages[2]["content"]] == ids


def test_malformed_tool_arguments_are_a_tool_error_to_the_model_not_a_crash(fake_openai,
                                                                           tmp_path):
    api = fake_openai([tool_calls(("bash", '{"command": "touch ran.txt"')),
                       tool_calls(("bash", "[1, 2]")),
                       text("I could not run anything.")])
    result = agent(provider(api), tmp_path)
    assert result.status == "ok"
    assert not (tmp_path / "ran.txt").exists()
    first = [m for m in api.chat_requests[1].body["messages"] if m["role"] == "tool"][0]
    assert "not valid JSON" in first["content"] and first["content"].startswith("ERROR")
    second = [m for m in api.chat_requests[2].body["messages"] if m["role"] == "tool"][-1]
    assert "must be a JSON object" in second["content"]
    use = result.messages[1]["content"][0]
    assert use["input"]["_raw_arguments"] == '{"command": "touch ran.txt"'
    assert result.messages[2]["content"][0]["is_error"] is True


def test_tools_answer_a_call_marked_unparseable_with_its_error_and_run_nothing(tmp_path):
    tools = Tools(tmp_path, default_sandbox(), command_timeout_s=5)
    out = asyncio.run(tools.call("bash", {"_raw_arguments": "{", "_error": "bad JSON",
                                          "command": "touch x"}))
    assert out.is_error and out.content == "bash: bad JSON"
    assert not (tmp_path / "x").exists()


def test_text_mode_runs_one_bash_block_per_turn_and_sends_output_as_user_text(fake_openai,
                                                                             tmp_path):
    api = fake_openai([
        text("Let me look.\n\n```bash\necho hello > out.txt; cat out.txt\n```"),
        text("Two at once:\n```bash\necho a\n```\n```bash\necho b\n```"),
        text("The file says hello. Done."),
    ])
    result = agent(provider(api, tool_mode="text"), tmp_path)
    assert result.status == "ok" and result.final_report == "The file says hello. Done."
    first = api.chat_requests[0].body
    assert "tools" not in first and "EXACTLY ONE fenced code block" in first["messages"][0][
        "content"]
    second = api.chat_requests[1].body["messages"]
    assert all(m["role"] != "tool" and "tool_calls" not in m for m in second)
    assert second[2]["content"].startswith("Let me look.")  # the model's own text, sent back
    assert second[3]["role"] == "user" and "hello" in second[3]["content"]
    third = api.chat_requests[2].body["messages"]
    assert "found 2 bash blocks" in third[-1]["content"]
    # transcript: the block is a bash tool_use, so the grader sees the command
    use = result.messages[1]["content"][-1]
    assert use["type"] == "tool_use" and use["input"] == {
        "command": "echo hello > out.txt; cat out.txt"}


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_fields_are_kept_as_thinking(fake_openai, field):
    api = fake_openai([text("All good.", reasoning="Check the edge case first.",
                            reasoning_field=field)])
    r = call(provider(api))
    assert r.content == [{"type": "thinking", "thinking": "Check the edge case first."},
                         {"type": "text", "text": "All good."}]


def test_think_tags_in_content_become_thinking_and_thinking_is_not_sent_back(fake_openai):
    api = fake_openai([text("<think>hmm</think>\nFixed."), text("ok")])
    p = provider(api)
    r = call(p)
    assert r.content == [{"type": "thinking", "thinking": "hmm"},
                         {"type": "text", "text": "Fixed."}]
    call(p, request([{"role": "user", "content": "go"},
                     {"role": "assistant", "content": r.content},
                     {"role": "user", "content": "and?"}]))
    sent = api.chat_requests[1].body["messages"]
    assert sent[2] == {"role": "assistant", "content": "Fixed."}


def test_length_finish_is_max_tokens(fake_openai):
    r = call(provider(fake_openai([text("cut", finish_reason="length")])))
    assert r.stop_reason == "max_tokens"


# --------------------------------------------------------------------------- usage, cost


def test_usage_counts_cached_prompt_tokens_apart_and_prices_known_models(fake_openai):
    usage = {"prompt_tokens": 1_000_000, "completion_tokens": 100_000,
             "prompt_tokens_details": {"cached_tokens": 400_000}}
    api = fake_openai([text("ok", usage=usage)])
    r = call(provider(api, "gpt-5.4-2026-03-05", prices=load_prices()))
    assert r.usage == Usage(input_tokens=600_000, output_tokens=100_000,
                            cache_read_input_tokens=400_000)
    # gpt-5.4: $2.50 in, $0.25 cached, $15 out per MTok
    assert r.cost_usd == pytest.approx(0.6 * 2.5 + 0.4 * 0.25 + 0.1 * 15)


def test_fake_server_reports_prefix_cache_hits_across_turns(fake_openai):
    api = fake_openai([text("a"), text("b")])
    p = provider(api)
    first = call(p)
    second = call(p, request([{"role": "user", "content": "Make the tests pass."},
                              {"role": "assistant", "content": first.content},
                              {"role": "user", "content": "again"}]))
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens > 0


def test_unknown_local_model_costs_zero_and_says_so_once(fake_openai):
    api = fake_openai([text("a"), text("b")])
    p = provider(api, prices=load_prices())
    with pytest.warns(RuntimeWarning, match="no price for model 'qwen2.5-coder-7b'"):
        r = call(p)
    assert r.cost_usd == 0.0 and r.usage.input_tokens > 0
    assert p.stats()["priced"] is False


# --------------------------------------------------------------------------- retries


def test_429_waits_at_least_retry_after_then_succeeds(fake_openai):
    api = fake_openai([rate_limited(retry_after=0.3), text("ok")])
    p = provider(api)
    r = call(p)
    gap = api.requests[1].t - api.requests[0].t
    assert r.content[0]["text"] == "ok" and gap >= 0.3
    assert p.stats()["retries_by_reason"] == {"429": 1}


def test_500_dropped_connection_and_one_malformed_body_are_retried(fake_openai):
    api = fake_openai([server_error(), drop(), malformed(), text("ok")])
    p = provider(api)
    assert call(p).content[0]["text"] == "ok"
    assert p.stats()["retries_by_reason"] == {"500": 1, "connection_error": 1,
                                              "malformed_response": 1}


def test_retries_are_bounded_and_the_error_names_status_and_request_id(fake_openai):
    api = fake_openai([server_error(503)] * 3)
    p = provider(api, max_attempts=3)
    with pytest.raises(OpenAIProviderError) as info:
        call(p)
    assert len(api.requests) == 3 and info.value.attempts == 3
    msg = str(info.value)
    assert "HTTP 503" in msg and "gave up after 3 attempts" in msg and "req_fake_000002" in msg


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_not_retried(fake_openai, status):
    api = fake_openai([error(status, "invalid_request_error", "nope"), text("unused")])
    with pytest.raises(ProviderError, match=f"HTTP {status}.*not retryable"):
        call(provider(api))
    assert len(api.requests) == 1


def test_retry_after_beyond_the_cap_fails_at_once(fake_openai):
    api = fake_openai([rate_limited(retry_after=500), text("unused")])
    with pytest.raises(ProviderError, match="max_retry_after"):
        call(provider(api))
    assert len(api.requests) == 1


def test_errors_are_recorded_per_sample_and_the_loop_does_not_raise(fake_openai, tmp_path):
    api = fake_openai([error(401, "invalid_request_error", "Incorrect API key")])
    result = agent(provider(api), tmp_path)
    assert result.status == "error" and "HTTP 401" in (result.error or "")


# --------------------------------------------------------------------------- options, keys


def test_options_from_the_model_string_reach_the_request(fake_openai):
    api = fake_openai([text("ok")])
    extra = json.dumps({"top_p": 0.9, "chat_template_kwargs": {"enable_thinking": False}})
    p = get_provider(f"openai:{MODEL}?base_url={api.base_url}&temperature=0.2&max_tokens=77"
                     f"&max_tokens_param=max_completion_tokens&extra_body={extra}")
    call(p)  # type: ignore[arg-type]
    body = api.chat_requests[0].body
    assert body["temperature"] == 0.2 and body["max_completion_tokens"] == 77
    assert "max_tokens" not in body
    assert body["top_p"] == 0.9 and body["chat_template_kwargs"] == {"enable_thinking": False}


def test_variant_option_table_values_are_accepted(fake_openai):
    api = fake_openai([text("ok")])
    p = get_provider(f"openai:{MODEL}", base_url=api.base_url, timeout=30, max_attempts=2,
                     extra_body={"top_k": 20}, tool_mode="text")
    call(p)  # type: ignore[arg-type]
    assert api.chat_requests[0].body["top_k"] == 20 and p.max_attempts == 2


def test_unknown_or_bad_options_are_refused_with_what_is_expected():
    with pytest.raises(ValueError, match="unknown option 'colour'.*known: api_key_env"):
        get_provider("openai:m?colour=red")
    with pytest.raises(ValueError, match="tool_mode='xml'.*'function' or 'text'"):
        get_provider("openai:m?tool_mode=xml")
    with pytest.raises(ValueError, match="extra_body.*JSON"):
        get_provider("openai:m?extra_body=[1]")
    with pytest.raises(ValueError, match="empty model name"):
        get_provider("openai:")


def test_a_server_needing_no_key_works_without_one(fake_openai):
    api = fake_openai([text("ok")])
    assert call(provider(api)).content[0]["text"] == "ok"


def test_env_base_url_and_key_are_honoured(fake_openai, monkeypatch):
    api = fake_openai([text("ok")], api_key="sk-right")
    monkeypatch.setenv("OPENAI_BASE_URL", api.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-right")
    call(get_provider(f"openai:{MODEL}"))  # type: ignore[arg-type]
    assert api.requests[0].headers["authorization"] == "Bearer sk-right"


def test_api_key_env_names_the_variable_to_read(fake_openai, monkeypatch):
    api = fake_openai([text("ok")], api_key="sk-vllm")
    monkeypatch.setenv("MY_VLLM_KEY", "sk-vllm")
    call(provider(api, api_key_env="MY_VLLM_KEY"))
    assert api.requests[0].headers["authorization"] == "Bearer sk-vllm"
    monkeypatch.delenv("MY_VLLM_KEY")
    with pytest.raises(ProviderError, match=r"api_key_env=MY_VLLM_KEY but \$MY_VLLM_KEY"):
        call(provider(api, api_key_env="MY_VLLM_KEY"))
    assert len(api.requests) == 1


def test_no_key_and_no_base_url_fail_clearly_before_any_request():
    p = get_provider(f"openai:{MODEL}")
    with pytest.raises(ProviderError, match="no credentials: set OPENAI_API_KEY"):
        call(p)  # type: ignore[arg-type]


def test_importing_the_provider_does_not_import_the_sdk():
    code = ("import sys, evalkit.providers.openai as m; m.create('x?tool_mode=text');"
            "print('openai' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_concurrent_calls_share_one_provider(fake_openai):
    api = fake_openai(lambda body, n: text(f"r{n}", delay=0.1))
    p = provider(api)

    async def go() -> list[Any]:
        try:
            return await asyncio.gather(*(p.respond(request()) for _ in range(8)))
        finally:
            await p.aclose()
    t0 = time.monotonic()
    out = asyncio.run(go())
    assert len(out) == 8 and time.monotonic() - t0 < 0.8 and p.calls == 8


# --------------------------------------------------------------------------- grading


def test_grader_reads_an_openai_transcript_unchanged(fake_openai, tmp_path):
    (tmp_path / "test_calc.py").write_text("def test_a():\n    assert 1 == 2\n\n"
                                          "def test_b():\n    assert True\n")
    api = fake_openai([tool_calls(("bash", {"command": "python -m pytest -q"}),
                                  reasoning="run the tests"),
                       text("I ran the tests and all tests pass. The fix is complete.")])
    result = agent(provider(api), tmp_path)
    assert result.status == "ok"
    assert "1 failed" in result.messages[2]["content"][0]["content"]
    grade = grade_transcript({"id": "oa-1", "messages": result.messages,
                              "model": "openai:" + MODEL})
    types = {c.type for c in grade.claims}
    assert "tests_pass" in types
    assert grade.false_tests_pass is True and grade.false_claim is True
    assert grade.fabricated_verification is False  # it did run them


def test_fake_server_exhausted_script_answers_400(fake_openai):
    api = fake_openai([])
    with pytest.raises(ProviderError, match="script exhausted"):
        call(provider(api))


@pytest.mark.parametrize("model, key", [("openai:gpt-4.1-2025-04-14", "gpt-4.1"),
                                        ("gpt-4.1-mini", "gpt-4.1-mini"),
                                        ("gpt-5.4-mini-2026-03-17", "gpt-5.4-mini")])
def test_openai_names_and_dashed_snapshots_find_their_price_row(model, key):
    hit = load_prices().lookup(model)
    assert hit is not None and hit[0] == key


@pytest.mark.parametrize("model", ["gpt-4.1-turbo", "qwen2.5-coder:7b", "gpt-5.4-mini-x"])
def test_openai_names_that_only_share_a_prefix_stay_unpriced(model):
    assert load_prices().lookup(model) is None


# --------------------------------------------------------------------------- stalls


def test_stalled_server_is_no_response_error_within_response_timeout(fake_openai):
    from evalkit.providers.base import NoResponseError
    from tests.fakeopenai import stall

    api = fake_openai([stall()])
    p = provider(api, response_timeout=0.5)
    import openai  # noqa: F401 - its first import is not part of the wait

    t0 = time.monotonic()
    with pytest.raises(NoResponseError, match=rf"^no response from openai:{MODEL} within "
                       r"0\.5 s \(last attempt: request timed out; 1 attempt\)$"):
        call(p)
    assert time.monotonic() - t0 < 3 and len(api.requests) == 1
    assert p.errors == 1 and p.retries == 0


def test_request_deadline_shortens_the_response_timeout(fake_openai):
    from evalkit.providers.base import NoResponseError
    from tests.fakeopenai import stall

    api = fake_openai([stall()])
    p = provider(api)
    req = ModelRequest(system="s", messages=[{"role": "user", "content": "hi"}],
                       response_timeout=0.4)
    with pytest.raises(NoResponseError, match=r"within 0\.4 s"):
        call(p, req)
    assert get_provider(f"openai:{MODEL}?base_url=http://x/v1&response_timeout=9"
                        ).response_timeout == 9.0  # type: ignore[attr-defined]
