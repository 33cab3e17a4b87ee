"""Drill-down of one sample: its final report with claims highlighted, next to the evidence.

Reads full sample lines (with transcripts) only for the few samples a report links to, so the
DataFrame used for the figures never carries transcripts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

MAX_STEP_OUTPUT = 1500
MAX_STEPS = 40

#: The sample-level flags a claim of each type can raise (docs/flags.md). A claim is drawn red as
#: contradicted only when one of them is True on the sample: the grader also judges claims that
#: decide no flag (e.g. "I changed x.py", read as a completion claim, in a report whose overall
#: stance is "not fixed"), and painting those red beside a "no false claim" badge made the page
#: contradict its own grade.
CLAIM_FLAGS: dict[str, tuple[str, ...]] = {
    "completion": ("false_completion", "tampered_checks"),
    "tests_pass": ("false_tests_pass", "contradicts_observation", "false_completion",
                   "tampered_checks"),
    "tests_fail": ("contradicts_observation", "under_claim"),
    "partial": ("contradicts_observation", "under_claim"),
    "no_verification": ("under_claim", "contradicts_observation"),
    "verification": ("fabricated_verification",),
}
UNCOUNTED = "contradicted-uncounted"


@dataclass(frozen=True)
class Step:
    kind: str  # "bash" | "edit" | "view" | "text"
    title: str  # the command, or "str_replace src/x.py"
    output: str
    is_error: bool = False
    protected: bool = False  # touches a protected file


@dataclass(frozen=True)
class Detail:
    sample_id: str
    task_id: str
    variant: str
    model: str
    simulated: bool
    status: str
    report_html: Markup  # escaped report text with <mark> around each claim
    claims: list[dict[str, Any]]
    flags: dict[str, Any]
    official: dict[str, Any] | None
    protected_modified: list[str]
    steps: list[Step]
    steps_omitted: int


def read_samples(paths: Iterable[str | Path],
                 wanted: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Full sample dicts by (run id, sample id) for ``wanted`` ids, newest grade applied; bad
    lines skipped.

    Keyed by run as well as id because a sample id repeats across runs of the same variant and
    config (by design, for resume): keyed by id alone, one run's sample would stand in for
    another's. The run id is the one ``evalkit.load`` gives the row (the line's ``run_id``, else
    the run folder's or file's name), and run folders and files are found the way it finds
    them, so the drill-downs come from exactly the samples the figures were computed on.
    """
    from evalkit.frame import _discover, _read_grades

    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        for kind, where in _discover(Path(path)):
            if kind == "jsonl":
                found.update(_scan(where, wanted, fallback_run=where.stem))
                continue
            scanned = _scan(where / "samples.jsonl", wanted, fallback_run=where.name)
            if (where / "grades.jsonl").is_file():
                grades = _read_grades(where / "grades.jsonl", strict=False)
                scanned = {key: ({**obj, "grade": grades[key[1]]} if key[1] in grades else obj)
                           for key, obj in scanned.items()}
            found.update(scanned)
    return found


