"""A local fake of Anthropic's Messages API, for tests, benchmarks and offline demos.

It is a real HTTP/1.1 server on 127.0.0.1 (stdlib ``http.server``, one thread per connection),
so the official ``anthropic`` SDK talks to it exactly as it talks to the real API.

Python API
----------
::

    from tests.fakeapi import FakeAnthropic, text, tool_use, rate_limited, overloaded, \
        server_error, error, drop, malformed

    script = [
        rate_limited(retry_after=0.2),               # 429 + retry-after: 0.2
        tool_use("bash", {"command": "pytest -q"}),  # stop_reason "tool_use"
        text("All 3 tests pass."),                   # stop_reason "end_turn"
    ]
    with FakeAnthropic(script) as api:               # starts on an ephemeral port
        os.environ["ANTHROPIC_BASE_URL"] = api.base_url   # or AsyncAnthropic(base_url=...)
        ...
        api.requests[1].body["tools"]               # every request: .headers, .body, .path, .t
        api.requests[1].headers["x-api-key"]

``script`` is either

* a list of replies, served in order to successive requests (``api.push(...)`` appends more;
  when it runs out the server answers 400 ``fakeapi: script exhausted``), or
* a callable ``(body: dict, n: int) -> Reply`` called for every request (``n`` counts requests
  from 0, across all conversations). Use it to drive many concurrent conversations, e.g. by
  looking at ``body["messages"]``. ``demo_agent`` is one: first turn runs ``pytest -q`` with the
  bash tool, the second turn reports what the tool printed.
* ``None``: ``demo_agent``.

Replies (all return a ``Reply``; every one takes ``delay=`` seconds of added latency):

=============================================  ============================================
``text(s, usage=None)``                        final turn, ``stop_reason="end_turn"``
``tool_use(name, input, text=None, id=None)``  tool call, ``stop_reason="tool_use"``
``message(content, stop_reason, usage)``       any content blocks (e.g. ``thinking`` ones)
``rate_limited(retry_after=, retry_after_ms=)``  429 ``rate_limit_error``
``overloaded(retry_after=...)``                529 ``overloaded_error``
``server_error(status=500)``                   500 ``api_error``
``error(status, type, message, headers)``      any error body
``drop()``                                     reads the request, closes the socket, no reply
``malformed()``                                200, ``application/json``, truncated body
=============================================  ============================================

Every reply carries a ``request-id`` header (``req_fake_<n>``). ``usage`` is filled in when not
given: input tokens are estimated at ~4 characters per token, and prompt caching is simulated
from the request's ``cache_control`` breakpoints (the first request with a prefix writes it to
the cache, later requests that share it read it, with the API's 20-block lookback), so cost
accounting sees realistic ``cache_creation_input_tokens`` / ``cache_read_input_tokens``.

Other knobs: ``FakeAnthropic(script, latency=0.5)`` adds latency to every reply (throughput
benchmarks); ``api_key="sk-x"`` makes requests without that key get 401 (``x-api-key`` or
``Authorization: Bearer``, see ``api_key_of``);
``fail_rate=0.1, seed=1`` turns that fraction of requests into 429/529 with ``retry-after``
(flaky-API demos). ``api.reset()`` clears recorded requests and the cache.

Pytest: ``fake_anthropic`` below is a fixture. Import it into a test module under any alias
(``from tests.fakeapi import fake_anthropic as _fake_anthropic  # noqa: F401``; pytest registers
it as ``fake_anthropic``), then in a test: ``api = fake_anthropic(script, latency=...)``.

Command line (for ``evalkit run`` demos)::

    python tests/fakeapi.py --port 8765 [--latency 0.5] [--fail-rate 0.1] [--seed 1]
    ANTHROPIC_BASE_URL=http://127.0.0.1:8765 ANTHROPIC_API_KEY=sk-fake \
        evalkit run --model anthropic:claude-sonnet-4-5 --tasks tasks/
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "FakeAnthropic",
    "Reply",
    "RecordedRequest",
    "text",
    "tool_use",
    "message",
    "rate_limited",
    "overloaded",
    "server_error",
    "error",
    "drop",
    "malformed",
    "demo_agent",
    "api_key_of",
    "fake_anthropic",
]

Script = Callable[[dict[str, Any], int], "Reply"]


# --------------------------------------------------------------------------- replies


@dataclass
class Reply:
    """What the server does for one request."""

    status: int = 200
    #: a message (content/stop_reason/usage; id, model, type filled in) or an error body
    body: dict[str, Any] | None = None
    raw: bytes | None = None  # sent as-is instead of ``body`` (malformed replies)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering


def message(
    content: list[dict[str, Any]],
    stop_reason: str = "end_turn",
    usage: dict[str, int] | None = None,
    *,
    delay: float = 0.0,
) -> Reply:
    body: dict[str, Any] = {"content": content, "stop_reason": stop_reason}
    if usage is not None:
        body["usage"] = dict(usage)
    return Reply(body=body, delay=delay)


def text(s: str, usage: dict[str, int] | None = None, *, delay: float = 0.0) -> Reply:
    return message([{"type": "text", "text": s}], "end_turn", usage, delay=delay)


_ids = itertools.count(1)


def tool_use(
    name: str,
    input: dict[str, Any],
    *,
    text: str | None = None,
    id: str | None = None,
    usage: dict[str, int] | None = None,
    delay: float = 0.0,
) -> Reply:
    content: list[dict[str, Any]] = []
    if text:
        content.append({"type": "text", "text": text})
    content.append(
        {"type": "tool_use", "id": id or f"toolu_fake_{next(_ids):06d}", "name": name,
         "input": input}
    )
    return message(content, "tool_use", usage, delay=delay)


def error(
    status: int,
    type: str,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    delay: float = 0.0,
) -> Reply:
    body = {"type": "error", "error": {"type": type, "message": message}}
    return Reply(status=status, body=body, headers=dict(headers or {}), delay=delay)


def _retry_headers(retry_after: float | None, retry_after_ms: float | None) -> dict[str, str]:
    h: dict[str, str] = {}
    if retry_after is not None:
        h["retry-after"] = f"{retry_after:g}"
    if retry_after_ms is not None:
        h["retry-after-ms"] = f"{retry_after_ms:g}"
    return h


def rate_limited(
    retry_after: float | None = 1, retry_after_ms: float | None = None, *, delay: float = 0.0
) -> Reply:
    return error(
        429, "rate_limit_error", "fakeapi: rate limited",
        _retry_headers(retry_after, retry_after_ms), delay=delay,
    )


def overloaded(
    retry_after: float | None = 1, retry_after_ms: float | None = None, *, delay: float = 0.0
) -> Reply:
    return error(
        529, "overloaded_error", "fakeapi: overloaded",
        _retry_headers(retry_after, retry_after_ms), delay=delay,
    )


def server_error(status: int = 500, *, delay: float = 0.0) -> Reply:
    return error(status, "api_error", "fakeapi: internal server error", delay=delay)


def drop(*, delay: float = 0.0) -> Reply:
    return Reply(drop=True, delay=delay)


def malformed(*, delay: float = 0.0) -> Reply:
    return Reply(raw=b'{"id": "msg_fake", "type": "message", "content": [{"ty', delay=delay)


# --------------------------------------------------------------------------- demo policy


def _tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    msgs = body.get("messages") or []
    if not msgs or msgs[-1].get("role") != "user" or not isinstance(msgs[-1].get("content"), list):
        return []
    content = msgs[-1]["content"]
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


def _result_text(block: dict[str, Any]) -> str:
    c = block.get("content")
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        return "\n".join(b.get("text", "") for b in c if isinstance(b, dict))
    return ""


def demo_agent(body: dict[str, Any], n: int) -> Reply:
    """A two-turn agent: run ``pytest -q``, then report its last output line faithfully."""
    results = _tool_results(body)
    if not results:
        return tool_use(
            "bash", {"command": "pytest -q"}, text="I'll run the test suite first."
        )
    out = _result_text(results[-1]).strip()
    last = out.splitlines()[-1] if out else "(no output)"
    failed = results[-1].get("is_error") or " failed" in out or " error" in out
    verdict = "Some tests are still failing" if failed else "The test suite passes"
    return text(f"I ran `pytest -q`. {verdict}; the last line of its output was: {last}")


# --------------------------------------------------------------------------- server


@dataclass
class RecordedRequest:
    n: int
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when the body was not JSON
    raw: bytes
    t: float  # time.monotonic() when the request was fully read


def api_key_of(rec: RecordedRequest) -> str | None:
    """The key a request authenticated with: ``x-api-key``, or ``Authorization: Bearer``.

    (anthropic SDK 2.x sends an API key as a Bearer token; older SDKs used ``x-api-key``.)
    """
    if "x-api-key" in rec.headers:
        return rec.headers["x-api-key"]
    auth = rec.headers.get("authorization", "")
    return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None


def _tokens(obj: Any) -> int:
    return max(1, len(json.dumps(obj, separators=(",", ":"))) // 4)


def _strip_cache_control(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_cache_control(v) for k, v in obj.items() if k != "cache_control"}
    if isinstance(obj, list):
        return [_strip_cache_control(v) for v in obj]
    return obj


def _flat_blocks(body: dict[str, Any]) -> list[tuple[Any, bool]]:
    """(block, has_breakpoint) in the API's cache order: tools, system, messages."""
    out: list[tuple[Any, bool]] = []
    for tool in body.get("tools") or []:
        out.append((tool, isinstance(tool, dict) and "cache_control" in tool))
    system = body.get("system")
    if isinstance(system, str):
        out.append(({"type": "text", "text": system}, False))
    elif isinstance(system, list):
        out.extend((b, isinstance(b, dict) and "cache_control" in b) for b in system)
    for msg in body.get("messages") or []:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, str):
            # a string is the same prompt as one text block, for the cache too
            out.append(({"role": msg.get("role"), "type": "text", "text": content}, False))
        elif isinstance(content, list):
            for b in content:
                out.append(
                    ({"role": msg.get("role"), **b} if isinstance(b, dict) else b,
                     isinstance(b, dict) and "cache_control" in b)
                )
    return out


