"""Load results into one tidy pandas DataFrame: ``evalkit.load(*paths)``.

One row per sample. Transcripts are never loaded into the frame (they stay in ``samples.jsonl``);
the loader reads each JSON line once, skipping the transcript, and picks fields without building
``Sample`` dataclasses (``bench/load_speed.py`` prints the speed; figures in docs/notebook.md).

Accepted paths (any mix, any number):

- a run directory ``results/<run-id>/`` holding ``samples.jsonl`` (and optionally ``grades.jsonl``,
  whose *last* line per ``sample_id`` overrides the grade embedded in the sample line);
- a ``samples.jsonl`` file;
- a graded JSONL file written by ``evalkit grade FILE --out graded.jsonl`` (flat lines with ``id``,
  ``model``, ``task_id``, the flags, ...);
- a parent directory: every run directory found below it (``*/samples.jsonl``, recursively).

Several runs: the ``run`` column keeps each row's run id. When the same variant was measured on
the same (task, epoch) in several runs (two nights of a nightly, a run and its re-run), pooling
them would count each task twice, as if it had extra epochs; ``load`` then warns
(:class:`PooledRunsWarning`). Choose with ``latest=True`` (per variant, only its newest run:
manifest ``started_at``, else the run id) or ``runs=[...]`` (only these run ids).

Columns (dtype; meaning)
------------------------
run               category  run id (``run_id`` of the sample; the file stem for graded files)
sample_id         string    deterministic sample id (``id`` in graded files)
task_id           string    task fixture id; the cluster for clustered statistics
suite             category  suite name (NA in graded files that lack it)
outcome_class     category  solvable / impossible / already_passing / unverifiable (NA if absent)
variant           category  what is evaluated; graded files without ``variant`` use ``model``
model             category  model id
simulated         boolean   True for the built-in simulated agents
epoch             Int64     attempt number of this (task, variant)
status            category  ok / limit / error (NA in graded files)
claimed_success   boolean   the report's overall stance (NA: no claim either way)
actual_success    boolean   the official test run passed (NA: no official outcome)
false_claim       boolean   any of the five flags below (NA where evidence is missing)
false_completion, false_tests_pass, fabricated_verification, contradicts_observation,
tampered_checks   boolean   the five false-claim flags (docs/flags.md)
under_claim       boolean   passed, yet reported as failed / partial / unsure
gamed_checks      boolean   impossible fixture whose official run passed: the checks were gamed
                            (the ImpossibleBench "cheating" figure; NA where the class is unknown)
tests_passed      Int64     official run: tests passed (NA without counts, and for errored samples)
tests_failed      Int64     official run: tests failed + errored (NA without counts)
score             float64   the official outcome's fractional score where the harness gives one
                            (a Harbor verifier reward, a numeric Inspect score; NaN otherwise)
turns             Int64     agent turns
input_tokens, output_tokens, cache_read_tokens, cache_write_tokens
                  Int64     token usage (cache_write = cache_creation_input_tokens)
cost_usd          float64   cost of the sample (NaN if unknown)
duration_s        float64   wall time of the sample (NaN if unknown)
n_claims          Int64     number of claims the grader found (NA: not graded)

Flags use pandas' nullable ``boolean`` dtype because NA ("cannot tell") is a real answer and must
not silently become False. ``df["false_claim"].mean()`` skips NA; ``evalkit.stats`` reports how many
were dropped.

Columnar sidecar (``frame.parquet``): when a run completes, the runner writes the rows of its
``samples.jsonl`` (and ``grades.jsonl``) as Parquet next to them, stamped with the size,
modification time and line count of the files it was built from; ``evalkit export RUN --parquet``
(re)writes it. ``load`` reads it instead of the JSON lines when the stamp still matches (10^6
rows: ~2 s instead of ~22 s of CPU on a 2-core VM, docs/performance.md) and otherwise, silently,
reads the JSON lines; the frame is the same either way. It is a cache: deleting it loses
nothing. It is not written for files with bad lines (their warnings come from the JSON path) or
when pyarrow is not installed.

Robustness: a truncated or unparsable line gives a warning naming the file and line and is skipped
(``strict=True`` raises instead); a line whose ``schema_version`` is newer than this evalkit
understands raises :class:`LoadError` naming the file and line. When a ``samples.jsonl`` holds the
same ``sample_id`` twice (a retried sample), the last line wins.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import re
import tempfile
import threading
import typing
import warnings
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit import safejson
from evalkit.records import (
    FALSE_CLAIM_FLAGS,
    GAMING_FLAG,
    OUTCOME_CLASSES,
    SCHEMA_VERSION,
    SampleStatus,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COLUMNS", "LoadError", "PooledRunsWarning", "SIDECAR", "load", "write_sidecar"]

#: the columnar copy of a run folder's rows (see the module docstring)
SIDECAR = "frame.parquet"
#: bump when the rows a sample line gives change meaning, so that old sidecars are not read
SIDECAR_FORMAT = 1
_SIDECAR_KEY = b"evalkit_frame"

FLAG_COLUMNS: tuple[str, ...] = (
    "claimed_success",
    "actual_success",
    "false_claim",
    *FALSE_CLAIM_FLAGS,
    "under_claim",
    GAMING_FLAG,
)

#: column name -> dtype, in frame order
COLUMNS: dict[str, str] = {
    "run": "category",
    "sample_id": "string",
    "task_id": "string",
    "suite": "category",
    "outcome_class": "category",
    "variant": "category",
    "model": "category",
    "simulated": "boolean",
    "epoch": "Int64",
    "status": "category",
    **{name: "boolean" for name in FLAG_COLUMNS},
    "tests_passed": "Int64",
    "tests_failed": "Int64",
    "score": "float64",
    "turns": "Int64",
    "input_tokens": "Int64",
    "output_tokens": "Int64",
    "cache_read_tokens": "Int64",
    "cache_write_tokens": "Int64",
    "cost_usd": "float64",
    "duration_s": "float64",
    "n_claims": "Int64",
}

_GRADE_KEYS: tuple[str, ...] = FLAG_COLUMNS


class LoadError(ValueError):
    """A results file evalkit cannot read (names the file, the line and what was expected)."""


class PooledRunsWarning(UserWarning):
    """The same variant, task and epoch come from several runs and are pooled."""


_skipped = threading.local()  # .lines: the messages of lines skipped by the current load()


def _skip(msg: str, strict: bool, stacklevel: int) -> None:
    """One bad line: LoadError when strict, else a warning naming it, kept for the summary."""
    if strict:
        raise LoadError(msg)
    lines = getattr(_skipped, "lines", None)
    if lines is not None:
        lines.append(msg)
    warnings.warn(msg, stacklevel=stacklevel + 1)


_INT_MAX = 2**63 - 1
_STATUSES: tuple[str, ...] = typing.get_args(SampleStatus)
#: row column -> the JSON field it comes from (sample lines; graded lines use the column name)
_SAMPLE_FIELDS: dict[str, str] = {
    "run": "run_id", "tests_passed": "outcome.counts.passed",
    "tests_failed": "outcome.counts.failed/errors", "score": "outcome.score",
    "input_tokens": "usage.input_tokens",
    "output_tokens": "usage.output_tokens", "cache_read_tokens": "usage.cache_read_input_tokens",
    "cache_write_tokens": "usage.cache_creation_input_tokens", "n_claims": "grade.claims",
    **{k: f"grade.{k}" for k in FLAG_COLUMNS},
}
_GRADED_FIELDS: dict[str, str] = {"run": "run_id", "sample_id": "id", "n_claims": "claims"}
_GRADED_FIELDS_NO_VARIANT = {**_GRADED_FIELDS, "variant": "model"}  # variant defaults to model
_CHECKS: tuple[tuple[str, str], ...] = tuple(COLUMNS.items())


def _show(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 60 else r[:60] + "…"


def _row_problem(row: tuple[Any, ...], fields: dict[str, str]) -> str | None:
    """What is wrong with a picked row (wrong type, non-finite or out-of-range number, unknown
    outcome class / status), naming the JSON field; None when the row is sound. Without this a
    wrong type surfaced as a TypeError/OverflowError from pandas, for the whole load."""
    for (name, kind), v in zip(_CHECKS, row, strict=True):
        if v is None:
            continue
        t = type(v)
        if kind == "boolean":
            if t is bool:
                continue
            want = "true, false or null"
        elif kind == "Int64":
            if t is int and 0 <= v <= _INT_MAX:
                continue
            want = "a whole number 0..2**63-1"
        elif kind == "float64":
            if (t is int or t is float) and (0 <= v < math.inf
                                             or (name == "score" and math.isfinite(v))):
                continue
            want = "a finite number" + (" >= 0" if name != "score" else "")
        elif t is str:
            if name == "outcome_class" and v not in OUTCOME_CLASSES:
                want = f"one of {', '.join(OUTCOME_CLASSES)}"
            elif name == "status" and v not in _STATUSES:
                want = f"one of {', '.join(_STATUSES)}"
            else:
                continue
        else:
            want = "a string"
        return f"field '{fields.get(name, name)}': expected {want}, got {_show(v)}"
    return None


def _object_problem(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """A nested part that must be an object (or null) but is not (``"outcome": "x"``)."""
    for key in keys:
        v = obj.get(key)
        if v is not None and type(v) is not dict:
            return f"field '{key}': expected an object or null, got {_show(v)}"
    return None


def _grade_problem(grade: dict[str, Any], prefix: str) -> str | None:
    claims = grade.get("claims")
    if claims is not None and type(claims) is not list:
        return f"field '{prefix}claims': expected a list or null, got {_show(claims)}"
    return None


def _sample_problem(obj: dict[str, Any]) -> str | None:
    bad = _object_problem(obj, ("outcome", "usage", "grade"))
    if bad:
        return bad
    for key in ("sample_id", "task_id"):
        if type(obj.get(key)) is not str:
            return f"field '{key}': expected a string, got {_show(obj.get(key))}"
    outcome = obj.get("outcome")
    if outcome:
        counts = outcome.get("counts")
        if type(counts) not in (dict, type(None)):
            return f"field 'outcome.counts': expected an object or null, got {_show(counts)}"
        for k in ("passed", "failed", "errors") if counts else ():
            v = counts.get(k)
            if v is not None and (type(v) is not int or not 0 <= v <= _INT_MAX):
                return f"field 'outcome.counts.{k}': expected a whole number 0..2**63-1, " \
                       f"got {_show(v)}"
    grade = obj.get("grade")
    return _grade_problem(grade, "grade.") if grade else None


def _json_loads() -> Callable[[str | bytes], Any]:
    """orjson when installed (about 3x faster on transcript-heavy lines), else the stdlib."""
    try:
        import orjson

        return orjson.loads
    except ImportError:  # pragma: no cover - depends on the machine
        return _stdlib_loads


#: a \uD800-\uDFFF escape: json.loads turns a lone one into a string that cannot be encoded
_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F][0-9a-fA-F]{2}")


def _stdlib_loads(raw: str | bytes) -> Any:
    """json.loads, except that a line with a surrogate escape goes to the bounded parser (as
    orjson's refusal sends it there), which keeps pairs and names a lone one: the same verdict
    with or without orjson."""
    if isinstance(raw, bytes) and _SURROGATE_ESCAPE.search(raw):
        raise ValueError("surrogate escape: checked by safejson")
    return json.loads(raw)


# --------------------------------------------------------------------------- discovery


def _discover(path: Path) -> Iterator[tuple[str, Path]]:
    """Yield (kind, path) pairs: kind is "run" (a run dir) or "jsonl" (a file to sniff)."""
    if path.is_dir():
        if (path / "samples.jsonl").is_file():
            yield "run", path
            return
        found = sorted(p.parent for p in path.rglob("samples.jsonl"))
        if not found:
            raise LoadError(f"{path}: no samples.jsonl in this directory or below it")
        for run_dir in found:
            yield "run", run_dir
        return
    if path.is_file():
        yield "jsonl", path
        return
    raise LoadError(f"{path}: no such file or directory")


def _skipping_transcript(loads: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    """A parser that skips the ``messages`` array (the transcript) of sample lines.

    Parsing the transcript is most of the cost of a line and the frame never uses it. Inside a
    JSON string a quote is escaped, so the raw bytes ``"messages":`` first appear as the top-level
    key (the keys before it hold strings) and the last ``"system_prompt":`` is the top-level key
    that follows it in ``records.Sample`` order. Cutting between them leaves valid JSON; a cut in
    the wrong place leaves unbalanced brackets, fails to parse, and the full line is parsed.
    """

    def parse(raw: bytes) -> Any:
        m = raw.find(b'"messages":')
        if m > 0:
            s = raw.rfind(b'"system_prompt":')
            if s > m:
                try:
                    return loads(raw[:m] + raw[s:])
                except ValueError:
                    pass
        return loads(raw)

    return parse


def _iter_lines(path: Path, strict: bool) -> Iterator[tuple[int, Any]]:
    """Parsed JSON lines with 1-based line numbers; bad lines warn (or raise when strict).

    Streams the file, so a multi-GB samples.jsonl never sits in memory as text.
    """
    loads = _skipping_transcript(_json_loads())
    pending: tuple[int, str] | None = None  # a bad line: reported once we know if it was last

    def report(lineno: int, problem: str, last: bool) -> None:
        where = "truncated last line (interrupted write?)" if last else "unparsable line"
        _skip(f"{path}:{lineno}: {where} skipped: {problem}", strict, 5)

    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if pending is not None:
                if not raw.strip():
                    continue
                report(*pending, last=False)
                pending = None
            try:
                obj = loads(raw)
            except (ValueError, RecursionError):
                if not raw.strip():
                    continue
                try:  # the bounded stdlib parser: same verdicts whether orjson is installed
                    obj = safejson.loads(raw)  # or not, and its errors name the field
                except safejson.JSONError as exc:
                    if exc.field is None and str(exc).startswith("not valid JSON"):
                        pending = (lineno, str(exc))  # syntax: maybe a truncated last line
                    else:
                        _skip(f"{path}:{lineno}: {exc}; skipped", strict, 4)
                    continue
            if type(obj) is not dict:
                _skip(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}; "
                      "skipped", strict, 4)
                continue
            yield lineno, obj
    if pending is not None:
        report(*pending, last=True)


# --------------------------------------------------------------------------- row pickers


def _sample_row(obj: dict[str, Any], grade: dict[str, Any] | None) -> tuple[Any, ...]:
    outcome = obj.get("outcome") or {}
    # an errored sample's official run (kept as evidence of an environmental failure) measured
    # nothing: its counts are NA, not "0 passed"
    counts = (outcome.get("counts") or {}) if obj.get("status") != "error" else {}
    usage = obj.get("usage") or {}
    if grade is None:
        grade = obj.get("grade") or {}
    claims = grade.get("claims")
    if counts:
        tests_passed = counts.get("passed")
        tests_failed = (counts.get("failed") or 0) + (counts.get("errors") or 0)
    else:
        tests_passed = tests_failed = None
    return (
        obj.get("run_id"),
        obj.get("sample_id"),
        obj.get("task_id"),
        obj.get("suite"),
        obj.get("outcome_class"),
        obj.get("variant"),
        obj.get("model"),
        obj.get("simulated"),
        obj.get("epoch"),
        obj.get("status"),
        *(grade.get(k) for k in _GRADE_KEYS),
        tests_passed,
        tests_failed,
        outcome.get("score") if obj.get("status") != "error" else None,
        obj.get("turns"),
        usage.get("input_tokens"),
        usage.get("output_tokens"),
        usage.get("cache_read_input_tokens"),
        usage.get("cache_creation_input_tokens"),
        obj.get("cost_usd"),
        obj.get("duration_s"),
        len(claims) if claims is not None else None,
    )


def _graded_row(obj: dict[str, Any], run: str) -> tuple[Any, ...]:
    claims = obj.get("claims")
    model = obj.get("model")
    return (
        obj.get("run_id") or run,
        obj.get("id", obj.get("sample_id")),
        obj.get("task_id"),
        obj.get("suite"),
        obj.get("outcome_class"),
        obj.get("variant") or model,
        model,
        obj.get("simulated"),
        obj.get("epoch"),
        obj.get("status"),
        *(obj.get(k) for k in _GRADE_KEYS),
        obj.get("tests_passed"),
        obj.get("tests_failed"),
        obj.get("score"),
        obj.get("turns"),
        obj.get("input_tokens"),
        obj.get("output_tokens"),
        obj.get("cache_read_tokens"),
        obj.get("cache_write_tokens"),
        obj.get("cost_usd"),
        obj.get("duration_s"),
        len(claims) if claims is not None else None,
    )


def _check_version(obj: dict[str, Any], path: Path, lineno: int) -> None:
    version = obj.get("schema_version", 1)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise LoadError(
            f"{path}:{lineno}: schema_version {version} is newer than this evalkit understands "
            f"({SCHEMA_VERSION}); upgrade evalkit to read this file"
        )


def _read_grades(path: Path, strict: bool) -> dict[str, dict[str, Any]]:
    """grades.jsonl: the last line per sample_id wins."""
    out: dict[str, dict[str, Any]] = {}
    for lineno, obj in _iter_lines(path, strict):
        sid, grade = obj.get("sample_id"), obj.get("grade")
        if type(sid) is not str or type(grade) is not dict:
            _skip(f"{path}:{lineno}: expected a string 'sample_id' and a 'grade' object; "
                  "skipped", strict, 3)
            continue
        bad = _grade_problem(grade, "grade.")
        if bad is None:
            for k in _GRADE_KEYS:
                v = grade.get(k)
                if v is not None and type(v) is not bool:
                    bad = f"field 'grade.{k}': expected true, false or null, got {_show(v)}"
                    break
        if bad:
            _skip(f"{path}:{lineno}: {bad}; skipped", strict, 3)
            continue
        out[sid] = grade
    return out


def _read_samples(
    path: Path, grades: dict[str, dict[str, Any]], run: str | None, strict: bool
) -> list[tuple[Any, ...]]:
    rows = []
    for lineno, obj in _iter_lines(path, strict):
        _check_version(obj, path, lineno)
        sid = obj.get("sample_id")
        row = _checked_sample_row(obj, grades.get(sid) if grades and type(sid) is str
                                  else None, path, lineno, strict)
        if row is None:
            continue
        if row[0] is None:
            row = (run, *row[1:])
        rows.append(row)
    return rows


def _checked_sample_row(obj: dict[str, Any], grade: dict[str, Any] | None, path: Path,
                        lineno: int, strict: bool) -> tuple[Any, ...] | None:
    """The row of a sample line, or None (skipped, reported) when its structure is wrong."""
    bad = _sample_problem(obj)
    row = None
    if bad is None:
        row = _sample_row(obj, grade)
        bad = _row_problem(row, _SAMPLE_FIELDS)
        if bad is not None and grade is not None and bad.startswith("field 'grade."):
            bad += " (from grades.jsonl)"
    if bad is not None:
        _skip(f"{path}:{lineno}: {bad}; skipped", strict, 4)
        return None
    return row


def _read_jsonl(path: Path, strict: bool, name_runs: bool = True) -> list[tuple[Any, ...]]:
    """A samples.jsonl or a graded JSONL file, told apart by the keys of each line.

    ``name_runs=False`` leaves the run of a sample line without ``run_id`` as None (the
    sidecar names it when read, so that a renamed folder names it anew)."""
    run: str | None = path.parent.name if path.name == "samples.jsonl" else path.stem
    if path.name == "samples.jsonl":
        if not name_runs:
            run = None
        grades_path = path.parent / "grades.jsonl"
        grades = _read_grades(grades_path, strict) if grades_path.is_file() else {}
        return _read_samples(path, grades, run, strict)
    rows = []
    for lineno, obj in _iter_lines(path, strict):
        if "sample_id" in obj and "task_id" in obj:
            _check_version(obj, path, lineno)
            row = _checked_sample_row(obj, None, path, lineno, strict)
            if row is not None:
                rows.append(row if row[0] is not None else (run, *row[1:]))
        elif "id" in obj or "false_claim" in obj:
            bad = _grade_problem(obj, "")
            row = _graded_row(obj, run) if bad is None else None
            bad = bad or _row_problem(row, _GRADED_FIELDS if obj.get("variant")  # type: ignore[arg-type]
                                      else _GRADED_FIELDS_NO_VARIANT)
            if bad is not None:
                _skip(f"{path}:{lineno}: {bad}; skipped", strict, 3)
                continue
            rows.append(row)
        elif "sample_id" in obj and "grade" in obj:
            raise LoadError(
                f"{path}:{lineno}: this is a grades.jsonl (re-grades); load its run directory "
                "instead so the grades can be matched to their samples"
            )
        else:
            _skip(f"{path}:{lineno}: not a sample line (needs 'sample_id' and 'task_id') "
                  "nor a graded line (needs 'id'); skipped", strict, 3)
    return rows


# --------------------------------------------------------------------------- frame


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    names = list(COLUMNS)
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data: dict[str, Any] = {}
    for name, values in zip(names, columns, strict=True):
        dtype = COLUMNS[name]
        arr = np.empty(n, dtype=object)
        arr[:] = values
        if dtype == "category":
            codes, uniques = pd.factorize(arr, sort=True)
            data[name] = pd.Categorical.from_codes(codes, uniques)
        elif dtype == "boolean":
            mask = np.equal(arr, None)
            data[name] = pd.arrays.BooleanArray(arr == True, mask)  # noqa: E712
        elif dtype == "Int64":
            mask = np.equal(arr, None)
            try:
                ints = np.where(mask, 0, arr).astype(np.int64)
            except (TypeError, ValueError):  # a non-integer slipped in: let pandas decide
                data[name] = pd.array(arr, dtype="Int64")
                continue
            data[name] = pd.arrays.IntegerArray(ints, mask)
        elif dtype == "float64":
            arr[np.equal(arr, None)] = np.nan
            data[name] = arr.astype(float)
        else:
            data[name] = pd.array(arr, dtype="string")
    df = pd.DataFrame(data, copy=False)
    if n and len(set(zip(columns[0], columns[1], strict=True))) < n:
        df = df.drop_duplicates(["run", "sample_id"], keep="last").reset_index(drop=True)
    return df


def _run_time(run_dir: Path | None, path: Path) -> str:
    """When a run started (manifest ``started_at``/``created_at``), for ``latest=True``; a
    file without a manifest counts from its modification time."""
    if run_dir is not None:
        try:
            manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
        if isinstance(manifest, dict):
            when = manifest.get("started_at") or manifest.get("created_at")
            if isinstance(when, str) and when:
                return when
    from datetime import UTC, datetime

    try:
        mtime = path.stat().st_mtime
    except OSError:
        return ""
    return datetime.fromtimestamp(mtime, UTC).isoformat(timespec="seconds").replace("+00:00",
                                                                                    "Z")


def _select_runs(df: pd.DataFrame, runs: list[str] | tuple[str, ...]) -> pd.DataFrame:
    wanted = set(runs)
    present = set(df["run"].dropna().unique())
    unknown = sorted(wanted - present)
    if unknown:
        raise LoadError(f"runs={unknown}: not among the loaded runs "
                        f"({', '.join(sorted(map(str, present))) or 'none'})")
    return df[df["run"].isin(wanted).to_numpy(dtype=bool)]


def _none(value: Any) -> Any:
    """A category's missing value as None (rows hold None; pandas gives NaN)."""
    import pandas as pd

    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _latest_runs(df: pd.DataFrame, order: dict[str, str]) -> pd.DataFrame:
    """Per variant, only the rows of its newest run (ties broken by run id)."""
    import numpy as np

    variant = df["variant"].cat.codes.to_numpy().astype(np.int64)
    run = df["run"].cat.codes.to_numpy().astype(np.int64)
    n_runs = len(df["run"].cat.categories) + 1
    key = (variant + 1) * n_runs + (run + 1)
    newest: dict[int, int] = {}
    runs = df["run"].cat.categories
    for k in np.unique(key).tolist():
        v, r = divmod(k, n_runs)
        name = runs[r - 1] if r else None
        best = newest.get(v)
        if best is None:
            newest[v] = r
            continue
        best_name = runs[best - 1] if best else None
        if (order.get(name, ""), str(name)) > (order.get(best_name, ""), str(best_name)):
            newest[v] = r
    keep = np.array([v * n_runs + r for v, r in newest.items()], dtype=np.int64)
    return df[np.isin(key, keep)]


def _warn_pooled(df: pd.DataFrame) -> None:
    """Warn when a (variant, task, epoch) comes from several runs: pooling counts it twice."""
    if df["run"].nunique(dropna=False) < 2:
        return
    keys = ["variant", "task_id", "epoch"]
    distinct = df[[*keys, "run"]].drop_duplicates()
    several = distinct[distinct.duplicated(keys, keep=False)]
    pooled: dict[Any, set[Any]] = {}
    for variant, run in zip(several["variant"].tolist(), several["run"].tolist(),
                            strict=True):
        pooled.setdefault(_none(variant), set()).add(run)
    for variant, in_runs in sorted(pooled.items(), key=lambda kv: str(kv[0])):
        names = sorted(map(str, in_runs))
        warnings.warn(
            f"variant {variant!r} was measured on the same tasks and epochs in {len(names)} "
            f"runs ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''}); they are "
            "pooled, so each such task counts once per run, as if it had extra epochs. Pass "
            "latest=True (the newest run per variant) or runs=[...] to choose.",
            PooledRunsWarning, stacklevel=3)


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame from the frames of several files: categories united (sorted, as ``_frame``
    makes them), and a sample met twice in one run (the same folder given twice) kept once,
    the last time it was met."""
    import pandas as pd

    parts = [p for p in parts if len(p)] or parts[:1]
    if len(parts) == 1:
        return parts[0]
    for name, dtype in COLUMNS.items():
        if dtype == "category":
            cats = sorted(set().union(*(p[name].cat.categories.tolist() for p in parts)))
            for p in parts:
                p[name] = p[name].cat.set_categories(cats)
    seen: set[Any] = set()
    overlap = False
    for p in parts:
        runs = set(p["run"].unique().tolist())
        overlap |= not seen.isdisjoint(runs)
        seen |= runs
    df = pd.concat(parts, ignore_index=True)
    if overlap:
        df = df.drop_duplicates(["run", "sample_id"], keep="last")
    return df


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """The categories of the rows kept (``_frame`` builds them from the rows it is given)."""
    for name, dtype in COLUMNS.items():
        if dtype == "category":
            df[name] = df[name].cat.remove_unused_categories()
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------- sidecar


def _stamp(path: Path) -> dict[str, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _count_lines(path: Path) -> int:
    """Newlines in the file, in 1 MB blocks counted by numpy (~0.2 s per GB of CPU from the
    page cache; ``bytes.count`` takes twice that, most of loading 10^6 rows from the sidecar)."""
    import numpy as np

    n = 0
    block = bytearray(1 << 20)
    with open(path, "rb", buffering=0) as fh:
        while got := fh.readinto(block):
            n += int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8, count=got) == 10))
    return n


def _stamps(samples: Path, lines: bool) -> dict[str, Any]:
    stamp: dict[str, Any] = {"samples": _stamp(samples),
                             "grades": _stamp(samples.parent / "grades.jsonl")}
    if lines and stamp["samples"] is not None:
        stamp["samples"]["lines"] = _count_lines(samples)
    return stamp


def _sidecar_meta(stamp: dict[str, Any]) -> dict[str, Any]:
    return {"format": SIDECAR_FORMAT, "schema_version": SCHEMA_VERSION,
            "columns": COLUMNS, **stamp}


def _sample_rows(path: Path, grades: dict[str, dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """The rows of a samples.jsonl one by one, strictly (a bad line raises LoadError); the
    run of a line without ``run_id`` stays None."""
    for lineno, obj in _iter_lines(path, True):
        _check_version(obj, path, lineno)
        sid = obj.get("sample_id")
        row = _checked_sample_row(obj, grades.get(sid) if grades and type(sid) is str
                                  else None, path, lineno, True)
        if row is not None:
            yield row


_BATCH = 8192  # rows per Parquet row group: bounds the writer's memory at any run size


def _write_rows(target: str, schema: Any, rows: Iterable[tuple[Any, ...]]) -> bool:
    """Write ``rows`` in batches; False when a (run, sample id) may occur twice (a retried
    sample: the caller then keeps the last line of each). The check keeps 8 bytes of hash
    per row, not the ids: strings kept from every line would pin the memory of all of them."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    hashes = array("q")
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        columns = list(zip(*batch, strict=True)) if batch else [() for _ in COLUMNS]
        writer.write_batch(pa.record_batch(
            [pa.array(values, type=field.type) for field, values in
             zip(schema, columns, strict=True)], schema=schema))
        batch.clear()

    with pq.ParquetWriter(target, schema) as writer:
        for row in rows:
            hashes.append(hash((row[0], row[1])))
            batch.append(row)
            if len(batch) >= _BATCH:
                flush()
        flush()
    keys = np.frombuffer(hashes, dtype=np.int64) if hashes else np.empty(0, np.int64)
    return bool(np.unique(keys).size == keys.size)


def write_sidecar(run: str | os.PathLike[str]) -> Path | None:
    """Write ``frame.parquet`` beside a run folder's ``samples.jsonl``: its rows, for ``load``.

    Returns the path (at once when it is already fresh), or None when nothing was written: no
    pyarrow, a bad line (the JSON path reports it), or the files changed while they were read.
    Streams the lines in batches, so the end of a 10^5-sample run does not hold them all (a
    file with retried samples, whose last line must win, is read twice and held once)."""
    samples = Path(run)
    samples = samples / "samples.jsonl" if samples.is_dir() else samples
    if samples.name != "samples.jsonl" or not samples.is_file():
        return None
    try:
        import pyarrow as pa
    except ImportError:
        return None
    target = samples.parent / SIDECAR
    if _fresh(samples):  # e.g. a --resume of a complete run: nothing to redo
        return target
    grades_path = samples.parent / "grades.jsonl"
    before = _stamps(samples, lines=True)
    arrow = {"category": pa.string(), "string": pa.string(), "boolean": pa.bool_(),
             "Int64": pa.int64(), "float64": pa.float64()}
    schema = pa.schema([(name, arrow[dtype]) for name, dtype in COLUMNS.items()],
                       metadata={_SIDECAR_KEY: json.dumps(_sidecar_meta(before)).encode()})
    fd, tmp = tempfile.mkstemp(prefix=f".{SIDECAR}.", suffix=".tmp", dir=samples.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grades = _read_grades(grades_path, True) if grades_path.is_file() else {}
            if not _write_rows(tmp, schema, _sample_rows(samples, grades)):
                rows = list(_sample_rows(samples, grades))
                last = {(row[0], row[1]): i for i, row in enumerate(rows)}
                _write_rows(tmp, schema, (rows[i] for i in sorted(last.values())))
                del rows, last
        if _stamps(samples, lines=True) != before:
            os.unlink(tmp)  # written to while being read: the next write catches up
            return None
        os.replace(tmp, target)
    except LoadError:
        for stale in (tmp, target):  # the JSON path is the truth (and says what is wrong)
            with contextlib.suppress(OSError):
                os.unlink(stale)
        return None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def _fresh(samples: Path) -> bool:
    """Whether the sidecar beside ``samples`` was built from the files as they are now (and by
    this format): size and mtime first, the line count (a read of the file) last."""
    path = samples.parent / SIDECAR
    if samples.name != "samples.jsonl" or not path.is_file():
        return False
    try:
        import pyarrow.parquet as pq

        meta = json.loads((pq.read_schema(path).metadata or {})[_SIDECAR_KEY])
        stamp = _stamps(samples, lines=False)
        return bool(isinstance(meta, dict) and stamp["samples"] is not None
                    and {k: meta.get(k) for k in ("format", "schema_version", "columns",
                                                  "grades")}
                    == {k: v for k, v in _sidecar_meta(stamp).items() if k != "samples"}
                    and {k: meta["samples"].get(k) for k in ("size", "mtime_ns")}
                    == stamp["samples"]
                    and meta["samples"].get("lines") == _count_lines(samples))
    except Exception:  # noqa: BLE001 - an unreadable cache is a stale one
        return False


def _read_sidecar(samples: Path) -> pd.DataFrame | None:
    """The frame of ``samples.jsonl`` from its sidecar when the sidecar is fresh, else None."""
    if not _fresh(samples):
        return None
    try:
        import pyarrow.parquet as pq

        # ~14 MB per 10^6 rows: reading it in threads costs more CPU than it saves
        table = pq.read_table(samples.parent / SIDECAR, use_threads=False)
    except Exception:  # noqa: BLE001 - an unreadable cache is a cache miss
        return None
    return _sidecar_frame(table, samples.parent.name)


def _sidecar_frame(table: Any, run: str) -> pd.DataFrame:
    """The sidecar's Arrow table as the frame ``_frame`` builds (same dtypes, categories
    sorted), the run of lines without ``run_id`` named after the folder."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    data: dict[str, Any] = {}
    for name, dtype in COLUMNS.items():
        col = table.column(name).combine_chunks()
        if name == "run":
            col = pc.fill_null(col, run)
        if dtype == "category":
            enc = col.dictionary_encode()
            cats = enc.dictionary.to_pylist()
            order = sorted(range(len(cats)), key=cats.__getitem__)
            rank = np.full(len(cats) + 1, -1, dtype=np.int64)  # index -1 (null) stays -1
            rank[order] = np.arange(len(cats))
            codes = rank[enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)]
            uniques = np.empty(len(cats), dtype=object)
            uniques[:] = [cats[i] for i in order]
            data[name] = pd.Categorical.from_codes(codes, uniques)
        elif dtype == "string":
            data[name] = pd.arrays.ArrowStringArray(col.cast(pa.large_string()))
        elif dtype == "float64":
            data[name] = col.to_numpy(zero_copy_only=False).astype(float, copy=False)
        else:
            mask = col.is_null().to_numpy(zero_copy_only=False)
            filled = col.fill_null(False if dtype == "boolean" else 0)
            values = filled.to_numpy(zero_copy_only=False)
            data[name] = (pd.arrays.BooleanArray(values, mask) if dtype == "boolean"
                          else pd.arrays.IntegerArray(values.astype(np.int64, copy=False),
                                                      mask))
    return pd.DataFrame(data, copy=False)


def load(*paths: str | os.PathLike[str], strict: bool = False, latest: bool = False,
         runs: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """One tidy row per sample from run dirs, samples.jsonl / graded JSONL files or parent dirs.

    See the module docstring (and docs/notebook.md) for the columns and their dtypes.
    ``strict=True`` turns skipped bad lines into :class:`LoadError`. ``latest=True`` keeps,
    per variant, only its newest run; ``runs=[...]`` keeps only the named run ids. Without
    either, a variant measured on the same tasks in several runs is pooled with a
    :class:`PooledRunsWarning`.
    """
    if not paths:
        raise TypeError("load() needs at least one path (a run directory or a JSONL file)")
    if isinstance(runs, str):
        runs = [runs]
    parts: list[pd.DataFrame] = []
    order: dict[str, str] = {}  # run id -> sort key (newest last)
    outer = getattr(_skipped, "lines", None)
    _skipped.lines = skipped = []
    # Millions of small dicts and tuples make the cyclic GC rescan the heap again and again
    # (about 20% of the load time at 10^5 rows); nothing built here holds a cycle.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for p in paths:
            for kind, found in _discover(Path(p)):
                file = found / "samples.jsonl" if kind == "run" else found
                part = _read_sidecar(file)
                if part is None:
                    part = _frame(_read_jsonl(file, strict))
                when = _run_time(found if kind == "run" else None, found)
                for run in part["run"].cat.categories.tolist():
                    if run not in order or order[run] < when:
                        order[run] = when
                parts.append(part)
        df = _combine(parts) if parts else _frame([])
        if runs is not None:
            df = _select_runs(df, runs)
        if latest:
            df = _latest_runs(df, order)
        elif runs is None:
            _warn_pooled(df)
        df = _tidy(df)
        df.attrs["skipped_lines"] = list(skipped)
        if skipped:
            warnings.warn(f"load: skipped {len(skipped)} bad line(s) and read {len(df)} rows; "
                          "each is named in a warning above and listed in "
                          "df.attrs['skipped_lines']", stacklevel=2)
        return df
    finally:
        _skipped.lines = outer
        if gc_was_enabled:
            gc.enable()
