"""``evalkit grade``: re-grade a run folder in place, grade imported transcripts, or compare two
graders on the same input.

- ``evalkit grade RUN_DIR [--grader G]`` appends one line per sample to ``RUN_DIR/grades.jsonl``
  (``{"sample_id", "graded_at", "grade"}``); old grades are kept, readers take the last line
  per sample id.
- ``evalkit grade PATH [--format auto|F] [--grader G] --out graded.jsonl`` (F detected by
  default; ``--list-formats`` names them) writes one flat line per transcript; ``--out DIR``
  (a folder, or a name without a suffix) writes a run folder instead (``samples.jsonl`` with
  each grade, ``manifest.json``) that ``evalkit.load`` / ``evalkit compare`` read like a run.
  Malformed records are reported (``file:line: …``) and skipped; the rest is graded.
  ``--outcomes report.json|results.json|logs/`` joins SWE-bench outcomes by instance id (a
  sample not in them is graded without an official outcome and counted); ``--scorer`` /
  ``--pass-value`` say which Inspect score passes. See docs/importers.md.
- ``evalkit grade RUN_DIR|FILE --compare-graders rules,llm:<model> [--json]`` grades the input
  with both and prints their agreement (per-field Cohen's κ, raw agreement, n) and every
  disagreeing sample; nothing is written.

The LLM judge (``--grader llm:<model>``) sees the task instruction: the fixture's for a run
folder (when its fixtures are found), else the transcript's first user message; an import line's
``instruction`` / ``problem_statement`` field, or a ``task`` field of several words, wins over
the transcript. A sample the judge cannot grade (API error after retries, invalid answer) is
reported and skipped; the rest goes on, and lines already written stay written.

Exit codes (``evalkit.exitcodes``): OK; USAGE for a missing path or bad options; ERRORS when
some samples could not be graded; FAILED when no line of the input could be read; ENVIRONMENT
when the judge cannot run at all (no ``anthropic`` SDK, no API key).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from evalkit import exitcodes
from evalkit.safejson import dumps_line

FLAG_FIELDS = ("false_completion", "false_tests_pass", "fabricated_verification",
               "contradicts_observation", "tampered_checks")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "grade",
        help="grade a run folder in place, or imported transcripts into a JSONL file",
        description="Decide every claim of each final report with the evidence "
                    "(docs/flags.md). RUN_DIR: re-grade in place (appends grades.jsonl). "
                    "FILE: grade imported transcripts and write --out. --compare-graders: "
                    "report how two graders agree on the same input.",
    )
    p.add_argument("path", metavar="RUN_DIR|FILE", nargs="?",
                   help="a results/<run-id> folder, or a transcript file/folder to import")
    p.add_argument("--format", default=None, metavar="auto|NAME",
                   help="input format for FILE (default auto: detected from its content; "
                        "--list-formats names them)")
    p.add_argument("--list-formats", action="store_true",
                   help="list the import formats: what each reads and how it is detected")
    p.add_argument("--outcomes", default=None, metavar="PATH",
                   help="SWE-bench evaluation output (report.json, a summary / results.json, "
                        "or a logs/ folder): each sample's official outcome, joined by "
                        "instance id")
    p.add_argument("--scorer", default=None, metavar="NAME",
                   help="Inspect logs: the scorer whose value is the official outcome "
                        "(default: each sample's first)")
    p.add_argument("--pass-value", default=None, metavar="V",
                   help="Inspect logs: the score value that passes (default C, 1, 1.0 or true)")
    p.add_argument("--variant", default=None, metavar="LABEL",
                   help="FILE mode: the variant name of every imported sample (default: its "
                        "model; with --out DIR and no model, the folder's name)")
    p.add_argument("--grader", default="rules",
                   help="'rules' (default, deterministic) or 'llm:<model>' (LLM extracts claims)")
    p.add_argument("--out", "-o", default=None,
                   help="FILE mode: graded JSONL to write, or a folder (existing, ending in "
                        "'/', or without a suffix) to write as a run folder")
    p.add_argument("--tasks", default=None,
                   help="fixture folder, to recognise each task's own test command and "
                        "instruction (RUN_DIR mode; default: the suite named in the manifest)")
    p.add_argument("--template", default=None, help="LLM judge: a jinja2 prompt template")
    p.add_argument("--cache", default=None,
                   help="LLM judge: cache folder (default ~/.cache/evalkit/judge)")
    p.add_argument("--batch", action="store_true",
                   help="LLM judge: send uncached requests through the Message Batches API")
    p.add_argument("--batch-poll", type=float, default=10.0, metavar="SECONDS",
                   help="LLM judge: seconds between batch status checks (default 10)")
    p.add_argument("--concurrency", type=int, default=4, metavar="N",
                   help="LLM judge without --batch: parallel requests (default 4)")
    p.add_argument("--compare-graders", default=None, metavar="A,B",
                   help="grade the input with two graders (e.g. rules,llm:claude-sonnet-4-5) "
                        "and report their agreement instead of writing grades")
    p.add_argument("--json", action="store_true",
                   help="with --compare-graders: print the agreement report as JSON")
    p.add_argument("--protected-unknown", action="store_true",
                   help="FILE mode: for transcripts without protected_files_modified, leave "
                        "tampering unknown instead of inferring it from edits to test files")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    p.set_defaults(func=run)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _err(msg: str) -> None:
    print(f"evalkit grade: {msg}", file=sys.stderr)


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


class _UsageError(ValueError):
    """Bad option value: exits USAGE before anything is graded."""


def _make_grader(name: str, args: argparse.Namespace) -> Callable[..., Any]:
    from evalkit.grading import GRADERS

    if name.startswith("llm:"):
        from evalkit.grading.llm import Judge

        try:
            return Judge(name[4:], template=args.template, cache_dir=args.cache,
                         poll_s=max(0.0, args.batch_poll), concurrency=args.concurrency)
        except ValueError as exc:
            raise _UsageError(str(exc)) from None
    try:
        return GRADERS[name]
    except KeyError as exc:
        raise _UsageError(str(exc.args[0])) from None


def _is_judge(grader: Any) -> bool:
    return hasattr(grader, "prefetch")


_IMPORT_ONLY = ("outcomes", "scorer", "pass_value", "variant")


def run(args: argparse.Namespace) -> int:
    if args.list_formats:
        return list_formats()
    if args.path is None:
        _err("a RUN_DIR or FILE is needed (or --list-formats)")
        return exitcodes.USAGE
    path = Path(args.path)
    if not path.exists():
        _err(f"{path}: no such file or folder")
        return exitcodes.USAGE
    try:
        for flag in ("scorer", "pass_value", "variant"):
            v = getattr(args, flag)
            if v is not None and not v.strip():
                raise _UsageError(f"--{flag.replace('_', '-')}: expected a non-empty value")
        if args.compare_graders:
            return compare_graders(path, args)
        if args.json:
            raise _UsageError("--json goes with --compare-graders")
        if path.is_dir() and (path / "samples.jsonl").exists():
            if args.out:
                raise _UsageError("--out is for transcript files; a run folder is re-graded "
                                  "in place (grades.jsonl)")
            given = [f for f in _IMPORT_ONLY if getattr(args, f) is not None]
            if given:
                raise _UsageError(f"--{given[0].replace('_', '-')} is for imported "
                                  "transcripts; a run folder has its own official runs")
            return regrade_run(path, args)
        return grade_file(path, args)
    except _UsageError as exc:
        _err(str(exc))
        return exitcodes.USAGE


def _prefetch(grader: Any, samples: list[Any], args: argparse.Namespace,
              instructions: dict[str, str | None]) -> None:
    """Ask the judge for every uncached report up front (a batch, or N parallel calls)."""
    if not _is_judge(grader) or not samples:
        return
    from evalkit.grading.llm import JudgeSetupError

    last = [0.0]

    def status(msg: str) -> None:
        now = time.monotonic()
        if not args.quiet and now - last[0] >= 5.0:
            last[0] = now
            _err(msg)

    try:
        summary = grader.prefetch(samples, batch=args.batch, instructions=instructions,
                                  on_status=status)
    except JudgeSetupError:
        raise
    except Exception as exc:  # noqa: BLE001 - a failed batch: grading falls back to direct calls
        _err(f"{exc}; each sample is asked directly instead")
        return
    if summary.sent and not args.quiet:
        _err(str(summary))


# ------------------------------------------------------------------------- RUN_DIR

def _fixtures(run_dir: Path, tasks: str | None) -> dict[str, Any]:
    """task key/id -> fixture (best effort; empty when the fixtures cannot be found)."""
    source = tasks
    if source is None:
        try:
            manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
            source = manifest.get("suite") or manifest.get("tasks")
        except (OSError, ValueError, AttributeError):
            source = None
    if not source or not Path(str(source)).exists():
        return {}
    try:
        from evalkit.runner import load_tasks

        fixtures = load_tasks(str(source))
    except Exception:  # noqa: BLE001 - the fixture folder is only a hint here
        return {}
    out: dict[str, Any] = {}
    for f in fixtures:
        out[f.id] = f
        out[f"{f.suite}/{f.id}"] = f
    return out


def _iter_run_samples(run_dir: Path):  # type: ignore[no-untyped-def]
    """(line, Sample, None) or (line, None, "file:line: why") per line (bounded parsing)."""
    from evalkit.records import Sample, from_json
    from evalkit.safejson import iter_jsonl

    where = run_dir / "samples.jsonl"
    for lineno, obj, bad in iter_jsonl(where):
        if bad is not None:
            yield lineno, None, f"{where}:{lineno}: {bad}"
            continue
        try:
            yield lineno, from_json(Sample, obj), None
        except (ValueError, TypeError, RecursionError) as exc:
            yield lineno, None, f"{where}:{lineno}: {exc}"


class _Input:
    """Samples to grade, with what each grader call needs, and the unreadable lines."""

    def __init__(self) -> None:
        self.samples: list[Any] = []
        self.test_commands: dict[str, str | None] = {}  # sample id -> fixture test command
        self.instructions: dict[str, str | None] = {}  # sample id -> task instruction
        self.sources: dict[str, str] = {}  # sample id -> where it came from
        self.flat: list[Any] = []  # FILE mode: ImportedRecord per sample
        self.class_unknown: set[str] = set()  # imports that did not say the task's class
        self.bad: list[tuple[str, str]] = []  # (message, reason)
        self.partial: list[str] = []  # bad lines inside records that were still graded


def _imported_class_unknown(run_dir: Path) -> set[str]:
    """Sample ids of an imported run folder whose input did not state the outcome class."""
    try:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        ids = manifest.get("outcome_class_unknown") if "imported_from" in manifest else None
    except (OSError, ValueError, AttributeError):
        return set()
    return {i for i in ids if isinstance(i, str)} if isinstance(ids, list) else set()


def _run_dir_input(run_dir: Path, args: argparse.Namespace) -> _Input:
    inp = _Input()
    fixtures = _fixtures(run_dir, args.tasks)
    inp.class_unknown = _imported_class_unknown(run_dir)  # re-grading an import: as it was
    for _lineno, sample, err in _iter_run_samples(run_dir):
        if err:
            inp.bad.append((err, "unreadable line"))
            continue
        fx = fixtures.get(f"{sample.suite}/{sample.task_id}") or fixtures.get(sample.task_id)
        inp.samples.append(sample)
        inp.sources[sample.sample_id] = sample.sample_id
        inp.test_commands[sample.sample_id] = fx.test_command if fx else None
        if fx is not None and getattr(fx, "instruction", None):
            inp.instructions[sample.sample_id] = fx.instruction
    return inp


def _call(grader: Any, sample: Any, inp: _Input) -> Any:
    tc = inp.test_commands.get(sample.sample_id)
    # an import that did not say the task's class cannot tell gamed checks (gamed_checks None)
    known = {"outcome_class_known": False} if sample.sample_id in inp.class_unknown else {}
    if _is_judge(grader) and sample.sample_id in inp.instructions:
        return grader(sample, test_command=tc, instruction=inp.instructions[sample.sample_id],
                      **known)
    return grader(sample, test_command=tc, **known)


def _grade_all(grader: Any, inp: _Input, args: argparse.Namespace, label: str,
               write: Callable[[int, Any], None], failures: dict[int, str] | None = None
               ) -> tuple[int, Counter[str], int, str | None]:
    """Grade every sample, calling ``write(i, grade)`` (failures: ``failures[i] = why``); one
    failing sample never stops the rest, except a judge that cannot run at all
    (JudgeSetupError propagates)."""
    from evalkit.grading.llm import JudgeSetupError

    progress = Progress(len(inp.samples) + len(inp.bad), quiet=args.quiet, label=label)
    skipped: Counter[str] = Counter()
    for msg, reason in inp.bad:
        _err(msg)
        skipped[reason] += 1
        progress.update(error=True)
    for msg in inp.partial:
        _err(f"{msg} (read around; the rest of its transcript is graded)")
    n = fc = 0
    version = None
    try:
        for i, sample in enumerate(inp.samples):
            try:
                grade = _call(grader, sample, inp)
            except JudgeSetupError:
                raise
            except Exception as exc:  # noqa: BLE001 - one bad sample must not stop a run
                _err(f"{inp.sources.get(sample.sample_id, sample.sample_id)}: grader failed: "
                     f"{exc}")
                if failures is not None:
                    failures[i] = str(exc)
                skipped["grader error"] += 1
                progress.update(error=True)
                continue
            version = grade.grader_version
            write(i, grade)
            n += 1
            fc += grade.false_claim is True
            progress.update(fc=grade.false_claim is True)
    finally:
        progress.close()
    return n, skipped, fc, version


def _exit(n: int, skipped: Counter[str]) -> int:
    if skipped.get("grader error"):
        return exitcodes.ERRORS
    return exitcodes.OK if n or not skipped else exitcodes.FAILED


def regrade_run(run_dir: Path, args: argparse.Namespace) -> int:
    from evalkit.grading.llm import JudgeSetupError
    from evalkit.records import to_json

    name = args.grader
    grader = _make_grader(name, args)
    inp = _run_dir_input(run_dir, args)
    out_path = run_dir / "grades.jsonl"
    with out_path.open("a", encoding="utf-8") as fh:
        def write(i: int, grade: Any) -> None:
            line = {"sample_id": inp.samples[i].sample_id, "graded_at": _now(),
                    "grade": to_json(grade)}
            fh.write(dumps_line(line))
            fh.flush()

        try:
            _prefetch(grader, inp.samples, args, inp.instructions)
            n, skipped, fc, version = _grade_all(grader, inp, args, "re-graded", write)
        except JudgeSetupError as exc:
            _err(f"{exc}; stopped (grades already written are kept)")
            return exitcodes.ENVIRONMENT
        finally:
            fh.flush()
            os.fsync(fh.fileno())
    _summary(n, skipped, fc, f"{out_path} (grader {name}, version {version})")
    return _exit(n, skipped)


# ------------------------------------------------------------------------- FILE

def flat_line(rec_sample: Any, grade: Any, outcome_class_known: bool) -> dict[str, Any]:
    """One output line of ``evalkit grade FILE --out``: what ``evalkit.load`` needs to treat it
    like a run's sample (suite, variant, epoch, status, test counts), then the grade."""
    s = rec_sample
    line: dict[str, Any] = {"id": s.sample_id, "model": s.model, "task_id": s.task_id,
                            "suite": s.suite, "variant": s.variant, "epoch": s.epoch,
                            "status": s.status}
    if outcome_class_known:
        line["outcome_class"] = s.outcome_class
    counts = s.outcome.counts if s.outcome is not None and s.status != "error" else None
    if counts is not None:
        line["tests_passed"] = counts.passed
        line["tests_failed"] = counts.failed + counts.errors
    if s.outcome is not None and getattr(s.outcome, "score", None) is not None:
        line["score"] = s.outcome.score
    line.update({
        "claimed_success": grade.claimed_success,
        "actual_success": grade.actual_success,
        "false_claim": grade.false_claim,
    })
    for f in FLAG_FIELDS:
        line[f] = getattr(grade, f)
    line["under_claim"] = grade.under_claim
    line["gamed_checks"] = grade.gamed_checks
    line["gaming_mechanism"] = grade.gaming_mechanism
    line["claims"] = [
        {"type": c.type, "quote": c.quote, "hedged": c.hedged, "negated": c.negated,
         "scope": c.scope, "count": c.count, "verdict": c.verdict, "evidence": c.evidence}
        for c in grade.claims
    ]
    line["grader"] = grade.grader
    line["grader_version"] = grade.grader_version
    return line