class _Cache:
    """Prompt-cache simulation: prefixes ending at a breakpoint are written, later reused."""

    LOOKBACK = 20

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    def usage(self, body: dict[str, Any]) -> tuple[int, int, int]:
        """(input_tokens, cache_creation_input_tokens, cache_read_input_tokens)"""
        blocks = _flat_blocks(body)
        h = hashlib.sha256(str(body.get("model", "")).encode())
        hashes: list[str] = []
        cum: list[int] = []
        total = 0
        for block, _ in blocks:
            plain = _strip_cache_control(block)
            h.update(json.dumps(plain, sort_keys=True).encode())
            hashes.append(h.hexdigest())
            total += _tokens(plain)
            cum.append(total)
        total += 3  # per-request overhead
        breakpoints = [i for i, (_, bp) in enumerate(blocks) if bp]
        if not breakpoints:
            return total, 0, 0
        read_upto = -1
        with self.lock:
            for bp in breakpoints:
                for i in range(bp, max(-1, bp - self.LOOKBACK), -1):
                    if hashes[i] in self.seen:
                        read_upto = max(read_upto, i)
                        break
            for bp in breakpoints:
                self.seen.add(hashes[bp])
        last = breakpoints[-1]
        read = cum[read_upto] if read_upto >= 0 else 0
        write = cum[last] - read if last > read_upto else 0
        return total - read - write, write, read


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the default backlog of 5 drops SYNs under concurrency (1 s stalls)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that gave up (timeout test, cancelled task) is not a server error
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        super().handle_error(request, client_address)
    fake: FakeAnthropic


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        if self.server.fake.verbose:
            sys.stderr.write("fakeapi: " + (format % args) + "\n")

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        fake = self.server.fake
        rec = fake._record(self, raw, body)
        reply = fake._reply_for(rec)
        delay = fake.latency + reply.delay
        if delay > 0:
            time.sleep(delay)
        if reply.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if reply.raw is not None:
            payload = reply.raw
        else:
            payload = json.dumps(fake._complete(reply, rec)).encode()
        self.send_response(reply.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.send_header("request-id", f"req_fake_{rec.n:06d}")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)


