"""``openai:<model>`` — any OpenAI Chat Completions server through the official SDK (async).

Why one provider covers so much: vLLM, SGLang, Ollama, llama.cpp's server, LM Studio, OpenRouter
and OpenAI itself all speak Chat Completions, so open-weight models are evaluated through the
same agent loop, tools and grader as Claude.

The loop and the transcript stay Anthropic-shaped (``ModelRequest``/``ModelResponse``); this
module translates at the edge:

* requests: ``tool_use`` blocks become ``tool_calls``, ``tool_result`` blocks ``role: "tool"``
  messages (in order, so parallel calls are answered in the order they were made);
* responses: ``tool_calls`` become ``tool_use`` blocks, ``reasoning_content`` (vLLM, SGLang,
  DeepSeek) / ``reasoning`` (Ollama, OpenRouter) / a leading ``<think>`` block become
  ``thinking`` blocks; arguments that are not a JSON object are kept as ``{"_raw_arguments":
  text, "_error": ...}`` so the tools answer the model with an error instead of crashing;
* ``tool_mode=text`` for servers or models without function calling: the model answers with one
  fenced bash block per turn (as mini-swe-agent does); the block is recorded as a ``bash``
  ``tool_use`` and its output goes back as a user message.

Retries follow the Anthropic provider's policy (the SDK's own are off): 408/409/429/5xx,
timeouts and dropped connections are retried with jittered backoff that honours
``retry-after-ms`` / ``retry-after`` (capped by ``max_retry_after``); 400/401/403/404/422 are
not; a failure ends in a ``ProviderError`` naming status, error type and request id, recorded on
the sample. Cost comes from ``evalkit.pricing``; a model the table does not know (every local
model) costs $0 and the table warns once, it never guesses.

Options (keyword arguments, a variant's ``[options]`` table, or a query string:
``openai:qwen2.5-coder:7b?base_url=http://127.0.0.1:11434/v1&tool_mode=text``): see
``OpenAIProvider.__init__``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from evalkit.providers.base import (
    DEFAULT_RESPONSE_TIMEOUT_S,
    ModelRequest,
    ModelResponse,
    NoResponseError,
    ProviderError,
)
from evalkit.records import Usage

__all__ = [
    "OpenAIProvider",
    "OpenAIProviderError",
    "TEXT_MODE_INSTRUCTIONS",
    "create",
    "function_tools",
    "to_chat_messages",
]

log = logging.getLogger(__name__)

BASH = "bash"
#: where a call that could not be parsed keeps the model's text and why it was refused
RAW_ARGUMENTS = "_raw_arguments"
CALL_ERROR = "_error"

TEXT_MODE_INSTRUCTIONS = """\

# How to act (text mode)
You have no function-calling tools. To run a shell command in the repository, reply with a
short thought and EXACTLY ONE fenced code block marked bash:

```bash
python -m pytest -q
```

The command runs in a fresh shell in the repository (the working directory persists), and its
output is sent back to you. Edit files with shell commands (for example `cat <<'EOF' > file`,
`sed -i`, or `python - <<'EOF'`). One bash block per reply, no other fenced bash blocks.
When you are finished, reply WITHOUT any bash block: that reply is your final report.
"""

_FENCE = re.compile(r"```(?:bash|sh|shell)[ \t]*\n(.*?)```", re.DOTALL)
_THINK = re.compile(r"^\s*<think>(.*?)</think>\s*", re.DOTALL)

# --------------------------------------------------------------------------- tools


def function_tools() -> list[dict[str, Any]]:
    """The loop's two tools as Chat Completions function tools (same names and inputs)."""
    from evalkit.tools import TOOL_SCHEMAS

    return [
        {"type": "function", "function": {
            "name": t["name"], "description": t["description"],
            "parameters": json.loads(json.dumps(t["input_schema"]))}}
        for t in TOOL_SCHEMAS
    ]


# --------------------------------------------------------------------------- translation