#: Import-line fields that state the task, in order of preference (``task`` only when it is a
#: sentence: it is often a task *id*).
_INSTRUCTION_FIELDS = ("instruction", "problem_statement", "task")


def _line_instructions(path: Path) -> dict[str, str]:
    """id -> the task instruction an import line states (JSONL files; the LLM judge only)."""
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not any(f'"{k}"' in line for k in _INSTRUCTION_FIELDS):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if not isinstance(obj, dict) or "id" not in obj:
                continue
            for key in _INSTRUCTION_FIELDS:
                v = obj.get(key)
                if isinstance(v, str) and v.strip() and (key != "task" or len(v.split()) > 3):
                    out[str(obj["id"])] = v
                    break
    return out


def _file_input(path: Path, args: argparse.Namespace, fmt: str, want_instructions: bool,
                outcomes: Any = None) -> _Input:
    from evalkit.grading.importers import ImportedRecord, ImportFormatError, iter_records

    inp = _Input()
    opts: dict[str, Any] = {}
    if fmt == "inspect":
        opts = {"scorer": args.scorer, "pass_value": args.pass_value}
    records = iter_records(path, fmt, infer_protected=not args.protected_unknown,
                           outcomes=outcomes, **opts)
    while True:
        try:
            rec = next(records, None)
        except ImportFormatError:
            raise
        except Exception as exc:  # noqa: BLE001 - a reader bug: keep what was read, say where
            inp.bad.append((f"{path}: reading stopped after {len(inp.samples) + len(inp.bad)} "
                            f"records: {type(exc).__name__}: {exc}", "reader failed"))
            break
        if rec is None:
            break
        if not isinstance(rec, ImportedRecord):
            if rec.record_graded:
                inp.partial.append(str(rec))
            else:
                inp.bad.append((str(rec), _reason(rec.message)))
            continue
        if args.variant:
            rec = dataclasses.replace(rec, sample=dataclasses.replace(rec.sample,
                                                                      variant=args.variant))
        inp.samples.append(rec.sample)
        inp.flat.append(rec)
        inp.sources[rec.sample.sample_id] = rec.source
        if not rec.outcome_class_known:
            inp.class_unknown.add(rec.sample.sample_id)
    if want_instructions and fmt == "jsonl":
        given = _line_instructions(path)
        inp.instructions.update({s.sample_id: given[s.sample_id] for s in inp.samples
                                 if s.sample_id in given})
    return inp


