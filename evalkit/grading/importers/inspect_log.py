"""Inspect eval logs (``.eval`` / ``.json``, read with the optional ``inspect-ai`` package) →
Samples; a sample's metadata may carry the import-format fields (outcome, diff, …)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalkit.grading.importers.base import (
    ImportedRecord,
    ImportFormatError,
    RecordError,
    TranscriptError,
    record_from_dict,
)

__all__ = ["inspect_messages", "read_inspect"]


def read_inspect(path: Path, *, infer: bool = True) -> Iterator[ImportedRecord | TranscriptError]:
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
                messages = inspect_messages(s.messages)
                meta = dict(getattr(s, "metadata", None) or {})
                obj: dict[str, Any] = {"id": sid, "model": model, "task_id": str(s.id),
                                       "messages": messages}
                for key in ("outcome", "outcome_class", "protected_files_modified", "diff",
                            "final_report"):
                    if key in meta:
                        obj[key] = meta[key]
                yield record_from_dict(obj, f"{f}#{s.id}", infer)
            except (RecordError, ValueError, TypeError, AttributeError) as exc:
                yield TranscriptError(str(f), None, f"sample {s.id}: {exc}")


def inspect_messages(chat: Any) -> list[dict[str, Any]]:
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


