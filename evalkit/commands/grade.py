"""``evalkit grade``: re-grade a run folder in place, or grade imported transcripts.

- ``evalkit grade RUN_DIR [--grader G]`` appends one line per sample to ``RUN_DIR/grades.jsonl``
  (``{"sample_id", "graded_at", "grade"}``); old grades are kept, readers take the last line
  per sample id.
- ``evalkit grade FILE [--format jsonl|claude-code|inspect] [--grader G] --out graded.jsonl``
  writes one flat line per transcript. Malformed lines are reported (``file:line: …``) and
  skipped; the rest is graded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

FLAG_FIELDS = ("false_completion", "false_tests_pass", "fabricated_verification",
               "contradicts_observation", "tampered_checks")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "grade",
        help="grade a run folder in place, or imported transcripts into a JSONL file",
        description="Decide every claim of each final report with the evidence "
                    "(docs/flags.md). RUN_DIR: re-grade in place (appends grades.jsonl). "
                    "FILE: grade imported transcripts and write --out.",
    )
    p.add_argument("path", metavar="RUN_DIR|FILE",
                   help="a results/<run-id> folder, or a transcript file/folder to import")
    p.add_argument("--format", choices=("jsonl", "claude-code", "inspect"), default=None,
                   help="input format for FILE (default: jsonl)")
    p.add_argument("--grader", default="rules",
                   help="'rules' (default, deterministic) or 'llm:<model>' (LLM extracts claims)")
    p.add_argument("--out", "-o", default=None, help="graded JSONL to write (FILE mode)")
    p.add_argument("--tasks", default=None,
                   help="fixture folder, to recognise each task's own test command "
                        "(RUN_DIR mode; default: the suite named in the manifest)")
    p.add_argument("--template", default=None, help="LLM judge: a jinja2 prompt template")
    p.add_argument("--cache", default=None,
                   help="LLM judge: cache folder (default ~/.cache/evalkit/judge)")
    p.add_argument("--batch", action="store_true",
                   help="LLM judge: send uncached requests through the Message Batches API")
    p.add_argument("--protected-unknown", action="store_true",
                   help="FILE mode: for transcripts without protected_files_modified, leave "
                        "tampering unknown instead of inferring it from edits to test files")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    p.set_defaults(func=run)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Progress:
    """A \\r-updated stderr line on a TTY, a line every few seconds otherwise."""

    def __init__(self, total: int | None, stream: TextIO | None = None, quiet: bool = False,
                 label: str = "graded") -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.label = label
        self.tty = self.stream.isatty()
        self.t0 = time.monotonic()
        self.last = 0.0
        self.done = 0
        self.errors = 0
        self.fc = 0

    def update(self, *, error: bool = False, fc: bool = False) -> None:
        self.done += 1
        self.errors += error
        self.fc += fc
        now = time.monotonic()
        if self.quiet or now - self.last < (0.1 if self.tty else 5.0):
            return
        self.last = now
        self._write()

    def _write(self, end: bool = False) -> None:
        rate = self.done / max(time.monotonic() - self.t0, 1e-9)
        tot = f"/{self.total}" if self.total else ""
        msg = (f"{self.label} {self.done}{tot}  skipped {self.errors}  FC {self.fc}  "
               f"{rate:.0f}/s")
        if self.total and rate > 0 and not end:
            msg += f"  ETA {max(self.total - self.done, 0) / rate:.0f}s"
        if self.tty:
            self.stream.write("\r" + msg + ("\n" if end else "") + "\x1b[K" * (not end))
        else:
            self.stream.write(msg + "\n")
        self.stream.flush()

    def close(self) -> None:
        if not self.quiet and self.tty and self.done:
            self._write(end=True)


def _grader(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from evalkit.grading import GRADERS

    name = args.grader
    if name.startswith("llm:"):
        from evalkit.grading.llm import Judge

        judge = Judge(name[4:], template=args.template, cache_dir=args.cache)
        return name, judge
    try:
        return name, GRADERS[name]
    except KeyError as exc:
        raise SystemExit(f"evalkit grade: {exc.args[0]}") from None


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.exists():
        print(f"evalkit grade: {path}: no such file or folder", file=sys.stderr)
        return 2
    if path.is_dir() and (path / "samples.jsonl").exists():
        if args.out:
            print("evalkit grade: --out is for transcript files; a run folder is re-graded in "
                  "place (grades.jsonl)", file=sys.stderr)
            return 2
        return regrade_run(path, args)
    return grade_file(path, args)


# ------------------------------------------------------------------------- RUN_DIR

def _test_commands(run_dir: Path, tasks: str | None) -> dict[str, str]:
    """task key/id -> the fixture's test command (best effort; empty when unavailable)."""
    source = tasks
    if source is None:
        try:
            manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
            source = manifest.get("suite") or manifest.get("tasks")
        except (OSError, ValueError):
            source = None
    if not source or not Path(str(source)).exists():
        return {}
    try:
        from evalkit.runner import load_tasks

        fixtures = load_tasks(str(source))
    except Exception:  # noqa: BLE001 - the fixture folder is only a hint here
        return {}
    out: dict[str, str] = {}
    for f in fixtures:
        out[f.id] = f.test_command
        out[f"{f.suite}/{f.id}"] = f.test_command
    return out


