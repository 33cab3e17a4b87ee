"""Transcripts from elsewhere → ``records.Sample``: JSONL import format, Claude Code, Inspect.

Import format (one JSON object per line; only ``id`` and ``messages`` are required)::

    {"id": "…", "model": "…", "task_id": "…", "outcome_class": "solvable",
     "messages": [Anthropic-shaped messages],
     "final_report": "… (default: the last assistant text)",
     "outcome": {"passed": false, "tests_passed": 10, "tests_failed": 2, "failing_tests": [...]},
     "protected_files_modified": ["tests/test_x.py"], "diff": "unified diff (optional)"}

Mapping to ``Sample``: run_id ``"import"``, suite ``"imported"``, model from the line or
``"unknown"``, status ``"ok"``, task_id from the line or the id. ``outcome_class`` from the line;
when absent it is set to ``"solvable"`` (the class that assumes nothing: ground truth is the
official outcome alone) and ``ImportedRecord.outcome_class_known`` is False, so graded output
leaves it out. Protected files: ``protected_files_modified`` when given (authoritative); else,
with a transcript, inferred from edit tool calls (editor, Edit/Write/MultiEdit, sed -i, rm …)
touching test-looking paths that existed before (files the agent created are not checks); with
no transcript, unknown (``PROTECTED_UNKNOWN``).

A malformed line becomes a ``TranscriptError`` (``file:line: what was expected``) and the rest
of the file is still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evalkit.grading.evidence import PROTECTED_UNKNOWN
from evalkit.grading.provenance import infer_protected
from evalkit.records import OUTCOME_CLASSES, Outcome, Sample, TestCounts

FORMATS = ("jsonl", "claude-code", "inspect")


@dataclass(frozen=True)
class TranscriptError:
    """A line or file that could not be read; the rest of the input is still graded."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportedRecord:
    sample: Sample
    source: str  # "file:line" (or file) it came from
    outcome_class_known: bool = False
    protected_inferred: bool = False  # no protected_files_modified: inferred from the transcript


class ImportFormatError(ValueError):
    """The requested format cannot be read at all (e.g. inspect-ai missing)."""


def read_transcripts(
    path: str | Path, format: str = "jsonl", *, infer_protected: bool = True
) -> Iterator[Sample | TranscriptError]:
    """Samples (or errors for malformed lines) from a transcript file in ``format``."""
    for rec in iter_records(path, format, infer_protected=infer_protected):
        yield rec.sample if isinstance(rec, ImportedRecord) else rec


def iter_records(
    path: str | Path, format: str = "jsonl", *, infer_protected: bool = True
) -> Iterator[ImportedRecord | TranscriptError]:
    """Like ``read_transcripts`` but keeps where each sample came from."""
    if format == "jsonl":
        recs = _read_jsonl(Path(path))
    elif format == "claude-code":
        recs = _read_claude_code(Path(path))
    elif format == "inspect":
        recs = _read_inspect(Path(path))
    else:
        raise ImportFormatError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    for rec in recs:
        if not infer_protected and isinstance(rec, ImportedRecord) and rec.protected_inferred:
            s = rec.sample
            rec = ImportedRecord(replace(s, protected_modified=(PROTECTED_UNKNOWN,)), rec.source,
                                 rec.outcome_class_known)
        yield rec


# ------------------------------------------------------------------------- import format

class _LineError(ValueError):
    pass


def _check_messages(messages: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(messages, list):
        raise _LineError("field 'messages': expected a list of {role, content} objects")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant", "system"):
            raise _LineError(f"field 'messages[{i}]': expected an object with role "
                             "'user' or 'assistant' and content")
        content = m.get("content")
        if not isinstance(content, str | list):
            raise _LineError(f"field 'messages[{i}].content': expected a string or a list of "
                             "content blocks")
    return tuple(m for m in messages if m.get("role") != "system")


def _outcome(raw: Any) -> Outcome | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("passed"), bool):
        raise _LineError("field 'outcome': expected an object with a boolean 'passed'")
    counts = None
    tp, tf = raw.get("tests_passed"), raw.get("tests_failed")
    te, ts = raw.get("tests_errors", 0), raw.get("tests_skipped", 0)
    for name, v in (("tests_passed", tp), ("tests_failed", tf)):
        if v is not None and not isinstance(v, int):
            raise _LineError(f"field 'outcome.{name}': expected an integer")
    if tp is not None or tf is not None:
        counts = TestCounts(passed=tp or 0, failed=tf or 0, errors=te or 0, skipped=ts or 0,
                            source="summary")
    failing = raw.get("failing_tests") or []
    if not isinstance(failing, list) or not all(isinstance(t, str) for t in failing):
        raise _LineError("field 'outcome.failing_tests': expected a list of test ids")
    exit_code = raw.get("exit_code")
    return Outcome(passed=raw["passed"], exit_code=exit_code if isinstance(exit_code, int) else
                   (0 if raw["passed"] else 1), counts=counts, failing_tests=tuple(failing))


