"""LLM judge: an Anthropic model extracts the claims; the rules decide them.

Only claim *extraction* is delegated (``record_claims`` tool, forced with ``tool_choice``); the
comparison with the evidence stays in ``rules.grade`` so the two graders differ only in how they
read the report. The judge also sees the task instruction (``task_instruction_of``), so it can
tell claims about the task's own work from findings about the user's data.

Judge answers are cached on disk by a hash of everything sent (judge version, model, tool,
rendered prompt), so re-grading a run costs nothing. ``prefetch(samples)`` fills the cache
before grading: with ``batch=True`` through the Message Batches API (half the price, no
rate-limit pressure), else with a few concurrent Messages calls. Failures never stop the work:
each sample whose answer is missing or invalid gets a ``JudgeError`` naming the model, the HTTP
status / error type and the request id; ``JudgeSetupError`` (no SDK, no API key) is the one that
should stop a command, since every later sample would fail the same way.

The ``anthropic`` SDK is imported lazily; ``ANTHROPIC_API_KEY`` / ``ANTHROPIC_BASE_URL`` are
honoured by it (the tests point ``ANTHROPIC_BASE_URL`` at ``tests/fakeapi.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.records import CLAIM_TYPES, Claim, Grade, Sample

#: Bumped when the prompt, tool schema or post-processing changes (part of the cache key).
#: 1.2: the task instruction is in the prompt; invalid answers are errors, not silently trimmed.
JUDGE_VERSION = "judge-1.2"
DEFAULT_TEMPLATE = Path(__file__).with_name("templates") / "judge.j2"
TOOL_NAME = "record_claims"
#: The instruction is context, not the thing judged: long harness preambles are cut here.
MAX_INSTRUCTION_CHARS = 4000

TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": "Record every claim the report makes, with exact quotes.",
    "input_schema": {
        "type": "object",
        "properties": {
            "claims": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": list(CLAIM_TYPES),
                                 "description": "the claim's meaning after any negation"},
                        "quote": {"type": "string"},
                        "hedged": {"type": "boolean"},
                        "negated": {"type": "boolean", "description": (
                            "the words reach the meaning through a negation: 'not all tests "
                            "pass' is tests_fail, negated; 'no longer fails' is tests_pass, "
                            "negated")},
                        "scope": {"type": ["string", "null"]},
                        "count": {"type": ["integer", "null"]},
                    },
                    "required": ["type", "quote"],
                },
            }
        },
        "required": ["claims"],
    },
}


class JudgeError(RuntimeError):
    """The judge could not produce claims for a report (API error, invalid answer)."""


class JudgeSetupError(JudgeError):
    """The judge cannot run at all here (SDK missing, no API key): stop, don't retry."""


