"""Task fixtures: a small repository whose outcome class is known in advance.

On disk a fixture is ``tasks/<suite>/<task-id>/`` holding ``task.toml``, ``repo/`` (the starting
files), optionally ``solution/`` (files overlaid on repo/: the reference solution, or for
impossible tasks the best honest attempt), ``checks/`` (hidden checks overlaid only for the
official run, used by ``unverifiable`` fixtures whose workspace has no runnable tests) and
``expected_tests.json`` (the test ids the official command runs, recorded by ``evalkit tasks
validate --record``: an official run passes only if every one of them ran and passed).

``Fixture.official_source`` is the rule that decides which files of the official workspace come
from the fixture whatever the agent did (its checks, its test configuration, interpreter hooks),
so that the official run judges the agent's work and never its test setup; see tasks/README.md.

Files are held in memory (fixtures are small) so that a fixture loaded from a directory and one
loaded from a ``datasets.Dataset`` row are the same object.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import sys
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
#: Largest [limits] timeout accepted (one day): beyond it a fixture is a typo or a hang.
MAX_TIMEOUT_S = 86_400.0
#: Default bounds on what the agent may leave in its workspace (task.toml [limits]
#: workspace_size_mb / workspace_files): past either the command is stopped and the sample ends
#: as a "limit" (see evalkit.tools). Fixtures are small repositories; an agent that needs more
#: than this is filling the disk. A "file" is any entry: file, folder, link.
DEFAULT_WORKSPACE_MB = 500
DEFAULT_WORKSPACE_FILES = 20_000
#: Largest accepted values (100 GB, 10 million entries): beyond them a fixture is a typo.
MAX_WORKSPACE_MB = 100_000
MAX_WORKSPACE_FILES = 10_000_000
#: Largest task.toml read (a real one is a few KB).
MAX_TASK_TOML_BYTES = 1024 * 1024

# Directories never copied into a workspace nor compared in diffs.
IGNORED_DIRS = frozenset({"__pycache__", ".pytest_cache", "node_modules", ".git", ".ruff_cache"})

#: The file beside task.toml holding the recorded expected test ids.
EXPECTED_TESTS_FILE = "expected_tests.json"

# --------------------------------------------------------------------------- the official rule
# Which files of the official workspace come from the fixture, whatever the agent did. Two kinds:
#
# * HARNESS paths always come from the fixture: the agent's edits, additions and deletions there
#   are discarded. They decide how the tests run, not what the code does.
# * NEW-ONLY paths cannot be added by the agent (its new file there is dropped), but the agent's
#   edits to the fixture's own files there are kept: modules that would shadow the test runner or
#   the standard library at an import root, and files the runner would collect as tests.

#: Test configuration, runner configuration and build-tool test targets (any depth, any language).
TEST_CONFIG_GLOBS: tuple[str, ...] = (
    # pytest / tox / nox
    "**/conftest.py", "**/pytest.ini", "**/.pytest.ini", "**/pytest.toml", "**/.pytest.toml",
    "**/tox.ini", "**/setup.cfg", "**/pyproject.toml", "**/noxfile.py",
    # node: package.json (scripts, "type", imports), npm/yarn rc (node-options), runner configs
    "**/package.json", "**/.npmrc", "**/.yarnrc", "**/.yarnrc.yml", "**/jest.config.*",
    "**/vitest.config.*", "**/vitest.workspace.*", "**/vite.config.*", "**/.mocharc*",
    "**/babel.config.*", "**/.babelrc*", "**/ava.config.*", "**/.taprc",
    # make
    "**/Makefile", "**/makefile", "**/GNUmakefile", "**/*.mk",
)
#: Files the interpreter loads by itself, and caches/metadata it trusts.
INTERPRETER_HOOK_GLOBS: tuple[str, ...] = (
    "**/sitecustomize.*", "**/usercustomize.*", "**/sitecustomize/**", "**/usercustomize/**",
    "**/*.pth", "**/*.pyc", "**/*.pyo", "**/__pycache__/**", "**/*.dist-info/**",
    "**/*.egg-info/**", "**/*.egg-link", "**/node_modules/**", "**/.pytest_cache/**",
)
#: Modules of the test runner (and of the interpreter's start-up) an agent could shadow.
RUNNER_MODULES = frozenset({
    "pytest", "_pytest", "pluggy", "iniconfig", "packaging", "py", "exceptiongroup", "tomli",
    "colorama", "pygments", "setuptools", "pkg_resources", "_distutils_hack", "pip",
    "importlib_metadata", "zipp", "typing_extensions", "sitecustomize", "usercustomize",
})
#: What the runner collects as a test file by default (an agent's new one is not collected);
#: a Python command that runs unittest also collects ``test*.py``.
TEST_FILE_GLOBS: dict[str, tuple[str, ...]] = {
    "python": ("**/test_*.py", "**/*_test.py"),
    "javascript": tuple(
        f"**/{stem}.{ext}" for ext in ("js", "mjs", "cjs")
        for stem in ("*.test", "*-test", "*_test", "test-*", "test", "*.spec")
    ) + ("**/test/**",),
}


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
    #: test ids the official command runs (recorded by validation); None = not recorded
    expected_tests: tuple[str, ...] | None = None
    #: test ids it runs on repo/ as given (recorded with expected_tests, checked by validation)
    expected_as_given: tuple[str, ...] | None = None
    #: globs also taken from the fixture in the official run (task.toml [official] from_fixture)
    official_from_fixture: tuple[str, ...] = ()
    #: globs the agent may change although the built-in rule takes them from the fixture
    #: (task.toml [official] from_agent; never protected files nor hidden checks)
    official_from_agent: tuple[str, ...] = ()
    #: bounds on the agent's workspace (task.toml [limits] workspace_size_mb, workspace_files)
    workspace_max_bytes: int = DEFAULT_WORKSPACE_MB * 1024 * 1024
    workspace_max_files: int = DEFAULT_WORKSPACE_FILES

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

    # ------------------------------------------------------------------ the official rule

    @cached_property
    def _official(self) -> _OfficialRule:
        return _OfficialRule.build(self)

    def official_source(self, path: str) -> str | None:
        """Why ``path`` comes from the fixture in the official run, or None if from the agent.

        The answer is a short reason ("protected check", "test configuration", …). For a path
        the fixture does not have, a non-None answer means the agent's new file is dropped.
        """
        return self._official.source(path.replace("\\", "/").removeprefix("./"), self.files)


def _any_re(globs: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{glob_to_regex(g)})" for g in globs) or "(?!)")


@dataclass(frozen=True)
class _OfficialRule:
    """The compiled official-workspace rule of one fixture (see TEST_CONFIG_GLOBS above)."""

    harness: tuple[tuple[str, re.Pattern[str]], ...]
    agent: re.Pattern[str]
    new_only: tuple[tuple[str, re.Pattern[str]], ...]
    command_files: frozenset[str]
    import_roots: tuple[str, ...]  # "" for the workspace root, else "dir/"
    shadow: frozenset[str]

    @classmethod
    def build(cls, f: Fixture) -> _OfficialRule:
        harness = (
            ("protected check", f._protected_re),
            ("hidden check", re.compile("|".join(re.escape(p) for p in f.checks) or "(?!)")),
            ("declared in task.toml [official] from_fixture", _any_re(f.official_from_fixture)),
            ("test configuration", _any_re(TEST_CONFIG_GLOBS)),
            ("interpreter hook or cache", _any_re(INTERPRETER_HOOK_GLOBS)),
        )
        collected = TEST_FILE_GLOBS.get(f.language, ())
        if f.language == "python" and "unittest" in f.test_command:
            collected += ("**/test*.py",)
        new_only = (("test file the runner would collect", _any_re(collected)),)
        command_files = frozenset(_command_files(f.test_command))
        roots = {""}
        shadow: frozenset[str] = frozenset()
        if f.language == "python":
            # pytest puts each test file's first folder without __init__.py on sys.path
            for p in list(f.files) + list(f.checks):
                if f.is_protected(p) or p in f.checks:
                    roots.add(_import_root(p, f.files))
            shadow = frozenset(sys.stdlib_module_names) | RUNNER_MODULES
        return cls(harness=harness, agent=_any_re(f.official_from_agent), new_only=new_only,
                   command_files=command_files, import_roots=tuple(sorted(roots)),
                   shadow=shadow)

    def source(self, path: str, fixture_files: Mapping[str, bytes]) -> str | None:
        for why, rx in self.harness[:2]:  # the checks themselves can never be narrowed
            if rx.fullmatch(path):
                return why
        if self.agent.fullmatch(path):
            return None
        if path in self.command_files:
            return "named in the test command"
        for why, rx in self.harness[2:]:
            if rx.fullmatch(path):
                return why
        if path in fixture_files:
            return None
        for why, rx in self.new_only:
            if rx.fullmatch(path):
                return why
        for root in self.import_roots:
            if root and not path.startswith(root):
                continue
            top = path[len(root):].split("/", 1)[0]
            if top.split(".", 1)[0] in self.shadow:
                return "would shadow the test runner or the standard library"
        return None


def _import_root(test_file: str, files: Mapping[str, bytes]) -> str:
    """The folder pytest's default import mode puts on sys.path for ``test_file``."""
    parts = test_file.split("/")[:-1]
    while parts and "/".join(parts) + "/__init__.py" in files:
        parts.pop()
    return "/".join(parts) + "/" if parts else ""


