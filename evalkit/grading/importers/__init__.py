"""Transcripts from elsewhere → ``records.Sample``: the JSONL import format (Anthropic- or
OpenAI-shaped messages), SWE-agent and mini-swe-agent trajectories (with SWE-bench's
report.json as the official outcome), OpenHands evaluation output, Harbor / Terminal-Bench trial
folders (the verifier's reward as the outcome), Codex CLI sessions, Claude Code logs, Inspect
logs (the scorer's value as the outcome). See docs/importers.md.

``iter_records(path, format)`` yields an ``ImportedRecord`` per transcript and a
``TranscriptError`` (``file:line: what was expected``) per unreadable line/file; the rest of the
input is still read. ``format=None`` detects it from the content (``detect_format``).
``outcomes`` (``outcomes.load_outcomes``: SWE-bench reports, summaries, results.json) replaces
each sample's official outcome by instance id. Formats and their detection live in
``registry``; each reader in its own module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

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
from evalkit.grading.importers.outcomes import Outcomes, load_outcomes
from evalkit.grading.importers.registry import FORMATS, REGISTRY, detect_format, reader
from evalkit.records import Outcome, Sample

__all__ = [
    "FORMATS",
    "REGISTRY",
    "ImportFormatError",
    "ImportedRecord",
    "Outcomes",
    "RecordError",
    "TranscriptError",
    "detect_format",
    "inspect_messages",
    "iter_records",
    "load_outcomes",
    "looks_like_claude_code",
    "outcome_joined",
    "parse_outcome",
    "read_transcripts",
    "record_from_dict",
    "sample_from_dict",
]

_inspect_messages = inspect_messages  # the name older code imported


def read_transcripts(
    path: str | Path, format: str | None = "jsonl", *, infer_protected: bool = True,
    outcomes: Mapping[str, Outcome] | None = None,
) -> Iterator[Sample | TranscriptError]:
    """Samples (or errors for malformed lines/files) from a transcript file or folder;
    ``outcomes`` (``load_outcomes(path)``: SWE-bench's verdicts by instance id) are the official
    ones, as ``evalkit grade --outcomes`` gives them."""
    for rec in iter_records(path, format, infer_protected=infer_protected, outcomes=outcomes):
        yield rec.sample if isinstance(rec, ImportedRecord) else rec


def iter_records(
    path: str | Path, format: str | None = "jsonl", *, infer_protected: bool = True,
    outcomes: Mapping[str, Outcome] | None = None, scorer: str | None = None,
    pass_value: Any = None,
) -> Iterator[ImportedRecord | TranscriptError]:
    """Like ``read_transcripts`` but keeps where each sample came from.

    ``infer_protected=False``: transcripts that do not list ``protected_files_modified`` leave
    tampering unknown instead of inferring it from the agent's edits. ``outcomes``: instance
    id -> official outcome, joined on each sample's task id (else its id); given outcomes are
    the official ones, so a sample not in them has none (``outcome_joined`` tells which).
    ``scorer`` / ``pass_value``: which Inspect score decides, and its passing value (Inspect
    logs only)."""
    p = Path(path)
    name = format if format is not None else detect_format(p)[0]
    read = reader(name)  # raises ImportFormatError for an unknown name, before any reading
    if not p.exists():
        yield TranscriptError(str(p), None, "no such file or folder")
        return
    opts: dict[str, Any] = {}
    if name == "inspect":
        opts = {"scorer": scorer, "pass_value": pass_value}
    elif scorer is not None or pass_value is not None:
        raise ImportFormatError(f"--scorer / --pass-value are for Inspect logs, not {name}")
    for rec in read(p, infer=infer_protected, **opts):
        if outcomes is not None and isinstance(rec, ImportedRecord):
            s = rec.sample
            got = outcomes.get(s.task_id) if s.task_id in outcomes else outcomes.get(
                s.sample_id)
            rec = dataclasses.replace(rec, sample=dataclasses.replace(s, outcome=got))
        yield rec


def outcome_joined(sample: Sample, outcomes: Mapping[str, Outcome]) -> bool:
    """Whether ``outcomes`` holds ``sample``'s instance (by task id, else sample id)."""
    return sample.task_id in outcomes or sample.sample_id in outcomes