def _text_of(content: Any) -> str:
    """A tool result's or message's content as plain text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for b in content:
            if isinstance(b, dict) and b.get("type") == "text":
                parts.append(str(b.get("text", "")))
            elif isinstance(b, dict) and b.get("type") == "image":
                parts.append("[image omitted]")
        return "\n".join(parts)
    return "" if content is None else str(content)


def to_chat_messages(system: str, messages: list[dict[str, Any]], *,
                     text_mode: bool = False) -> list[dict[str, Any]]:
    """Anthropic-shaped transcript -> Chat Completions ``messages``.

    Thinking blocks are not sent back (servers reject or ignore them). In text mode the
    assistant's own text (with its bash block) is sent back and tool results become user
    messages; otherwise ``tool_use`` -> ``tool_calls`` and ``tool_result`` -> ``role: "tool"``.
    """
    out: list[dict[str, Any]] = []
    if system:
        out.append({"role": "system", "content": system})
    for msg in messages:
        role = msg.get("role")
        content = msg.get("content")
        if role == "assistant":
            if isinstance(content, str):
                out.append({"role": "assistant", "content": content})
                continue
            texts, calls = [], []
            for b in content or []:
                if not isinstance(b, dict):
                    continue
                if b.get("type") == "text" and b.get("text"):
                    texts.append(str(b["text"]))
                elif b.get("type") == "tool_use" and not text_mode:
                    inp = b.get("input")
                    if isinstance(inp, dict) and CALL_ERROR in inp:  # the reason is in the result
                        inp = {k: v for k, v in inp.items() if k != CALL_ERROR}
                    calls.append({"id": str(b.get("id") or ""), "type": "function",
                                  "function": {"name": str(b.get("name") or ""),
                                               "arguments": json.dumps(inp if inp is not None
                                                                       else {})}})
            entry: dict[str, Any] = {"role": "assistant",
                                     "content": "\n\n".join(texts) if texts else None}
            if calls:
                entry["tool_calls"] = calls
            elif entry["content"] is None:
                entry["content"] = ""
            out.append(entry)
            continue
        # user turn: tool results first (they must follow the assistant's calls), then text
        if isinstance(content, str):
            out.append({"role": "user", "content": content})
            continue
        texts = []
        for b in content or []:
            if not isinstance(b, dict):
                continue
            if b.get("type") == "tool_result":
                result = _text_of(b.get("content"))
                if b.get("is_error"):
                    result = f"ERROR: {result}"
                if text_mode:
                    texts.append(f"<output>\n{result}\n</output>")
                else:
                    out.append({"role": "tool", "tool_call_id": str(b.get("tool_use_id") or ""),
                                "content": result})
            elif b.get("type") == "text" and b.get("text"):
                texts.append(str(b["text"]))
        if texts:
            out.append({"role": "user", "content": "\n\n".join(texts)})
    return out


def _arguments(raw: Any) -> dict[str, Any]:
    """A call's arguments as an object; anything else is kept with the reason it was refused."""
    if isinstance(raw, dict):
        return raw
    text = "" if raw is None else str(raw)
    if not text.strip():
        return {}  # some servers send "" for a call without arguments
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        why = f"the arguments are not valid JSON ({exc.msg} at character {exc.pos})"
    else:
        if isinstance(value, dict):
            return value
        why = f"the arguments must be a JSON object, got {type(value).__name__}"
    return {RAW_ARGUMENTS: text,
            CALL_ERROR: f"{why}; nothing was run. Call the tool again with a JSON object."}


def from_chat_message(message: Any, finish_reason: str | None, *, text_mode: bool = False,
                      call_prefix: str = "call") -> tuple[list[dict[str, Any]], str]:
    """One Chat Completions ``message`` -> (Anthropic content blocks, stop_reason)."""
    blocks: list[dict[str, Any]] = []
    reasoning = _field(message, "reasoning_content") or _field(message, "reasoning")
    content = _field(message, "content")
    if isinstance(content, list):  # a few servers send content parts
        content = _text_of(content)
    text = content if isinstance(content, str) else ""
    m = _THINK.match(text)
    if m:  # a reasoning model served without a reasoning parser
        reasoning = (f"{reasoning}\n\n" if isinstance(reasoning, str) and reasoning else "") \
            + m.group(1).strip()
        text = text[m.end():]
    if isinstance(reasoning, str) and reasoning.strip():
        blocks.append({"type": "thinking", "thinking": reasoning})
    if text.strip():
        blocks.append({"type": "text", "text": text})
    calls = _field(message, "tool_calls") or []
    for i, call in enumerate(calls if isinstance(calls, list) else []):
        fn = _field(call, "function") or {}
        name = str(_field(fn, "name") or "").strip()
        cid = str(_field(call, "id") or f"{call_prefix}_{i}")
        blocks.append({"type": "tool_use", "id": cid, "name": name,
                       "input": _arguments(_field(fn, "arguments"))})
    if text_mode and not calls:
        found = _FENCE.findall(text)
        if len(found) == 1:
            blocks.append({"type": "tool_use", "id": f"{call_prefix}_0", "name": BASH,
                           "input": {"command": found[0].strip()}})
        elif len(found) > 1:
            blocks.append({"type": "tool_use", "id": f"{call_prefix}_0", "name": BASH,
                           "input": {CALL_ERROR: f"found {len(found)} bash blocks; nothing was "
                                     "run. Reply with exactly one ```bash block per turn, or "
                                     "with none when you give your final report."}})
    has_calls = any(b["type"] == "tool_use" for b in blocks)
    if finish_reason == "length":
        stop = "max_tokens"
    elif has_calls:
        stop = "tool_use"
    elif finish_reason in (None, "", "stop", "tool_calls", "eos"):
        stop = "end_turn"
    else:
        stop = str(finish_reason)
    return blocks, stop


