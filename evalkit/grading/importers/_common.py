"""Small pieces the harness importers share: bounded reading of one JSON document with the line
of a syntax error, text of a content value, and a message list that merges consecutive turns
of one role (the shape ``evidence`` reads)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalkit.grading.importers.base import TranscriptError
from evalkit.safejson import JSONError, iter_jsonl, loads

__all__ = ["Messages", "head", "json_lines", "read_json", "text_of"]


def read_json(path: Path, what: str) -> Any | TranscriptError:
    """One JSON document (bounded: safejson), or a TranscriptError naming the file, the line of
    a syntax error and ``what`` was expected."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return TranscriptError(str(path), None, f"cannot open: {exc.strerror or exc}")
    try:
        return loads(raw)
    except JSONError as exc:
        line = None
        if str(exc).startswith("not valid JSON"):
            try:
                json.loads(raw.decode("utf-8", errors="replace"))
            except json.JSONDecodeError as dec:
                line = dec.lineno
                exc = JSONError(f"not valid JSON ({dec.msg} at column {dec.colno})")
            except (ValueError, RecursionError):
                pass
        return TranscriptError(str(path), line, f"{exc}; expected {what}")


def json_lines(path: Path, what: str) -> Iterator[tuple[int, Any] | TranscriptError]:
    """(line, object) per good line of a JSONL file; a TranscriptError per bad one (the rest is
    still read)."""
    try:
        for lineno, obj, err in iter_jsonl(path):
            if err is not None:
                yield TranscriptError(str(path), lineno, f"{err}; expected {what}")
            else:
                yield lineno, obj
    except OSError as exc:
        yield TranscriptError(str(path), None, f"cannot open: {exc.strerror or exc}")


def head(path: Path, n: int = 8192) -> bytes:
    """The first ``n`` bytes of a file (b"" when unreadable): what detection looks at."""
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def text_of(content: Any) -> str:
    """Text of a string, a list of parts ({text}/{content}/str), or anything else."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for p in content:
            if isinstance(p, str):
                parts.append(p)
            elif isinstance(p, dict):
                t = p.get("text", p.get("content"))
                if isinstance(t, str):
                    parts.append(t)
        return "\n".join(parts)
    if isinstance(content, dict):
        return text_of(content.get("text", content.get("content")))
    return str(content)


class Messages:
    """Anthropic-shaped messages built turn by turn; same-role blocks join one message."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.last_text: str | None = None  # the agent's last text (the final report)

    def add(self, role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if self.messages and self.messages[-1]["role"] == role:
            self.messages[-1]["content"].extend(blocks)
        else:
            self.messages.append({"role": role, "content": list(blocks)})

    def user(self, text: str) -> None:
        if text.strip():
            self.add("user", [{"type": "text", "text": text}])

    def say(self, text: str) -> None:
        if text.strip():
            self.add("assistant", [{"type": "text", "text": text}])
            self.last_text = text

    def call(self, call_id: str, name: str, args: dict[str, Any]) -> None:
        """One tool call, its name/arguments mapped to what ``evidence`` understands."""
        from evalkit.grading.importers.openai_chat import map_tool_call

        for k, mapped in enumerate(map_tool_call(name, args)):
            self.add("assistant", [{"type": "tool_use", "id": call_id if k == 0 else
                                    f"{call_id}#{k}", "name": mapped["name"],
                                    "input": mapped["input"]}])

    def result(self, call_id: str, output: str, exit_code: int | None = None,
               error: bool = False) -> None:
        text = output if exit_code is None else f"{output.rstrip()}\n[exit code {exit_code}]"
        self.add("user", [{"type": "tool_result", "tool_use_id": call_id, "content": text,
                           "is_error": bool(error or (exit_code is not None and exit_code != 0))}])
