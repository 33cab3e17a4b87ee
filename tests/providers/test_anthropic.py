"""The Anthropic provider against a real HTTP server speaking the Messages API (tests/fakeapi.py).

The official SDK does the HTTP; the fake server injects rate limits, overload, server errors,
dropped connections and malformed bodies, and records what was sent.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from typing import Any

import pytest

from evalkit.pricing import load_prices
from evalkit.providers import get_provider
from evalkit.providers.anthropic import (
    AnthropicProvider,
    AnthropicProviderError,
    client_tool_types,
    tool_definitions,
)
from evalkit.providers.base import ModelRequest, ProviderError
from evalkit.records import Usage
from tests.fakeapi import (
    FakeAnthropic,
    Reply,
    api_key_of,
    demo_agent,
    drop,
    error,
    malformed,
    message,
    overloaded,
    rate_limited,
    server_error,
    text,
    tool_use,
)
from tests.fakeapi import fake_anthropic as _fake_anthropic  # noqa: F401 - the fixture

MODEL = "claude-sonnet-4-6"  # priced at $3 / $15 / $3.75 / $0.30 per MTok
KEY = "sk-ant-fake-0123456789"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def provider(api: FakeAnthropic, model: str = MODEL, **kw: Any) -> AnthropicProvider:
    kw.setdefault("backoff_base", 0.01)
    return get_provider(f"anthropic:{model}", base_url=api.base_url, api_key=KEY, **kw)


async def call(p: AnthropicProvider, request: ModelRequest | None = None, close: bool = True):
    try:
        return await p.respond(request or ModelRequest(system="You fix bugs.", messages=[
            {"role": "user", "content": "Make the tests pass."}
        ]))
    finally:
        if close:
            await p.aclose()


def gaps(api: FakeAnthropic) -> list[float]:
    ts = [r.t for r in api.requests]
    return [b - a for a, b in zip(ts, ts[1:], strict=False)]


# --------------------------------------------------------------------------- happy path


def test_tool_use_turn_is_returned_as_plain_dicts(fake_anthropic):
    api = fake_anthropic([tool_use("bash", {"command": "pytest -q"}, text="Running tests.")])
    r = run(call(provider(api)))
    assert r.stop_reason == "tool_use"
    assert r.model == MODEL
    assert r.content[0] == {"type": "text", "text": "Running tests."}
    tu = r.content[1]
    assert tu["type"] == "tool_use" and tu["name"] == "bash"
    assert tu["input"] == {"command": "pytest -q"} and tu["id"].startswith("toolu_")
    assert all(v is not None for block in r.content for v in block.values())
    json.dumps(r.content)  # plain JSON, ready for the transcript


def test_usage_and_cost_include_cache_reads_and_writes(fake_anthropic):
    usage = {"input_tokens": 100, "output_tokens": 50,
             "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 2000}
    api = fake_anthropic([text("done", usage=usage), text("again", usage=usage)])
    p = provider(api)

    async def two():
        a = await call(p, close=False)
        b = await call(p)
        return a, b

    a, b = run(two())
    assert a.usage == Usage(100, 50, 1000, 2000)
    expected = (100 * 3 + 50 * 15 + 1000 * 3.75 + 2000 * 0.30) / 1e6
    assert a.cost_usd == pytest.approx(expected)
    assert p.cost_usd == pytest.approx(2 * expected)
    assert p.usage == Usage(200, 100, 2000, 4000)
    assert p.stats()["calls"] == 2 and p.stats()["retries"] == 0


def test_simulated_prompt_cache_is_written_then_read_across_turns(fake_anthropic):
    api = fake_anthropic([tool_use("bash", {"command": "ls"}), text("done")])
    p = provider(api)
    first_msgs = [{"role": "user", "content": "Make the tests pass."}]

    async def conversation():
        r1 = await call(p, ModelRequest(system="S" * 400, messages=first_msgs), close=False)
        msgs = first_msgs + [
            {"role": "assistant", "content": r1.content},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": r1.content[-1]["id"], "content": "a.py"}
            ]},
        ]
        r2 = await call(p, ModelRequest(system="S" * 400, messages=msgs))
        return r1, r2

    r1, r2 = run(conversation())
    assert r1.usage.cache_creation_input_tokens > 100 and r1.usage.cache_read_input_tokens == 0
    assert r2.usage.cache_read_input_tokens >= r1.usage.cache_creation_input_tokens
    assert r2.cost_usd > 0


def test_unknown_model_costs_zero_and_warns_once(fake_anthropic):
    api = fake_anthropic([text("a"), text("b")])
    p = provider(api, model="claude-experimental-9", prices=load_prices())

    async def two():
        await call(p, close=False)
        return await call(p)

    with pytest.warns(RuntimeWarning, match="no price for model") as rec:
        r = run(two())
    assert r.cost_usd == 0.0 and r.usage.output_tokens > 0
    assert len([w for w in rec if "no price" in str(w.message)]) == 1


# --------------------------------------------------------------------------- retries


def test_429_waits_at_least_retry_after_then_succeeds(fake_anthropic):
    api = fake_anthropic([rate_limited(retry_after=0.2), text("ok")])
    p = provider(api)
    r = run(call(p))
    assert r.content == [{"type": "text", "text": "ok"}]
    assert len(api.requests) == 2
    assert gaps(api)[0] >= 0.2
    assert p.retries == 1 and p.retries_by_reason["429"] == 1 and p.errors == 0
    assert "429" in (p.last_error or "")


def test_retry_after_ms_takes_precedence_over_retry_after(fake_anthropic):
    api = fake_anthropic([rate_limited(retry_after=30, retry_after_ms=150), text("ok")])
    t0 = time.monotonic()
    run(call(provider(api)))
    assert 0.15 <= gaps(api)[0] < 2.0
    assert time.monotonic() - t0 < 5


def test_529_overloaded_is_retried(fake_anthropic):
    api = fake_anthropic([overloaded(retry_after=None, retry_after_ms=50),
                          overloaded(retry_after=0.05), text("ok")])
    p = provider(api)
    assert run(call(p)).stop_reason == "end_turn"
    assert len(api.requests) == 3 and p.retries_by_reason["529"] == 2


def test_500_is_retried_with_backoff_then_succeeds(fake_anthropic):
    api = fake_anthropic([server_error(500), server_error(503), text("ok")])
    p = provider(api)
    assert run(call(p)).content[0]["text"] == "ok"
    assert p.retries == 2 and p.attempts == 3


def test_dropped_connection_is_retried(fake_anthropic):
    api = fake_anthropic([drop(), text("ok")])
    p = provider(api)
    assert run(call(p)).content[0]["text"] == "ok"
    assert len(api.requests) == 2 and p.retries_by_reason["connection_error"] == 1


def test_timeout_is_retried(fake_anthropic):
    api = fake_anthropic([text("slow", delay=5.0), text("ok")])
    p = provider(api, timeout=0.2)
    assert run(call(p)).content[0]["text"] == "ok"
    assert gaps(api)[0] < 4.0  # gave up on the 5 s reply and asked again
    assert p.retries_by_reason["timeout"] == 1


def test_one_malformed_body_is_retried_once(fake_anthropic):
    api = fake_anthropic([malformed(), text("ok")])
    p = provider(api)
    assert run(call(p)).content[0]["text"] == "ok"
    assert p.retries_by_reason["malformed_response"] == 1


def test_repeated_malformed_bodies_end_in_provider_error_after_one_retry(fake_anthropic):
    # a 200 that is not a message: retried once (a truncated body), then a recorded error
    api = fake_anthropic([malformed(), Reply(body={"foo": 1}), text("x")])
    p = provider(api)
    with pytest.raises(ProviderError, match="malformed response") as ei:
        run(call(p))
    assert len(api.requests) == 2
    assert ei.value.attempts == 2 and ei.value.error_type == "malformed_response"
    assert p.errors == 1


def test_retries_are_bounded_and_error_names_last_status(fake_anthropic):
    api = fake_anthropic(lambda body, n: rate_limited(retry_after_ms=10))
    p = provider(api, max_attempts=4)
    t0 = time.monotonic()
    with pytest.raises(ProviderError) as ei:
        run(call(p))
    assert time.monotonic() - t0 < 2
    assert len(api.requests) == 4
    err = ei.value
    assert isinstance(err, AnthropicProviderError)
    assert err.status == 429 and err.error_type == "rate_limit_error" and err.attempts == 4
    assert "429" in str(err) and "gave up after 4 attempts" in str(err)
    assert "req_fake_000003" in str(err)  # the last attempt's request id
    assert p.retries == 3 and p.errors == 1


def test_401_is_not_retried_and_names_status_type_and_request_id(fake_anthropic):
    api = fake_anthropic([text("never")], api_key="sk-the-right-one")
    p = provider(api)
    with pytest.raises(ProviderError) as ei:
        run(call(p))
    assert len(api.requests) == 1
    msg = str(ei.value)
    assert "401" in msg and "authentication_error" in msg and "req_fake_000000" in msg
    assert "not retryable" in msg and p.retries == 0


@pytest.mark.parametrize("status,etype", [(400, "invalid_request_error"),
                                          (403, "permission_error"), (404, "not_found_error")])
def test_client_errors_are_not_retried(fake_anthropic, status, etype):
    api = fake_anthropic([error(status, etype, "nope"), text("never")])
    with pytest.raises(ProviderError, match=f"HTTP {status} {etype}: nope"):
        run(call(provider(api)))
    assert len(api.requests) == 1


def test_x_should_retry_false_is_obeyed(fake_anthropic):
    api = fake_anthropic([error(500, "api_error", "x", {"x-should-retry": "false"}), text("x")])
    with pytest.raises(ProviderError):
        run(call(provider(api)))
    assert len(api.requests) == 1


def test_retry_after_beyond_the_cap_fails_at_once(fake_anthropic):
    api = fake_anthropic([rate_limited(retry_after=3600), text("x")])
    t0 = time.monotonic()
    with pytest.raises(ProviderError, match="retry after 3600 s"):
        run(call(provider(api, max_retry_after=60)))
    assert time.monotonic() - t0 < 2 and len(api.requests) == 1


def test_cancellation_is_not_swallowed_by_the_retry_loop(fake_anthropic):
    api = fake_anthropic(lambda body, n: rate_limited(retry_after=5))
    p = provider(api)

    async def cancel_soon():
        task = asyncio.ensure_future(call(p))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    t0 = time.monotonic()
    run(cancel_soon())
    assert time.monotonic() - t0 < 2


def test_concurrent_calls_share_one_provider(fake_anthropic):
    api = fake_anthropic(lambda body, n: text(f"r{n}"), latency=0.5)
    p = provider(api)

    async def many():
        rs = await asyncio.gather(*(call(p, close=False) for _ in range(16)))
        await p.aclose()
        return rs

    rs = run(many())
    arrivals = [r.t for r in api.requests]
    # all 16 reached the server before the first answer (0.5 s) could have come back
    assert max(arrivals) - min(arrivals) < 0.5
    assert len({r.content[0]["text"] for r in rs}) == 16 and p.calls == 16


# --------------------------------------------------------------------------- request shape


def test_prompt_cache_breakpoints_on_tools_system_and_newest_user_turn(fake_anthropic):
    api = fake_anthropic([text("ok")])
    msgs = [
        {"role": "user", "content": "task"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "bash",
                                           "input": {"command": "ls"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1",
                                      "content": "a.py"}]},
    ]
    before = json.dumps(msgs)
    run(call(provider(api), ModelRequest(system="sys prompt", messages=msgs)))
    body = api.requests[0].body
    assert body["system"] == [{"type": "text", "text": "sys prompt",
                               "cache_control": {"type": "ephemeral"}}]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert all("cache_control" not in t for t in body["tools"][:-1])
    assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in json.dumps(body["messages"][:-1])
    assert json.dumps(body).count("cache_control") <= 4
    assert json.dumps(msgs) == before  # the loop's transcript is not mutated


def test_string_user_content_becomes_a_cached_text_block(fake_anthropic):
    api = fake_anthropic([text("ok")])
    run(call(provider(api)))
    assert api.requests[0].body["messages"] == [{"role": "user", "content": [
        {"type": "text", "text": "Make the tests pass.", "cache_control": {"type": "ephemeral"}}
    ]}]


def test_prompt_cache_can_be_switched_off(fake_anthropic):
    api = fake_anthropic([text("ok")])
    run(call(provider(api, prompt_cache=False)))
    assert "cache_control" not in api.requests[0].raw.decode()


def test_breakpoints_stay_within_the_limit_when_messages_already_have_some():
    p = AnthropicProvider(MODEL)
    cc = {"type": "ephemeral"}
    msgs = [{"role": "user", "content": [{"type": "text", "text": "a", "cache_control": cc}]},
            {"role": "assistant", "content": [{"type": "text", "text": "b", "cache_control": cc}]},
            {"role": "user", "content": "c"}]
    params = p.build_params(ModelRequest(system="s", messages=msgs))
    assert json.dumps(params).count("cache_control") == 4


def test_thinking_budget_is_sent_and_temperature_is_not(fake_anthropic):
    api = fake_anthropic([text("ok")])
    req = ModelRequest(system="s", messages=[{"role": "user", "content": "x"}],
                       max_tokens=8000, temperature=0.7, thinking_budget=2048)
    run(call(provider(api, model="claude-haiku-4-5"), req))
    body = api.requests[0].body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert "temperature" not in body and body["max_tokens"] == 8000


@pytest.mark.parametrize("model,form", [
    ("claude-sonnet-4-5-20250929", "enabled"), ("claude-haiku-4-5", "enabled"),
    ("claude-3-7-sonnet-latest", "enabled"), ("claude-opus-4-6", "adaptive"),
    ("claude-opus-4-8", "adaptive"), ("claude-sonnet-5", "adaptive"),
])
def test_thinking_form_follows_the_model_generation(model, form):
    req = ModelRequest(system="s", messages=[{"role": "user", "content": "x"}],
                       max_tokens=8000, thinking_budget=2048)
    assert AnthropicProvider(model).build_params(req)["thinking"]["type"] == form
    forced = AnthropicProvider(model, thinking_mode="enabled").build_params(req)
    assert forced["thinking"] == {"type": "enabled", "budget_tokens": 2048}


def test_temperature_is_sent_without_thinking(fake_anthropic):
    api = fake_anthropic([text("ok")])
    req = ModelRequest(system="s", messages=[{"role": "user", "content": "x"}], temperature=0.0)
    run(call(provider(api), req))
    assert api.requests[0].body["temperature"] == 0.0 and "thinking" not in api.requests[0].body


def test_invalid_thinking_budget_fails_before_any_request(fake_anthropic):
    api = fake_anthropic([text("ok")])
    req = ModelRequest(system="s", messages=[{"role": "user", "content": "x"}],
                       max_tokens=2000, thinking_budget=4000)
    with pytest.raises(ProviderError, match="must be below max_tokens"):
        run(call(provider(api, model="claude-haiku-4-5"), req))
    assert api.requests == []


def test_thinking_blocks_come_back_verbatim_and_are_sent_back_unchanged(fake_anthropic):
    thinking = {"type": "thinking", "thinking": "Let me run the tests.", "signature": "c2ln=="}
    redacted = {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"}
    call_block = {"type": "tool_use", "id": "toolu_1", "name": "bash",
                  "input": {"command": "pytest -q"}}
    api = fake_anthropic([message([thinking, redacted, call_block], "tool_use"), text("done")])
    p = provider(api)

    async def two_turns():
        r1 = await call(p, ModelRequest(system="s", messages=[{"role": "user", "content": "x"}],
                                        max_tokens=4096, thinking_budget=1024), close=False)
        msgs = [{"role": "user", "content": "x"}, {"role": "assistant", "content": r1.content},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                              "content": "1 passed"}]}]
        await call(p, ModelRequest(system="s", messages=msgs, max_tokens=4096,
                                   thinking_budget=1024))
        return r1

    r1 = run(two_turns())
    assert r1.content == [thinking, redacted, call_block]
    assert api.requests[1].body["messages"][1]["content"] == [thinking, redacted, call_block]


def test_claude_4_models_get_anthropic_client_tool_types(fake_anthropic):
    api = fake_anthropic([text("ok")])
    run(call(provider(api, model="claude-opus-4-1-20250805")))
    tools = [{k: v for k, v in t.items() if k != "cache_control"}
             for t in api.requests[0].body["tools"]]
    assert tools == [{"type": "bash_20250124", "name": "bash"},
                     {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"}]


def test_client_tools_false_sends_json_schema_tools_with_the_same_names(fake_anthropic):
    api = fake_anthropic([text("ok")])
    run(call(provider(api, client_tools=False)))
    tools = api.requests[0].body["tools"]
    assert [t["name"] for t in tools] == ["bash", "str_replace_based_edit_tool"]
    assert all("type" not in t and t["input_schema"]["type"] == "object" for t in tools)
    editor = tools[1]["input_schema"]
    assert {"view", "create", "str_replace", "insert"} <= set(
        editor["properties"]["command"]["enum"])
    from evalkit.tools import TOOL_SCHEMAS

    cached_last = dict(TOOL_SCHEMAS[-1], cache_control={"type": "ephemeral"})
    assert tools == TOOL_SCHEMAS[:-1] + [cached_last]  # the loop's own schemas


@pytest.mark.parametrize("model,expected", [
    ("claude-sonnet-4-5-20250929", "text_editor_20250728"),
    ("claude-haiku-4-5", "text_editor_20250728"),
    ("claude-opus-4-0", "text_editor_20250728"),
    ("claude-sonnet-5", "text_editor_20250728"),
    ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "text_editor_20250728"),
    ("claude-3-7-sonnet-latest", "text_editor_20250124"),
    ("claude-3-5-sonnet-20241022", None),
    ("claude-3-5-haiku-latest", None),
    ("my-local-model", None),
])
def test_tool_types_by_model_family(model, expected):
    types = client_tool_types(model)
    assert (types[1] if types else None) == expected
    tools = tool_definitions(model, client_tools=True)
    if expected is None:
        assert all("input_schema" in t for t in tools)
    elif expected == "text_editor_20250124":
        assert tools[1]["name"] == "str_replace_editor"  # the 3.7 type's fixed name
    assert tool_definitions(model, client_tools=False)[0]["name"] == "bash"


def test_query_string_options_are_parsed_and_unknown_ones_rejected():
    p = get_provider("anthropic:claude-haiku-4-5?client_tools=false&max_attempts=2&timeout=30")
    assert p.client_tools is False and p.max_attempts == 2 and p.timeout == 30.0
    assert p.name == "anthropic:claude-haiku-4-5" and p.simulated is False
    assert all("input_schema" in t for t in p.tools())
    with pytest.raises(ValueError, match="unknown option 'bogus'"):
        get_provider("anthropic:claude-haiku-4-5?bogus=1")


# --------------------------------------------------------------------------- environment


def test_env_base_url_and_key_are_honoured_and_key_only_in_auth_header(fake_anthropic,
                                                                       monkeypatch):
    api = fake_anthropic([text("ok")], api_key=KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    p = get_provider(f"anthropic:{MODEL}")  # no base_url / api_key options
    assert run(call(p)).content[0]["text"] == "ok"
    rec = api.requests[0]
    assert api_key_of(rec) == KEY
    assert KEY.encode() not in rec.raw
    leaks = [k for k, v in rec.headers.items()
             if KEY in v and k not in ("x-api-key", "authorization")]
    assert leaks == []


def test_a_base_url_without_scheme_fails_at_once_without_retries():
    p = AnthropicProvider(MODEL, base_url="127.0.0.1:9", api_key=KEY, backoff_base=0.01)
    with pytest.raises(ProviderError, match="bad base URL") as ei:
        run(call(p))
    assert ei.value.attempts == 1 and p.retries == 0


def test_missing_credentials_give_a_clear_provider_error(fake_anthropic, monkeypatch):
    api = fake_anthropic([text("ok")])
    for var in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    with pytest.raises(ProviderError, match="ANTHROPIC_API_KEY"):
        run(call(get_provider(f"anthropic:{MODEL}")))


def test_importing_the_provider_does_not_import_the_sdk():
    code = ("import sys, evalkit.providers.anthropic, evalkit.pricing; "
            "sys.exit(1 if 'anthropic' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=str(_root())).returncode == 0


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- the fake itself


def test_demo_agent_drives_a_two_turn_tool_conversation(fake_anthropic):
    api = fake_anthropic(demo_agent)
    p = provider(api)

    async def loop():
        msgs: list[dict[str, Any]] = [{"role": "user", "content": "fix it"}]
        for _ in range(3):
            r = await p.respond(ModelRequest(system="s", messages=msgs))
            msgs.append({"role": "assistant", "content": r.content})
            if r.stop_reason != "tool_use":
                await p.aclose()
                return r
            call_block = next(b for b in r.content if b["type"] == "tool_use")
            assert call_block["input"] == {"command": "pytest -q"}
            msgs.append({"role": "user", "content": [{
                "type": "tool_result", "tool_use_id": call_block["id"],
                "content": "...\n3 passed in 0.01s"}]})
        raise AssertionError("no final report")

    final = run(loop())
    assert "3 passed" in final.content[0]["text"] and "passes" in final.content[0]["text"]


def test_fake_exhausted_script_answers_400(fake_anthropic):
    api = fake_anthropic([])
    with pytest.raises(ProviderError, match="script exhausted"):
        run(call(provider(api)))


# --------------------------------------------------------------------------- stalls


def test_stalled_api_is_no_response_error_within_response_timeout(fake_anthropic):
    from evalkit.providers.base import NoResponseError
    from tests.fakeapi import stall

    api = fake_anthropic([stall()])
    p = provider(api, response_timeout=0.5)
    import anthropic  # noqa: F401 - its first import is not part of the wait

    t0 = time.monotonic()
    with pytest.raises(NoResponseError, match=rf"^no response from anthropic:{MODEL} within "
                       r"0\.5 s \(last attempt: request timed out; 1 attempt\)$"):
        run(call(p))
    assert time.monotonic() - t0 < 3 and len(api.requests) == 1
    assert p.errors == 1 and p.retries == 0


def test_request_deadline_shortens_the_response_timeout_and_bounds_retries(fake_anthropic):
    from evalkit.providers.base import NoResponseError
    from tests.fakeapi import stall

    api = fake_anthropic([rate_limited(retry_after=0.05), stall()])
    p = provider(api)  # response_timeout 600 s; the caller's deadline is what counts
    req = ModelRequest(system="s", messages=[{"role": "user", "content": "hi"}],
                       response_timeout=0.6)
    t0 = time.monotonic()
    with pytest.raises(NoResponseError, match=r"within 0\.6 s"):
        run(call(p, req))
    assert time.monotonic() - t0 < 3 and len(api.requests) == 2


def test_response_timeout_option_from_the_model_string():
    p = get_provider("anthropic:claude-haiku-4-5?response_timeout=45")
    assert p.response_timeout == 45.0  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="response_timeout"):
        get_provider("anthropic:claude-haiku-4-5?response_timeout=0")
