"""The JSONL import format (see ``base``): one transcript object per line, its messages
Anthropic- or OpenAI-shaped (detected per line). A malformed line is a ``TranscriptError``
(``file:line: what was expected``) and the rest of the file is still read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from evalkit.grading.importers.base import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    record_from_dict,
)

__all__ = ["read_jsonl"]


def read_jsonl(path: Path, *, infer: bool = True) -> Iterator[ImportedRecord | TranscriptError]:
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
                yield record_from_dict(obj, f"{path}:{lineno}", infer)
            except (RecordError, ValueError, TypeError) as exc:
                yield TranscriptError(str(path), lineno, str(exc))


