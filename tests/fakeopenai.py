"""A local fake of the OpenAI Chat Completions API, for tests, benchmarks and offline demos.

A real HTTP/1.1 server on 127.0.0.1 (stdlib ``http.server``), so the official ``openai`` SDK
talks to it as it talks to vLLM, Ollama or OpenAI. ``POST /v1/chat/completions`` (and
``/chat/completions``) is served; ``GET /v1/models`` lists the model.

Python API::

    from tests.fakeopenai import FakeOpenAI, text, tool_calls, rate_limited, server_error, drop

    script = [
        rate_limited(retry_after=0.2),                        # 429 + retry-after: 0.2
        tool_calls(("bash", {"command": "pytest -q"})),       # finish_reason "tool_calls"
        tool_calls(("bash", '{"command": "ls"')),             # arguments as given (malformed)
        text("All 3 tests pass.", reasoning="I ran them."),   # reasoning_content + content
    ]
    with FakeOpenAI(script) as api:
        base_url = api.base_url                                 # http://127.0.0.1:PORT/v1
        api.requests[0].body["messages"]; api.requests[0].headers.get("authorization")

``script`` is a list of replies served in order (then 400 "script exhausted"), a callable
``(body, n) -> Reply``, or None for ``demo_agent`` (runs ``pytest -q`` then reports what it
printed; with no ``tools`` in the request it answers in text mode with a fenced bash block).

Replies: ``text(s, reasoning=None, reasoning_field="reasoning_content", usage=None,
finish_reason="stop")``, ``tool_calls(*(name, args)[, text=, reasoning=])`` (``args`` a dict is
JSON-encoded, a str is sent as is), ``rate_limited(retry_after=, retry_after_ms=)``,
``server_error(status=500)``, ``error(status, type, message)``, ``drop()`` (closes the socket
without answering), ``malformed()`` (200 with a truncated JSON body). Each takes ``delay=``.
``stall(seconds=inf)`` reads the request and answers nothing for that long (inf: until the
server stops), then closes the connection: a hung server.

Usage is filled in when not given: prompt tokens ~ characters / 4; ``cached_tokens`` simulates
a prefix cache (the longest run of leading messages seen in an earlier request), as vLLM's
automatic prefix caching reports it.

Command line::

    python tests/fakeopenai.py --port 8770 [--latency 0.5] [--api-key sk-x] [--fail-rate 0.1]
    evalkit run --model 'openai:demo?base_url=http://127.0.0.1:8770/v1' --tasks tasks/ --limit 2
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import random
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeOpenAI", "Reply", "RecordedRequest", "text", "tool_calls", "rate_limited",
           "server_error", "error", "drop", "stall", "malformed", "demo_agent"]

Script = Callable[[dict[str, Any], int], "Reply"]


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | None = None  # a chat.completion (filled in) or an error body
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    #: hold the request without a byte of answer for ``delay`` seconds (inf: until the
    #: server stops), then close the connection: a provider that stalled
    stall: bool = False


def message(msg: dict[str, Any], finish_reason: str = "stop",
            usage: dict[str, Any] | None = None, *, delay: float = 0.0) -> Reply:
    body: dict[str, Any] = {"choices": [{"index": 0, "message": {"role": "assistant", **msg},
                                         "finish_reason": finish_reason, "logprobs": None}]}
    if usage is not None:
        body["usage"] = dict(usage)
    return Reply(body=body, delay=delay)


def text(s: str | None, *, reasoning: str | None = None,
         reasoning_field: str = "reasoning_content", usage: dict[str, Any] | None = None,
         finish_reason: str = "stop", delay: float = 0.0) -> Reply:
    msg: dict[str, Any] = {"content": s}
    if reasoning is not None:
        msg[reasoning_field] = reasoning
    return message(msg, finish_reason, usage, delay=delay)


_ids = itertools.count(1)


def tool_calls(*calls: tuple[str, dict[str, Any] | str], text: str | None = None,
               reasoning: str | None = None, reasoning_field: str = "reasoning_content",
               usage: dict[str, Any] | None = None, delay: float = 0.0) -> Reply:
    msg: dict[str, Any] = {"content": text, "tool_calls": [
        {"id": f"call_fake_{next(_ids):06d}", "type": "function",
         "function": {"name": name, "arguments": args if isinstance(args, str)
                      else json.dumps(args)}}
        for name, args in calls]}
    if reasoning is not None:
        msg[reasoning_field] = reasoning
    return message(msg, "tool_calls", usage, delay=delay)


def error(status: int, type: str, message: str, headers: dict[str, str] | None = None, *,
          delay: float = 0.0) -> Reply:
    body = {"error": {"message": message, "type": type, "param": None, "code": None}}
    return Reply(status=status, body=body, headers=dict(headers or {}), delay=delay)


def rate_limited(retry_after: float | None = 1, retry_after_ms: float | None = None, *,
                 delay: float = 0.0) -> Reply:
    h: dict[str, str] = {}
    if retry_after is not None:
        h["retry-after"] = f"{retry_after:g}"
    if retry_after_ms is not None:
        h["retry-after-ms"] = f"{retry_after_ms:g}"
    return error(429, "rate_limit_exceeded", "fakeopenai: rate limited", h, delay=delay)


def server_error(status: int = 500, *, delay: float = 0.0) -> Reply:
    return error(status, "server_error", "fakeopenai: internal server error", delay=delay)


def drop(*, delay: float = 0.0) -> Reply:
    return Reply(drop=True, delay=delay)


def stall(seconds: float = math.inf) -> Reply:
    """Read the request and answer nothing for ``seconds`` (default: until the server stops),
    then close the connection: what a hung model API looks like to a client."""
    return Reply(stall=True, delay=seconds)


def malformed(*, delay: float = 0.0) -> Reply:
    return Reply(raw=b'{"id": "chatcmpl-fake", "object": "chat.completion", "choices": [{"in',
                 delay=delay)


def _last_tool_output(body: dict[str, Any]) -> str | None:
    """The newest tool output: a ``role: "tool"`` message, or a text-mode <output> block."""
    msgs = body.get("messages") or []
    if not msgs:
        return None
    last = msgs[-1]
    content = last.get("content")
    if last.get("role") == "tool":
        return content if isinstance(content, str) else json.dumps(content)
    if last.get("role") == "user" and isinstance(content, str) and "<output>" in content:
        return content.split("<output>", 1)[1].rsplit("</output>", 1)[0]
    return None


def demo_agent(body: dict[str, Any], n: int) -> Reply:
    """Two turns: run ``pytest -q`` (a tool call, or a bash block when no tools were sent),
    then report the last line of what it printed."""
    out = _last_tool_output(body)
    if out is None:
        if body.get("tools"):
            return tool_calls(("bash", {"command": "pytest -q"}),
                              text="I'll run the test suite first.")
        return text("I'll run the test suite first.\n\n```bash\npytest -q\n```")
    out = out.strip()
    last = out.splitlines()[-1] if out else "(no output)"
    failed = out.startswith("ERROR") or " failed" in out or " error" in out
    verdict = "Some tests are still failing" if failed else "The test suite passes"
    return text(f"I ran `pytest -q`. {verdict}; the last line of its output was: {last}")


@dataclass
class RecordedRequest:
    n: int
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    t: float


def _tokens(obj: Any) -> int:
    return max(1, len(json.dumps(obj, separators=(",", ":"))) // 4)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        if self.server.fake.verbose:
            sys.stderr.write("fakeopenai: " + (format % args) + "\n")

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
        rec = fake._record(self, body)
        reply = fake._reply_for(rec)
        delay = fake.latency + reply.delay
        if reply.stall:  # no answer until the delay passes or the server stops
            fake._stopping.wait(None if math.isinf(delay) else delay)
        elif delay > 0:
            time.sleep(delay)
        if reply.drop or reply.stall:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        payload = reply.raw if reply.raw is not None else json.dumps(
            fake._complete(reply, rec)).encode()
        self.send_response(reply.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.send_header("x-request-id", f"req_fake_{rec.n:06d}")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)


class FakeOpenAI:
    """The server; a context manager. See the module docstring."""

    def __init__(self, script: Iterable[Reply] | Script | None = None, *, port: int = 0,
                 latency: float = 0.0, api_key: str | None = None, fail_rate: float = 0.0,
                 seed: int | None = None, verbose: bool = False,
                 model: str = "fake-model") -> None:
        self._fn: Script | None
        if script is None:
            self._fn, self._queue = demo_agent, []
        elif callable(script):
            self._fn, self._queue = script, []
        else:
            self._fn, self._queue = None, list(script)
        self.latency, self.api_key, self.fail_rate = latency, api_key, fail_rate
        self.verbose, self.model = verbose, model
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # set by stop(): stalled requests end
        self._n = 0
        self._prefixes: set[str] = set()
        self.requests: list[RecordedRequest] = []
        self._port = port
        self._server: _Server | None = None

    def start(self) -> FakeOpenAI:
        self._stopping.clear()
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.fake = self
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True, name="fakeopenai").start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.split("?")[0].endswith("/chat/completions")]

    # -- internals (handler threads)
    def _record(self, h: _Handler, body: Any) -> RecordedRequest:
        with self._lock:
            rec = RecordedRequest(self._n, h.command, h.path,
                                  {k.lower(): v for k, v in h.headers.items()}, body,
                                  time.monotonic())
            self._n += 1
            self.requests.append(rec)
        return rec

    def _reply_for(self, rec: RecordedRequest) -> Reply:
        path = rec.path.split("?")[0]
        auth = rec.headers.get("authorization", "")
        if self.api_key is not None and auth != f"Bearer {self.api_key}":
            return error(401, "invalid_request_error", "Incorrect API key provided")
        if rec.method == "GET" and path.endswith("/models"):
            return Reply(body={"object": "list", "data": [
                {"id": self.model, "object": "model", "created": 0, "owned_by": "fake"}]})
        if rec.method != "POST" or not path.endswith("/chat/completions"):
            return error(404, "not_found", f"fakeopenai: no route {rec.method} {rec.path}")
        if not isinstance(rec.body, dict) or not isinstance(rec.body.get("messages"), list):
            return error(400, "invalid_request_error", "fakeopenai: messages must be a list")
        if rec.body.get("stream"):
            return error(400, "invalid_request_error", "fakeopenai: streaming is not supported")
        if self.fail_rate > 0:
            with self._lock:
                roll = self._rng.random()
            if roll < self.fail_rate:
                return rate_limited(0.5)
        if self._fn is not None:
            return self._fn(rec.body, rec.n)
        with self._lock:
            if not self._queue:
                return error(400, "invalid_request_error", "fakeopenai: script exhausted")
            return self._queue.pop(0)

    def _cached(self, messages: list[Any]) -> int:
        """Tokens of the longest leading run of messages seen in an earlier request."""
        keys, h = [], hashlib.sha256()
        for m in messages:
            h.update(json.dumps(m, sort_keys=True).encode())
            keys.append(h.copy().hexdigest())
        with self._lock:
            hit = 0
            for i, k in enumerate(keys[:-1]):
                if k in self._prefixes:
                    hit = i + 1
            self._prefixes.update(keys)
        return _tokens(messages[:hit]) if hit else 0

    def _complete(self, reply: Reply, rec: RecordedRequest) -> dict[str, Any]:
        body = dict(reply.body or {})
        if reply.status != 200 or "error" in body or "choices" not in body:
            return body
        req = rec.body if isinstance(rec.body, dict) else {}
        body.setdefault("id", f"chatcmpl-fake-{rec.n:06d}")
        body.setdefault("object", "chat.completion")
        body.setdefault("created", int(time.time()))
        body.setdefault("model", req.get("model") or self.model)
        if "usage" not in body:
            msgs = req.get("messages") or []
            prompt = _tokens(msgs) + (_tokens(req["tools"]) if req.get("tools") else 0)
            cached = min(self._cached(msgs), prompt)
            completion = _tokens(body["choices"][0].get("message", {}))
            body["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion,
                             "prompt_tokens_details": {"cached_tokens": cached}}
        return body


try:  # pytest is a test dependency; the module stays importable without it
    import pytest

    @pytest.fixture(name="fake_openai")
    def fake_openai() -> Iterator[Callable[..., FakeOpenAI]]:
        """``fake_openai(script, **kw)`` -> a started FakeOpenAI, stopped after the test."""
        started: list[FakeOpenAI] = []

        def make(script: Iterable[Reply] | Script | None = None, **kw: Any) -> FakeOpenAI:
            api = FakeOpenAI(script, **kw).start()
            started.append(api)
            return api

        yield make
        for api in started:
            api.stop()

except ImportError:  # pragma: no cover
    pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Fake OpenAI Chat Completions API on 127.0.0.1.")
    p.add_argument("--port", type=int, default=8770, help="0 picks a free port")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every reply")
    p.add_argument("--fail-rate", type=float, default=0.0,
                   help="fraction of requests answered 429 with retry-after 0.5 s")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--api-key", default=None, help="require this Bearer key (else none)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--stall", action="store_true",
                   help="answer nothing, ever (a hung server: evalkit records each sample as an "
                   "error 'no response from … within N s')")
    a = p.parse_args(argv)
    script: Script | None = (lambda body, n: stall()) if a.stall else None
    api = FakeOpenAI(script, port=a.port, latency=a.latency, api_key=a.api_key,
                     fail_rate=a.fail_rate, seed=a.seed, verbose=a.verbose).start()
    role = "stalled: no request is ever answered" if a.stall else \
        "demo agent: pytest -q, then a report"
    print(f"fakeopenai: listening on {api.base_url} ({role})")
    print(f"  evalkit run --model 'openai:demo?base_url={api.base_url}' --tasks tasks/",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()
        print(f"fakeopenai: served {len(api.requests)} requests", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