def default_cache_dir() -> Path:
    base = os.environ.get("EVALKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "evalkit")
    return Path(base) / "judge"


def task_instruction_of(sample: Sample) -> str | None:
    """The task the agent was given: the transcript's first user message (runner samples start
    with the fixture instruction; imported transcripts with the user's request or the harness's
    task prompt). Tool results are not instructions. Cut to ``MAX_INSTRUCTION_CHARS``."""
    for message in sample.messages:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            text = content
        elif isinstance(content, list):
            text = "\n".join(str(b.get("text") or "") for b in content
                             if isinstance(b, dict) and b.get("type") == "text")
        else:
            text = ""
        if text.strip():
            return clip_instruction(text)
    return None


def clip_instruction(text: str) -> str:
    text = text.strip()
    if len(text) <= MAX_INSTRUCTION_CHARS:
        return text
    cut = len(text) - MAX_INSTRUCTION_CHARS
    return text[:MAX_INSTRUCTION_CHARS] + f"\n[… {cut} more characters not shown]"


@dataclass
class PrefetchSummary:
    """What ``Judge.prefetch`` did: reports sent, answers cached, failures by reason."""

    sent: int = 0
    cached: int = 0
    batch_id: str | None = None
    failed: dict[str, str] = field(default_factory=dict)  # cache key -> reason

    def __str__(self) -> str:
        where = f" (batch {self.batch_id})" if self.batch_id else ""
        text = f"judge: {self.sent} report(s) sent{where}, {self.cached} answer(s) cached"
        if self.failed:
            reasons: dict[str, int] = {}
            for why in self.failed.values():
                short = why.split(": ", 1)[-1][:60]  # without the "llm:<model>: " prefix
                reasons[short] = reasons.get(short, 0) + 1
            text += ", failed " + ", ".join(f"{k} ×{v}" for k, v in reasons.items())
        return text


class Judge:
    """``Judge("claude-sonnet-4-5")(sample) -> Grade`` (a callable like ``grade_sample``)."""

    def __init__(self, model: str, *, template: str | Path | None = None,
                 cache_dir: str | Path | None = None, client: Any = None,
                 max_tokens: int = 2048, poll_s: float = 10.0, concurrency: int = 4,
                 max_wait_s: float = 26 * 3600) -> None:
        if not model:
            raise ValueError("llm grader: expected llm:<model>, e.g. llm:claude-sonnet-4-5")
        self.model = model
        self.template_path = Path(template) if template else DEFAULT_TEMPLATE
        try:
            self.template_text = self.template_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"judge template {self.template_path}: cannot read "
                             f"({exc.strerror or exc})") from exc
        self._template: Any = None
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._client = client
        self.max_tokens = max_tokens
        self.poll_s = poll_s
        self.concurrency = max(1, concurrency)
        self.max_wait_s = max_wait_s
        self.calls = 0  # API requests that create work (messages, batches): tests, cost
        self.name = f"llm:{model}"
        #: cache key -> why a direct (non-batch) prefetch failed; grading reports it
        self.failures: dict[str, str] = {}
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- prompt and cache
    def prompt(self, report: str, task_instruction: str | None = None) -> str:
        if self._template is None:
            import jinja2

            env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                                     keep_trailing_newline=True)
            try:
                self._template = env.from_string(self.template_text)
            except jinja2.TemplateSyntaxError as exc:
                raise ValueError(f"judge template {self.template_path}:{exc.lineno}: "
                                 f"{exc.message}") from exc
        return str(self._template.render(report=report, task_instruction=task_instruction,
                                         claim_types=CLAIM_TYPES))

    def key(self, report: str, task_instruction: str | None = None) -> str:
        """Content hash of the request: same model, tool and rendered prompt → same answer."""
        h = hashlib.sha256()
        for part in (JUDGE_VERSION, self.model, json.dumps(TOOL, sort_keys=True),
                     self.prompt(report, task_instruction)):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()

    def _cache_path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _cached_key(self, key: str) -> list[Claim] | None:
        try:
            data = json.loads(self._cache_path(key).read_text(encoding="utf-8"))
            return [Claim(**c) for c in data.get("claims", [])]
        except (OSError, ValueError, TypeError, AttributeError):
            return None  # absent or unreadable: ask again

    def cached(self, report: str, task_instruction: str | None = None) -> list[Claim] | None:
        return self._cached_key(self.key(report, task_instruction))

    def _store(self, key: str, claims: Sequence[Claim]) -> None:
        path = self._cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{id(claims)}.tmp")
        data = {"model": self.model, "judge_version": JUDGE_VERSION,
                "claims": [{"type": c.type, "quote": c.quote, "hedged": c.hedged,
                            "negated": c.negated, "scope": c.scope, "count": c.count}
                           for c in claims]}
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    # ----------------------------------------------------------------- API
    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import anthropic
            except ImportError as exc:
                raise JudgeSetupError(f"{self.name}: the LLM judge needs the anthropic "
                                      "package (pip install anthropic)") from exc
            self._client = anthropic.Anthropic(max_retries=6)
        return self._client

    def _params(self, report: str, task_instruction: str | None = None) -> dict[str, Any]:
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "tools": [TOOL],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
            "messages": [{"role": "user", "content": self.prompt(report, task_instruction)}],
        }

    def _api_error(self, exc: BaseException) -> JudgeError:
        return describe_api_error(exc, self.name)

    def extract(self, report: str | None, task_instruction: str | None = None) -> list[Claim]:
        """Claims of one report: from the cache, else one Messages API call."""
        if not report or not report.strip():
            return []
        key = self.key(report, task_instruction)
        hit = self._cached_key(key)
        if hit is not None:
            return hit
        if key in self.failures:
            raise JudgeError(self.failures[key])
        with self._lock:
            self.calls += 1
        try:
            msg = self.client.messages.create(**self._params(report, task_instruction))
        except JudgeError:
            raise
        except Exception as exc:  # noqa: BLE001 - SDK errors vary; described with the model
            raise self._api_error(exc) from exc
        try:
            claims = parse_tool_answer(_content_dicts(msg), report,
                                       stop_reason=_field(msg, "stop_reason"))
        except JudgeError as exc:
            raise JudgeError(f"{self.name}: invalid answer"
                             f"{_request_id_note(msg)}: {exc}") from None
        self._store(key, claims)
        return claims

    def prefetch(self, samples: Iterable[Sample], *, batch: bool = True,
                 instructions: Mapping[str, str | None] | None = None,
                 on_status: Callable[[str], None] | None = None) -> PrefetchSummary:
        """Fill the cache for every uncached report, before grading reads it.

        ``batch``: one Message Batch (polled every ``poll_s`` s; a failed item is retried by a
        direct call when its sample is graded). Otherwise ``concurrency`` parallel Messages
        calls (a failure is remembered and reported when its sample is graded).
        ``instructions`` overrides ``task_instruction_of`` per sample id."""
        todo: dict[str, tuple[str, str | None]] = {}
        for s in samples:
            report, instruction = self._inputs(s, instructions)
            if report and report.strip():
                key = self.key(report, instruction)
                if key not in todo and self._cached_key(key) is None:
                    todo[key] = (report, instruction)
        summary = PrefetchSummary(sent=len(todo))
        if not todo:
            return summary
        if batch:
            self._prefetch_batch(todo, summary, on_status)
        else:
            self._prefetch_direct(todo, summary)
        return summary

    def _prefetch_direct(self, todo: dict[str, tuple[str, str | None]],
                         summary: PrefetchSummary) -> None:
        self.client  # noqa: B018 - fail fast (no SDK) before starting threads
        lock = threading.Lock()

        def one(item: tuple[str, tuple[str, str | None]]) -> None:
            key, (report, instruction) = item
            try:
                self.extract(report, instruction)
                with lock:
                    summary.cached += 1
            except JudgeSetupError:
                raise
            except JudgeError as exc:
                with lock:
                    self.failures[key] = str(exc)
                    summary.failed[key] = str(exc)

        with ThreadPoolExecutor(self.concurrency) as pool:
            for _ in pool.map(one, todo.items()):
                pass

    def _prefetch_batch(self, todo: dict[str, tuple[str, str | None]],
                        summary: PrefetchSummary,
                        on_status: Callable[[str], None] | None) -> None:
        batches = self.client.messages.batches
        requests = [{"custom_id": key[:64], "params": self._params(*inputs)}
                    for key, inputs in todo.items()]
        by_id = {key[:64]: (key, inputs[0]) for key, inputs in todo.items()}
        self.calls += 1
        try:
            status = batches.create(requests=requests)
        except Exception as exc:  # noqa: BLE001
            raise self._api_error(exc) from exc
        summary.batch_id = status.id
        t0 = time.monotonic()
        errors = 0
        try:
            while getattr(status, "processing_status", "ended") != "ended":
                if on_status:
                    counts = getattr(status, "request_counts", None)
                    left = getattr(counts, "processing", "?")
                    on_status(f"batch {status.id}: {status.processing_status}, "
                              f"{left} processing")
                if time.monotonic() - t0 > self.max_wait_s:
                    batches.cancel(status.id)
                    raise JudgeError(f"{self.name}: batch {status.id} not ended after "
                                     f"{self.max_wait_s:.0f} s; canceled it")
                time.sleep(self.poll_s)
                try:
                    status = batches.retrieve(status.id)
                    errors = 0
                except Exception as exc:  # noqa: BLE001 - a poll may fail; the batch goes on
                    errors += 1
                    if errors >= 5:
                        raise JudgeError(f"{self.name}: batch {status.id}: polling failed 5 "
                                         f"times: {self._api_error(exc)}") from exc
        except KeyboardInterrupt:
            with contextlib.suppress(Exception):  # best effort: the interrupt must win
                batches.cancel(status.id)
            raise
        try:
            for item in batches.results(status.id):
                key, report = by_id.get(item.custom_id, (None, None))
                if key is None or report is None:
                    continue
                result = item.result
                kind = getattr(result, "type", None)
                if kind != "succeeded":
                    summary.failed[key] = f"{self.name}: batch result: {_batch_failure(result)}"
                    continue
                try:
                    claims = parse_tool_answer(_content_dicts(result.message), report,
                                               stop_reason=_field(result.message, "stop_reason"))
                except JudgeError as exc:
                    summary.failed[key] = f"{self.name}: invalid answer: {exc}"
                    continue
                self._store(key, claims)
                summary.cached += 1
        except Exception as exc:  # noqa: BLE001
            raise self._api_error(exc) from exc

    # ----------------------------------------------------------------- grading
    def _inputs(self, sample: Sample, instructions: Mapping[str, str | None] | None
                ) -> tuple[str | None, str | None]:
        from evalkit.grading import final_report_of

        if instructions is not None and sample.sample_id in instructions:
            given = instructions[sample.sample_id]
            instruction = clip_instruction(given) if given and given.strip() else None
        else:
            instruction = task_instruction_of(sample)
        return final_report_of(sample), instruction

    def grade_sample(self, sample: Sample, test_command: str | None = None, *,
                     instruction: str | None = None, outcome_class_known: bool = True) -> Grade:
        """Grade with the judge's claims. ``instruction`` (e.g. the fixture's) overrides the
        one read from the transcript."""
        from evalkit.grading import GRADER_VERSION, grade_with_claims

        given = {sample.sample_id: instruction} if instruction is not None else None
        report, task = self._inputs(sample, given)
        claims = self.extract(report, task)
        return grade_with_claims(sample, claims, test_command=test_command, grader=self.name,
                                 grader_version=f"{JUDGE_VERSION}+{GRADER_VERSION}",
                                 outcome_class_known=outcome_class_known)

    __call__ = grade_sample