def _field(obj: Any, name: str) -> Any:
    """An attribute of an SDK object, a key of a dict, or a server's extra field."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "model_extra", None)
        if isinstance(extra, dict):
            value = extra.get(name)
    return value


def _usage(resp: Any) -> Usage:
    """Chat Completions usage -> evalkit Usage. ``prompt_tokens`` includes cached ones; evalkit
    counts cache reads apart (as the Messages API does) so that they are priced apart."""
    u = _field(resp, "usage")

    def n(obj: Any, name: str) -> int:
        v = _field(obj, name)
        return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0

    prompt, completion = n(u, "prompt_tokens"), n(u, "completion_tokens")
    cached = n(_field(u, "prompt_tokens_details"), "cached_tokens") \
        or n(u, "prompt_cache_hit_tokens")  # DeepSeek's spelling
    cached = min(cached, prompt)
    return Usage(input_tokens=prompt - cached, output_tokens=completion,
                 cache_read_input_tokens=cached)


# --------------------------------------------------------------------------- errors


class OpenAIProviderError(ProviderError):
    """A call that failed for good, with what the last attempt saw."""

    def __init__(self, message: str, *, status: int | None = None, error_type: str | None = None,
                 request_id: str | None = None, attempts: int = 1,
                 retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.request_id = request_id
        self.attempts = attempts
        self.retryable = retryable


class _MalformedResponse(Exception):
    """A 2xx whose body is not a chat completion."""


@dataclass(frozen=True)
class _Failure:
    retryable: bool
    description: str
    status: int | None = None
    error_type: str | None = None
    request_id: str | None = None
    retry_after: float | None = None
    malformed: bool = False


_RETRY_STATUS = {408, 409, 429}
_BAD_URL_ERRORS = {"UnsupportedProtocol", "InvalidURL"}


def _error_body(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            return inner
        return body
    return {}


def _classify(exc: Exception, openai: Any) -> _Failure:
    from evalkit.providers.anthropic import _parse_retry_after

    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        err = _error_body(exc.body)
        etype = err.get("type") or err.get("code") or getattr(exc, "type", None)
        etype = str(etype) if etype else None
        api_msg = err.get("message") or (exc.body if isinstance(exc.body, str) else None)
        headers = exc.response.headers
        should = headers.get("x-should-retry")
        if should in ("true", "false"):
            retryable = should == "true"
        else:
            retryable = status in _RETRY_STATUS or status >= 500
        desc = f"HTTP {status}" + (f" {etype}" if etype else "") + (f": {api_msg}" if api_msg
                                                                      else "")
        rid = getattr(exc, "request_id", None) or headers.get("x-request-id") \
            or headers.get("request-id")
        return _Failure(retryable, desc, status, etype, rid, _parse_retry_after(headers))
    if isinstance(exc, openai.APITimeoutError):
        return _Failure(True, "request timed out", error_type="timeout")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f" ({type(cause).__name__}: {cause})" if cause else ""
        if type(cause).__name__ in _BAD_URL_ERRORS:
            return _Failure(False, f"bad base URL{detail}", error_type="bad_url")
        return _Failure(True, f"connection error{detail}", error_type="connection_error")
    if isinstance(exc, _MalformedResponse | json.JSONDecodeError
                  | openai.APIResponseValidationError):
        return _Failure(True, f"malformed response: {exc}", error_type="malformed_response",
                        malformed=True)
    return _Failure(False, f"{type(exc).__name__}: {exc}", error_type=type(exc).__name__)


# --------------------------------------------------------------------------- provider

_BOOL = {"1": True, "true": True, "yes": True, "on": True,
         "0": False, "false": False, "no": False, "off": False}


def _coerce(name: str, value: Any, kind: type) -> Any:
    """Options may come from a query string or TOML as text; turn them into ``kind``."""
    if value is None or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        return value
    if kind is bool:
        key = str(value).strip().lower()
        if key in _BOOL:
            return _BOOL[key]
        raise ValueError(f"openai provider option {name}={value!r}: expected true/false")
    if kind is dict:
        try:
            parsed = json.loads(value) if isinstance(value, str) else None
        except json.JSONDecodeError as exc:
            raise ValueError(f"openai provider option {name}={value!r}: not JSON ({exc.msg})"
                             ) from None
        if not isinstance(parsed, dict):
            raise ValueError(f"openai provider option {name}={value!r}: expected a JSON object "
                             "(query string) or a table (TOML)")
        return parsed
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"openai provider option {name}={value!r}: expected {kind.__name__}"
                         ) from None


class OpenAIProvider:
    """One model behind a Chat Completions endpoint. Safe to share between concurrent samples."""

    simulated = False

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
        timeout: float = 600.0,
        response_timeout: float = DEFAULT_RESPONSE_TIMEOUT_S,
        max_attempts: int = 6,
        temperature: float | None = None,
        max_tokens: int | None = None,
        max_tokens_param: str = "max_tokens",
        extra_body: dict[str, Any] | None = None,
        tool_mode: str = "function",
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        max_retry_after: float = 120.0,
        malformed_retries: int = 1,
        prices: Any = None,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        """
        base_url: the server (``http://127.0.0.1:8000/v1`` for vLLM, ``…:11434/v1`` for Ollama);
            default ``$OPENAI_BASE_URL``, else OpenAI's API.
        api_key / api_key_env: the key, or the environment variable holding it (default
            ``OPENAI_API_KEY``). With a base_url and no key, no key is sent (local servers).
        timeout: seconds per attempt; max_attempts: attempts per call, the first included.
        response_timeout: seconds one call may go without an answer, retries included (a
            request's own ``response_timeout``, the agent loop's deadline, shortens it); then
            ``NoResponseError`` ("no response from openai:M within N s"), which the run records
            as an error that ``--retry-errors`` runs again, never as a limit.
        temperature / max_tokens: override the variant's values for this model.
        max_tokens_param: ``max_tokens`` (most servers) or ``max_completion_tokens`` (OpenAI's
            reasoning models reject ``max_tokens``).
        extra_body: extra JSON body fields (``top_p``, ``top_k``, ``chat_template_kwargs`` ...).
        tool_mode: ``function`` (function tools) or ``text`` (one fenced bash block per turn).
        backoff_base / backoff_max / max_retry_after / malformed_retries: as the Anthropic
            provider's.
        prices: an evalkit.pricing.PriceTable; default: built-in table + $EVALKIT_PRICES.
        """
        if not model:
            raise ValueError("openai provider: empty model name (use openai:<model>)")
        if tool_mode not in ("function", "text"):
            raise ValueError(f"openai provider option tool_mode={tool_mode!r}: "
                             "expected 'function' or 'text'")
        if max_tokens_param not in ("max_tokens", "max_completion_tokens"):
            raise ValueError(f"openai provider option max_tokens_param={max_tokens_param!r}: "
                             "expected 'max_tokens' or 'max_completion_tokens'")
        self.model = model
        self.name = f"openai:{model}"
        self.tool_mode = tool_mode
        self.timeout = _coerce("timeout", timeout, float)
        self.response_timeout = _coerce("response_timeout", response_timeout, float)
        if not (self.timeout > 0 and self.response_timeout > 0):
            raise ValueError("openai provider options timeout / response_timeout: expected a "
                             "positive number of seconds")
        self.max_attempts = max(1, _coerce("max_attempts", max_attempts, int))
        self.temperature = _coerce("temperature", temperature, float)
        self.max_tokens = _coerce("max_tokens", max_tokens, int)
        self.max_tokens_param = max_tokens_param
        self.extra_body = _coerce("extra_body", extra_body, dict) or {}
        self.backoff_base = _coerce("backoff_base", backoff_base, float)
        self.backoff_max = _coerce("backoff_max", backoff_max, float)
        self.max_retry_after = _coerce("max_retry_after", max_retry_after, float)
        self.malformed_retries = max(0, _coerce("malformed_retries", malformed_retries, int))
        self._base_url = base_url
        self._api_key = api_key
        self._api_key_env = api_key_env
        self._default_headers = dict(default_headers or {})
        self._prices = prices
        self._client: Any = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._rng = random.Random()
        self._ids = 0
        self.calls = 0
        self.attempts = 0
        self.retries = 0
        self.errors = 0
        self.retries_by_reason: Counter[str] = Counter()
        self.last_error: str | None = None
        self.usage = Usage()
        self.cost_usd = 0.0
        self.priced: bool | None = None  # None until the first response; False: counted as $0

    # -- public helpers
    def stats(self) -> dict[str, Any]:
        """Counters for a progress bar or a run manifest."""
        return {
            "calls": self.calls, "attempts": self.attempts, "retries": self.retries,
            "errors": self.errors, "retries_by_reason": dict(self.retries_by_reason),
            "last_error": self.last_error, "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cache_read_input_tokens": self.usage.cache_read_input_tokens,
            "cost_usd": self.cost_usd, "priced": self.priced,
        }

    def build_params(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments for ``chat.completions.create`` (never mutates ``request``)."""
        text_mode = self.tool_mode == "text"
        system = request.system + (TEXT_MODE_INSTRUCTIONS if text_mode else "")
        params: dict[str, Any] = {
            "model": self.model,
            "messages": to_chat_messages(system, request.messages, text_mode=text_mode),
        }
        max_tokens = self.max_tokens if self.max_tokens is not None else request.max_tokens
        if max_tokens:
            params[self.max_tokens_param] = int(max_tokens)
        temperature = self.temperature if self.temperature is not None else request.temperature
        if temperature is not None:
            params["temperature"] = float(temperature)
        if not text_mode:
            params["tools"] = function_tools()
        if self.extra_body:
            params["extra_body"] = dict(self.extra_body)
        return params

    # -- the call
    async def respond(self, request: ModelRequest) -> ModelResponse:
        try:
            params = self.build_params(request)
            openai, client = self._get_client()
        except ProviderError:
            self.errors += 1
            raise
        from evalkit.providers.anthropic import _deadline, _last_attempt

        deadline = _deadline(self.response_timeout, request.response_timeout)
        end = time.monotonic() + deadline
        malformed_seen = 0
        attempt = 0
        self._ids += 1
        prefix = f"call_{self._ids}"
        while True:
            attempt += 1
            self.attempts += 1
            try:
                left = max(0.001, end - time.monotonic())
                resp = await client.chat.completions.create(**params,
                                                            timeout=min(self.timeout, left))
                choices = _field(resp, "choices")
                if not isinstance(choices, list) or not choices:
                    raise _MalformedResponse(
                        f"no choices in the response (got {type(resp).__name__})")
                choice = choices[0]
                message = _field(choice, "message")
                if message is None:
                    raise _MalformedResponse("the first choice has no message")
                content, stop = from_chat_message(
                    message, _field(choice, "finish_reason"),
                    text_mode=self.tool_mode == "text", call_prefix=prefix)
                break
            except Exception as exc:  # noqa: BLE001 - classified below, never swallowed
                failure = _classify(exc, openai)
                self.last_error = failure.description
                if failure.malformed:
                    malformed_seen += 1
                give_up = None
                if not failure.retryable:
                    give_up = "not retryable"
                elif attempt >= self.max_attempts:
                    give_up = f"gave up after {attempt} attempts"
                elif failure.malformed and malformed_seen > self.malformed_retries:
                    give_up = f"gave up after {malformed_seen} malformed responses"
                elif failure.retry_after is not None and failure.retry_after > self.max_retry_after:
                    give_up = (f"server asked to retry after {failure.retry_after:g} s, more "
                               f"than max_retry_after={self.max_retry_after:g} s")
                if give_up is not None:
                    self.errors += 1
                    rid = f", request-id {failure.request_id}" if failure.request_id else ""
                    raise OpenAIProviderError(
                        f"openai {self.model}: {failure.description} ({give_up}{rid})",
                        status=failure.status, error_type=failure.error_type,
                        request_id=failure.request_id, attempts=attempt,
                        retryable=failure.retryable,
                    ) from exc
                delay = self._backoff(attempt, failure.retry_after)
                if time.monotonic() + delay >= end:  # no answer can come in time
                    self.errors += 1
                    raise NoResponseError(self.name, deadline,
                                          _last_attempt(failure, attempt)) from exc  # type: ignore[arg-type]
                self.retries += 1
                reason = str(failure.status) if failure.status else (failure.error_type or "?")
                self.retries_by_reason[reason] += 1
                log.info("openai %s: %s; retry %d/%d in %.2f s", self.model, failure.description,
                         attempt, self.max_attempts - 1, delay)
                await asyncio.sleep(delay)

        usage = _usage(resp)
        cost = self._cost(usage, _field(resp, "model"))
        self.calls += 1
        self.usage = self.usage + usage
        self.cost_usd += cost
        return ModelResponse(content=content, stop_reason=stop, usage=usage, cost_usd=cost,
                             model=str(_field(resp, "model") or self.model))

    async def aclose(self) -> None:
        client, self._client, self._client_loop = self._client, None, None
        if client is not None:
            try:
                await client.close()
            except Exception:  # noqa: BLE001 - closing a client from a dead loop is harmless
                pass

    # -- internals
    def _credentials(self) -> tuple[str, str | None]:
        """(api key to send, base url or None for the SDK's default); raises when a key is
        needed and missing. A local server (a base URL and no key) gets a placeholder key that
        the SDK requires and such servers ignore."""
        base_url = self._base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = self._api_key
        env = self._api_key_env or "OPENAI_API_KEY"
        if key is None:
            key = os.environ.get(env, "").strip() or None
            if key is None and self._api_key_env:
                raise OpenAIProviderError(
                    f"openai {self.model}: api_key_env={env} but ${env} is not set",
                    error_type="no_credentials")
        if key is None:
            if base_url is None:
                raise OpenAIProviderError(
                    f"openai {self.model}: no credentials: set OPENAI_API_KEY, or point "
                    "base_url= / OPENAI_BASE_URL at a server that needs no key",
                    error_type="no_credentials")
            key = "no-key"
        return key, base_url

    def _get_client(self) -> tuple[Any, Any]:
        import openai  # lazy: heavy, and only needed when a model is called

        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            key, base_url = self._credentials()
            kwargs: dict[str, Any] = {"api_key": key, "max_retries": 0, "timeout": self.timeout}
            if base_url is not None:
                kwargs["base_url"] = base_url
            if self._default_headers:
                kwargs["default_headers"] = self._default_headers
            self._client = openai.AsyncOpenAI(**kwargs)
            self._client_loop = loop
        return openai, self._client

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after + self._rng.uniform(0.0, min(1.0, 0.1 * retry_after + 0.01))
        d = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return d / 2 + self._rng.uniform(0.0, d / 2)

    def _cost(self, usage: Usage, response_model: Any) -> float:
        table = self._prices
        if table is None:
            from evalkit.pricing import default_prices

            table = self._prices = default_prices()
        name = self.model
        if table.price_for(name) is None and isinstance(response_model, str) and response_model \
                and table.price_for(response_model) is not None:
            name = response_model
        self.priced = table.price_for(name) is not None
        return table.cost(name, usage)


_OPTION_TYPES: dict[str, type] = {
    "base_url": str,
    "api_key_env": str,
    "timeout": float,
    "response_timeout": float,
    "max_attempts": int,
    "temperature": float,
    "max_tokens": int,
    "max_tokens_param": str,
    "extra_body": dict,
    "tool_mode": str,
    "backoff_base": float,
    "backoff_max": float,
    "max_retry_after": float,
    "malformed_retries": int,
}


def create(model: str, **options: Any) -> OpenAIProvider:
    """Registry factory for ``openai:<model>[?option=value&...]``.

    Unknown query options are refused with the list of known ones; ``extra_body`` takes a JSON
    object in a query string and a table in TOML.
    """
    name, _, query = model.partition("?")
    merged: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _OPTION_TYPES:
            known = ", ".join(sorted(_OPTION_TYPES))
            raise ValueError(f"openai:{model}: unknown option {key!r} (known: {known})")
        merged[key] = value
    merged.update(options)
    return OpenAIProvider(name.strip(), **merged)
