"""Suites: many fixtures from a directory tree or from a saved ``datasets.Dataset``.

Accepted paths:

* one fixture folder (``tasks/core/slugify/``, has task.toml);
* a suite folder (``tasks/core/``: sub-folders with task.toml);
* a folder of suites (``tasks/``: sub-folders that are suites);
* a dataset written by ``export_suite`` (``Dataset.save_to_disk``: has dataset_info.json and
  state.json).

Dataset schema (one row per fixture; version in ``SUITE_SCHEMA_VERSION``):

=================  ===========================================================================
column             content
=================  ===========================================================================
schema_version     int, currently 3 (1 and 2 are still read: 1 has no expected tests and no
                   [official]; 2 no workspace bounds)
id, suite          str
instruction        str
language           str (python | javascript)
test_command       str
outcome            str (solvable | impossible | already_passing | unverifiable)
reason             str or null (impossible only)
protected          list[str], the globs
tags               list[str]
test_timeout_s     float
agent_timeout_s    float
workspace_size_mb  float or null -- [limits] workspace_size_mb (null: the default; added in 3)
workspace_files    int or null -- [limits] workspace_files (null: the default; added in 3)
files              list of {path: str, content: binary} -- repo/
solution           list of {path: str, content: binary} -- solution/ overlay
checks             list of {path: str, content: binary} -- hidden checks/
expected_tests     list[str] or null -- expected_tests.json ``tests`` (null: not recorded)
expected_as_given  list[str] or null -- expected_tests.json ``as_given``
official_from_fixture  list[str] -- task.toml [official] from_fixture
official_from_agent    list[str] -- task.toml [official] from_agent
=================  ===========================================================================

File contents are stored as raw bytes, so a round trip is exact (binary files, line endings,
trailing whitespace). ``datasets`` is imported only inside functions (it is slow to import).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

from evalkit.fixture import (
    ExpectedTests,
    Fixture,
    FixtureError,
    fixture_from_mapping,
    load_fixture,
)

SUITE_SCHEMA_VERSION = 3
_READABLE_VERSIONS = (1, 2, 3)
_FIXTURE_FIELDS = ("id", "suite", "instruction", "language", "test_command", "outcome",
                   "reason", "protected", "tags", "test_timeout_s", "agent_timeout_s")


@dataclass(frozen=True)
class SuiteLoad:
    """Fixtures that loaded, and the errors of those that did not."""

    fixtures: list[Fixture]
    errors: list[FixtureError]

    @property
    def ok(self) -> bool:
        return not self.errors


def is_dataset_dir(path: Path) -> bool:
    return (path / "dataset_info.json").is_file() and (path / "state.json").is_file()


@overload
def load_suite(path: str | Path, *, errors: Literal["raise"] = "raise") -> list[Fixture]: ...
@overload
def load_suite(path: str | Path, *, errors: Literal["collect"]) -> SuiteLoad: ...


def load_suite(path: str | Path, *, errors: str = "raise") -> list[Fixture] | SuiteLoad:
    """Load every fixture under ``path`` (see module doc for what ``path`` may be).

    ``errors="raise"`` raises the first FixtureError after trying all fixtures;
    ``errors="collect"`` returns a SuiteLoad with the good fixtures and every error.
    """
    if errors not in ("raise", "collect"):
        raise ValueError("errors must be 'raise' or 'collect'")
    result = _load(Path(path))
    if errors == "collect":
        return result
    if result.errors:
        raise result.errors[0]
    return result.fixtures


def load_suites(paths: Iterable[str | Path]) -> SuiteLoad:
    """Several paths at once; duplicate fixture keys across them are errors too."""
    fixtures: list[Fixture] = []
    errs: list[FixtureError] = []
    for p in paths:
        res = _load(Path(p))
        fixtures += res.fixtures
        errs += res.errors
    return _dedupe(fixtures, errs)


def _load(path: Path) -> SuiteLoad:
    if not path.exists():
        return SuiteLoad([], [FixtureError(str(path), None, "no such file or folder; expected "
                                           "a fixture, a suite folder or a saved dataset")])
    if path.is_file() and path.name == "task.toml":
        path = path.parent
    if not path.is_dir():
        return SuiteLoad([], [FixtureError(str(path), None, "expected a folder (fixture, suite, "
                                           "folder of suites or saved dataset)")])
    if is_dataset_dir(path):
        return _load_dataset(path)
    if (path / "task.toml").is_file():
        return _load_dirs([path], suite=path.parent.name)
    children = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if any((c / "task.toml").is_file() for c in children):
        return _load_dirs([c for c in children if _looks_like_fixture(c)], suite=path.name)
    fixtures: list[Fixture] = []
    errs: list[FixtureError] = []
    for child in children:  # a folder of suites (or of saved datasets)
        if is_dataset_dir(child):
            res = _load_dataset(child)
        else:
            grand = sorted(p for p in child.iterdir() if p.is_dir() and _looks_like_fixture(p))
            if not grand:
                continue
            res = _load_dirs(grand, suite=child.name)
        fixtures += res.fixtures
        errs += res.errors
    if not fixtures and not errs:
        errs.append(FixtureError(str(path), None, "no fixtures found; expected task.toml files "
                                 "in <suite>/<task-id>/ folders or a saved dataset"))
    return _dedupe(fixtures, errs)


def _looks_like_fixture(p: Path) -> bool:
    """A fixture folder, or a broken one (has repo/ but no task.toml) worth reporting."""
    return (p / "task.toml").is_file() or (p / "repo").is_dir()


def _load_dirs(dirs: list[Path], suite: str) -> SuiteLoad:
    fixtures: list[Fixture] = []
    errs: list[FixtureError] = []
    for d in dirs:
        try:
            fixtures.append(load_fixture(d, suite=suite))
        except FixtureError as exc:
            errs.append(exc)
        except Exception as exc:  # noqa: BLE001 - any other failure is this fixture's alone
            errs.append(FixtureError(str(d), None, f"cannot be loaded ({type(exc).__name__}: "
                                     f"{exc}); expected a valid fixture folder"[:500]))
    return _dedupe(fixtures, errs)


def _dedupe(fixtures: list[Fixture], errs: list[FixtureError]) -> SuiteLoad:
    seen: dict[str, Fixture] = {}
    good: list[Fixture] = []
    errs = list(errs)
    for f in fixtures:
        if f.key in seen:
            errs.append(FixtureError(f.source, "id", f"duplicate id {f.id!r} in suite "
                                     f"{f.suite!r}; also used by {seen[f.key].source}"))
            continue
        seen[f.key] = f
        good.append(f)
    return SuiteLoad(good, errs)


# --------------------------------------------------------------------------- datasets


def _files_to_rows(files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    return [{"path": p, "content": bytes(files[p])} for p in sorted(files)]


def _rows_to_files(rows: Any, where: str, column: str) -> dict[str, bytes]:
    if rows is None:
        return {}
    if not isinstance(rows, list):
        raise FixtureError(where, column, "expected a list of {path, content} entries")
    out: dict[str, bytes] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("path"), str) \
                or not isinstance(row.get("content"), bytes | bytearray):
            raise FixtureError(where, f"{column}[{i}]",
                               "expected {path: str, content: bytes}")
        out[row["path"]] = bytes(row["content"])
    return out


def fixture_to_row(f: Fixture) -> dict[str, Any]:
    """One dataset row (see the module doc for the schema)."""
    row: dict[str, Any] = {"schema_version": SUITE_SCHEMA_VERSION}
    for name in _FIXTURE_FIELDS:
        value = getattr(f, name)
        row[name] = list(value) if isinstance(value, tuple) else value
    row["files"] = _files_to_rows(f.files)
    row["solution"] = _files_to_rows(f.solution)
    row["checks"] = _files_to_rows(f.checks)
    row["expected_tests"] = list(f.expected_tests) if f.expected_tests is not None else None
    row["expected_as_given"] = (list(f.expected_as_given) if f.expected_as_given is not None
                                else None)
    row["official_from_fixture"] = list(f.official_from_fixture)
    row["official_from_agent"] = list(f.official_from_agent)
    row["workspace_size_mb"] = f.workspace_max_bytes / (1024 * 1024)
    row["workspace_files"] = f.workspace_max_files
    return row


def fixture_from_row(row: Mapping[str, Any], where: str) -> Fixture:
    """Rebuild a Fixture from a dataset row, with the same checks as task.toml loading."""
    version = row.get("schema_version")
    if version not in _READABLE_VERSIONS:
        raise FixtureError(where, "schema_version",
                           f"expected one of {', '.join(map(str, _READABLE_VERSIONS))}; "
                           f"got {version!r}")
    for key in ("id", "suite", "files"):
        if row.get(key) is None:
            raise FixtureError(where, key, "missing; this column is required")
    data: dict[str, Any] = {
        k: row[k] for k in ("id", "instruction", "language", "test_command", "outcome")
        if row.get(k) is not None
    }
    if row.get("reason") is not None:
        data["reason"] = row["reason"]
    if row.get("protected"):
        data["protected"] = list(row["protected"])
    if row.get("tags"):
        data["tags"] = list(row["tags"])
    data["limits"] = {"test_timeout": row.get("test_timeout_s"),
                      "agent_timeout": row.get("agent_timeout_s"),
                      "workspace_size_mb": row.get("workspace_size_mb"),
                      "workspace_files": row.get("workspace_files")}
    data["limits"] = {k: v for k, v in data["limits"].items() if v is not None}
    official = {k: list(row[f"official_{k}"]) for k in ("from_fixture", "from_agent")
                if row.get(f"official_{k}")}
    if official:
        data["official"] = official
    expected = None
    if row.get("expected_tests") is not None:
        expected = ExpectedTests(
            test_command=str(row.get("test_command")),
            tests=_id_list(row["expected_tests"], where, "expected_tests"),
            as_given=_id_list(row.get("expected_as_given") or [], where, "expected_as_given"))
    return fixture_from_mapping(
        data, where=where, suite=str(row["suite"]),
        files=_rows_to_files(row.get("files"), where, "files"),
        solution=_rows_to_files(row.get("solution"), where, "solution"),
        checks=_rows_to_files(row.get("checks"), where, "checks"),
        expected=expected, expected_where=where,
    )


def _id_list(value: Any, where: str, column: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FixtureError(where, column, f"expected a list of test ids; got {value!r}")
    return tuple(value)


def _load_dataset(path: Path) -> SuiteLoad:
    import datasets  # heavy: imported only here

    try:
        with _quiet(datasets):
            ds = datasets.load_from_disk(str(path))
    except Exception as exc:  # noqa: BLE001 - report any reader failure as a fixture error
        return SuiteLoad([], [FixtureError(str(path), None, f"cannot read saved dataset: {exc}")])
    if isinstance(ds, datasets.DatasetDict):
        splits = list(ds.values())
    else:
        splits = [ds]
    fixtures: list[Fixture] = []
    errs: list[FixtureError] = []
    for split in splits:
        for i, row in enumerate(split):
            where = f"{path} (row {i}{', id ' + repr(row.get('id')) if row.get('id') else ''})"
            try:
                f = fixture_from_row(row, where)
            except FixtureError as exc:
                errs.append(exc)
                continue
            fixtures.append(f)
    return _dedupe(fixtures, errs)


@contextlib.contextmanager
def _quiet(datasets: Any) -> Iterator[None]:
    """No progress bars from datasets while evalkit prints its own lines."""
    was = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was:
            datasets.enable_progress_bars()


def export_suite(fixtures: Iterable[Fixture], dest: str | Path) -> Path:
    """Write fixtures as a ``datasets.Dataset`` with ``save_to_disk`` (one row per fixture)."""
    import datasets

    rows = [fixture_to_row(f) for f in fixtures]
    # a plain list of structs (datasets.Sequence of a dict would read back as a dict of lists)
    file_type = [{"path": datasets.Value("string"), "content": datasets.Value("binary")}]
    features = datasets.Features({
        "schema_version": datasets.Value("int32"),
        "id": datasets.Value("string"),
        "suite": datasets.Value("string"),
        "instruction": datasets.Value("string"),
        "language": datasets.Value("string"),
        "test_command": datasets.Value("string"),
        "outcome": datasets.Value("string"),
        "reason": datasets.Value("string"),
        "protected": datasets.Sequence(datasets.Value("string")),
        "tags": datasets.Sequence(datasets.Value("string")),
        "test_timeout_s": datasets.Value("float64"),
        "agent_timeout_s": datasets.Value("float64"),
        "workspace_size_mb": datasets.Value("float64"),
        "workspace_files": datasets.Value("int64"),
        "files": file_type,
        "solution": file_type,
        "checks": file_type,
        "expected_tests": datasets.Sequence(datasets.Value("string")),
        "expected_as_given": datasets.Sequence(datasets.Value("string")),
        "official_from_fixture": datasets.Sequence(datasets.Value("string")),
        "official_from_agent": datasets.Sequence(datasets.Value("string")),
    })
    ds = datasets.Dataset.from_list(rows, features=features)
    dest = Path(dest)
    with _quiet(datasets):
        ds.save_to_disk(str(dest))
    (dest / "EVALKIT_SUITE.json").write_text(json.dumps(
        {"schema_version": SUITE_SCHEMA_VERSION, "fixtures": len(rows)}, indent=2) + "\n")
    return dest