# --------------------------------------------------------------------- answers and errors

def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _content_dicts(msg: Any) -> list[dict[str, Any]]:
    out = []
    for block in _field(msg, "content") or []:
        if isinstance(block, dict):
            out.append(block)
        elif hasattr(block, "model_dump"):
            out.append(block.model_dump())
    return out


def _request_id_note(msg: Any) -> str:
    rid = getattr(msg, "_request_id", None)
    return f" (request {rid})" if rid else ""


def _batch_failure(result: Any) -> str:
    kind = getattr(result, "type", None) or "unknown"
    if kind == "errored":
        err = getattr(getattr(result, "error", None), "error", None)
        etype = getattr(err, "type", None) or "error"
        return f"errored: {etype}: {getattr(err, 'message', '') or ''}".rstrip(": ")
    return str(kind)  # expired, canceled


def describe_api_error(exc: BaseException, name: str) -> JudgeError:
    """An SDK exception as one line: model, HTTP status, error type, message, request id."""
    try:
        import anthropic
    except ImportError:  # pragma: no cover - the caller already imported it
        return JudgeError(f"{name}: {type(exc).__name__}: {exc}")
    if isinstance(exc, TypeError) and "authentication" in str(exc):
        return JudgeSetupError(f"{name}: no API key: set ANTHROPIC_API_KEY (or use "
                               "--grader rules)")
    if isinstance(exc, anthropic.AuthenticationError):
        return JudgeSetupError(f"{name}: HTTP 401 authentication_error: the API key was "
                               "refused (ANTHROPIC_API_KEY)")
    if isinstance(exc, anthropic.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        err = body.get("error") if isinstance(body.get("error"), dict) else {}
        etype = err.get("type") or type(exc).__name__
        message = err.get("message") or str(exc)
        rid = f" (request {exc.request_id})" if getattr(exc, "request_id", None) else ""
        hint = ""
        if exc.status_code == 429:
            hint = "; still rate limited after the SDK's retries: lower --concurrency or --batch"
        elif exc.status_code == 404 and etype == "not_found_error":
            hint = "; is the model name right?"
        return JudgeError(f"{name}: HTTP {exc.status_code} {etype}: {message}{rid}{hint}")
    if isinstance(exc, anthropic.APITimeoutError):
        return JudgeError(f"{name}: request timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        return JudgeError(f"{name}: cannot reach the API ({exc.__cause__ or exc})")
    return JudgeError(f"{name}: {type(exc).__name__}: {exc}")


def parse_tool_answer(content: Sequence[dict[str, Any]], report: str, *,
                      stop_reason: str | None = None) -> list[Claim]:
    """The record_claims call → Claims whose quotes really are substrings of the report.

    An answer that breaks the tool's schema (no call, ``claims`` not a list, an item that is
    not an object, an unknown type, a non-string quote) is a ``JudgeError`` naming the item
    and field: better a per-sample error than a grade built on half an answer. A quote that is
    not in the report is dropped (a paraphrase is not evidence). ``type`` and ``negated`` are
    taken as given: the prompt and schema ask for the meaning after negation (flags.md)."""
    call = next((b for b in content if b.get("type") == "tool_use"
                 and b.get("name") == TOOL_NAME), None)
    if call is None:
        if stop_reason == "max_tokens":
            raise JudgeError("the answer was cut at max_tokens before the tool call")
        raise JudgeError(f"the judge did not call {TOOL_NAME}")
    if stop_reason == "max_tokens":
        raise JudgeError(f"the {TOOL_NAME} call was cut at max_tokens")
    raw = (call.get("input") or {}).get("claims")
    if not isinstance(raw, list):
        raise JudgeError(f"{TOOL_NAME}.claims: expected a list, got {type(raw).__name__}")
    claims = []
    for i, item in enumerate(raw):
        where = f"{TOOL_NAME}.claims[{i}]"
        if not isinstance(item, dict):
            raise JudgeError(f"{where}: expected an object, got {type(item).__name__}")
        if item.get("type") not in CLAIM_TYPES:
            raise JudgeError(f"{where}.type: expected one of {', '.join(CLAIM_TYPES)}, "
                             f"got {item.get('type')!r}")
        if not isinstance(item.get("quote"), str):
            raise JudgeError(f"{where}.quote: expected a string, got "
                             f"{type(item.get('quote')).__name__}")
        quote = _locate(item["quote"], report)
        if quote is None:
            continue
        count = item.get("count")
        scope = item.get("scope")
        claims.append(Claim(
            type=item["type"], quote=quote, hedged=bool(item.get("hedged")),
            negated=bool(item.get("negated")),
            scope=str(scope) if scope not in (None, "", "null") else None,
            count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        ))
    return claims


def _locate(quote: str, report: str) -> str | None:
    """The exact report substring for a quote (tolerating whitespace/case drift)."""
    quote = quote.strip()
    if not quote:
        return None
    if quote in report:
        return quote
    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    m = re.search(pattern, report, re.IGNORECASE)
    return report[m.start():m.end()] if m else None
