"""The JSONL import format (see ``base``): one transcript object per line, its messages
Anthropic- or OpenAI-shaped (detected per line). A malformed line is a ``TranscriptError``
(``file:line: what was expected``) and the rest of the file is still read."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from evalkit.grading.importers.base import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    record_from_dict,
)
from evalkit.safejson import iter_jsonl

__all__ = ["read_jsonl"]


def read_jsonl(path: Path, *, infer: bool = True) -> Iterator[ImportedRecord | TranscriptError]:
    """Bounded parsing (``evalkit.safejson``): a line nested too deep, holding a lone surrogate
    or NaN, or over the size limit is one ``TranscriptError`` naming its field; the rest is read."""
    try:
        lines = iter_jsonl(path)
        first = next(lines, None)
    except OSError as exc:
        yield TranscriptError(str(path), None, f"cannot open: {exc.strerror or exc}")
        return
    if first is None:
        return
    for lineno, obj, err in itertools.chain([first], lines):
        if err is not None:
            yield TranscriptError(str(path), lineno, f"{err}; expected one transcript object "
                                  "per line")
            continue
        try:
            yield record_from_dict(obj, f"{path}:{lineno}", infer)
        except (RecordError, ValueError, TypeError) as exc:
            yield TranscriptError(str(path), lineno, str(exc))
