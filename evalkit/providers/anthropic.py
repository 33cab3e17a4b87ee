"""``anthropic:<model>`` — Claude through the official SDK (async), one call per agent turn.

What this adds over a bare ``client.messages.create``:

* the loop's two tools (``bash``, ``str_replace_based_edit_tool``) as Anthropic's own client tool
  types where the model has them, else as plain JSON-schema tools (``tool_definitions``);
* prompt caching of the stable prefix: tools, system prompt, and the newest user turn, three
  ``cache_control`` breakpoints at most (the API allows four);
* our own bounded retry loop (the SDK's is switched off with ``max_retries=0``) so that every
  retry is counted for the progress bar, ``retry-after`` / ``retry-after-ms`` is honoured but
  capped (the SDK would sleep for any ``retry-after`` the server sends, uncapped), 529 and a
  ``200`` whose body is not a message are handled explicitly, and a failure ends in a
  ``ProviderError`` that names status, error type and request id;
* usage including cache reads/writes, priced with ``evalkit.pricing``.

``ANTHROPIC_API_KEY`` / ``ANTHROPIC_AUTH_TOKEN`` and ``ANTHROPIC_BASE_URL`` are read by the SDK
itself; nothing here overrides them unless ``api_key=`` / ``base_url=`` options are passed.
The SDK is imported lazily, on first use, so ``evalkit --help`` never pays for it.

Options (keyword arguments to ``create``, or a query string: ``anthropic:claude-sonnet-4-5?
client_tools=false&timeout=120``): see ``AnthropicProvider.__init__``.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import json
import logging
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
    "AnthropicProvider",
    "AnthropicProviderError",
    "BASH_TOOL",
    "EDITOR_TOOL",
    "EDITOR_TOOL_NAMES",
    "create",
    "client_tool_types",
    "tool_definitions",
]

log = logging.getLogger(__name__)

BASH_TOOL = "bash"
EDITOR_TOOL = "str_replace_based_edit_tool"
#: Claude 3.7's text editor type must be named ``str_replace_editor``; the loop should treat
#: both names as the editor.
EDITOR_TOOL_NAMES = ("str_replace_based_edit_tool", "str_replace_editor")

EPHEMERAL = {"type": "ephemeral"}
MAX_CACHE_BREAKPOINTS = 4  # the Messages API rejects more

# --------------------------------------------------------------------------- tools

# Model ids: "claude-sonnet-4-5-20250929", "claude-opus-4-1", "claude-haiku-4-5",
# "claude-3-7-sonnet-latest", "claude-3-5-haiku-20241022", Bedrock/Vertex spellings.
_NEW_STYLE = re.compile(r"claude-(?P<family>[a-z]+)-(?P<major>\d+)(?:-(?P<minor>\d{1,2})(?!\d))?")
_OLD_STYLE = re.compile(r"claude-(?P<major>\d+)-(?P<minor>\d+)-(?P<family>[a-z]+)")


def _generation(model: str) -> tuple[int, int] | None:
    """(major, minor) of a Claude model id, or None when it is not one we recognise."""
    name = model.lower()
    m = _OLD_STYLE.search(name) or _NEW_STYLE.search(name)
    if not m:
        return None
    return int(m["major"]), int(m["minor"] or 0)


def client_tool_types(model: str) -> tuple[str, str, str] | None:
    """(bash type, editor type, editor name) Anthropic defines for ``model``, or None.

    Claude 4 and later: ``bash_20250124`` + ``text_editor_20250728`` named
    ``str_replace_based_edit_tool`` (no ``undo_edit``). Claude Sonnet 3.7: ``bash_20250124`` +
    ``text_editor_20250124`` named ``str_replace_editor``. Older models (3.5: beta-only
    versions) and non-Claude names get None, i.e. plain JSON tools.
    """
    gen = _generation(model)
    if gen is None:
        return None
    if gen[0] >= 4:
        return ("bash_20250124", "text_editor_20250728", EDITOR_TOOL)
    if gen == (3, 7):
        return ("bash_20250124", "text_editor_20250124", "str_replace_editor")
    return None


def tool_definitions(model: str, client_tools: bool = True) -> list[dict[str, Any]]:
    """The ``tools`` list sent for ``model`` (fresh dicts, no cache_control).

    JSON-schema tools are ``evalkit.tools.TOOL_SCHEMAS``, the same names and inputs the loop
    executes, so a transcript reads the same whichever form was sent.
    """
    types = client_tool_types(model) if client_tools else None
    if types is None:
        # one source of truth for the schemas: the tools the loop implements
        from evalkit.tools import TOOL_SCHEMAS

        return copy.deepcopy(list(TOOL_SCHEMAS))
    bash_type, editor_type, editor_name = types
    return [{"type": bash_type, "name": BASH_TOOL}, {"type": editor_type, "name": editor_name}]


# --------------------------------------------------------------------------- errors


class AnthropicProviderError(ProviderError):
    """A call that failed for good, with what the last attempt saw."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        attempts: int = 1,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.request_id = request_id
        self.attempts = attempts
        self.retryable = retryable