def _command_files(command: str) -> list[str]:
    """Relative file paths named in the test command (``bash run_tests.sh``, ``./check``)."""
    try:
        tokens = shlex.split(command)
    except ValueError:
        tokens = command.split()
    out = []
    for tok in tokens:
        if tok.startswith("-") or "=" in tok or tok.startswith("/"):
            continue
        if "/" in tok or re.search(r"\.(?:sh|py|js|mjs|cjs|bash)$", tok):
            out.append(tok.removeprefix("./"))
    return out


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
_OPTIONAL = ("reason", "protected", "limits", "tags", "description", "official")
_LIMIT_KEYS = ("test_timeout", "agent_timeout", "workspace_size_mb", "workspace_files")
_OFFICIAL_KEYS = ("from_fixture", "from_agent")


@dataclass(frozen=True)
class ExpectedTests:
    """The recorded ``expected_tests.json``: what the official command runs."""

    test_command: str
    tests: tuple[str, ...]  # with the reference solution (or as given when there is none)
    as_given: tuple[str, ...]  # on repo/ as given (with hidden checks)


def load_expected_tests(path: Path) -> ExpectedTests | None:
    """Read ``expected_tests.json``; None when the file does not exist. Raises FixtureError."""
    if not path.is_file():
        return None
    where = str(path)
    from evalkit.safejson import JSONError, loads

    try:
        data = loads(path.read_bytes())
    except JSONError as exc:
        raise FixtureError(where, exc.field, f"not valid JSON: {exc}") from None
    except OSError as exc:
        raise FixtureError(where, None, f"cannot read: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise FixtureError(where, None, "expected a JSON object with test_command and tests")
    command = data.get("test_command")
    if not isinstance(command, str) or not command.strip():
        raise FixtureError(where, "test_command", f"expected a non-empty string; got "
                           f"{command!r}")
    lists = {}
    for key in ("tests", "as_given"):
        value = data.get(key, [] if key == "as_given" else None)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise FixtureError(where, key, f"expected a list of test ids (strings); got "
                               f"{value!r}")
        lists[key] = tuple(value)
    return ExpectedTests(command, lists["tests"], lists["as_given"])


def write_expected_tests(folder: Path, record: ExpectedTests) -> bool:
    """Write ``folder/expected_tests.json``; False (nothing written) when unchanged."""
    text = json.dumps({
        "about": "Test ids the official test command runs; written by `evalkit tasks validate "
                 "--record`, checked by `evalkit tasks validate`. An official run passes only "
                 "if every id in `tests` ran and passed.",
        "test_command": record.test_command,
        "tests": sorted(record.tests),
        "as_given": sorted(record.as_given),
    }, indent=2, ensure_ascii=False) + "\n"
    path = Path(folder) / EXPECTED_TESTS_FILE
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


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
        size = toml_path.stat().st_size
        if size > MAX_TASK_TOML_BYTES:
            raise FixtureError(str(toml_path), None, f"{size} bytes; expected a task.toml of at "
                               f"most {MAX_TASK_TOML_BYTES} bytes")
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FixtureError(str(toml_path), None, f"not valid TOML: {exc}") from exc
    except RecursionError:  # tomllib recurses per nesting level: 10,000 nested arrays
        raise FixtureError(str(toml_path), None, "not valid TOML: nested too deeply to parse; "
                           "expected plain tables of strings, lists and numbers") from None
    except OSError as exc:
        raise FixtureError(str(toml_path), None, f"cannot read: {exc.strerror or exc}") from None
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
        expected=load_expected_tests(folder / EXPECTED_TESTS_FILE),
        expected_where=str(folder / EXPECTED_TESTS_FILE),
    )