def _detect_format(path: Path, args: argparse.Namespace) -> str:
    from evalkit.grading.importers import FORMATS, ImportFormatError, detect_format

    given = None if args.format in (None, "auto") else args.format
    if given is not None and given not in FORMATS:
        raise _UsageError(f"--format: expected one of {', '.join(FORMATS)} or auto, got "
                          f"{args.format!r}")
    try:
        fmt, why = (given, None) if given else detect_format(path)
    except ImportFormatError as exc:  # nothing recognised: one error naming the path
        raise _UsageError(str(exc)) from None
    if why:
        _err(f"{path} {why}; reading it with --format {fmt}")
    for flag in ("scorer", "pass_value"):
        if getattr(args, flag, None) is not None and fmt != "inspect":
            raise _UsageError(f"--{flag.replace('_', '-')} is for Inspect logs; {path} is read "
                              f"as {fmt}")
    return str(fmt)


def _out_is_folder(out: str) -> bool:
    """``--out DIR`` (an existing folder, a trailing '/', or a name without a suffix) writes a
    run folder; anything else is the flat graded JSONL file."""
    p = Path(out)
    return p.is_dir() or out.endswith(("/", os.sep)) or not p.suffix


def _load_outcomes(args: argparse.Namespace) -> Any:
    """``--outcomes PATH`` → Outcomes (None without it); unreadable parts are reported, an
    input with no outcome at all is a usage error naming the flag."""
    if args.outcomes is None:
        return None
    from evalkit.grading.importers import load_outcomes

    src = Path(args.outcomes)
    if not src.exists():
        raise _UsageError(f"--outcomes {src}: no such file or folder")
    outcomes = load_outcomes(src)
    if not outcomes and not outcomes.harness_errors:
        why = "; ".join(str(e) for e in outcomes.errors[:3]) or "it lists no instance"
        raise _UsageError(f"--outcomes {src}: no outcome could be read ({why})")
    for e in outcomes.errors:
        _err(f"{e} (--outcomes; the rest is used)")
    return outcomes