def _iter_run_samples(run_dir: Path):  # type: ignore[no-untyped-def]
    from evalkit.records import Sample, from_json

    with (run_dir / "samples.jsonl").open("r", encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                yield lineno, from_json(Sample, obj), None
            except (ValueError, TypeError) as exc:
                yield lineno, None, f"{run_dir / 'samples.jsonl'}:{lineno}: {exc}"


def regrade_run(run_dir: Path, args: argparse.Namespace) -> int:
    from evalkit.records import to_json

    name, grader = _grader(args)
    commands = _test_commands(run_dir, args.tasks)
    total = sum(1 for line in (run_dir / "samples.jsonl").open(encoding="utf-8",
                                                               errors="replace") if line.strip())
    progress = Progress(total, quiet=args.quiet, label="re-graded")
    skipped: Counter[str] = Counter()
    n = fc = 0
    out_path = run_dir / "grades.jsonl"
    version = None
    samples = []
    for _lineno, sample, err in _iter_run_samples(run_dir):
        if err:
            print(f"evalkit grade: {err}", file=sys.stderr)
            skipped["unreadable line"] += 1
            progress.update(error=True)
            continue
        samples.append(sample)
    if getattr(args, "batch", False) and hasattr(grader, "prefetch"):
        grader.prefetch(samples, batch=True)
    with out_path.open("a", encoding="utf-8") as fh:
        for sample in samples:
            tc = commands.get(f"{sample.suite}/{sample.task_id}") or commands.get(sample.task_id)
            try:
                grade = grader(sample, test_command=tc)
            except Exception as exc:  # noqa: BLE001 - one bad sample must not stop a run
                print(f"evalkit grade: {sample.sample_id}: grader failed: {exc}", file=sys.stderr)
                skipped["grader error"] += 1
                progress.update(error=True)
                continue
            version = grade.grader_version
            line = {"sample_id": sample.sample_id, "graded_at": _now(), "grade": to_json(grade)}
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
            fc += grade.false_claim is True
            progress.update(fc=grade.false_claim is True)
        fh.flush()
        os.fsync(fh.fileno())
    progress.close()
    _summary(n, skipped, fc, f"{out_path} (grader {name}, version {version})")
    return 0 if n or not skipped else 1


# ------------------------------------------------------------------------- FILE

def flat_line(rec_sample: Any, grade: Any, outcome_class_known: bool) -> dict[str, Any]:
    """One output line of ``evalkit grade FILE --out``."""
    s = rec_sample
    line: dict[str, Any] = {"id": s.sample_id, "model": s.model, "task_id": s.task_id}
    if outcome_class_known:
        line["outcome_class"] = s.outcome_class
    line.update({
        "claimed_success": grade.claimed_success,
        "actual_success": grade.actual_success,
        "false_claim": grade.false_claim,
    })
    for f in FLAG_FIELDS:
        line[f] = getattr(grade, f)
    line["under_claim"] = grade.under_claim
    line["claims"] = [
        {"type": c.type, "quote": c.quote, "hedged": c.hedged, "negated": c.negated,
         "scope": c.scope, "count": c.count, "verdict": c.verdict, "evidence": c.evidence}
        for c in grade.claims
    ]
    line["grader"] = grade.grader
    line["grader_version"] = grade.grader_version
    return line


def grade_file(path: Path, args: argparse.Namespace) -> int:
    from evalkit.grading.importers import (
        ImportedRecord,
        ImportFormatError,
        iter_records,
        looks_like_claude_code,
    )

    fmt = args.format or "jsonl"
    if args.format is None and looks_like_claude_code(path):
        print(f"evalkit grade: {path} looks like a Claude Code log; reading it with "
              "--format claude-code", file=sys.stderr)
        fmt = "claude-code"
    if not args.out:
        print("evalkit grade: FILE mode needs --out graded.jsonl", file=sys.stderr)
        return 2
    name, grader = _grader(args)
    total = None
    if fmt == "jsonl" and path.is_file():
        with path.open("rb") as fh:
            total = sum(1 for line in fh if line.strip())
    progress = Progress(total, quiet=args.quiet)
    skipped: Counter[str] = Counter()
    n = fc = 0
    try:
        records = list(iter_records(path, fmt, infer_protected=not args.protected_unknown))
    except ImportFormatError as exc:
        print(f"evalkit grade: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "batch", False) and hasattr(grader, "prefetch"):
        grader.prefetch([r.sample for r in records if isinstance(r, ImportedRecord)], batch=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for rec in records:
            if not isinstance(rec, ImportedRecord):
                print(f"evalkit grade: {rec}", file=sys.stderr)
                skipped[_reason(rec.message)] += 1
                progress.update(error=True)
                continue
            try:
                grade = grader(rec.sample)
            except Exception as exc:  # noqa: BLE001
                print(f"evalkit grade: {rec.source}: grader failed: {exc}", file=sys.stderr)
                skipped["grader error"] += 1
                progress.update(error=True)
                continue
            fh.write(json.dumps(flat_line(rec.sample, grade, rec.outcome_class_known),
                                ensure_ascii=False) + "\n")
            n += 1
            fc += grade.false_claim is True
            progress.update(fc=grade.false_claim is True)
    progress.close()
    _summary(n, skipped, fc, f"{out} (grader {name})")
    return 0 if n or not skipped else 1


def _reason(message: str) -> str:
    if message.startswith("not valid JSON"):
        return "invalid JSON"
    if message.startswith("field '"):
        return "bad field " + message.split("'")[1].split("[")[0]
    return message.split(":")[0][:40]


def _summary(n: int, skipped: Counter[str], fc: int, where: str) -> None:
    parts = [f"graded {n}"]
    if skipped:
        why = ", ".join(f"{k}: {v}" for k, v in skipped.most_common())
        parts.append(f"skipped {sum(skipped.values())} ({why})")
    else:
        parts.append("skipped 0")
    rate = f" ({100 * fc / n:.1f}%)" if n else ""
    parts.append(f"false claims {fc}{rate}")
    print("evalkit grade: " + ", ".join(parts) + f" → {where}", file=sys.stderr)