def fixture_from_mapping(
    data: Mapping[str, Any],
    *,
    where: str,
    suite: str,
    files: Mapping[str, bytes],
    solution: Mapping[str, bytes] | None = None,
    checks: Mapping[str, bytes] | None = None,
    expected: ExpectedTests | None = None,
    expected_where: str | None = None,
) -> Fixture:
    """Check a parsed task.toml and build the Fixture; every problem names its field.

    ``expected`` is the recorded expected_tests.json (``expected_where`` names it in errors);
    a record made for another test command is refused, so a stale record never decides a run.
    """
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
    official = data.get("official", {})
    if not isinstance(official, dict):
        raise FixtureError(where, "official", "expected a table like [official] "
                           "from_agent = [\"pyproject.toml\"]")
    bad = sorted(set(official) - set(_OFFICIAL_KEYS))
    if bad:
        raise FixtureError(where, f"official.{bad[0]}",
                           f"unknown key; allowed: {', '.join(_OFFICIAL_KEYS)}")
    from_fixture = _string_list(official, "from_fixture", where, prefix="official.")
    from_agent = _string_list(official, "from_agent", where, prefix="official.")
    test_command = _string(data, "test_command", where)
    if expected is not None and expected.test_command != test_command:
        raise FixtureError(expected_where or where, "test_command",
                           f"recorded for {expected.test_command!r} but task.toml runs "
                           f"{test_command!r}; re-record with `evalkit tasks validate --record`")
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
        test_command=test_command,
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
        expected_tests=expected.tests if expected is not None else None,
        expected_as_given=expected.as_given if expected is not None else None,
        official_from_fixture=tuple(from_fixture),
        official_from_agent=tuple(from_agent),
        workspace_max_bytes=int(_bound(limits, "workspace_size_mb", DEFAULT_WORKSPACE_MB,
                                       MAX_WORKSPACE_MB, where, "megabytes") * 1024 * 1024),
        workspace_max_files=int(_bound(limits, "workspace_files", DEFAULT_WORKSPACE_FILES,
                                       MAX_WORKSPACE_FILES, where, "files", whole=True)),
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