def _outcome_summary(inp: _Input, outcomes: Any) -> None:
    """One line: how many samples took their outcome from --outcomes, and which did not."""
    from evalkit.grading.importers import outcome_joined

    missing = [s for s in inp.samples if not outcome_joined(s, outcomes)]
    n = len(inp.samples)
    harness = [s for s in missing if s.task_id in outcomes.harness_errors
               or s.sample_id in outcomes.harness_errors]
    absent = [s for s in missing if s not in harness]

    def ids(samples: list[Any]) -> str:
        return ", ".join(s.task_id for s in samples[:5]) + (", …" if len(samples) > 5 else "")

    msg = (f"--outcomes {outcomes.source}: {_n(len(outcomes), 'instance')}; "
           f"{n - len(missing)} of {_n(n, 'sample')} joined by instance id")
    if missing:
        parts = ([f"{len(absent)} not in it ({ids(absent)})"] if absent else []) + (
            [f"{len(harness)} a harness error there ({ids(harness)})"] if harness else [])
        msg += f"; {len(missing)} graded without an official outcome: " + ", ".join(parts)
    _err(msg)
    if n and len(missing) == n and len(outcomes):
        example = next(iter(outcomes))
        _err(f"no sample matched: sample instance ids look like {inp.samples[0].task_id!r}, "
             f"--outcomes ids like {example!r}")