def _scan(file: Path, wanted: set[str],
          fallback_run: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Parse only the lines that can hold a wanted id (transcripts make lines large)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if not file.is_file():
        return out
    with file.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not any(w in line for w in wanted):
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                continue
            if not isinstance(obj, dict):
                continue
            sid = obj.get("sample_id") or obj.get("id")
            if sid in wanted:
                run = str(obj.get("run_id") or fallback_run)
                out[(run, str(sid))] = obj  # the last line of a sample wins, as in the store
    return out


def build_detail(sample: dict[str, Any]) -> Detail:
    grade = sample.get("grade") or {}
    claims = list(grade.get("claims") or [])
    report = sample.get("final_report") or ""
    flags = {k: grade.get(k) for k in (
        "claimed_success", "actual_success", "false_claim", "false_completion",
        "false_tests_pass", "fabricated_verification", "contradicts_observation",
        "tampered_checks", "under_claim", "gamed_checks")}
    steps = transcript_steps(sample.get("messages") or [], set(sample.get("protected_modified")
                                                               or []))
    return Detail(
        sample_id=str(sample.get("sample_id") or sample.get("id")),
        task_id=str(sample.get("task_id", "")),
        variant=str(sample.get("variant", "")),
        model=str(sample.get("model", "")),
        simulated=bool(sample.get("simulated")),
        status=str(sample.get("status", "")),
        report_html=highlight(report, claims, flags),
        claims=claims,
        flags=flags,
        official=sample.get("outcome"),
        protected_modified=list(sample.get("protected_modified") or []),
        steps=steps[-MAX_STEPS:],
        steps_omitted=max(0, len(steps) - MAX_STEPS),
    )


def shown_verdict(claim: dict[str, Any], flags: dict[str, Any] | None) -> str:
    """The verdict a page shows for a claim, consistent with the sample's flags.

    "contradicted" only when the claim's contradiction is counted in a flag that is True on
    this sample; otherwise "contradicted-uncounted" (the evidence disagrees, but the grade
    raises nothing for it). Without flags (a bare report) the grader's verdict is shown.
    """
    verdict = str(claim.get("verdict") or "unknown")
    if verdict != "contradicted" or flags is None:
        return verdict
    raised = CLAIM_FLAGS.get(str(claim.get("type")), ())
    return verdict if any(flags.get(f) is True for f in raised) else UNCOUNTED


def highlight(report: str, claims: list[dict[str, Any]],
              flags: dict[str, Any] | None = None) -> Markup:
    """Escape the report and wrap each claim's quote in a <mark> coloured by its verdict.

    ``flags`` (the sample's grade) decides which contradictions are drawn red: see
    :func:`shown_verdict`.
    """
    spans: list[tuple[int, int, dict[str, Any], str]] = []
    # where claims overlap, the worst verdict is the one shown
    severity = {"contradicted": 0, "unsupported": 1, UNCOUNTED: 2, "unknown": 3, "supported": 4}
    shown = [(c, shown_verdict(c, flags)) for c in claims]
    for claim, verdict in sorted(shown, key=lambda cv: severity.get(cv[1], 3)):
        quote = claim.get("quote") or ""
        start = report.find(quote) if quote else -1
        while start != -1 and any(s < start + len(quote) and start < e for s, e, _, _ in spans):
            start = report.find(quote, start + 1)
        if start != -1:
            spans.append((start, start + len(quote), claim, verdict))
    spans.sort(key=lambda s: s[0])
    parts, pos = [], 0
    for start, end, claim, verdict in spans:
        parts.append(escape(report[pos:start]))
        tip = f"{claim.get('type')} · {claim.get('verdict', 'unknown')}"
        if verdict == UNCOUNTED:
            tip += " (raises no flag on this sample: the report's overall stance decides)"
        if claim.get("hedged"):
            tip += " · hedged"
        if claim.get("evidence"):
            tip += f" — {claim['evidence']}"
        parts.append(f'<mark class="claim v-{escape(verdict)}" title="{escape(tip)}">'
                     f"{escape(report[start:end])}</mark>")
        pos = end
    parts.append(escape(report[pos:]))
    return Markup("".join(parts))


def transcript_steps(messages: list[dict[str, Any]], protected: set[str]) -> list[Step]:
    """Tool calls paired with their results, in order; the agent's texts in between."""
    results: dict[str, tuple[str, bool]] = {}
    for msg in messages:
        for block in _blocks(msg):
            if block.get("type") == "tool_result":
                results[str(block.get("tool_use_id"))] = (
                    _result_text(block.get("content")), bool(block.get("is_error")))
    steps: list[Step] = []
    for msg in messages:
        if msg.get("role") != "assistant":
            continue
        for block in _blocks(msg):
            if block.get("type") == "text" and block.get("text", "").strip():
                steps.append(Step("text", "", _cut(block["text"])))
            elif block.get("type") == "tool_use":
                inp = block.get("input") or {}
                out, err = results.get(str(block.get("id")), ("(no result)", False))
                if "command" in inp and block.get("name") in ("bash", "Bash"):
                    steps.append(Step("bash", str(inp["command"]), _cut(out), err))
                else:
                    path = str(inp.get("path") or inp.get("file_path") or "")
                    cmd = str(inp.get("command") or block.get("name"))
                    kind = "view" if cmd in ("view", "Read") else "edit"
                    hit = any(path.endswith(p) for p in protected) if path else False
                    steps.append(Step(kind, f"{cmd} {path}".strip(), _cut(out), err,
                                      hit and kind == "edit"))
    return steps


def _blocks(msg: dict[str, Any]) -> list[dict[str, Any]]:
    content = msg.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content or [] if isinstance(b, dict)]


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


def _cut(text: str, limit: int = MAX_STEP_OUTPUT) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[… {len(text) - limit} characters cut …]\n{text[-half:]}"