def sample_from_dict(obj: Any, *, source: str = "<dict>", infer_protected: bool = True) -> Sample:
    """One import-format object → Sample (raises ValueError naming the bad field).

    ``infer_protected=False``: a line without ``protected_files_modified`` leaves the protected
    state unknown even when the transcript shows edits to test files.
    """
    return _record_from_dict(obj, source, infer_protected).sample


def _record_from_dict(obj: Any, source: str, infer: bool = True) -> ImportedRecord:
    if not isinstance(obj, dict):
        raise _LineError(f"expected a JSON object, got {type(obj).__name__}")
    if "id" not in obj or not isinstance(obj["id"], str | int) or obj["id"] == "":
        raise _LineError("field 'id': expected a non-empty string")
    if "messages" not in obj:
        raise _LineError("field 'messages': required (a list of Anthropic-shaped messages)")
    messages = _check_messages(obj["messages"])
    final_report = obj.get("final_report")
    if final_report is not None and not isinstance(final_report, str):
        raise _LineError("field 'final_report': expected a string")
    oc = obj.get("outcome_class")
    if oc is not None and oc not in OUTCOME_CLASSES:
        raise _LineError(f"field 'outcome_class': expected one of {', '.join(OUTCOME_CLASSES)}")
    if "protected_files_modified" in obj and obj["protected_files_modified"] is not None:
        prot = obj["protected_files_modified"]
        if not isinstance(prot, list) or not all(isinstance(p, str) for p in prot):
            raise _LineError("field 'protected_files_modified': expected a list of paths")
        protected = tuple(prot)
    elif infer:
        protected = infer_protected(messages)
    else:
        protected = (PROTECTED_UNKNOWN,)
    diff = obj.get("diff") or ""
    if not isinstance(diff, str):
        raise _LineError("field 'diff': expected a unified diff as a string")
    model = obj.get("model") or "unknown"
    sid = str(obj["id"])
    sample = Sample(
        sample_id=sid,
        run_id=str(obj.get("run_id") or "import"),
        task_id=str(obj.get("task_id") or sid),
        suite=str(obj.get("suite") or "imported"),
        outcome_class=oc or "solvable",
        variant=str(obj.get("variant") or model),
        model=str(model),
        epoch=int(obj["epoch"]) if isinstance(obj.get("epoch"), int) else 0,
        status="ok",
        impossible_reason=obj.get("impossible_reason"),
        final_report=final_report,
        messages=messages,
        system_prompt=str(obj.get("system_prompt") or ""),
        outcome=_outcome(obj.get("outcome")),
        diff=diff,
        protected_modified=protected,
    )
    return ImportedRecord(sample, source, oc is not None,
                          protected_inferred="protected_files_modified" not in obj
                          or obj["protected_files_modified"] is None)


def _read_jsonl(path: Path) -> Iterator[ImportedRecord | TranscriptError]:
    try:
        fh = path.open("r", encoding="utf-8", errors="replace")
    except OSError as exc:
        yield TranscriptError(str(path), None, f"cannot open: {exc.strerror or exc}")
        return
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield TranscriptError(str(path), lineno, f"not valid JSON ({exc.msg} at column "
                                      f"{exc.colno}); expected one transcript object per line")
                continue
            try:
                yield _record_from_dict(obj, f"{path}:{lineno}")
            except (_LineError, ValueError, TypeError) as exc:
                yield TranscriptError(str(path), lineno, str(exc))


# ------------------------------------------------------------------------- Claude Code

def _claude_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.jsonl") if p.is_file())
    return [path]


def _read_claude_code(path: Path) -> Iterator[ImportedRecord | TranscriptError]:
    """Claude Code session logs (``~/.claude/projects/*/*.jsonl``) and ``claude -p
    --output-format stream-json`` (or ``json``) output. One transcript per session."""
    files = _claude_files(path)
    if not files:
        yield TranscriptError(str(path), None, "no .jsonl files found")
    for f in files:
        yield from _read_claude_file(f)