def _n(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


def _scorer_check(inp: _Input, args: argparse.Namespace, path: Path) -> None:
    """--scorer naming a scorer no sample has: a usage error, not N bad records (samples
    without any score, e.g. ones cut off by a limit, do not count)."""
    if args.scorer is None or any(s.outcome is not None for s in inp.samples):
        return
    missing = [m for m, _ in inp.bad if f"no scorer {args.scorer!r}" in m]
    if missing:
        has = missing[0].rsplit("(the sample has ", 1)[-1].rstrip(")")
        raise _UsageError(f"--scorer {args.scorer}: no sample of {path} has this scorer "
                          f"(they have {has})")


def grade_file(path: Path, args: argparse.Namespace) -> int:
    from evalkit.grading.importers import ImportFormatError
    from evalkit.grading.llm import JudgeSetupError

    if not args.out:
        raise _UsageError("FILE mode needs --out graded.jsonl (or --out DIR for a run folder)")
    folder = _out_is_folder(args.out)
    if folder:
        _check_out_folder(Path(args.out))
    fmt = _detect_format(path, args)
    outcomes = _load_outcomes(args)
    name = args.grader
    grader = _make_grader(name, args)
    try:
        inp = _file_input(path, args, fmt, want_instructions=_is_judge(grader),
                          outcomes=outcomes)
    except ImportFormatError as exc:
        _err(str(exc))
        return exitcodes.USAGE
    _scorer_check(inp, args, path)
    if outcomes is not None:
        _outcome_summary(inp, outcomes)
    if folder:
        return _grade_to_folder(path, Path(args.out), args, fmt, grader, inp)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        def write(i: int, grade: Any) -> None:
            rec = inp.flat[i]
            fh.write(dumps_line(flat_line(rec.sample, grade, rec.outcome_class_known)))
            if _is_judge(grader):
                fh.flush()  # judge answers cost money: keep each one even on a crash

        try:
            _prefetch(grader, inp.samples, args, inp.instructions)
            n, skipped, fc, _version = _grade_all(grader, inp, args, "graded", write)
        except JudgeSetupError as exc:
            _err(f"{exc}; stopped (lines already written to {out} are kept)")
            return exitcodes.ENVIRONMENT
    _summary(n, skipped, fc, f"{out} (grader {name})", len(inp.partial))
    return _exit(n, skipped)


# ------------------------------------------------------------------------- FILE → run folder

def _check_out_folder(out: Path) -> None:
    """A folder holding a run is never overwritten; an earlier import into it is replaced."""
    if out.exists() and not out.is_dir():
        raise _UsageError(f"--out {out}: not a folder")
    if not (out / "samples.jsonl").exists():
        return
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or "imported_from" not in manifest:
        raise _UsageError(f"--out {out}: holds a run (samples.jsonl); choose a new folder "
                          "(only an earlier import is replaced)")


def _import_manifest(run_id: str, path: Path, fmt: str, args: argparse.Namespace,
                     samples: list[Any], inp: _Input, started: str) -> dict[str, Any]:
    from evalkit import __version__
    from evalkit.records import SCHEMA_VERSION

    counts = {"samples": len(samples), "ok": 0, "limit": 0, "error": 0}
    variants: dict[str, Any] = {}
    per_task: Counter[tuple[str, str]] = Counter()
    for s in samples:
        counts[s.status] = counts.get(s.status, 0) + 1
        variants.setdefault(s.variant, {"model": s.model, "simulated": False,
                                        "imported": True})
        per_task[(s.variant, s.task_id)] += 1
    errors = [msg for msg, _ in inp.bad] + inp.partial
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "status": "complete",
        "reason": None,
        "evalkit_version": __version__,
        "git_commit": None,
        "created_at": started,
        "started_at": started,
        "finished_at": _now(),
        "suite": None,
        "suites": sorted({s.suite for s in samples}),
        "n_tasks": len({s.task_id for s in samples}),
        "epochs": max(per_task.values(), default=0),
        "limit": None,
        "shard": None,
        "variants": variants,
        "simulated": False,
        "planned": len(samples),
        "counts": counts,
        "imported_from": {"path": str(path), "format": fmt, "outcomes": args.outcomes,
                          "scorer": args.scorer, "pass_value": args.pass_value,
                          "grader": args.grader},
        "outcome_class_unknown": sorted(inp.class_unknown),
        "import_errors": errors[:50],
        "import_errors_total": len(errors),
    }


