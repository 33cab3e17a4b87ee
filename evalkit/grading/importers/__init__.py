"""Transcripts from elsewhere → ``records.Sample``: the JSONL import format (Anthropic- or
OpenAI-shaped messages), mini-swe-agent trajectories (with SWE-bench's report.json as the
official outcome), Claude Code logs, Inspect logs (when inspect-ai is installed).

``iter_records(path, format)`` yields an ``ImportedRecord`` per transcript and a
``TranscriptError`` (``file:line: what was expected``) per unreadable line/file; the rest of the
input is still read. ``format=None`` detects it (``detect_format``). Formats and their
detection live in ``registry``; each reader in its own module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from evalkit.grading.importers.base import (
    ImportedRecord,
    ImportFormatError,
    RecordError,
    TranscriptError,
    parse_outcome,
    record_from_dict,
    sample_from_dict,
)
from evalkit.grading.importers.claude_code import looks_like_claude_code
from evalkit.grading.importers.inspect_log import inspect_messages
from evalkit.grading.importers.registry import FORMATS, REGISTRY, detect_format, reader
from evalkit.records import Sample

__all__ = [
    "FORMATS",
    "REGISTRY",
    "ImportFormatError",
    "ImportedRecord",
    "RecordError",
    "TranscriptError",
    "detect_format",
    "inspect_messages",
    "iter_records",
    "looks_like_claude_code",
    "parse_outcome",
    "read_transcripts",
    "record_from_dict",
    "sample_from_dict",
]

_inspect_messages = inspect_messages  # the name older code imported


def read_transcripts(
    path: str | Path, format: str | None = "jsonl", *, infer_protected: bool = True
) -> Iterator[Sample | TranscriptError]:
    """Samples (or errors for malformed lines/files) from a transcript file or folder."""
    for rec in iter_records(path, format, infer_protected=infer_protected):
        yield rec.sample if isinstance(rec, ImportedRecord) else rec


def iter_records(
    path: str | Path, format: str | None = "jsonl", *, infer_protected: bool = True
) -> Iterator[ImportedRecord | TranscriptError]:
    """Like ``read_transcripts`` but keeps where each sample came from.

    ``infer_protected=False``: transcripts that do not list ``protected_files_modified`` leave
    tampering unknown instead of inferring it from the agent's edits."""
    p = Path(path)
    name = format if format is not None else detect_format(p)[0]
    read = reader(name)  # raises ImportFormatError for an unknown name, before any reading
    if not p.exists():
        yield TranscriptError(str(p), None, "no such file or folder")
        return
    yield from read(p, infer=infer_protected)