class _MalformedResponse(Exception):
    """A 2xx whose body is not a Messages-API message."""

    def __init__(self, detail: str, request_id: str | None = None) -> None:
        super().__init__(detail)
        self.request_id = request_id


@dataclass(frozen=True)
class _Failure:
    retryable: bool
    description: str  # human-readable, no secrets
    status: int | None = None
    error_type: str | None = None
    request_id: str | None = None
    retry_after: float | None = None  # seconds the server asked for
    malformed: bool = False


_RETRY_STATUS = {408, 409, 429}
#: httpx(2) errors that no retry can fix (matched by name: the SDK's HTTP stack is imported
#: lazily and has changed package name across SDK versions)
_BAD_URL_ERRORS = {"UnsupportedProtocol", "InvalidURL"}


def _parse_retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds, fractional, or a date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    ra = headers.get("retry-after")
    if ra is None:
        return None
    try:
        return max(0.0, float(ra))
    except ValueError:
        parsed = email.utils.parsedate_tz(ra)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _classify(exc: Exception, anthropic: Any) -> _Failure:
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        etype = getattr(exc, "type", None) or _body_error_type(exc.body)
        api_msg = getattr(exc, "api_message", None) or _body_error_message(exc.body)
        headers = exc.response.headers
        should = headers.get("x-should-retry")
        if should == "true":
            retryable = True
        elif should == "false":
            retryable = False
        else:
            retryable = status in _RETRY_STATUS or status >= 500
        desc = f"HTTP {status}" + (f" {etype}" if etype else "")
        if api_msg:
            desc += f": {api_msg}"
        return _Failure(
            retryable, desc, status, etype, exc.request_id, _parse_retry_after(headers)
        )
    if isinstance(exc, anthropic.APITimeoutError):
        return _Failure(True, "request timed out", error_type="timeout")
    if isinstance(exc, anthropic.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f" ({type(cause).__name__}: {cause})" if cause else ""
        if type(cause).__name__ in _BAD_URL_ERRORS:  # a wrong ANTHROPIC_BASE_URL: no retry
            return _Failure(False, f"bad base URL{detail}", error_type="bad_url")
        return _Failure(True, f"connection error{detail}", error_type="connection_error")
    if isinstance(exc, _MalformedResponse):
        return _Failure(
            True, f"malformed response: {exc}", error_type="malformed_response",
            request_id=exc.request_id, malformed=True,
        )
    if isinstance(exc, json.JSONDecodeError | anthropic.APIResponseValidationError):
        return _Failure(
            True, f"malformed response: body is not valid JSON ({exc})",
            status=getattr(exc, "status_code", None), error_type="malformed_response",
            malformed=True,
        )
    if isinstance(exc, TypeError) and "authentication" in str(exc):
        return _Failure(
            False,
            "no Anthropic credentials: set ANTHROPIC_API_KEY (or pass api_key=)",
            error_type="no_credentials",
        )
    return _Failure(False, f"{type(exc).__name__}: {exc}", error_type=type(exc).__name__)


def _body_error_type(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("type")
    return None


def _body_error_message(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("message")
    return None


# --------------------------------------------------------------------------- provider

_BOOL = {"1": True, "true": True, "yes": True, "on": True,
         "0": False, "false": False, "no": False, "off": False}


def _coerce(name: str, value: Any, kind: type) -> Any:
    """Options may come from a query string or TOML as text; turn them into ``kind``."""
    if value is None or isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if kind is bool:
        key = str(value).strip().lower()
        if key in _BOOL:
            return _BOOL[key]
        if key in ("auto", "none"):
            return None
        raise ValueError(f"anthropic provider option {name}={value!r}: expected true/false")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"anthropic provider option {name}={value!r}: expected {kind.__name__}"
        ) from None


class AnthropicProvider:
    """One model behind the Messages API. Safe to share between concurrent samples."""

    simulated = False

    def __init__(
        self,
        model: str,
        *,
        client_tools: bool | None = None,
        prompt_cache: bool = True,
        cache_messages: bool = True,
        max_attempts: int = 6,
        timeout: float = 600.0,
        response_timeout: float = DEFAULT_RESPONSE_TIMEOUT_S,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        max_retry_after: float = 120.0,
        malformed_retries: int = 1,
        thinking_mode: str = "auto",
        api_key: str | None = None,
        base_url: str | None = None,
        prices: Any = None,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        """
        client_tools: None = Anthropic's tool types where the model has them; False = JSON tools.
        prompt_cache: cache_control on the tools and the system prompt; cache_messages: also on
            the newest user turn (incremental caching across the turns of one sample).
        max_attempts: attempts per call, first one included (retries = max_attempts - 1).
        timeout: seconds per attempt (connect, read, write each).
        response_timeout: seconds one call may go without an answer, retries included (a
            request's own ``response_timeout``, the agent loop's deadline, shortens it); then
            ``NoResponseError`` ("no response from anthropic:M within N s"), which the run
            records as an error that ``--retry-errors`` runs again, never as a limit.
        backoff_base / backoff_max: exponential backoff without retry-after, jittered.
        max_retry_after: a server asking for a longer wait fails the call at once instead.
        malformed_retries: retries for a 2xx whose body is not a message (then ProviderError).
        thinking_mode: how a thinking_budget is sent. "enabled": {"type": "enabled",
            "budget_tokens": N}; "adaptive": {"type": "adaptive"} (the model sizes its own
            thinking; the budget only switches it on); "auto" (default): adaptive for Claude
            4.6 and later (4.7+ and the 5 family reject the budget form with a 400), enabled
            for older models.
        prices: an evalkit.pricing.PriceTable; default: built-in table + $EVALKIT_PRICES.
        """
        if not model:
            raise ValueError("anthropic provider: empty model name (use anthropic:<model>)")
        self.model = model
        self.name = f"anthropic:{model}"
        self.client_tools = _coerce("client_tools", client_tools, bool)
        self.prompt_cache = _coerce("prompt_cache", prompt_cache, bool)
        self.cache_messages = _coerce("cache_messages", cache_messages, bool)
        self.max_attempts = max(1, _coerce("max_attempts", max_attempts, int))
        self.timeout = _coerce("timeout", timeout, float)
        self.response_timeout = _coerce("response_timeout", response_timeout, float)
        if not (self.timeout > 0 and self.response_timeout > 0):
            raise ValueError("anthropic provider options timeout / response_timeout: expected "
                             "a positive number of seconds")
        self.backoff_base = _coerce("backoff_base", backoff_base, float)
        self.backoff_max = _coerce("backoff_max", backoff_max, float)
        self.max_retry_after = _coerce("max_retry_after", max_retry_after, float)
        self.malformed_retries = max(0, _coerce("malformed_retries", malformed_retries, int))
        if thinking_mode not in ("auto", "enabled", "adaptive"):
            raise ValueError(
                f"anthropic provider option thinking_mode={thinking_mode!r}: "
                "expected 'auto', 'enabled' or 'adaptive'"
            )
        self.thinking_mode = thinking_mode
        self._api_key = api_key
        self._base_url = base_url
        self._default_headers = dict(default_headers or {})
        self._prices = prices
        self._client: Any = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._rng = random.Random()
        # counters for progress display; all calls share one event loop, no lock needed
        self.calls = 0  # calls that returned a response
        self.attempts = 0  # HTTP attempts, retries included
        self.retries = 0
        self.errors = 0  # calls that ended in ProviderError
        self.retries_by_reason: Counter[str] = Counter()
        self.last_error: str | None = None
        self.usage = Usage()
        self.cost_usd = 0.0

    # -- public helpers
    def tools(self) -> list[dict[str, Any]]:
        use_client = self.client_tools is None or self.client_tools
        return tool_definitions(self.model, use_client)

    def stats(self) -> dict[str, Any]:
        """Counters for a progress bar or a run manifest."""
        return {
            "calls": self.calls,
            "attempts": self.attempts,
            "retries": self.retries,
            "errors": self.errors,
            "retries_by_reason": dict(self.retries_by_reason),
            "last_error": self.last_error,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cache_creation_input_tokens": self.usage.cache_creation_input_tokens,
            "cache_read_input_tokens": self.usage.cache_read_input_tokens,
            "cost_usd": self.cost_usd,
        }

    def build_params(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments for ``messages.create`` (never mutates ``request``)."""
        params: dict[str, Any] = {"model": self.model, "max_tokens": request.max_tokens}
        breakpoints = 0
        if request.system:
            block: dict[str, Any] = {"type": "text", "text": request.system}
            if self.prompt_cache:
                block["cache_control"] = dict(EPHEMERAL)
                breakpoints += 1
            params["system"] = [block]
        tools = self.tools()
        if self.prompt_cache and tools:
            tools[-1]["cache_control"] = dict(EPHEMERAL)
            breakpoints += 1
        params["tools"] = tools
        messages = list(request.messages)
        existing = sum(_count_breakpoints(m) for m in messages)
        if (
            self.prompt_cache
            and self.cache_messages
            and existing + breakpoints < MAX_CACHE_BREAKPOINTS
        ):
            messages = _mark_last_user_turn(messages)
        params["messages"] = messages
        if request.thinking_budget:
            budget = int(request.thinking_budget)
            if self._thinking_form() == "adaptive":
                params["thinking"] = {"type": "adaptive"}
            else:
                if budget < 1024:
                    raise AnthropicProviderError(
                        f"thinking_budget={budget}: the API's minimum is 1024 tokens",
                        error_type="invalid_settings",
                    )
                if request.max_tokens <= budget:
                    raise AnthropicProviderError(
                        f"thinking_budget={budget} must be below max_tokens="
                        f"{request.max_tokens} (the budget is part of max_tokens)",
                        error_type="invalid_settings",
                    )
                params["thinking"] = {"type": "enabled", "budget_tokens": budget}
            # temperature is not allowed with extended thinking
        elif request.temperature is not None:
            # anthropic SDK 2.x dropped the sampling keywords (newer models reject non-default
            # values); the API still takes them for models that do, so send it in the body.
            params["extra_body"] = {"temperature": request.temperature}
        return params

    def _thinking_form(self) -> str:
        if self.thinking_mode != "auto":
            return self.thinking_mode
        gen = _generation(self.model)
        return "adaptive" if gen is not None and gen >= (4, 6) else "enabled"

    # -- the call
    async def respond(self, request: ModelRequest) -> ModelResponse:
        try:
            params = self.build_params(request)
        except ProviderError:
            self.errors += 1
            raise
        anthropic, client = self._get_client()
        deadline = _deadline(self.response_timeout, request.response_timeout)
        end = time.monotonic() + deadline
        malformed_seen = 0
        attempt = 0
        while True:
            attempt += 1
            self.attempts += 1
            try:
                left = max(0.001, end - time.monotonic())
                msg = await client.messages.create(**params, timeout=min(self.timeout, left))
                content = _content_dicts(msg)
                break
            except Exception as exc:  # noqa: BLE001 - classified below, never swallowed
                failure = _classify(exc, anthropic)
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
                    give_up = (
                        f"server asked to retry after {failure.retry_after:g} s, more than "
                        f"max_retry_after={self.max_retry_after:g} s"
                    )
                if give_up is not None:
                    self.errors += 1
                    rid = f", request-id {failure.request_id}" if failure.request_id else ""
                    raise AnthropicProviderError(
                        f"anthropic {self.model}: {failure.description} ({give_up}{rid})",
                        status=failure.status,
                        error_type=failure.error_type,
                        request_id=failure.request_id,
                        attempts=attempt,
                        retryable=failure.retryable,
                    ) from exc
                delay = self._backoff(attempt, failure.retry_after)
                if time.monotonic() + delay >= end:  # no answer can come in time
                    self.errors += 1
                    raise NoResponseError(self.name, deadline, _last_attempt(failure, attempt)
                                          ) from exc
                self.retries += 1
                reason = str(failure.status) if failure.status else (failure.error_type or "?")
                self.retries_by_reason[reason] += 1
                # INFO, not WARNING: a warning per retry would tear the progress bar; the
                # counters (stats()) are what a progress display should show.
                log.info(
                    "anthropic %s: %s; retry %d/%d in %.2f s%s",
                    self.model, failure.description, attempt, self.max_attempts - 1, delay,
                    f" (request-id {failure.request_id})" if failure.request_id else "",
                )
                await asyncio.sleep(delay)

        usage, w1h = _usage(msg)
        cost = self._cost(usage, getattr(msg, "model", None), w1h)
        self.calls += 1
        self.usage = self.usage + usage
        self.cost_usd += cost
        return ModelResponse(
            content=content,
            stop_reason=str(getattr(msg, "stop_reason", None) or ""),
            usage=usage,
            cost_usd=cost,
            model=str(getattr(msg, "model", None) or self.model),
        )

    async def aclose(self) -> None:
        client, self._client, self._client_loop = self._client, None, None
        if client is not None:
            try:
                await client.close()
            except Exception:  # noqa: BLE001 - closing a client from a dead loop is harmless
                pass

    # -- internals
    def _get_client(self) -> tuple[Any, Any]:
        import anthropic  # lazy: heavy, and only needed when a real model is called

        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            kwargs: dict[str, Any] = {"max_retries": 0, "timeout": self.timeout}
            if self._api_key is not None:
                kwargs["api_key"] = self._api_key
            if self._base_url is not None:
                kwargs["base_url"] = self._base_url
            if self._default_headers:
                kwargs["default_headers"] = self._default_headers
            self._client = anthropic.AsyncAnthropic(**kwargs)
            self._client_loop = loop
        return anthropic, self._client

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # never earlier than asked; a little later so a crowd of samples spreads out
            return retry_after + self._rng.uniform(0.0, min(1.0, 0.1 * retry_after + 0.01))
        d = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return d / 2 + self._rng.uniform(0.0, d / 2)

    def _cost(self, usage: Usage, response_model: str | None, w1h: int) -> float:
        table = self._prices
        if table is None:
            from evalkit.pricing import default_prices

            table = self._prices = default_prices()
        if table.price_for(self.model) is None and response_model:
            if table.price_for(response_model) is not None:
                return table.cost(response_model, usage, cache_write_1h_tokens=w1h)
        return table.cost(self.model, usage, cache_write_1h_tokens=w1h)


def _deadline(own: float, requested: float | None) -> float:
    """Seconds this call may take: the provider's ``response_timeout``, or the caller's
    deadline when that is shorter."""
    if requested is not None and 0 < requested < own:
        return requested
    return own


def _last_attempt(failure: _Failure, attempts: int) -> str:
    """What a ``NoResponseError`` adds: what the last attempt saw, and how many were made."""
    return f"last attempt: {failure.description}; {attempts} attempt{'s' * (attempts != 1)}"


def _count_breakpoints(message: Any) -> int:
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        return 0
    return sum(1 for b in content if isinstance(b, dict) and "cache_control" in b)


_UNCACHEABLE = {"thinking", "redacted_thinking"}


def _mark_last_user_turn(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of ``messages`` with a cache breakpoint on the newest user turn's last block."""
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        if not isinstance(msg, dict) or msg.get("role") != "user":
            continue
        content = msg.get("content")
        if isinstance(content, str):
            if not content:
                return messages
            blocks: list[Any] = [{"type": "text", "text": content}]
        elif isinstance(content, list):
            blocks = [dict(b) if isinstance(b, dict) else b for b in content]
        else:
            return messages
        for j in range(len(blocks) - 1, -1, -1):
            b = blocks[j]
            if not isinstance(b, dict) or b.get("type") in _UNCACHEABLE:
                continue
            if b.get("type") == "text" and not b.get("text"):
                continue
            b["cache_control"] = dict(EPHEMERAL)
            out = list(messages)
            out[i] = {**msg, "content": blocks}
            return out
        return messages
    return messages


def _content_dicts(msg: Any) -> list[dict[str, Any]]:
    """Response blocks as plain dicts, exactly as the API sent them (thinking included)."""
    content = getattr(msg, "content", None)
    if not isinstance(content, list):
        raise _MalformedResponse(
            f"no content list in the response (got {type(content).__name__})",
            getattr(msg, "_request_id", None),
        )
    out: list[dict[str, Any]] = []
    for block in content:
        if hasattr(block, "model_dump"):
            d = block.model_dump(mode="json")
        elif isinstance(block, dict):
            d = dict(block)
        else:
            raise _MalformedResponse(
                f"content block of type {type(block).__name__}", getattr(msg, "_request_id", None)
            )
        d = {k: v for k, v in d.items() if v is not None}  # SDK fills absent fields with None
        if "type" not in d:
            raise _MalformedResponse("content block without a type")
        out.append(d)
    return out


def _usage(msg: Any) -> tuple[Usage, int]:
    """(Usage, cache-write tokens billed at the 1-hour rate)."""
    u = getattr(msg, "usage", None)

    def n(obj: Any, name: str) -> int:
        v = getattr(obj, name, None) if obj is not None else None
        return int(v) if isinstance(v, int | float) else 0

    w1h = n(getattr(u, "cache_creation", None), "ephemeral_1h_input_tokens")
    return (
        Usage(
            input_tokens=n(u, "input_tokens"),
            output_tokens=n(u, "output_tokens"),
            cache_creation_input_tokens=n(u, "cache_creation_input_tokens"),
            cache_read_input_tokens=n(u, "cache_read_input_tokens"),
        ),
        w1h,
    )


_OPTION_TYPES: dict[str, type] = {
    "client_tools": bool,
    "prompt_cache": bool,
    "cache_messages": bool,
    "max_attempts": int,
    "timeout": float,
    "response_timeout": float,
    "backoff_base": float,
    "backoff_max": float,
    "max_retry_after": float,
    "malformed_retries": int,
    "thinking_mode": str,
    "base_url": str,
}


def create(model: str, **options: Any) -> AnthropicProvider:
    """Registry factory for ``anthropic:<model>[?option=value&...]``."""
    name, _, query = model.partition("?")
    merged: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _OPTION_TYPES:
            known = ", ".join(sorted(_OPTION_TYPES))
            raise ValueError(f"anthropic:{model}: unknown option {key!r} (known: {known})")
        merged[key] = value
    merged.update(options)
    return AnthropicProvider(name.strip(), **merged)