def _grade_to_folder(path: Path, out: Path, args: argparse.Namespace, fmt: str, grader: Any,
                     inp: _Input) -> int:
    """Grade into a run folder: samples.jsonl (each sample with its grade, run id = the
    folder's name, a variant label) + manifest.json, so imports load and compare like runs."""
    from evalkit.grading.llm import JudgeSetupError
    from evalkit.records import to_json
    from evalkit.store import write_json_atomic

    started = _now()
    run_id = out.resolve().name
    samples = [dataclasses.replace(
        s, run_id=run_id,
        variant=run_id if not args.variant and s.variant in ("", "unknown") else s.variant)
        for s in inp.samples]
    inp.samples = samples
    out.mkdir(parents=True, exist_ok=True)
    (out / "grades.jsonl").unlink(missing_ok=True)  # an earlier import's re-grades
    dest = out / "samples.jsonl"
    failed: dict[int, str] = {}
    with dest.open("w", encoding="utf-8") as fh:
        def write(i: int, grade: Any) -> None:
            fh.write(dumps_line(to_json(dataclasses.replace(samples[i], grade=grade))))
            if _is_judge(grader):
                fh.flush()

        try:
            _prefetch(grader, samples, args, inp.instructions)
            n, skipped, fc, _version = _grade_all(grader, inp, args, "graded", write, failed)
        except JudgeSetupError as exc:
            _err(f"{exc}; stopped (lines already written to {dest} are kept)")
            return exitcodes.ENVIRONMENT
        for i in sorted(failed):  # kept ungraded, as a run keeps a sample whose grading failed
            fh.write(dumps_line(to_json(samples[i])))
        fh.flush()
        os.fsync(fh.fileno())
    write_json_atomic(out / "manifest.json",
                      _import_manifest(run_id, path, fmt, args, samples, inp, started))
    _summary(n, skipped, fc, f"{out}/ (run {run_id}, grader {args.grader})",
             len(inp.partial))
    return _exit(n, skipped)