def _claude_events(f: Path) -> Iterator[tuple[int, Any] | TranscriptError]:
    try:
        text = f.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        yield TranscriptError(str(f), None, f"cannot open: {exc.strerror or exc}")
        return
    stripped = text.lstrip()
    # --output-format json: an array of events (newer CLIs) or one result object (older)
    if stripped.startswith("[") or (stripped.startswith("{") and "\n" not in stripped.strip()):
        try:
            events = json.loads(stripped)
        except json.JSONDecodeError:
            events = None
        if isinstance(events, dict):  # --output-format json, older CLIs: a single result
            events = [events]
        if isinstance(events, list):
            yield from enumerate(events, 1)
            return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield (lineno, json.loads(line))
        except json.JSONDecodeError as exc:
            yield TranscriptError(str(f), lineno, f"not valid JSON ({exc.msg}); expected one "
                                  "Claude Code event per line")


def _read_claude_file(f: Path) -> Iterator[ImportedRecord | TranscriptError]:
    state = _CCState(f)
    for item in _claude_events(f):
        if isinstance(item, TranscriptError):
            yield item
            continue
        lineno, ev = item
        if not isinstance(ev, dict):
            yield TranscriptError(str(f), lineno, "expected a JSON object with a 'type'")
            continue
        etype = ev.get("type")
        if etype == "system" and ev.get("subtype") == "init":
            if state.messages:
                yield from state.flush()
            state.session = ev.get("session_id") or state.session
            state.model = ev.get("model") or state.model
            continue
        if etype == "result":
            if isinstance(ev.get("result"), str) and ev["result"].strip():
                state.final_report = ev["result"]
            state.session = ev.get("session_id") or state.session
            state.is_error = bool(ev.get("is_error"))
            continue
        if etype not in ("user", "assistant"):
            continue  # summary, file-history-snapshot, queue-operation, system events
        if ev.get("isSidechain"):
            continue  # sub-agent turns are not the main agent's transcript
        msg = ev.get("message")
        if not isinstance(msg, dict):
            yield TranscriptError(str(f), lineno, "field 'message': expected an object with "
                                  "role and content")
            continue
        state.session = ev.get("sessionId") or ev.get("session_id") or state.session
        if etype == "assistant" and msg.get("model") and msg.get("model") != "<synthetic>":
            state.model = msg["model"]
        content = msg.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if not isinstance(content, list):
            yield TranscriptError(str(f), lineno, "field 'message.content': expected a string or "
                                  "a list of content blocks")
            continue
        blocks = [_cc_block(b) for b in content if isinstance(b, dict)]
        blocks = [b for b in blocks if b is not None]
        role = "assistant" if etype == "assistant" else "user"
        mid = msg.get("id") if role == "assistant" else None
        if state.messages and state.messages[-1]["role"] == role and (
                role == "user" or (mid and state.last_id == mid)):
            state.messages[-1]["content"].extend(blocks)  # streamed pieces of one message
        else:
            state.messages.append({"role": role, "content": blocks})
        state.last_id = mid
    if state.messages or state.final_report:
        yield from state.flush()


def _cc_block(b: dict[str, Any]) -> dict[str, Any] | None:
    t = b.get("type")
    if t == "text":
        return {"type": "text", "text": str(b.get("text") or "")}
    if t == "tool_use":
        return {"type": "tool_use", "id": b.get("id"), "name": b.get("name"),
                "input": b.get("input") or {}}
    if t == "tool_result":
        out = {"type": "tool_result", "tool_use_id": b.get("tool_use_id"),
               "content": b.get("content") if b.get("content") is not None else ""}
        if b.get("is_error") is not None:
            out["is_error"] = b["is_error"]
        return out
    return None  # thinking, images: not evidence


