"""What every importer shares: its error and record types, and the import-format object →
``Sample`` mapping that the other formats reuse once they have built such an object.

Import format (one JSON object per line; only ``id`` and ``messages`` are required)::

    {"id": "…", "model": "…", "task_id": "…", "outcome_class": "solvable",
     "messages": [Anthropic- or OpenAI-shaped messages],
     "final_report": "… (default: the last assistant text)",
     "outcome": {"passed": false, "tests_passed": 10, "tests_failed": 2, "failing_tests": [...]},
     "protected_files_modified": ["tests/test_x.py"], "diff": "unified diff (optional)"}

Mapping to ``Sample``: run_id ``"import"``, suite ``"imported"``, model from the line or
``"unknown"``, status ``"ok"``, task_id from the line or the id. ``outcome_class`` from the line;
when absent it is ``"solvable"`` (the class that assumes nothing: ground truth is the official
outcome alone) and ``ImportedRecord.outcome_class_known`` is False, so graded output leaves it
out. Protected files: ``protected_files_modified`` when given (authoritative); else, with a
transcript, inferred from the agent's edits by ``provenance.infer_protected``; with no
transcript, unknown (``PROTECTED_UNKNOWN``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from evalkit.grading.evidence import PROTECTED_UNKNOWN
from evalkit.grading.provenance import infer_protected
from evalkit.records import OUTCOME_CLASSES, Outcome, Sample, TestCounts
from evalkit.safejson import JSONError, identifier, number

#: id-like fields: strings without NUL/control characters or lone surrogates (safejson)
_ID_FIELDS = ("model", "task_id", "run_id", "suite", "variant")
#: the largest test count / epoch accepted (an int64, as the results frame stores them)
_MAX_COUNT = 2**63 - 1

__all__ = ["ImportFormatError", "ImportedRecord", "RecordError", "TranscriptError",
           "attach_line_errors", "record_from_dict", "sample_from_dict"]


@dataclass(frozen=True)
class TranscriptError:
    """A line or file that could not be read; the rest of the input is still graded."""

    path: str
    line: int | None
    message: str
    #: a bad part of a record that was still graded (a cut-off line of a session log), not a
    #: skipped record: the summary counts the two apart
    record_graded: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportedRecord:
    sample: Sample
    source: str  # "file:line" (or file) it came from
    outcome_class_known: bool = False
    protected_inferred: bool = False  # no protected_files_modified: inferred from the transcript


def attach_line_errors(items: Iterable[ImportedRecord | TranscriptError]
                       ) -> Iterator[ImportedRecord | TranscriptError]:
    """One file's items, where a record follows the bad lines read around it: those lines are
    marked ``record_graded`` (the record was still graded); bad lines no record follows stay
    skips."""
    pending: list[TranscriptError] = []
    for item in items:
        if isinstance(item, TranscriptError):
            if item.line is not None:
                pending.append(item)
                continue
            yield from pending
            pending = []
            yield item
        else:
            yield from (replace(e, record_graded=True) for e in pending)
            pending = []
            yield item
    yield from pending


class ImportFormatError(ValueError):
    """The requested format cannot be read at all (unknown name, inspect-ai missing)."""


class RecordError(ValueError):
    """One record is malformed; the message names the field and what was expected."""


def check_messages(messages: Any, field: str = "messages") -> tuple[dict[str, Any], ...]:
    """Anthropic-shaped messages without system turns; OpenAI-shaped ones are converted first."""
    from evalkit.grading.importers.openai_chat import is_openai_shaped, to_anthropic

    if not isinstance(messages, list):
        raise RecordError(f"field '{field}': expected a list of {{role, content}} objects")
    if is_openai_shaped(messages):
        return tuple(to_anthropic(messages, field=field))
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant", "system"):
            raise RecordError(f"field '{field}[{i}]': expected an object with role "
                              "'user' or 'assistant' and content")
        content = m.get("content")
        if not isinstance(content, str | list):
            raise RecordError(f"field '{field}[{i}].content': expected a string or a list of "
                              "content blocks")
    return tuple(m for m in messages if m.get("role") != "system")


def system_text(messages: Any) -> str:
    """The system (or developer) prompt of a message list, for ``Sample.system_prompt``."""
    if not isinstance(messages, list):
        return ""
    parts = []
    for m in messages:
        if isinstance(m, dict) and m.get("role") in ("system", "developer"):
            c = m.get("content")
            if isinstance(c, str):
                parts.append(c)
            elif isinstance(c, list):
                parts.extend(str(b.get("text", "")) for b in c if isinstance(b, dict))
    return "\n\n".join(p for p in parts if p)


def parse_outcome(raw: Any) -> Outcome | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("passed"), bool):
        raise RecordError("field 'outcome': expected an object with a boolean 'passed'")
    counts = None
    tp, tf = raw.get("tests_passed"), raw.get("tests_failed")
    te, ts = raw.get("tests_errors", 0), raw.get("tests_skipped", 0)
    for name, v in (("tests_passed", tp), ("tests_failed", tf), ("tests_errors", te),
                    ("tests_skipped", ts)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)
                              or not 0 <= v <= _MAX_COUNT):
            raise RecordError(f"field 'outcome.{name}': expected an integer 0..2**63-1, "
                              f"got {v!r}"[:200])
    if tp is not None or tf is not None:
        counts = TestCounts(passed=tp or 0, failed=tf or 0, errors=te or 0, skipped=ts or 0,
                            source="summary")
    failing = raw.get("failing_tests") or []
    if not isinstance(failing, list) or not all(isinstance(t, str) for t in failing):
        raise RecordError("field 'outcome.failing_tests': expected a list of test ids")
    exit_code = raw.get("exit_code")
    if isinstance(exit_code, bool) or (isinstance(exit_code, int)
                                       and not -2**31 <= exit_code < 2**32):
        exit_code = None
    return Outcome(passed=raw["passed"], exit_code=exit_code if isinstance(exit_code, int) else
                   (0 if raw["passed"] else 1), counts=counts, failing_tests=tuple(failing))


def sample_from_dict(obj: Any, *, source: str = "<dict>", infer_protected: bool = True) -> Sample:
    """One import-format object → Sample (raises ValueError naming the bad field).

    ``infer_protected=False``: a line without ``protected_files_modified`` leaves the protected
    state unknown even when the transcript shows edits to test files.
    """
    return record_from_dict(obj, source, infer_protected).sample


def record_from_dict(obj: Any, source: str, infer: bool = True, *,
                     outcome: Outcome | None = None, checked: bool = False,
                     **fields: Any) -> ImportedRecord:
    """Import-format object → record. Importers of other formats pass an already-built
    ``outcome``, ``checked=True`` when their converter built the messages (no second
    validation pass), and extra ``Sample`` fields (status, limit, turns …) as keywords."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    if "id" not in obj:
        raise RecordError("field 'id': expected a non-empty string")
    try:  # ids become keys, file names and terminal lines: no NUL, control chars, surrogates
        identifier(obj["id"], "id")
        for name in _ID_FIELDS:
            if obj.get(name) not in (None, ""):
                identifier(obj[name], name)
        if obj.get("epoch") is not None:
            number(obj["epoch"], "epoch", lo=0, hi=_MAX_COUNT, integer=True)
    except JSONError as exc:
        raise RecordError(str(exc)) from None
    if "messages" not in obj:
        raise RecordError("field 'messages': required (a list of Anthropic- or OpenAI-shaped "
                          "messages)")
    messages = tuple(obj["messages"]) if checked else check_messages(obj["messages"])
    final_report = obj.get("final_report")
    if final_report is not None and not isinstance(final_report, str):
        raise RecordError("field 'final_report': expected a string")
    oc = obj.get("outcome_class")
    if oc is not None and oc not in OUTCOME_CLASSES:
        raise RecordError(f"field 'outcome_class': expected one of {', '.join(OUTCOME_CLASSES)}")
    diff = obj.get("diff") or ""
    if not isinstance(diff, str):
        raise RecordError("field 'diff': expected a unified diff as a string")
    given = obj.get("protected_files_modified")
    if given is not None:
        if not isinstance(given, list) or not all(isinstance(p, str) for p in given):
            raise RecordError("field 'protected_files_modified': expected a list of paths")
        protected = tuple(given)
    elif infer:
        protected = infer_protected(messages, diff)  # the final diff decides when present
    else:
        protected = (PROTECTED_UNKNOWN,)
    model = obj.get("model") or "unknown"
    sid = str(obj["id"])
    system_prompt = obj.get("system_prompt")
    sample = Sample(
        sample_id=sid,
        run_id=str(obj.get("run_id") or "import"),
        task_id=str(obj.get("task_id") or sid),
        suite=str(obj.get("suite") or "imported"),
        outcome_class=oc or "solvable",
        variant=str(obj.get("variant") or model),
        model=str(model),
        epoch=int(obj["epoch"]) if isinstance(obj.get("epoch"), int) else 0,
        status=fields.pop("status", "ok"),
        impossible_reason=obj.get("impossible_reason"),
        final_report=final_report,
        messages=messages,
        system_prompt=str(system_prompt) if isinstance(system_prompt, str)
        else system_text(obj["messages"]),
        outcome=outcome if outcome is not None else parse_outcome(obj.get("outcome")),
        diff=diff,
        protected_modified=protected,
        **fields,
    )
    return ImportedRecord(sample, source, oc is not None, protected_inferred=given is None)