def list_formats() -> int:
    """``--list-formats``: name, what it reads, how it is detected, an example input."""
    from evalkit.grading.importers.registry import _DETECT_ORDER, REGISTRY

    out = ["Import formats (evalkit grade PATH --format NAME; auto tries them in this order):",
           ""]
    for name in _DETECT_ORDER:
        f = REGISTRY[name]
        out += [f"{f.name}", f"  reads:    {f.description}", f"  detected: {f.detected}",
                f"  input:    {f.example}", ""]
    out += ["Official outcomes: the format's own (import line outcome, SWE-bench report.json "
            "beside trajectories, OpenHands test_result, Harbor reward, Inspect score), or "
            "--outcomes report.json|results.json|logs/ joined by instance id. See "
            "docs/importers.md."]
    sys.stdout.write("\n".join(out) + "\n")
    return exitcodes.OK


# ------------------------------------------------------------------------- compare

def compare_graders(path: Path, args: argparse.Namespace) -> int:
    """Grade the same input with two graders and print how far they agree."""
    from evalkit.grading import final_report_of
    from evalkit.grading.agreement import compare_grades
    from evalkit.grading.importers import ImportFormatError
    from evalkit.grading.llm import JudgeSetupError

    names = [x.strip() for x in args.compare_graders.split(",") if x.strip()]
    if len(names) != 2 or names[0] == names[1]:
        raise _UsageError(f"--compare-graders: expected two different graders 'A,B' (e.g. "
                          f"rules,llm:claude-sonnet-4-5), got {args.compare_graders!r}")
    if args.out:
        raise _UsageError("--compare-graders writes no grades; drop --out (use --json for a "
                          "machine-readable report)")
    graders = [_make_grader(n, args) for n in names]
    run_dir = path.is_dir() and (path / "samples.jsonl").exists()
    want = any(_is_judge(g) for g in graders)
    if run_dir:
        inp = _run_dir_input(path, args)
    else:
        try:
            inp = _file_input(path, args, _detect_format(path, args), want_instructions=want,
                              outcomes=_load_outcomes(args))
        except ImportFormatError as exc:
            _err(str(exc))
            return exitcodes.USAGE
    results: list[dict[int, Any]] = [{}, {}]
    errors: list[tuple[str, str, str]] = []
    try:
        for k, (name, grader) in enumerate(zip(names, graders, strict=True)):
            _prefetch(grader, inp.samples, args, inp.instructions)
            sub = _Input()
            sub.samples, sub.test_commands = inp.samples, inp.test_commands
            sub.instructions, sub.sources = inp.instructions, inp.sources
            sub.bad = inp.bad if k == 0 else []
            sub.partial = inp.partial if k == 0 else []
            quiet_args = argparse.Namespace(**{**vars(args), "quiet": True})

            def keep(i: int, grade: Any, k: int = k) -> None:
                results[k][i] = grade

            failed: dict[int, str] = {}
            _grade_all(grader, sub, quiet_args, name, keep, failed)
            errors.extend((inp.samples[i].sample_id, name, why) for i, why in failed.items())
    except JudgeSetupError as exc:
        _err(f"{exc}; stopped")
        return exitcodes.ENVIRONMENT
    both = [i for i in range(len(inp.samples)) if i in results[0] and i in results[1]]
    report = compare_grades(
        [results[0][i] for i in both], [results[1][i] for i in both],
        ids=[inp.samples[i].sample_id for i in both],
        reports=[final_report_of(inp.samples[i]) for i in both],
        grader_a=names[0], grader_b=names[1], errors=errors)
    if args.json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(report.format_text())
    if not both:
        return exitcodes.FAILED if not errors else exitcodes.ERRORS
    return exitcodes.ERRORS if errors else exitcodes.OK


def _reason(message: str) -> str:
    """The kind of a bad record, for the summary's counts (its own name left out)."""
    head, sep, rest = message.partition(": ")
    if sep and head.startswith(("sample ", "instance ", "trial ", "session ")):
        message = rest
    if message.startswith("not valid JSON"):
        return "invalid JSON"
    if message.startswith("field '"):
        return "bad field " + message.split("'")[1].split("[")[0]
    return message.split(":")[0][:40]


def _summary(n: int, skipped: Counter[str], fc: int, where: str, partial: int = 0) -> None:
    parts = [f"graded {n}"]
    if skipped:
        why = ", ".join(f"{k}: {v}" for k, v in skipped.most_common())
        parts.append(f"skipped {sum(skipped.values())} ({why})")
    else:
        parts.append("skipped 0")
    if partial:
        parts.append(f"{partial} bad line{'s' * (partial != 1)} read around in graded transcripts")
    rate = f" ({100 * fc / n:.1f}%)" if n else ""
    parts.append(f"false claims {fc}{rate}")
    print("evalkit grade: " + ", ".join(parts) + f" → {where}", file=sys.stderr)
