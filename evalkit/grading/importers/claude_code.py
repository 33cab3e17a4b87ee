"""Claude Code session logs (``~/.claude/projects/*/*.jsonl``) and ``claude -p --output-format
stream-json`` (or ``json``) output → Samples, one per session; sub-agent (sidechain) turns are
left out, streamed pieces of one assistant message are joined."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalkit.grading.importers.base import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    attach_line_errors,
    record_from_dict,
)

__all__ = ["looks_like_claude_code", "read_claude_code"]


def _claude_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.jsonl") if p.is_file())
    return [path]


def read_claude_code(path: Path, *, infer: bool = True
                     ) -> Iterator[ImportedRecord | TranscriptError]:
    """Claude Code session logs (``~/.claude/projects/*/*.jsonl``) and ``claude -p
    --output-format stream-json`` (or ``json``) output. One transcript per session."""
    files = _claude_files(path)
    if not files:
        yield TranscriptError(str(path), None, "no .jsonl files found")
    for f in files:
        yield from attach_line_errors(_read_claude_file(f, infer))


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


def _read_claude_file(f: Path, infer: bool = True) -> Iterator[ImportedRecord | TranscriptError]:
    state = _CCState(f, infer)
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
    def __init__(self, f: Path, infer: bool = True) -> None:
        self.f = f
        self.infer = infer
        self.count = 0
        self._reset()

    def _reset(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.session: str | None = None
        self.model: str | None = None
        self.final_report: str | None = None
        self.is_error = False
        self.last_id: str | None = None

    def flush(self) -> Iterator[ImportedRecord | TranscriptError]:
        self.count += 1
        sid = self.session or (self.f.stem if self.count == 1 else f"{self.f.stem}-{self.count}")
        obj = {"id": sid, "model": self.model or "unknown", "task_id": sid,
               "messages": [m for m in self.messages if m["content"]]}
        if self.final_report is not None:
            obj["final_report"] = self.final_report
        try:
            yield record_from_dict(obj, str(self.f), self.infer)
        except RecordError as exc:
            yield TranscriptError(str(self.f), None, f"session {sid}: {exc}")
        self._reset()




#: event types that open real session logs before any message (skipped when detecting)
_PREAMBLE = ("summary", "file-history-snapshot", "queue-operation")
_SESSION_KEYS = {"sessionId", "session_id", "parentUuid", "uuid", "subtype"}


def _is_event(obj: Any) -> bool | None:
    """True: a Claude Code event; False: something else; None: a preamble event (undecided)."""
    if isinstance(obj, list):  # --output-format json on newer CLIs
        obj = obj[0] if obj and isinstance(obj[0], dict) else {}
    if not isinstance(obj, dict) or "messages" in obj:
        return False
    t = obj.get("type")
    if t in _PREAMBLE and ("leafUuid" in obj or "messageId" in obj or "snapshot" in obj
                           or "sessionId" in obj or "summary" in obj):
        return None
    return t in ("user", "assistant", "system", "result") and bool(_SESSION_KEYS & set(obj))


def looks_like_claude_code(path: Path, max_lines: int = 50) -> bool:
    """Is this a Claude Code session log / stream-json file rather than the import format?
    Real sessions open with ``summary`` / ``file-history-snapshot`` lines: those are skipped
    (up to ``max_lines``) until a message event decides. A folder: its first .jsonl file."""
    if path.is_dir():
        first = next(iter(sorted(path.rglob("*.jsonl"))), None)
        return first is not None and looks_like_claude_code(first, max_lines)
    preamble = False
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            for _ in range(max_lines):
                line = fh.readline(1 << 20)
                if not line:
                    break
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except (ValueError, RecursionError):
                    return False
                verdict = _is_event(obj)
                if verdict is not None:
                    return verdict
                preamble = True
    except OSError:
        return False
    return preamble  # only summaries/snapshots: still a Claude Code log (with no messages)