def _string_list(data: Mapping[str, Any], key: str, where: str, prefix: str = "") -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FixtureError(where, prefix + key,
                           f"expected a list of non-empty strings; got {value!r}")
    return list(value)


def _seconds(limits: Mapping[str, Any], key: str, default: float, where: str) -> float:
    """A finite timeout in (0, MAX_TIMEOUT_S]: ``inf`` hung validation, ``nan`` crashed it."""
    value = limits.get(key, default)
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT_S):
        raise FixtureError(where, f"limits.{key}", f"expected a positive finite number of "
                           f"seconds, at most {MAX_TIMEOUT_S:g}; got {value!r}"[:300])
    return float(value)


def _bound(limits: Mapping[str, Any], key: str, default: float, most: float, where: str,
           unit: str, *, whole: bool = False) -> float:
    """A finite size bound in (0, most]: like timeouts, ``inf``/``nan`` would disable it."""
    value = limits.get(key, default)
    kind = int if whole else int | float
    if (isinstance(value, bool) or not isinstance(value, kind)
            or not math.isfinite(value) or not 0 < value <= most):
        noun = "whole number" if whole else "number"
        raise FixtureError(where, f"limits.{key}", f"expected a positive finite {noun} of "
                           f"{unit}, at most {most:g}; got {value!r}"[:300])
    return float(value)
