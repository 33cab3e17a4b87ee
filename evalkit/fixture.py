"""Task fixtures: a small repository whose outcome class is known in advance.

On disk a fixture is ``tasks/<suite>/<task-id>/`` holding ``task.toml``, ``repo/`` (the starting
files), optionally ``solution/`` (files overlaid on repo/: the reference solution, or for
impossible tasks the best honest attempt) and ``checks/`` (hidden checks overlaid only for the
official run, used by ``unverifiable`` fixtures whose workspace has no runnable tests).

Files are held in memory (fixtures are small) so that a fixture loaded from a directory and one
loaded from a ``datasets.Dataset`` row are the same object.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from evalkit.records import IMPOSSIBLE_REASONS, OUTCOME_CLASSES

LANGUAGES = ("python", "javascript")

DEFAULT_PROTECTED: dict[str, tuple[str, ...]] = {
    "python": ("tests/**", "test/**", "**/test_*.py", "**/*_test.py", "**/conftest.py"),
    "javascript": ("test/**", "tests/**", "**/*.test.js", "**/*.test.mjs", "**/*.spec.js"),
}

DEFAULT_TEST_TIMEOUT_S = 60.0
DEFAULT_AGENT_TIMEOUT_S = 900.0

# Directories never copied into a workspace nor compared in diffs.
IGNORED_DIRS = frozenset({"__pycache__", ".pytest_cache", "node_modules", ".git", ".ruff_cache"})


class FixtureError(ValueError):
    """A fixture that cannot be loaded; the message names file, field and what was expected."""

    def __init__(self, where: str, field_name: str | None, expected: str) -> None:
        self.where = where
        self.field = field_name
        self.expected = expected
        target = f"{where}: field '{field_name}'" if field_name else where
        super().__init__(f"{target}: {expected}")


@dataclass(frozen=True)
class Fixture:
    id: str
    suite: str
    instruction: str
    language: str
    test_command: str
    outcome: str  # one of records.OUTCOME_CLASSES
    reason: str | None = None  # impossible only: one of records.IMPOSSIBLE_REASONS
    protected: tuple[str, ...] = ()  # globs relative to the repo root
    files: Mapping[str, bytes] = field(default_factory=dict)  # repo/
    solution: Mapping[str, bytes] = field(default_factory=dict)  # overlay on repo/
    checks: Mapping[str, bytes] = field(default_factory=dict)  # hidden, official run only
    test_timeout_s: float = DEFAULT_TEST_TIMEOUT_S
    agent_timeout_s: float = DEFAULT_AGENT_TIMEOUT_S
    tags: tuple[str, ...] = ()
    source: str = ""  # where it was loaded from, for error messages

    @property
    def key(self) -> str:
        """Unique across suites."""
        return f"{self.suite}/{self.id}"

    @cached_property
    def _protected_re(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{glob_to_regex(g)})" for g in self.protected) or "(?!)")

    def is_protected(self, path: str) -> bool:
        return bool(self._protected_re.fullmatch(path.replace("\\", "/").lstrip("./")))

    def protected_files(self) -> list[str]:
        """Protected paths present in repo/ (the checks the model must not weaken)."""
        return sorted(p for p in self.files if self.is_protected(p))


def glob_to_regex(glob: str) -> str:
    """Translate a path glob with ``**`` (any depth), ``*`` and ``?`` into a regex."""
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


# --------------------------------------------------------------------------- loading

_REQUIRED = ("id", "instruction", "language", "test_command", "outcome")
_OPTIONAL = ("reason", "protected", "limits", "tags", "description")
_LIMIT_KEYS = ("test_timeout", "agent_timeout")


def read_tree(root: Path) -> dict[str, bytes]:
    """All files under ``root`` as {posix relative path: bytes}, skipping caches."""
    if not root.is_dir():
        return {}
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in IGNORED_DIRS for part in rel.parts) or not path.is_file():
            continue
        files[rel.as_posix()] = path.read_bytes()
    return files


def load_fixture(path: str | Path, suite: str | None = None) -> Fixture:
    """Load ``path`` (a fixture folder or its task.toml). Raises FixtureError."""
    path = Path(path)
    folder = path.parent if path.name == "task.toml" else path
    toml_path = folder / "task.toml"
    if not toml_path.is_file():
        raise FixtureError(str(folder), None, "expected a task.toml in this folder")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FixtureError(str(toml_path), None, f"not valid TOML: {exc}") from exc
    repo = folder / "repo"
    if not repo.is_dir():
        raise FixtureError(str(folder), None, "expected a repo/ folder with the starting files")
    return fixture_from_mapping(
        data,
        where=str(toml_path),
        suite=suite or folder.parent.name,
        files=read_tree(repo),
        solution=read_tree(folder / "solution"),
        checks=read_tree(folder / "checks"),
    )


def fixture_from_mapping(
    data: Mapping[str, Any],
    *,
    where: str,
    suite: str,
    files: Mapping[str, bytes],
    solution: Mapping[str, bytes] | None = None,
    checks: Mapping[str, bytes] | None = None,
) -> Fixture:
    """Check a parsed task.toml and build the Fixture; every problem names its field."""
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        allowed = ", ".join(_REQUIRED + _OPTIONAL)
        raise FixtureError(where, unknown[0], f"unknown key; allowed keys are {allowed}")
    for key in _REQUIRED:
        if key not in data:
            raise FixtureError(where, key, "missing; this field is required")
    task_id = _string(data, "id", where)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", task_id):
        expected = f"expected letters, digits, '-', '_' or '.'; got {task_id!r}"
        raise FixtureError(where, "id", expected)
    language = _choice(data, "language", LANGUAGES, where)
    outcome = _choice(data, "outcome", OUTCOME_CLASSES, where)
    reason = None
    if outcome == "impossible":
        if "reason" not in data:
            raise FixtureError(where, "reason", "missing; required when outcome = 'impossible' "
                               f"(one of {', '.join(IMPOSSIBLE_REASONS)})")
        reason = _choice(data, "reason", IMPOSSIBLE_REASONS, where)
    elif "reason" in data:
        raise FixtureError(where, "reason", "only allowed when outcome = 'impossible'")
    protected = _string_list(data, "protected", where) or DEFAULT_PROTECTED[language]
    tags = _string_list(data, "tags", where)
    limits = data.get("limits", {})
    if not isinstance(limits, dict):
        raise FixtureError(where, "limits", "expected a table like [limits] test_timeout = 60")
    bad = sorted(set(limits) - set(_LIMIT_KEYS))
    if bad:
        raise FixtureError(where, f"limits.{bad[0]}",
                           f"unknown key; allowed: {', '.join(_LIMIT_KEYS)}")
    if not files:
        raise FixtureError(where, None, "repo/ is empty; expected the starting files")
    if outcome == "solvable" and not solution:
        raise FixtureError(where, "outcome", "'solvable' needs a solution/ folder "
                           "(the reference solution overlaid on repo/)")
    return Fixture(
        id=task_id,
        suite=suite,
        instruction=_string(data, "instruction", where).strip(),
        language=language,
        test_command=_string(data, "test_command", where),
        outcome=outcome,
        reason=reason,
        protected=tuple(protected),
        files=dict(files),
        solution=dict(solution or {}),
        checks=dict(checks or {}),
        test_timeout_s=_seconds(limits, "test_timeout", DEFAULT_TEST_TIMEOUT_S, where),
        agent_timeout_s=_seconds(limits, "agent_timeout", DEFAULT_AGENT_TIMEOUT_S, where),
        tags=tuple(tags),
        source=where,
    )


def _string(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise FixtureError(where, key, f"expected a non-empty string; got {value!r}")
    return value


def _choice(data: Mapping[str, Any], key: str, allowed: Iterable[str], where: str) -> str:
    value = data[key]
    allowed = tuple(allowed)
    if value not in allowed:
        raise FixtureError(where, key, f"expected one of {', '.join(allowed)}; got {value!r}")
    return value


def _string_list(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FixtureError(where, key, f"expected a list of non-empty strings; got {value!r}")
    return list(value)


def _seconds(limits: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = limits.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise FixtureError(where, f"limits.{key}", f"expected a positive number of seconds; "
                           f"got {value!r}")
    return float(value)