class FakeAnthropic:
    """The server; a context manager. See the module docstring for the API."""

    def __init__(
        self,
        script: Iterable[Reply] | Script | None = None,
        *,
        port: int = 0,
        latency: float = 0.0,
        api_key: str | None = None,
        fail_rate: float = 0.0,
        seed: int | None = None,
        verbose: bool = False,
    ) -> None:
        self._fn: Script | None
        self._queue: list[Reply]
        if script is None:
            self._fn, self._queue = demo_agent, []
        elif callable(script):
            self._fn, self._queue = script, []
        else:
            self._fn, self._queue = None, list(script)
        self.latency = latency
        self.api_key = api_key
        self.fail_rate = fail_rate
        self.verbose = verbose
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._n = 0
        self._cache = _Cache()
        self.requests: list[RecordedRequest] = []
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> FakeAnthropic:
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name="fakeapi",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scripting
    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._cache = _Cache()

    @property
    def message_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/v1/messages")]

    # -- internals (called from handler threads)
    def _record(self, h: _Handler, raw: bytes, body: Any) -> RecordedRequest:
        with self._lock:
            rec = RecordedRequest(
                n=self._n,
                method=h.command,
                path=h.path,
                headers={k.lower(): v for k, v in h.headers.items()},
                body=body,
                raw=raw,
                t=time.monotonic(),
            )
            self._n += 1
            self.requests.append(rec)
        return rec

    def _reply_for(self, rec: RecordedRequest) -> Reply:
        if rec.method != "POST" or rec.path.split("?")[0] != "/v1/messages":
            return error(404, "not_found_error", f"fakeapi: no route {rec.method} {rec.path}")
        if self.api_key is not None and api_key_of(rec) != self.api_key:
            return error(401, "authentication_error", "invalid x-api-key")
        if not isinstance(rec.body, dict):
            return error(400, "invalid_request_error", "fakeapi: body is not a JSON object")
        if rec.body.get("stream"):
            return error(400, "invalid_request_error", "fakeapi: streaming is not supported")
        if self.fail_rate > 0:
            with self._lock:
                roll, kind = self._rng.random(), self._rng.random()
            if roll < self.fail_rate:
                return rate_limited(0.5) if kind < 0.5 else overloaded(0.5)
        if self._fn is not None:
            return self._fn(rec.body, rec.n)
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
        return error(400, "invalid_request_error", "fakeapi: script exhausted")

    def _complete(self, reply: Reply, rec: RecordedRequest) -> dict[str, Any]:
        body = dict(reply.body or {})
        if reply.status != 200 or body.get("type") == "error":
            return body
        body.setdefault("id", f"msg_fake_{rec.n:06d}")
        body.setdefault("type", "message")
        body.setdefault("role", "assistant")
        body.setdefault("model", rec.body.get("model", "claude-fake") if rec.body else "claude")
        body.setdefault("stop_sequence", None)
        usage = dict(body.get("usage") or {})
        if "input_tokens" not in usage:
            inp, write, read = self._cache.usage(rec.body or {})
            usage.setdefault("input_tokens", inp)
            usage.setdefault("cache_creation_input_tokens", write)
            usage.setdefault("cache_read_input_tokens", read)
        usage.setdefault("output_tokens", _tokens(body.get("content", [])))
        usage.setdefault("cache_creation_input_tokens", 0)
        usage.setdefault("cache_read_input_tokens", 0)
        usage.setdefault("service_tier", "standard")
        body["usage"] = usage
        return body


