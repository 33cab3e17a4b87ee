"""LLM judge: an Anthropic model extracts the claims; the rules decide them.

Only claim *extraction* is delegated (``record_claims`` tool, forced with ``tool_choice``); the
comparison with the evidence stays in ``rules.grade`` so the two graders differ only in how they
read the report. Judge answers are cached on disk by a content hash (model, prompt template,
report), so re-grading a run costs nothing. ``prefetch(samples, batch=True)`` sends the uncached
reports through the Message Batches API (half the price, no rate-limit pressure) and fills the
cache; grading then reads from it.

The ``anthropic`` SDK is imported lazily. ``ANTHROPIC_API_KEY`` / ``ANTHROPIC_BASE_URL`` are
honoured by the SDK.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from evalkit.records import CLAIM_TYPES, Claim, Grade, Sample

#: Bumped when the prompt, tool schema or post-processing changes (part of the cache key).
JUDGE_VERSION = "judge-1.1"
DEFAULT_TEMPLATE = Path(__file__).with_name("templates") / "judge.j2"
TOOL_NAME = "record_claims"

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
    """The judge could not produce claims for a report (API error, malformed answer)."""


def default_cache_dir() -> Path:
    base = os.environ.get("EVALKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "evalkit")
    return Path(base) / "judge"


class Judge:
    """``Judge("claude-sonnet-4-5")(sample) -> Grade`` (a callable like ``grade_sample``)."""

    def __init__(self, model: str, *, template: str | Path | None = None,
                 cache_dir: str | Path | None = None, client: Any = None,
                 max_tokens: int = 2048, poll_s: float = 10.0) -> None:
        if not model:
            raise ValueError("llm grader: expected llm:<model>, e.g. llm:claude-sonnet-4-5")
        self.model = model
        self.template_path = Path(template) if template else DEFAULT_TEMPLATE
        try:
            self.template_text = self.template_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"judge template {self.template_path}: cannot read "
                             f"({exc.strerror or exc})") from exc
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._client = client
        self.max_tokens = max_tokens
        self.poll_s = poll_s
        self.calls = 0  # API requests made (tests and cost reports)
        self.name = f"llm:{model}"

    # ----------------------------------------------------------------- prompt and cache
    def prompt(self, report: str, task_instruction: str | None = None) -> str:
        import jinja2

        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                                 keep_trailing_newline=True)
        return env.from_string(self.template_text).render(
            report=report, task_instruction=task_instruction, claim_types=CLAIM_TYPES)

    def key(self, report: str) -> str:
        h = hashlib.sha256()
        for part in (JUDGE_VERSION, self.model, self.template_text, report):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()

    def _cache_path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def cached(self, report: str) -> list[Claim] | None:
        path = self._cache_path(self.key(report))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return [Claim(**c) for c in data.get("claims", [])]

    def _store(self, report: str, claims: Sequence[Claim]) -> None:
        path = self._cache_path(self.key(report))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
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
            import anthropic

            self._client = anthropic.Anthropic(max_retries=6)
        return self._client

    def _params(self, report: str) -> dict[str, Any]:
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "tools": [TOOL],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
            "messages": [{"role": "user", "content": self.prompt(report)}],
        }

    def extract(self, report: str | None) -> list[Claim]:
        """Claims of one report: from the cache, else one Messages API call."""
        if not report or not report.strip():
            return []
        hit = self.cached(report)
        if hit is not None:
            return hit
        self.calls += 1
        try:
            msg = self.client.messages.create(**self._params(report))
        except Exception as exc:  # noqa: BLE001 - SDK errors vary; name the model
            raise JudgeError(f"llm:{self.model}: {type(exc).__name__}: {exc}") from exc
        claims = parse_tool_answer(_content_dicts(msg), report)
        self._store(report, claims)
        return claims

    def prefetch(self, samples: Iterable[Sample], *, batch: bool = True) -> int:
        """Fill the cache for every uncached report; with ``batch`` via the Batches API.
        Returns the number of reports sent."""
        from evalkit.grading import final_report_of

        todo: dict[str, str] = {}
        for s in samples:
            report = final_report_of(s)
            if report and report.strip() and self.cached(report) is None:
                todo.setdefault(self.key(report), report)
        if not todo:
            return 0
        if not batch:
            for report in todo.values():
                self.extract(report)
            return len(todo)
        batches = self.client.messages.batches
        requests = [{"custom_id": key[:64], "params": self._params(report)}
                    for key, report in todo.items()]
        by_id = {key[:64]: report for key, report in todo.items()}
        self.calls += 1
        created = batches.create(requests=requests)
        status = created
        while getattr(status, "processing_status", "ended") != "ended":
            time.sleep(self.poll_s)
            status = batches.retrieve(created.id)
        for item in batches.results(created.id):
            report = by_id.get(item.custom_id)
            result = item.result
            if report is None or getattr(result, "type", None) != "succeeded":
                continue  # errored/expired ones fall back to a direct call when graded
            self._store(report, parse_tool_answer(_content_dicts(result.message), report))
        return len(todo)

    # ----------------------------------------------------------------- grading
    def grade_sample(self, sample: Sample, test_command: str | None = None) -> Grade:
        from evalkit.grading import final_report_of, grade_with_claims

        claims = self.extract(final_report_of(sample))
        return grade_with_claims(sample, claims, test_command=test_command, grader=self.name,
                                 grader_version=JUDGE_VERSION)

    __call__ = grade_sample


def _content_dicts(msg: Any) -> list[dict[str, Any]]:
    content = msg.get("content") if isinstance(msg, dict) else getattr(msg, "content", None)
    out = []
    for block in content or []:
        if isinstance(block, dict):
            out.append(block)
        elif hasattr(block, "model_dump"):
            out.append(block.model_dump())
    return out


def parse_tool_answer(content: Sequence[dict[str, Any]], report: str) -> list[Claim]:
    """The record_claims call → Claims whose quotes really are substrings of the report.

    ``type`` and ``negated`` are taken as given: the prompt and the tool schema ask for the
    meaning after negation (flags.md, Negation), which is what the rules read; ``negated`` is a
    record of the wording and never flips the type."""
    call = next((b for b in content if b.get("type") == "tool_use"
                 and b.get("name") == TOOL_NAME), None)
    if call is None:
        raise JudgeError(f"the judge did not call {TOOL_NAME}")
    raw = (call.get("input") or {}).get("claims")
    if not isinstance(raw, list):
        raise JudgeError(f"{TOOL_NAME}: expected a list under 'claims'")
    claims = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in CLAIM_TYPES:
            continue
        quote = _locate(str(item.get("quote") or ""), report)
        if quote is None:
            continue  # a paraphrase is not a quote: drop it rather than invent evidence
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
