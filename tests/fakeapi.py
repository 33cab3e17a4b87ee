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
``stall(seconds=inf)``                         no answer for that long (inf: until the
                                               server stops), then closes: a hung API
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

The LLM judge: ``FakeAnthropic(FakeJudge())`` answers evalkit's judge prompts with a
``record_claims`` tool call (by default the claims evalkit's rule extractor finds in the
``<report>``; per-report answers, invalid answers and leading 429s are configurable, see
``FakeJudge``), so ``evalkit grade … --grader llm:<model>`` runs over real HTTP.

Message Batches (what the SDK's ``client.messages.batches`` calls): ``POST
/v1/messages/batches`` (validates ``custom_id``: 1-64 of ``[a-zA-Z0-9_-]``, unique; ``params``
an object), ``GET …/{id}`` (the first ``batch_polls`` retrieves, default 1, say
``in_progress``; the next one ends the batch: every request is answered by the script then,
error replies become ``errored`` results, ``expired()`` an ``expired`` one), ``GET
…/{id}/results`` (JSONL, 400 before the batch ended), ``POST …/{id}/cancel`` (``canceling``,
then ended with every request ``canceled``), ``DELETE …/{id}`` (400 while in progress), ``GET
/v1/messages/batches`` (list). ``api.batches`` holds them; ``api.fail_next(prefix, *replies)``
serves error replies (``rate_limited(…)``) to the next requests on a path prefix.

Pytest: ``fake_anthropic`` below is a fixture. Import it into a test module under any alias
(``from tests.fakeapi import fake_anthropic as _fake_anthropic  # noqa: F401``; pytest registers
it as ``fake_anthropic``), then in a test: ``api = fake_anthropic(script, latency=...)``.

Command line (for ``evalkit run`` demos)::

    python tests/fakeapi.py --port 8765 [--latency 0.5] [--fail-rate 0.1] [--seed 1]
    ANTHROPIC_BASE_URL=http://127.0.0.1:8765 ANTHROPIC_API_KEY=sk-fake \
        evalkit run --model anthropic:claude-sonnet-4-5 --tasks tasks/

    python tests/fakeapi.py --port 8766 --judge          # the LLM judge, offline
    ANTHROPIC_BASE_URL=http://127.0.0.1:8766 ANTHROPIC_API_KEY=sk-fake \
        evalkit grade results/<run> --compare-graders rules,llm:claude-fake [--batch]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import random
import re
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
    "stall",
    "malformed",
    "demo_agent",
    "api_key_of",
    "expired",
    "FakeJudge",
    "FakeBatch",
    "claims_answer",
    "rules_claims",
    "judge_prompt_parts",
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
    #: hold the request without a byte of answer for ``delay`` seconds (inf: until the
    #: server stops), then close the connection: a provider that stalled
    stall: bool = False
    #: "message" replies get id/type/usage filled in; "object" ones (batches) are sent as given
    kind: str = "message"
    content_type: str = "application/json"
    #: inside a Message Batch: "expired" / "canceled" make that request's result so
    batch_result: str | None = None


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


def expired() -> Reply:
    """Inside a Message Batch: this request expired (result ``{"type": "expired"}``)."""
    return Reply(batch_result="expired")


def drop(*, delay: float = 0.0) -> Reply:
    return Reply(drop=True, delay=delay)


def stall(seconds: float = math.inf) -> Reply:
    """Read the request and answer nothing for ``seconds`` (default: until the server stops),
    then close the connection: what a hung model API looks like to a client."""
    return Reply(stall=True, delay=seconds)


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


# --------------------------------------------------------------------------- the LLM judge

JUDGE_TOOL = "record_claims"
_REPORT_RE = re.compile(r"<report>\n?(.*?)\n?</report>", re.DOTALL)
_TASK_RE = re.compile(r"<task>\n?(.*?)\n?</task>", re.DOTALL)


def _last_user_text(body: dict[str, Any]) -> str:
    msgs = body.get("messages") or []
    for msg in reversed(msgs):
        if isinstance(msg, dict) and msg.get("role") == "user":
            content = msg.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "\n".join(b.get("text", "") for b in content
                                 if isinstance(b, dict) and b.get("type") == "text")
    return ""


def judge_prompt_parts(body: dict[str, Any]) -> tuple[str, str | None]:
    """(report, task instruction or None) of a judge request: the text inside
    ``<report>…</report>`` / ``<task>…</task>``; without tags, the whole prompt is the report."""
    prompt = _last_user_text(body)
    reports = _REPORT_RE.findall(prompt)
    task = _TASK_RE.search(prompt)
    return (reports[-1] if reports else prompt), (task.group(1) if task else None)


def rules_claims(report: str) -> list[dict[str, Any]]:
    """What evalkit's rule-based extractor finds in ``report``, as record_claims items: a judge
    that reads exactly like the rules (so judge and rules agree unless a test says otherwise)."""
    from evalkit.grading.claims import extract_claims

    return [{"type": c.type, "quote": c.quote, "hedged": c.hedged, "negated": c.negated,
             "scope": c.scope, "count": c.count} for c in extract_claims(report)]


def claims_answer(claims: Iterable[dict[str, Any]], *, delay: float = 0.0) -> Reply:
    """The judge's answer: one forced ``record_claims`` tool call with these claims."""
    return tool_use(JUDGE_TOOL, {"claims": list(claims)}, delay=delay)


class FakeJudge:
    """A script that acts as evalkit's LLM judge (``evalkit.grading.llm``).

    Every request is read as a judge prompt: the report between ``<report>`` tags is answered
    with a ``record_claims`` tool call. What it answers, per report:

    * ``answers``: ``{substring of the report: answer}``; the first key found in the report
      wins. An answer is a list of claim dicts, a ``Reply`` (e.g. ``text("no tool")`` for an
      invalid answer, ``server_error()``), or a callable ``(report) -> Reply``.
    * ``first``: ``{substring: [Reply, …]}`` served, in order, to the first requests for that
      report before its answer (e.g. ``[rate_limited(0.01)]``: a 429, then success).
    * otherwise ``default(report)`` (default ``rules_claims``: the judge reads like the rules).

    ``judge.reports`` and ``judge.tasks`` record what each request carried (thread-safe).
    Use it as the script of a ``FakeAnthropic``; it serves Message Batches items too.
    """

    def __init__(
        self,
        answers: dict[str, Any] | None = None,
        *,
        first: dict[str, Iterable[Reply]] | None = None,
        default: Callable[[str], list[dict[str, Any]]] = rules_claims,
    ) -> None:
        self.answers = dict(answers or {})
        self.first = {k: list(v) for k, v in (first or {}).items()}
        self.default = default
        self.reports: list[str] = []
        self.tasks: list[str | None] = []
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any], n: int) -> Reply:
        report, task = judge_prompt_parts(body)
        with self._lock:
            self.reports.append(report)
            self.tasks.append(task)
            for key, queue in self.first.items():
                if key in report and queue:
                    return queue.pop(0)
        for key, answer in self.answers.items():
            if key in report:
                if isinstance(answer, Reply):
                    return answer
                if callable(answer):
                    return answer(report)
                return claims_answer(answer)
        return claims_answer(self.default(report))


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

    def do_DELETE(self) -> None:  # noqa: N802
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
        if reply.raw is not None:
            payload = reply.raw
        else:
            payload = json.dumps(fake._complete(reply, rec)).encode()
        self.send_response(reply.status)
        self.send_header("content-type", reply.content_type)
        self.send_header("content-length", str(len(payload)))
        self.send_header("request-id", f"req_fake_{rec.n:06d}")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)


_CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


def _object(body: dict[str, Any]) -> Reply:
    return Reply(body=body, kind="object")


@dataclass
class FakeBatch:
    """One Message Batch: its requests, its status and (once ended) its result lines."""

    id: str
    requests: list[dict[str, Any]]
    created_at: str
    expires_at: str
    polls_left: int
    status: str = "in_progress"  # in_progress -> (canceling ->) ended
    ended_at: str | None = None
    cancel_initiated_at: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, base_url: str) -> dict[str, Any]:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if self.status == "ended":
            for r in self.results:
                counts[r["result"]["type"]] += 1
        else:
            counts["processing"] = len(self.requests)
        ended = self.status == "ended"
        return {
            "id": self.id, "type": "message_batch", "processing_status": self.status,
            "request_counts": counts, "created_at": self.created_at,
            "expires_at": self.expires_at, "ended_at": self.ended_at,
            "cancel_initiated_at": self.cancel_initiated_at, "archived_at": None,
            "results_url": f"{base_url}/v1/messages/batches/{self.id}/results" if ended else None,
        }


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
        batch_polls: int = 1,
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
        self._stopping = threading.Event()  # set by stop(): stalled requests end
        self._n = 0
        self._cache = _Cache()
        self.requests: list[RecordedRequest] = []
        #: Message Batches by id; a batch answers ``batch_polls`` retrieves with in_progress,
        #: then ends (its requests are answered by the script at that moment)
        self.batches: dict[str, FakeBatch] = {}
        self.batch_polls = batch_polls
        self._fail_next: list[tuple[str, Reply]] = []
        self._batch_lock = threading.Lock()
        self._batch_ids = itertools.count(1)
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> FakeAnthropic:
        self._stopping.clear()
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
        self._stopping.set()
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

    def fail_next(self, path_prefix: str, *replies: Reply) -> None:
        """Serve ``replies`` (e.g. ``rate_limited(0.01)``) to the next requests whose path
        starts with ``path_prefix`` (``"/v1/messages/batches"``), before normal handling."""
        with self._lock:
            self._fail_next.extend((path_prefix, r) for r in replies)

    @property
    def message_requests(self) -> list[RecordedRequest]:
        """Requests to ``POST /v1/messages`` (not the batch routes)."""
        return [r for r in self.requests if r.path.split("?")[0] == "/v1/messages"]

    @property
    def batch_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/v1/messages/batches")]

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
        path = rec.path.split("?")[0]
        with self._lock:
            for i, (prefix, reply) in enumerate(self._fail_next):
                if path.startswith(prefix):
                    del self._fail_next[i]
                    return reply
        if path.startswith("/v1/messages/batches"):
            if self.api_key is not None and api_key_of(rec) != self.api_key:
                return error(401, "authentication_error", "invalid x-api-key")
            return self._batch_route(rec, path)
        if rec.method != "POST" or path != "/v1/messages":
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
        return self._scripted(rec.body, rec.n)

    def _scripted(self, body: dict[str, Any], n: int) -> Reply:
        if self._fn is not None:
            return self._fn(body, n)
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
        return error(400, "invalid_request_error", "fakeapi: script exhausted")

    # -- Message Batches
    def _batch_route(self, rec: RecordedRequest, path: str) -> Reply:
        parts = path.rstrip("/").split("/")[4:]  # after /v1/messages/batches
        if rec.method == "POST" and not parts:
            return self._batch_create(rec)
        if rec.method == "GET" and not parts:
            with self._lock:
                data = [b.to_json(self.base_url) for b in reversed(self.batches.values())]
            return _object({"data": data, "has_more": False,
                            "first_id": data[0]["id"] if data else None,
                            "last_id": data[-1]["id"] if data else None})
        with self._lock:
            batch = self.batches.get(parts[0]) if parts else None
        if batch is None:
            return error(404, "not_found_error", f"fakeapi: no message batch {path}")
        action = parts[1] if len(parts) > 1 else None
        with self._batch_lock:  # one state transition at a time per server
            return self._batch_action(rec, batch, action, path)

    def _batch_action(self, rec: RecordedRequest, batch: FakeBatch, action: str | None,
                      path: str) -> Reply:
        if rec.method == "GET" and action is None:
            if batch.status != "ended":
                if batch.polls_left <= 0 or batch.status == "canceling":
                    self._end_batch(batch)
                else:
                    batch.polls_left -= 1
            return _object(batch.to_json(self.base_url))
        if rec.method == "GET" and action == "results":
            if batch.status != "ended":
                return error(400, "invalid_request_error",
                             f"fakeapi: message batch {batch.id} has not ended")
            lines = "".join(json.dumps(r) + "\n" for r in batch.results)
            return Reply(raw=lines.encode(), kind="object", content_type="application/binary")
        if rec.method == "POST" and action == "cancel":
            if batch.status == "in_progress":
                batch.status = "canceling"
                batch.cancel_initiated_at = _iso(time.time())
            return _object(batch.to_json(self.base_url))
        if rec.method == "DELETE" and action is None:
            if batch.status != "ended":
                return error(400, "invalid_request_error",
                             f"fakeapi: message batch {batch.id} is still in progress; "
                             "cancel it first")
            with self._lock:
                self.batches.pop(batch.id, None)
            return _object({"id": batch.id, "type": "message_batch_deleted"})
        return error(404, "not_found_error", f"fakeapi: no route {rec.method} {rec.path}")

    def _batch_create(self, rec: RecordedRequest) -> Reply:
        body = rec.body
        reqs = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(reqs, list) or not reqs:
            return error(400, "invalid_request_error", "requests: expected a non-empty list")
        seen: set[str] = set()
        for i, r in enumerate(reqs):
            cid = r.get("custom_id") if isinstance(r, dict) else None
            if not isinstance(cid, str) or not _CUSTOM_ID.fullmatch(cid):
                return error(400, "invalid_request_error",
                             f"requests.{i}.custom_id: expected 1-64 characters of "
                             f"[a-zA-Z0-9_-], got {cid!r}")
            if cid in seen:
                return error(400, "invalid_request_error",
                             f"requests.{i}.custom_id: duplicate {cid!r}")
            seen.add(cid)
            if not isinstance(r.get("params"), dict):
                return error(400, "invalid_request_error", f"requests.{i}.params: expected "
                             "an object")
        now = time.time()
        with self._lock:
            bid = f"msgbatch_fake_{next(self._batch_ids):06d}"
            batch = FakeBatch(id=bid, requests=list(reqs), created_at=_iso(now),
                              expires_at=_iso(now + 86400), polls_left=self.batch_polls)
            self.batches[bid] = batch
        return _object(batch.to_json(self.base_url))

    def _end_batch(self, batch: FakeBatch) -> None:
        """Answer every request of the batch (or cancel them all) and mark it ended."""
        results = []
        for i, r in enumerate(batch.requests):
            cid, params = r["custom_id"], r["params"]
            if batch.status == "canceling":
                results.append({"custom_id": cid, "result": {"type": "canceled"}})
                continue
            reply = self._scripted(params, i)
            if reply.batch_result is not None:
                result: dict[str, Any] = {"type": reply.batch_result}
            elif reply.drop or reply.raw is not None:
                result = {"type": "errored", "error": {"type": "error", "error": {
                    "type": "api_error", "message": "fakeapi: internal server error"}}}
            elif reply.status != 200:
                err = (reply.body or {}).get("error") or {"type": "api_error", "message": ""}
                result = {"type": "errored", "error": {"type": "error", "error": err}}
            else:
                result = {"type": "succeeded",
                          "message": self._complete_message(reply, params, i)}
            results.append({"custom_id": cid, "result": result})
        batch.results = results
        batch.status = "ended"
        batch.ended_at = _iso(time.time())

    def _complete(self, reply: Reply, rec: RecordedRequest) -> dict[str, Any]:
        if reply.kind != "message":
            return dict(reply.body or {})
        return self._complete_message(reply, rec.body if isinstance(rec.body, dict) else {},
                                      rec.n)

    def _complete_message(self, reply: Reply, request: dict[str, Any], n: int
                          ) -> dict[str, Any]:
        body = dict(reply.body or {})
        if reply.status != 200 or body.get("type") == "error":
            return body
        body.setdefault("id", f"msg_fake_{n:06d}")
        body.setdefault("type", "message")
        body.setdefault("role", "assistant")
        body.setdefault("model", request.get("model", "claude-fake") if request else "claude")
        body.setdefault("stop_sequence", None)
        usage = dict(body.get("usage") or {})
        if "input_tokens" not in usage:
            inp, write, read = self._cache.usage(request or {})
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
    p.add_argument("--judge", action="store_true",
                   help="act as evalkit's LLM judge (record_claims answers, as the rules read)")
    p.add_argument("--stall", action="store_true",
                   help="answer nothing, ever (a hung API: evalkit records each sample as an "
                   "error 'no response from … within N s')")
    p.add_argument("--batch-polls", type=int, default=1,
                   help="retrieves a Message Batch answers in_progress before it ends")
    a = p.parse_args(argv)
    script: Script | None = (lambda body, n: stall()) if a.stall else None
    api = FakeAnthropic(
        FakeJudge() if a.judge else script, port=a.port, batch_polls=a.batch_polls,
        latency=a.latency, api_key=a.api_key, fail_rate=a.fail_rate,
        seed=a.seed, verbose=a.verbose,
    ).start()
    role = ("judge: record_claims as the rules read" if a.judge
            else "stalled: no request is ever answered" if a.stall
            else "demo agent: pytest -q, then a report")
    print(f"fakeapi: listening on {api.base_url} ({role})")
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
