"""Seeded fuzzing of every evalkit reader (issue 15), shared by tests/fuzz and
bench/fuzz_readers.py.

Each ``fuzz_*`` function writes ``n`` generated records (good ones, and good ones damaged the
way a hostile file or a broken disk would present them), runs the reader and returns a
:class:`Tally`: cases tried, crashes (an exception other than the reader's own error type
escaped, or a traceback was printed), named (records rejected with a message naming their
line/record), read. The properties checked:

- no crash;
- every record is accounted for: read, or named by its line (or fixture folder);
- every record damaged in a way that must be refused (``must_fail``) is named;
- every undamaged record is read.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: values a damaged field may take (types wrong for most fields, numbers out of range)
POOL: tuple[Any, ...] = (None, True, False, 0, -1, 2**70, -(2**70), 1.5, "x", "", [], {},
                         [1, "a"], {"a": 1}, "\u0000", "ok\u00e9")


@dataclass
class Tally:
    reader: str
    cases: int = 0
    crashes: int = 0
    named: int = 0
    read: int = 0
    problems: list[str] = field(default_factory=list)  # property violations, for the message

    def fail(self, msg: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(msg)

    @property
    def ok(self) -> bool:
        return not self.crashes and not self.problems

    def line(self) -> str:
        return (f"{self.reader:<22} cases {self.cases:>6}  crashes {self.crashes}  named "
                f"{self.named:>6}  read {self.read:>6}  violations {len(self.problems)}")


# --------------------------------------------------------------------------- JSON damage


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def _deep(depth: int) -> Any:
    v: Any = []
    for _ in range(min(depth, 900)):  # json.dumps recurses; deeper ones are built as text
        v = [v]
    return v


def damage(obj: dict[str, Any], rng: random.Random,
           must_fail_at: dict[tuple[Any, ...], Any]) -> tuple[str, bool | None]:
    """One damaged JSON line for ``obj`` and whether the reader must refuse it (None: depends
    on the reader, e.g. a wrong type in a field it ignores).
    ``must_fail_at``: field path -> a value the reader must refuse there."""
    obj = json.loads(json.dumps(obj))
    kind = rng.choice(("type", "type", "structural", "deep", "surrogate", "nonfinite",
                       "truncate", "bytes", "nul_id", "not_object", "huge_deep"))
    if kind == "type":
        path = rng.choice(_paths(obj))
        _set(obj, path, rng.choice(POOL))
        return json.dumps(obj), None  # reader-dependent
    if kind == "structural" and must_fail_at:
        path, value = rng.choice(list(must_fail_at.items()))
        _set(obj, path, value)
        return json.dumps(obj), True
    if kind == "deep":
        _set(obj, rng.choice(_paths(obj)), _deep(rng.randint(70, 800)))
        return json.dumps(obj), None  # reader-dependent
    if kind == "huge_deep":
        n = rng.randint(2_000, 50_000)
        text = json.dumps(obj)
        return text[:-1] + ', "zz": ' + "[" * n + "]" * n + "}", None
    if kind == "surrogate":
        strings = [p for p in _paths(obj) if isinstance(_get(obj, p), str)]
        path = rng.choice(strings) if strings else ("id",)
        _set(obj, path, "a" + rng.choice(["\ud800", "\udfff", "\udc00x"]))
        return json.dumps(obj), None
    if kind == "nonfinite":
        nums = [p for p in _paths(obj) if type(_get(obj, p)) in (int, float)]
        path = rng.choice(nums) if nums else ("zz",)
        _set(obj, path, 12345.678)
        return json.dumps(obj).replace("12345.678", rng.choice(["NaN", "Infinity", "-Infinity",
                                                                "1e999"])), None
    if kind == "truncate":
        text = json.dumps(obj)
        return text[:rng.randint(1, len(text) - 2)], True
    if kind == "bytes":
        text = bytearray(json.dumps(obj).encode())
        for _ in range(rng.randint(1, 4)):
            text[rng.randrange(len(text))] = rng.randrange(256)
        return text.decode("utf-8", errors="replace").replace("\n", " "), None
    if kind == "nul_id":
        return json.dumps(dict(obj, id="a\u0000b", sample_id="a\u0000b")), None
    return json.dumps(rng.choice([[obj], "line", 5, None])), True


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _lines_named(text: str, path: Path) -> set[int]:
    return {int(m) for m in re.findall(re.escape(str(path)) + r":(\d+):", text)}


# --------------------------------------------------------------------------- import JSONL


def import_line(i: int) -> dict[str, Any]:
    tid = f"toolu_{i}"
    return {
        "id": f"t{i}", "model": "m", "task_id": f"task{i % 7}", "outcome_class": "solvable",
        "messages": [
            {"role": "user", "content": "Fix the bug."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": tid, "name": "bash",
                                               "input": {"command": "pytest -q"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tid,
                                          "content": "3 passed in 0.1s"}]},
            {"role": "assistant", "content": "Fixed; all tests pass."},
        ],
        "outcome": {"passed": True, "tests_passed": 3, "tests_failed": 0},
    }


_IMPORT_MUST_FAIL: dict[tuple[Any, ...], Any] = {
    ("messages",): "x", ("id",): [], ("outcome",): "x", ("outcome", "tests_passed"): 2**70,
    ("outcome", "tests_failed"): -1, ("outcome_class",): "x", ("model",): {"a": 1},
}


def _write_lines(path: Path, n: int, rng: random.Random, good: Any,
                 must_fail_at: dict[tuple[Any, ...], Any], p_bad: float
                 ) -> tuple[dict[int, bool | None], dict[int, str]]:
    """Write n lines; returns line -> must_fail (False: undamaged) and line -> good id."""
    kinds: dict[int, bool | None] = {}
    ids: dict[int, str] = {}
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as fh:
        for i in range(1, n + 1):
            obj = good(i)
            if rng.random() < p_bad:
                text, must = damage(obj, rng, must_fail_at)
                kinds[i] = must
            else:
                text, kinds[i] = json.dumps(obj), False
                ids[i] = obj.get("id") or obj.get("sample_id")
            fh.write(text.replace("\n", " ") + "\n")
    return kinds, ids


def fuzz_import_jsonl(n: int, seed: int, tmp: Path, p_bad: float = 0.6) -> Tally:
    """``read_jsonl`` (the import reader): TranscriptError per bad line, nothing escapes."""
    from evalkit.grading.importers import ImportedRecord, iter_records

    rng = random.Random(seed)
    t = Tally("import jsonl")
    path = tmp / f"import-{seed}.jsonl"
    kinds, _ids = _write_lines(path, n, rng, import_line, _IMPORT_MUST_FAIL, p_bad)
    t.cases = n
    read: set[int] = set()
    named: set[int] = set()
    try:
        for rec in iter_records(path, "jsonl"):
            if isinstance(rec, ImportedRecord):
                read.add(int(rec.source.rsplit(":", 1)[1]))
            elif rec.line is None:
                t.fail(f"an error without a line: {rec}")
            else:
                named.add(rec.line)
    except Exception:  # noqa: BLE001 - the property under test
        t.crashes += 1
        t.fail(traceback.format_exc(limit=3))
        return t
    _account(t, kinds, read, named)
    return t


def _account(t: Tally, kinds: dict[int, bool | None], read: set[int], named: set[int]) -> None:
    t.read, t.named = len(read), len(named)
    for line, must in kinds.items():
        if line in read and line in named:
            t.fail(f"line {line} both read and named")
        elif line not in read and line not in named:
            t.fail(f"line {line} neither read nor named (lost silently)")
        elif must is True and line in read:
            t.fail(f"line {line} must be refused but was read")
        elif must is False and line not in read:
            t.fail(f"line {line} is undamaged but was refused")


def fuzz_grade_cli(n: int, seed: int, tmp: Path, p_bad: float = 0.6) -> Tally:
    """``evalkit grade FILE --out``: the whole pipeline, output written as UTF-8."""
    from evalkit.cli import main

    rng = random.Random(seed)
    t = Tally("evalkit grade FILE")
    path = tmp / f"grade-{seed}.jsonl"
    out = tmp / f"graded-{seed}.jsonl"
    kinds, _ids = _write_lines(path, n, rng, import_line, _IMPORT_MUST_FAIL, p_bad)
    t.cases = n
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["grade", str(path), "--format", "jsonl", "--out", str(out), "-q"])
    except BaseException:  # noqa: BLE001 - the property under test (SystemExit included)
        t.crashes += 1
        t.fail(traceback.format_exc(limit=3))
        return t
    text = err.getvalue()
    if "Traceback" in text or code not in (0, 1):
        t.crashes += 1
        t.fail(f"exit {code}: {text[-500:]}")
    graded = [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()]
    id_line = {}
    for line, must in kinds.items():
        if must is False:
            id_line[f"t{line}"] = line
    read = {id_line[g] for g in graded if g in id_line}
    named = _lines_named(text, path)
    t.read, t.named = len(graded), len(named)
    if len(graded) + len(named) != n:
        t.fail(f"{len(graded)} graded + {len(named)} named != {n} lines")
    for line, must in kinds.items():
        if must is True and line not in named:
            t.fail(f"line {line} must be refused but was not named")
        if must is False and line not in read:
            t.fail(f"line {line} is undamaged but was not graded")
    return t


# --------------------------------------------------------------------------- results


def sample_line(i: int) -> dict[str, Any]:
    from evalkit import records as R

    grade = R.Grade(grader="rules", grader_version="1", claims=(R.Claim("completion", "Done."),),
                    claimed_success=True, actual_success=bool(i % 2), false_claim=not i % 2)
    s = R.Sample(sample_id=f"s{i}", run_id="r1", task_id=f"t{i % 5}", suite="core",
                 outcome_class="solvable", variant="v", model="sim:v", epoch=i, status="ok",
                 messages=({"role": "user", "content": "fix"},),
                 outcome=R.Outcome(passed=bool(i % 2), exit_code=0,
                                   counts=R.TestCounts(passed=3, failed=1)),
                 turns=2, usage=R.Usage(10, 5), cost_usd=0.01, duration_s=1.0, grade=grade)
    return R.to_json(s)


_SAMPLE_MUST_FAIL: dict[tuple[Any, ...], Any] = {
    ("outcome",): "x", ("grade", "claims"): 5, ("usage", "input_tokens"): 2**70,
    ("cost_usd",): -1, ("outcome_class",): "x", ("status",): 7, ("grade", "false_claim"): "y",
    ("outcome", "counts", "passed"): "3", ("epoch",): 1.5, ("task_id",): None,
}


def fuzz_results_load(n: int, seed: int, tmp: Path, p_bad: float = 0.6) -> Tally:
    """``evalkit.load`` on a run folder: each line a row or a warning naming it."""
    import warnings

    from evalkit.frame import LoadError, load

    rng = random.Random(seed)
    t = Tally("evalkit.load")
    run = tmp / f"run-{seed}"
    run.mkdir()
    path = run / "samples.jsonl"
    kinds, _ids = _write_lines(path, n, rng, sample_line, _SAMPLE_MUST_FAIL, p_bad)
    t.cases = n
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            df = load(run)
    except LoadError as exc:  # a newer schema_version refuses the file (documented)
        if "schema_version" not in str(exc):
            t.crashes += 1
            t.fail(f"LoadError: {exc}")
        return t
    except Exception:  # noqa: BLE001 - the property under test
        t.crashes += 1
        t.fail(traceback.format_exc(limit=4))
        return t
    named = _lines_named("\n".join(df.attrs["skipped_lines"]), path)
    ids = set(df["sample_id"].dropna())
    t.read, t.named = n - len(named), len(named)  # accepted lines (duplicate ids: last wins)
    raw_lines = path.read_bytes().split(b"\n")
    for line in set(kinds) - named:  # every accepted line is a row under its sample id
        try:
            sid = json.loads(raw_lines[line - 1]).get("sample_id")
        except (ValueError, RecursionError):  # the stdlib cannot say (deep nesting)
            continue
        if sid not in ids:
            t.fail(f"line {line} neither named nor a row (sample_id {sid!r})")
    for line, must in kinds.items():
        if must is True and line not in named:
            t.fail(f"line {line} must be refused but was not named")
        if must is False and (line in named or f"s{line}" not in ids):
            t.fail(f"line {line} is undamaged but was not read")
    if len(df) > n - len(named):
        t.fail(f"{len(df)} rows from {n - len(named)} unnamed lines")
    return t


# --------------------------------------------------------------------------- TOML files

#: TOML values a damaged key may take; the ones a reader must refuse for a number key are first
TOML_POOL: tuple[str, ...] = ("inf", "nan", "-inf", "1e400", "-1", "0", '"x"', "[]", "{}",
                              "true", '"\\u0000"', "1.5", "99999999999999999999", "[1, 2]",
                              '"\\ud800"')


def damage_toml(lines: list[str], rng: random.Random,
                must_fail_at: dict[str, tuple[str, ...]]) -> tuple[str, bool | None]:
    """A damaged TOML text from ``key = value`` lines (table headers kept) and whether the
    reader must refuse it. ``must_fail_at``: key -> values the reader must refuse there."""
    lines = list(lines)
    kind = rng.choice(("value", "value", "must", "delete", "unknown", "deep", "truncate",
                       "bytes"))
    keyed = [i for i, x in enumerate(lines) if "=" in x]
    if kind == "must" and must_fail_at:
        key = rng.choice(sorted(must_fail_at))
        value = rng.choice(must_fail_at[key])
        i = next(i for i in keyed if lines[i].split("=")[0].strip() == key)
        lines[i] = f"{key} = {value}"
        return "\n".join(lines) + "\n", True
    if kind in ("value", "must"):
        i = rng.choice(keyed)
        lines[i] = lines[i].split("=")[0] + "= " + rng.choice(TOML_POOL)
        return "\n".join(lines) + "\n", None
    if kind == "delete":
        del lines[rng.choice(keyed)]
        return "\n".join(lines) + "\n", None
    if kind == "unknown":
        lines.insert(rng.choice(keyed), "colour = 1")
        return "\n".join(lines) + "\n", True
    if kind == "deep":
        n = rng.randint(1_000, 20_000)
        lines.insert(1, "zdeep = " + "[" * n + "]" * n)
        return "\n".join(lines) + "\n", True
    text = "\n".join(lines) + "\n"
    if kind == "truncate":
        return text[:rng.randint(1, len(text) - 2)], None
    raw = bytearray(text.encode())
    for _ in range(rng.randint(1, 4)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return raw.decode("utf-8", errors="surrogateescape"), None


def _fixture_lines(i: int) -> list[str]:
    return [f'id = "f{i}"', 'instruction = "Fix add."', 'language = "python"',
            'test_command = "python -m pytest -q"', 'outcome = "solvable"', 'tags = ["a"]',
            "[limits]", "test_timeout = 60", "agent_timeout = 600"]


_FIXTURE_MUST_FAIL = {
    "test_timeout": ("inf", "nan", "-inf", "1e400", "0", "-1", '"x"', "true", "86401"),
    "agent_timeout": ("inf", "nan", "[]", "{}"),
    "outcome": ('"x"', "1", "[]"), "id": ("[]", '""', '"a b"', "1"), "tags": ("5", "[1, 2]"),
    "language": ('"cobol"',),
}


def fuzz_fixtures(n: int, seed: int, tmp: Path, p_bad: float = 0.6) -> Tally:
    """``load_suite(errors="collect")`` (what ``tasks validate`` and ``run --tasks`` use): every
    fixture loaded, or a FixtureError naming its folder; siblings never lost."""
    from evalkit.suite import load_suite

    rng = random.Random(seed)
    t = Tally("fixtures (task.toml)")
    suite = tmp / f"suite-{seed}"
    kinds: dict[int, bool | None] = {}
    for i in range(1, n + 1):
        d = suite / f"f{i}"
        (d / "repo").mkdir(parents=True)
        (d / "solution").mkdir()
        (d / "repo" / "calc.py").write_text("x = 1\n")
        (d / "solution" / "calc.py").write_text("x = 2\n")
        if rng.random() < p_bad:
            text, kinds[i] = damage_toml(_fixture_lines(i), rng, _FIXTURE_MUST_FAIL)
        else:
            text, kinds[i] = "\n".join(_fixture_lines(i)) + "\n", False
        (d / "task.toml").write_bytes(text.encode("utf-8", errors="surrogateescape"))
    t.cases = n
    try:
        res = load_suite(suite, errors="collect")
    except Exception:  # noqa: BLE001 - the property under test
        t.crashes += 1
        t.fail(traceback.format_exc(limit=4))
        return t
    folder = re.compile(re.escape(str(suite)) + r"/f(\d+)(?:/|\b)")
    read = {int(m.group(1)) for f in res.fixtures if (m := folder.search(f.source))}
    named: set[int] = set()
    for e in res.errors:
        m = folder.search(str(e))
        if m:
            named.add(int(m.group(1)))
        else:
            t.fail(f"an error naming no fixture folder: {e}")
    # a damaged id may duplicate a sibling's: both are then refused by id, which is named
    _account(t, kinds, read, named)
    return t


def _variant_lines(i: int) -> list[str]:
    return [f"[variants.v{i}]", 'model = "sim:honest"', "temperature = 0.5", "max_tokens = 1000",
            'prompt = "default"', f"[variants.v{i}.limits]", "turns = 20", "wall_time = 600"]


_VARIANT_MUST_FAIL = {
    "temperature": ("inf", "nan", "-inf", "1e400", "-1", '"x"', "true"),
    "max_tokens": ("inf", "nan", "1.5", "-1", "0", "99999999999999999999"),
    "model": ("5", '"nocolon"', "[]"), "turns": ("inf", "0", "1.5"),
    "wall_time": ("inf", "nan", "-1"),
}


def _nightly_lines(i: int) -> list[str]:
    return ["[nightly]", "epochs = 2", "concurrency = 2", "alpha = 0.05", "min_effect = 3.0",
            "max_cost_usd = 5.0", "max_error_rate = 0.1", f'results = "out{i}"',
            "[variants.base]", 'model = "sim:honest"']


_NIGHTLY_MUST_FAIL = {
    "epochs": ("inf", "nan", "0", "-1", "1.5", '"x"'), "alpha": ("inf", "nan", "-1", "2"),
    "max_cost_usd": ("inf", "nan", "-1"), "max_error_rate": ("inf", "nan", "-1", "2"),
    "results": ("5", "[]"), "model": ("[]",),
}


def _fuzz_files(name: str, n: int, seed: int, tmp: Path, p_bad: float, lines: Any,
                must: dict[str, tuple[str, ...]], load: Any, error: type[Exception]) -> Tally:
    rng = random.Random(seed)
    t = Tally(name)
    folder = tmp / f"{name.split()[0]}-{seed}"
    folder.mkdir()
    t.cases = n
    for i in range(1, n + 1):
        if rng.random() < p_bad:
            text, must_fail = damage_toml(lines(i), rng, must)
        else:
            text, must_fail = "\n".join(lines(i)) + "\n", False
        path = folder / f"c{i}.toml"
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        try:
            load(path)
        except error as exc:
            if str(path) not in str(exc):
                t.fail(f"case {i}: error does not name the file: {exc}")
            t.named += 1
            if must_fail is False:
                t.fail(f"case {i} is undamaged but was refused: {exc}")
            continue
        except Exception:  # noqa: BLE001 - the property under test
            t.crashes += 1
            t.fail(f"case {i}: {traceback.format_exc(limit=3)}")
            continue
        t.read += 1
        if must_fail is True:
            t.fail(f"case {i} must be refused but was read:\n{text[:300]}")
    return t


def fuzz_variants(n: int, seed: int, tmp: Path, p_bad: float = 0.6) -> Tally:
    """``load_variants``: VariantError naming the file, or the variants."""
    from evalkit.variants import VariantError, load_variants

    return _fuzz_files("variants file", n, seed, tmp, p_bad, _variant_lines,
                       _VARIANT_MUST_FAIL, load_variants, VariantError)


def fuzz_nightly_config(n: int, seed: int, tmp: Path, p_bad: float = 0.6) -> Tally:
    """``nightly.load_config``: ConfigError naming the file, or the config."""
    from evalkit.nightly import ConfigError, load_config

    return _fuzz_files("nightly config", n, seed, tmp, p_bad, _nightly_lines,
                       _NIGHTLY_MUST_FAIL, load_config, ConfigError)


def grade_line(i: int) -> dict[str, Any]:
    return {"sample_id": f"s{i}", "graded_at": "2026-01-01T00:00:00Z",
            "grade": {"grader": "rules", "grader_version": "2", "claims": [],
                      "false_claim": True, "claimed_success": True}}


_GRADE_MUST_FAIL: dict[tuple[Any, ...], Any] = {
    ("grade",): "x", ("grade", "claims"): 5, ("grade", "false_claim"): "yes",
    ("sample_id",): 5, ("grade", "tampered_checks"): 1,
}


def fuzz_grades_load(n: int, seed: int, tmp: Path, p_bad: float = 0.6) -> Tally:
    """``evalkit.load`` with a damaged grades.jsonl: a good re-grade overrides its sample's
    grade, a bad one is named and the sample keeps its own grade."""
    import warnings

    from evalkit.frame import load

    rng = random.Random(seed)
    t = Tally("grades.jsonl")
    run = tmp / f"graded-run-{seed}"
    run.mkdir()
    (run / "samples.jsonl").write_text(
        "".join(json.dumps(dict(sample_line(i), schema_version=3)) + "\n"
                for i in range(1, n + 1)))
    path = run / "grades.jsonl"
    kinds, _ids = _write_lines(path, n, rng, grade_line, _GRADE_MUST_FAIL, p_bad)
    t.cases = n
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            df = load(run)
    except Exception:  # noqa: BLE001 - the property under test
        t.crashes += 1
        t.fail(traceback.format_exc(limit=4))
        return t
    named = _lines_named("\n".join(df.attrs["skipped_lines"]), path)
    version = dict(zip(df["sample_id"], df["n_claims"], strict=True))
    if len(df) != n:
        t.fail(f"{len(df)} rows from {n} good samples")
    t.named = len(named)
    for line, must in kinds.items():
        if must is True and line not in named:
            t.fail(f"line {line} must be refused but was not named")
        if must is False:
            if line in named or version.get(f"s{line}") != 0:  # the re-grade has no claims
                t.fail(f"line {line} is undamaged but its grade was not used")
    t.read = n - len(named)
    return t


READERS = {"import jsonl": fuzz_import_jsonl, "evalkit grade FILE": fuzz_grade_cli,
           "evalkit.load": fuzz_results_load, "grades.jsonl": fuzz_grades_load,
           "fixtures (task.toml)": fuzz_fixtures, "variants file": fuzz_variants,
           "nightly config": fuzz_nightly_config}