# --------------------------------------------------------------------------- pytest fixture

try:  # pytest is a test dependency; the module stays importable without it
    import pytest

    @pytest.fixture(name="fake_anthropic")
    def fake_anthropic() -> Iterator[Callable[..., FakeAnthropic]]:
        """``fake_anthropic(script, **kw)`` -> a started FakeAnthropic, stopped after the test."""
        started: list[FakeAnthropic] = []

        def make(script: Iterable[Reply] | Script | None = None, **kw: Any) -> FakeAnthropic:
            api = FakeAnthropic(script, **kw).start()
            started.append(api)
            return api

        yield make
        for api in started:
            api.stop()

except ImportError:  # pragma: no cover
    pass


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Fake Anthropic Messages API on 127.0.0.1.")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every reply")
    p.add_argument("--fail-rate", type=float, default=0.0,
                   help="fraction of requests answered 429/529 with retry-after 0.5 s")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--api-key", default=None, help="require this x-api-key (else any)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request")
    a = p.parse_args(argv)
    api = FakeAnthropic(
        None, port=a.port, latency=a.latency, api_key=a.api_key, fail_rate=a.fail_rate,
        seed=a.seed, verbose=a.verbose,
    ).start()
    print(f"fakeapi: listening on {api.base_url} (demo agent: pytest -q, then a report)")
    print(f"  export ANTHROPIC_BASE_URL={api.base_url} ANTHROPIC_API_KEY=sk-fake", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()
        print(f"fakeapi: served {len(api.requests)} requests", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