class _CCState:
    def __init__(self, f: Path) -> None:
        self.f = f
        self.count = 0
        self._reset()

    def _reset(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.session: str | None = None
        self.model: str | None = None
        self.final_report: str | None = None
        self.is_error = False
        self.last_id: str | None = None

    def flush(self) -> Iterator[ImportedRecord]:
        self.count += 1
        sid = self.session or (self.f.stem if self.count == 1 else f"{self.f.stem}-{self.count}")
        obj = {"id": sid, "model": self.model or "unknown", "task_id": sid,
               "messages": [m for m in self.messages if m["content"]]}
        if self.final_report is not None:
            obj["final_report"] = self.final_report
        yield _record_from_dict(obj, str(self.f))
        self._reset()


# ------------------------------------------------------------------------- Inspect

def _read_inspect(path: Path) -> Iterator[ImportedRecord | TranscriptError]:
    try:
        from inspect_ai.log import read_eval_log  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ImportFormatError(
            "--format inspect needs the optional inspect-ai package: pip install inspect-ai "
            "(or pip install 'evalkit[inspect]')"
        ) from exc
    files = sorted(p for p in path.rglob("*") if p.suffix in (".eval", ".json")) \
        if path.is_dir() else [path]
    for f in files:
        try:
            log = read_eval_log(str(f))
        except Exception as exc:  # noqa: BLE001 - any reader failure names the file
            yield TranscriptError(str(f), None, f"not an Inspect log ({exc})")
            continue
        model = getattr(log.eval, "model", None) or "unknown"
        task = getattr(log.eval, "task", None) or f.stem
        for s in log.samples or []:
            sid = f"{task}:{s.id}:{getattr(s, 'epoch', 1)}"
            try:
                messages = _inspect_messages(s.messages)
                meta = dict(getattr(s, "metadata", None) or {})
                obj: dict[str, Any] = {"id": sid, "model": model, "task_id": str(s.id),
                                       "messages": messages}
                for key in ("outcome", "outcome_class", "protected_files_modified", "diff",
                            "final_report"):
                    if key in meta:
                        obj[key] = meta[key]
                yield _record_from_dict(obj, f"{f}#{s.id}")
            except (_LineError, ValueError, TypeError, AttributeError) as exc:
                yield TranscriptError(str(f), None, f"sample {s.id}: {exc}")


def _inspect_messages(chat: Any) -> list[dict[str, Any]]:
    """Inspect ChatMessage objects → Anthropic-shaped messages."""
    out: list[dict[str, Any]] = []
    for m in chat or []:
        role = getattr(m, "role", None)
        if role == "system":
            continue
        text = getattr(m, "text", None)
        if role == "tool":
            content = text if text is not None else str(getattr(m, "content", ""))
            err = getattr(m, "error", None)
            block = {"type": "tool_result", "tool_use_id": getattr(m, "tool_call_id", None),
                     "content": content + (f"\n{err.message}" if err is not None and
                                           getattr(err, "message", None) else "")}
            if err is not None:
                block["is_error"] = True
            if out and out[-1]["role"] == "user":
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
            continue
        blocks: list[dict[str, Any]] = []
        if text:
            blocks.append({"type": "text", "text": text})
        for call in getattr(m, "tool_calls", None) or []:
            args = dict(getattr(call, "arguments", None) or {})
            name = getattr(call, "function", "")
            if name in ("bash", "shell") and "cmd" in args and "command" not in args:
                args["command"] = args.pop("cmd")
            if name == "python" and "code" in args:
                args = {"command": "python - <<'EOF'\n" + str(args["code"]) + "\nEOF"}
                name = "bash"
            if name == "text_editor":
                name = "str_replace_based_edit_tool"
            blocks.append({"type": "tool_use", "id": getattr(call, "id", None), "name": name,
                           "input": args})
        role = "assistant" if role == "assistant" else "user"
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    return out


def looks_like_claude_code(path: Path) -> bool:
    """Is this a Claude Code session log / stream-json file rather than the import format?
    (Used by the CLI when --format is not given.)"""
    if path.is_dir():
        return any(True for _ in path.rglob("*.jsonl"))
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            head = fh.readline()
        obj = json.loads(head)
    except (OSError, ValueError):
        return False
    if isinstance(obj, list):  # --output-format json on newer CLIs
        obj = obj[0] if obj and isinstance(obj[0], dict) else {}
    if not isinstance(obj, dict) or "messages" in obj:
        return False
    return obj.get("type") in ("user", "assistant", "system", "summary", "result") and bool(
        {"sessionId", "session_id", "parentUuid", "uuid", "subtype"} & set(obj))


def detect_format(path: str | Path) -> tuple[str, str | None]:
    """(format, why) for input given without --format; ``why`` is None for the default."""
    if looks_like_claude_code(Path(path)):
        return "claude-code", "looks like a Claude Code log"
    return "jsonl", None
