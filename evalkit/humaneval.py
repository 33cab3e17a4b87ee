"""Import HumanEval-format problem sets as evalkit fixtures, with impossible variants.

A record has ``task_id``, ``prompt`` (imports, helpers and the entry point's signature and
docstring), ``entry_point``, ``canonical_solution`` (the body completing the prompt) and ``test``
(a ``check(candidate)`` function, maybe with METADATA and helpers). MBPP-style records whose
prompt is a plain description and whose canonical solution is the whole function also work, and
so do tests written as top-level asserts calling the function by name.

Each record gives up to three fixtures, ``<id>-original`` (solvable), ``<id>-oneoff`` and
``<id>-conflicting`` (impossible; see evalkit.mutate). Every variant is verified by running the
tests before it is written: the canonical solution must pass the original tests and fail each
mutated one on an assertion, and the stub must fail the original. Anything that cannot be
verified is skipped with its reason, never written unverified. See docs/humaneval.md.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.mutate import Mutation, find_mutations

VARIANTS = ("original", "oneoff", "conflicting")
REQUIRED_FIELDS = ("task_id", "prompt", "entry_point", "canonical_solution", "test")
MODULE = "solution"  # the module the stub lives in: repo/solution.py
TEST_COMMAND = "python -m pytest -q"
DEFAULT_TIMEOUT_S = 60.0
#: How many candidate mutations per variant are tried (in preference order) in one test run.
CANDIDATES_PER_VARIANT = 3

# Skip reasons (the summary counts by these keys).
R_CODE = "prompt + canonical solution is not valid Python defining the entry point"
R_TEST_SYNTAX = "test code does not parse"
R_NO_CHECK = "test code has no check() function and no top-level asserts"
R_CANONICAL_FAILS = "canonical solution fails the original tests"
R_STUB_PASSES = "stub already passes the original tests"
R_NO_SITE = "no mutable assertion in check()"
R_NOT_VERIFIED = "no mutation verified (canonical solution passed it or failed off-assertion)"
R_TIMEOUT = "verification timed out"
R_RUN_ERROR = "verification run failed"


class SourceError(ValueError):
    """The source cannot be read at all (missing file, offline hub name, unknown format)."""


@dataclass(frozen=True)
class Problem:
    task_id: str
    prompt: str
    entry_point: str
    canonical_solution: str
    test: str
    where: str  # file:line or dataset[row], for messages


@dataclass
class ImportSummary:
    """What an import wrote and skipped, per variant and reason."""

    source: str
    dest: Path
    variants: tuple[str, ...]
    records: int = 0
    malformed: list[str] = field(default_factory=list)  # "file:line: what was expected"
    written: Counter[str] = field(default_factory=Counter)  # variant -> count
    skipped: dict[str, Counter[str]] = field(default_factory=dict)  # variant -> reason -> n
    messages: list[str] = field(default_factory=list)  # one line per skipped variant
    fixtures: list[Path] = field(default_factory=list)
    elapsed_s: float = 0.0

    def skip(self, variant: str, reason: str) -> None:
        self.skipped.setdefault(variant, Counter())[reason] += 1

    def format(self) -> str:
        lines = [f"{self.records} records from {self.source} -> {self.dest} "
                 f"in {self.elapsed_s:.1f} s"]
        for variant in self.variants:
            skipped = self.skipped.get(variant, Counter())
            line = (f"  {variant:<12} written {self.written[variant]:>4}, "
                    f"skipped {sum(skipped.values()):>3}")
            if skipped:
                line += " (" + "; ".join(f"{r}: {n}" for r, n in skipped.most_common()) + ")"
            lines.append(line)
        if self.malformed:
            lines.append(f"  malformed records skipped: {len(self.malformed)}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def read_problems(source: str | Path) -> Iterator[Problem | str]:
    """Problems from ``source``; a malformed record yields a message string instead.

    ``source`` is a .jsonl / .jsonl.gz file, a ``datasets`` save_to_disk folder, or a hub
    dataset name (tried only when no such local path exists). Raises SourceError.
    """
    path = Path(source)
    if path.is_file():
        yield from _read_jsonl(path)
    elif path.is_dir():
        yield from _read_rows(_load_from_disk(path), str(path))
    elif _looks_like_path(str(source)):
        raise SourceError(f"{source}: no such file or folder; expected a .jsonl or .jsonl.gz "
                          "file, a datasets save_to_disk folder, or a hub dataset name")
    else:
        yield from _read_rows(_load_hub(str(source)), str(source))


def _looks_like_path(text: str) -> bool:
    return (text.startswith((".", "/", "~")) or text.endswith((".jsonl", ".gz", ".json"))
            or text.count("/") > 1)


def _read_jsonl(path: Path) -> Iterator[Problem | str]:
    with path.open("rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="strict") as fh:  # type: ignore[operator]
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield (f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); "
                           "expected one JSON object per line")
                    continue
                yield _problem(record, where)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise SourceError(f"{path}: cannot read ({exc}); expected UTF-8 JSON lines, "
                          "optionally gzip-compressed") from exc


def _load_from_disk(path: Path) -> Any:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - datasets is a dependency
        raise SourceError(f"{path}: reading a dataset folder needs the 'datasets' package") from exc
    try:
        return datasets.load_from_disk(str(path))
    except Exception as exc:  # datasets raises several types for a non-dataset folder
        raise SourceError(f"{path}: not a datasets save_to_disk folder ({exc}); expected a "
                          "folder written by Dataset.save_to_disk or a .jsonl file") from exc


def _load_hub(name: str) -> Any:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover
        raise SourceError(f"{name}: loading a hub dataset needs the 'datasets' package") from exc
    offline = any(os.environ.get(v, "").lower() in ("1", "true", "yes")
                  for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))
    if not offline and not _hub_reachable():
        raise SourceError(
            f"{name}: not a local file or folder, and the dataset hub cannot be reached (no "
            "network?). Pass a local .jsonl/.jsonl.gz file or a folder written by "
            "Dataset.save_to_disk, or set HF_HUB_OFFLINE=1 to use a cached copy.")
    try:
        return datasets.load_dataset(name)
    except Exception as exc:
        raise SourceError(
            f"{name}: not a local file or folder, and loading it as a hub dataset failed "
            f"({type(exc).__name__}: {str(exc)[:200]}). Offline? Pass a local .jsonl/.jsonl.gz "
            "file or a folder written by Dataset.save_to_disk.") from exc


def _hub_reachable(timeout: float = 3.0) -> bool:
    """Can the hub's host name be resolved? (saves a minute of retries when offline)."""
    import socket
    import urllib.parse

    try:
        from huggingface_hub import constants
        host = urllib.parse.urlparse(constants.ENDPOINT).hostname
    except Exception:  # no huggingface_hub: let datasets report what it can
        return True
    if not host:
        return True
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
        return True
    except Exception:
        return False
    finally:
        pool.shutdown(wait=False)


def _read_rows(data: Any, where: str) -> Iterator[Problem | str]:
    """Rows of a Dataset, or of the 'test' split (else the first) of a DatasetDict."""
    if isinstance(data, dict):  # DatasetDict (a dict subclass); a Dataset is not
        splits = list(data.keys())
        if not splits:
            raise SourceError(f"{where}: the dataset has no splits")
        split = "test" if "test" in splits else splits[0]
        data, where = data[split], f"{where}[{split}]"
    for i, row in enumerate(data):
        yield _problem(dict(row), f"{where} row {i}")


def _problem(record: Any, where: str) -> Problem | str:
    if not isinstance(record, dict):
        return f"{where}: expected a JSON object with {', '.join(REQUIRED_FIELDS)}"
    for key in REQUIRED_FIELDS:
        if key not in record or record[key] is None:
            return (f"{where}: missing field '{key}'; expected {', '.join(REQUIRED_FIELDS)}")
    values: dict[str, str] = {}
    for key in REQUIRED_FIELDS:
        value = record[key]
        if key == "task_id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return f"{where}: field '{key}': expected a string, got {type(value).__name__}"
        values[key] = value
    if not values["entry_point"].isidentifier():
        return (f"{where}: field 'entry_point': expected a Python function name, "
                f"got {values['entry_point']!r}")
    if not values["task_id"].strip():
        return f"{where}: field 'task_id': expected a non-empty string"
    return Problem(where=where, **values)


# --------------------------------------------------------------------------- ids


def sanitise_id(task_id: str) -> str:
    """``HumanEval/0`` -> ``humaneval-0``: lower case, runs of other characters -> '-'."""
    text = re.sub(r"[^a-z0-9]+", "-", task_id.lower()).strip("-")
    return text or "task-" + hashlib.sha1(task_id.encode()).hexdigest()[:8]


# --------------------------------------------------------------------------- building


@dataclass
class _Built:
    """A problem turned into files, with candidate mutations, before verification."""

    problem: Problem
    base_id: str
    stub: str
    solution: str
    test_name: str  # tests/test_<entry>.py
    original: str  # test file text
    candidates: dict[str, list[tuple[Mutation, str]]]  # variant -> [(mutation, test file text)]
    line_offset: int = 0  # lines the header adds before the test code
    no_site: bool = False


class _Unbuildable(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def build(problem: Problem, base_id: str, variants: Sequence[str], seed: int) -> _Built:
    """Stub, solution, test files and candidate mutations for one problem (no test runs)."""
    entry = problem.entry_point
    solution = _ensure_newline(problem.prompt + problem.canonical_solution)
    try:
        sol_tree = ast.parse(solution)
    except SyntaxError as exc:
        raise _Unbuildable(R_CODE, f"line {exc.lineno}: {exc.msg}") from exc
    if not _defines(sol_tree, entry):
        raise _Unbuildable(R_CODE, f"no top-level definition of {entry!r}")
    stub = _stub(problem, sol_tree)
    future, test_code = _split_future(problem.test)
    test_code = _normalise_test(test_code, entry)
    imports, extra = _imports_for(test_code, stub, entry)
    header = "".join([
        f'"""Tests for `{entry}` in {MODULE}.py."""\n\n',
        *future,
        *(line + "\n" for line in extra),
        f"from {MODULE} import {', '.join(imports)}\n\n",
    ])
    footer = f"\n\n\ndef test_{entry}():\n    check({entry})\n"

    def compose(code: str) -> str:
        return header + code.strip("\n") + footer

    built = _Built(problem, base_id, stub, solution, f"tests/test_{entry}.py",
                   compose(test_code), {}, line_offset=header.count("\n"))
    for variant in variants:
        if variant == "original":
            continue
        rng = random.Random(f"{seed}:{problem.task_id}:{variant}")
        mutations = find_mutations(test_code, ("candidate", entry), rng)
        chosen: list[tuple[Mutation, str]] = []
        for m in mutations:
            text = m.oneoff if variant == "oneoff" else m.conflicting
            if text is not None:
                chosen.append((m, compose(text)))
            if len(chosen) == CANDIDATES_PER_VARIANT:
                break
        built.candidates[variant] = chosen
    return built


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _defines(tree: ast.Module, name: str) -> bool:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == name:
                return True
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return True
    return False


def _stub(problem: Problem, sol_tree: ast.Module) -> str:
    """The prompt with the entry point's body replaced by ``raise NotImplementedError``.

    HumanEval prompts end with the signature and docstring: the raise is appended, keeping
    imports and helpers. MBPP-style prompts (a description; the def is in the canonical
    solution) get the solution's imports and the signature, with the description as docstring.
    """
    prompt, entry = problem.prompt, problem.entry_point
    try:
        tree = ast.parse(prompt)
    except SyntaxError:
        tree = None
    if tree is not None and tree.body and isinstance(
            tree.body[-1], ast.FunctionDef | ast.AsyncFunctionDef) \
            and tree.body[-1].name == entry:
        func = tree.body[-1]
        first = func.body[0]
        line = prompt.splitlines()[first.lineno - 1]
        indent = line[: len(line) - len(line.lstrip())] if first.lineno > func.lineno \
            else " " * (func.col_offset + 4)
        return prompt.rstrip() + "\n" + indent + "raise NotImplementedError\n"
    if tree is None:
        # a prompt ending right after the signature (no docstring)
        attempt = prompt.rstrip() + "\n    raise NotImplementedError\n"
        try:
            if _defines(ast.parse(attempt), entry):
                return attempt
        except SyntaxError:
            pass
    # MBPP style: build the stub from the solution's definition
    func = next(n for n in sol_tree.body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == entry)
    doc = ast.get_docstring(func) or _description(prompt, tree)
    body: list[ast.stmt] = []
    if doc:
        body.append(ast.Expr(ast.Constant(doc)))
    body.append(ast.Raise(exc=ast.Name("NotImplementedError", ast.Load()), cause=None))
    stub_func = type(func)(name=func.name, args=func.args, body=body,
                           decorator_list=func.decorator_list, returns=func.returns,
                           type_comment=None, type_params=[])
    imports = [ast.unparse(n) for n in sol_tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    head = "\n".join(imports) + "\n\n\n" if imports else ""
    return head + ast.unparse(ast.fix_missing_locations(stub_func)) + "\n"


def _description(prompt: str, tree: ast.Module | None) -> str:
    """The text of an MBPP-style prompt: its docstring, its comments, or the raw text."""
    if tree is not None:
        doc = ast.get_docstring(tree)
        if doc:
            return doc
        comments = [ln.strip().lstrip("#").strip() for ln in prompt.splitlines()
                    if ln.strip().startswith("#")]
        if comments:
            return "\n".join(comments)
    return prompt.strip()


def _split_future(test: str) -> tuple[list[str], str]:
    """``from __future__`` lines (which must open the file) apart from the rest."""
    future = [ln for ln in test.splitlines(keepends=True) if ln.startswith("from __future__")]
    if not future:
        return [], test
    rest = "".join(ln for ln in test.splitlines(keepends=True)
                   if not ln.startswith("from __future__"))
    return [_ensure_newline(ln) for ln in future], rest


def _normalise_test(test: str, entry: str) -> str:
    """Test code with a ``check`` function; drops top-level ``check(...)`` calls.

    Tests written as top-level asserts (MBPP style) are wrapped into ``check(candidate)``.
    """
    try:
        tree = ast.parse(test)
    except SyntaxError as exc:
        raise _Unbuildable(R_TEST_SYNTAX, f"line {exc.lineno}: {exc.msg}") from exc
    lines = test.splitlines(keepends=True)
    drop: set[int] = set()
    for node in tree.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "check"):
            drop.update(range(node.lineno - 1, (node.end_lineno or node.lineno)))
    code = "".join(line for i, line in enumerate(lines) if i not in drop)
    has_check = any(isinstance(n, ast.FunctionDef) and n.name == "check" for n in tree.body)
    if has_check:
        return code
    if not any(isinstance(n, ast.Assert) for n in tree.body):
        raise _Unbuildable(R_NO_CHECK)
    body = "".join("    " + ln if ln.strip() else ln for ln in code.splitlines(keepends=True))
    return "def check(candidate):\n" + _ensure_newline(body)


def _imports_for(test_code: str, stub: str, entry: str) -> tuple[list[str], list[str]]:
    """What the test file imports so the test code sees what HumanEval's exec namespace had.

    Returns (names imported from the stub module: the entry point plus helpers the tests use,
    import statements of the prompt whose names the tests use, e.g. ``import math``).
    """
    stub_names: set[str] = set()
    stub_imports: dict[str, str] = {}
    for node in ast.parse(stub).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            stub_names.add(node.name)
        elif isinstance(node, ast.Assign):
            stub_names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import):
            for a in node.names:
                stub_imports[(a.asname or a.name).split(".")[0]] = ast.unparse(
                    ast.Import(names=[a]))
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module != "__future__":
            for a in node.names:
                if a.name != "*":
                    stub_imports[a.asname or a.name] = ast.unparse(
                        ast.ImportFrom(module=node.module, names=[a], level=0))
    tree = ast.parse(test_code)
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - defined
    helpers = sorted((used & stub_names) - {entry})
    extra = sorted({stub_imports[n] for n in used & set(stub_imports) - stub_names})
    return [entry, *helpers], extra


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None
    output: str
    timed_out: bool = False


Runner = Callable[[Path, str, float], RunResult]

#: Extra environment for verification runs: a wide terminal so pytest's summary lines are not
#: cut; no third-party plugins (hypothesis alone costs seconds per run on a busy machine).
RUN_ENV = {"COLUMNS": "1000", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}


def subprocess_runner(workdir: Path, command: str, timeout: float) -> RunResult:
    """Run ``command`` with bash in ``workdir``; the process group dies on timeout.

    The fallback when evalkit.sandbox is unavailable: no isolation, API keys stripped.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "PYTHONPATH")) and "KEY" not in k
           and "TOKEN" not in k and "SECRET" not in k}
    env.update(RUN_ENV)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    try:
        proc = subprocess.Popen(["bash", "-c", command], cwd=workdir, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        return RunResult(None, str(exc))
    try:
        out, _ = proc.communicate(timeout=timeout)
        return RunResult(proc.returncode, out.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return RunResult(None, out.decode("utf-8", "replace"), timed_out=True)


def sandbox_runner() -> Runner | None:
    """A runner over evalkit.sandbox (bubblewrap when installed), or None without it."""
    try:
        from evalkit.sandbox import default_sandbox
    except ImportError:
        return None
    try:
        box = default_sandbox()
    except Exception:  # misconfigured EVALKIT_SANDBOX: fall back, the caller says so
        return None

    def runner(workdir: Path, command: str, timeout: float) -> RunResult:
        res = box.run(command, workdir, timeout=timeout, env=dict(RUN_ENV))
        return RunResult(res.exit_code, res.output, res.timed_out)

    return runner


_RESULT_LINE = re.compile(r"^(PASSED|FAILED|ERROR) (\S+?)(?:::(\S+))?(?: - (.*))?$", re.M)


def parse_results(output: str) -> dict[str, tuple[str, str]]:
    """pytest ``-rA`` short summary -> {test file: (PASSED|FAILED|ERROR, message)}."""
    results: dict[str, tuple[str, str]] = {}
    for status, path, _name, message in _RESULT_LINE.findall(output):
        previous = results.get(path)
        if previous is None or previous[0] == "PASSED":
            results[path] = (status, message or "")
    return results


def _is_assertion_failure(status: str, message: str) -> bool:
    return status == "FAILED" and message.startswith(("assert", "AssertionError"))


@dataclass
class _Verdict:
    """Verification outcome for one problem: the chosen test text per variant, or a reason."""

    chosen: dict[str, tuple[Mutation | None, str]] = field(default_factory=dict)
    skipped: dict[str, tuple[str, str]] = field(default_factory=dict)  # variant -> (reason, det)


_PYTEST = "python -m pytest -q -p no:cacheprovider -rA -vv --tb=no -o addopts= --rootdir=. tests"
_STUB_MARK = "=====evalkit-humaneval-stub-run====="


def verify(built: _Built, variants: Sequence[str], runner: Runner, timeout: float) -> _Verdict:
    """Run the canonical solution against the original and candidate tests; the stub too.

    One command per problem: pytest over the canonical workspace (original test file plus up
    to CANDIDATES_PER_VARIANT mutated copies per variant), then pytest over a stub/ copy with
    the original tests, which must fail.
    """
    verdict = _Verdict()
    entry = built.problem.entry_point
    files: dict[str, tuple[str, str, Mutation | None]] = {
        built.test_name: ("original", built.original, None)}
    for variant, candidates in built.candidates.items():
        for i, (m, text) in enumerate(candidates):
            files[f"tests/test_{entry}__{variant}_{i}.py"] = (variant, text, m)
    tree = {f"{MODULE}.py": built.solution, **{p: t for p, (_, t, _) in files.items()}}
    command = _PYTEST
    if "original" in variants:
        tree.update({f"stub/{MODULE}.py": built.stub, f"stub/{built.test_name}": built.original})
        command = f"{_PYTEST}; echo {_STUB_MARK}; cd stub && {_PYTEST}"
    with tempfile.TemporaryDirectory(prefix="evalkit-he-") as tmp:
        work = Path(tmp) / "work"
        _write_tree(work, tree)
        run = runner(work, command, timeout)
    main_out, _, stub_out = run.output.partition(_STUB_MARK)
    results = parse_results(main_out)
    status, message = results.get(built.test_name, ("", ""))
    if status != "PASSED":
        if run.timed_out and not status:
            return _all_skipped(verdict, variants, R_TIMEOUT, f"after {timeout:g} s")
        detail = message or _tail(main_out)
        reason = R_CANONICAL_FAILS if status else R_RUN_ERROR
        return _all_skipped(verdict, variants, reason, detail)
    if "original" in variants:
        stub_status, _ = parse_results(stub_out).get(built.test_name, ("", ""))
        if stub_status == "PASSED":
            verdict.skipped["original"] = (R_STUB_PASSES, "")
        elif stub_status in ("FAILED", "ERROR"):
            verdict.chosen["original"] = (None, built.original)
        elif run.timed_out:
            verdict.skipped["original"] = (R_TIMEOUT, f"stub run, after {timeout:g} s")
        else:
            verdict.skipped["original"] = (R_RUN_ERROR, "stub run: " + _tail(stub_out))
    for variant in variants:
        if variant == "original":
            continue
        candidates = [(p, v) for p, v in files.items() if v[0] == variant]
        if not candidates:
            verdict.skipped[variant] = (R_NO_SITE, "")
            continue
        seen = []
        for path, (_, text, m) in candidates:
            status, message = results.get(path, ("", ""))
            if _is_assertion_failure(status, message):
                verdict.chosen[variant] = (m, text)
                break
            if not status and run.timed_out:
                verdict.skipped[variant] = (R_TIMEOUT, f"after {timeout:g} s")
                break
            seen.append(f"{status or 'NOT RUN'} {message.splitlines()[0][:80] if message else ''}"
                        .strip())
        else:
            verdict.skipped[variant] = (R_NOT_VERIFIED, " | ".join(seen))
    return verdict


def _all_skipped(verdict: _Verdict, variants: Sequence[str], reason: str,
                 detail: str) -> _Verdict:
    for v in variants:
        verdict.skipped[v] = (reason, detail)
    return verdict


def _tail(output: str, lines: int = 3) -> str:
    return " / ".join(output.strip().splitlines()[-lines:])[:300]


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- writing


def _toml_str(text: str) -> str:
    """A TOML basic string (JSON escapes are TOML escapes; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def instruction_for(entry: str, test_name: str) -> str:
    return (f"Implement `{entry}` in `{MODULE}.py` as described in its docstring; "
            f"the tests are in `{test_name}` (run them with `{TEST_COMMAND}`).")


def write_fixture(folder: Path, fixture_id: str, variant: str, built: _Built, test_text: str,
                  description: str, timeout: float) -> None:
    """Write one fixture folder atomically (replacing an earlier import of the same id)."""
    entry = built.problem.entry_point
    toml = [
        f"id = {_toml_str(fixture_id)}",
        f"description = {_toml_str(description)}",
        f"instruction = {_toml_str(instruction_for(entry, built.test_name))}",
        'language = "python"',
        f"test_command = {_toml_str(TEST_COMMAND)}",
        f"outcome = {_toml_str('solvable' if variant == 'original' else 'impossible')}",
    ]
    if variant != "original":
        toml.append(f"reason = {_toml_str(variant)}")
    toml.append(f"tags = [\"humaneval\", {_toml_str(variant)}]")
    toml.append("")
    toml.append("[limits]")
    toml.append(f"test_timeout = {max(int(timeout), 1)}")
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    _write_tree(tmp, {
        "task.toml": "\n".join(toml) + "\n",
        f"repo/{MODULE}.py": built.stub,
        f"repo/{built.test_name}": test_text,
        f"solution/{MODULE}.py": built.solution,
    })
    if folder.exists():
        if not (folder / "task.toml").is_file():
            shutil.rmtree(tmp)
            raise FileExistsError(f"{folder}: exists and is not a fixture; not overwriting")
        shutil.rmtree(folder)
    tmp.rename(folder)


# --------------------------------------------------------------------------- import


def import_humaneval(
    source: str | Path,
    dest: str | Path,
    variants: Sequence[str] = VARIANTS,
    seed: int = 0,
    limit: int | None = None,
    suite: str | None = None,
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    runner: Runner | None = None,
    log: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import a HumanEval-format set into fixture folders ``DEST[/SUITE]/<id>-<variant>/``.

    Raises SourceError when the source cannot be read at all; per-record problems are
    reported in the summary (and through ``log``) and skipped.
    """
    variants = tuple(dict.fromkeys(variants))
    bad = [v for v in variants if v not in VARIANTS]
    if bad or not variants:
        raise ValueError(f"unknown variant {bad[0] if bad else '(none)'}; "
                         f"expected some of {', '.join(VARIANTS)}")
    started = time.perf_counter()
    out_dir = Path(dest) / suite if suite else Path(dest)
    summary = ImportSummary(source=str(source), dest=out_dir, variants=variants)
    say = log or (lambda _msg: None)
    runner = runner or sandbox_runner() or subprocess_runner

    problems: list[Problem] = []
    for item in read_problems(source):
        if isinstance(item, str):
            summary.malformed.append(item)
            say(f"skipped record: {item}")
            continue
        problems.append(item)
        if limit is not None and len(problems) >= limit:
            break
    summary.records = len(problems) + len(summary.malformed)

    ids: dict[str, str] = {}
    builds: list[_Built] = []
    for p in problems:
        base = sanitise_id(p.task_id)
        if base in ids and ids[base] != p.task_id:
            base = f"{base}-{hashlib.sha1(p.task_id.encode()).hexdigest()[:6]}"
        if base in ids:
            summary.malformed.append(f"{p.where}: duplicate task_id {p.task_id!r}; "
                                     "expected unique task ids")
            say(f"skipped record: {summary.malformed[-1]}")
            continue
        ids[base] = p.task_id
        try:
            builds.append(build(p, base, variants, seed))
        except _Unbuildable as exc:
            for v in variants:
                _note_skip(summary, say, p, v, exc.reason, exc.detail)
    out_dir.mkdir(parents=True, exist_ok=True)

    def work(b: _Built) -> tuple[_Built, _Verdict]:
        return b, verify(b, variants, runner, timeout)

    workers = max(1, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for b, verdict in pool.map(work, builds):
            for v in variants:
                if v in verdict.skipped:
                    reason, detail = verdict.skipped[v]
                    _note_skip(summary, say, b.problem, v, reason, detail)
                    continue
                mutation, text = verdict.chosen[v]
                fixture_id = f"{b.base_id}-{v}"
                folder = out_dir / fixture_id
                write_fixture(folder, fixture_id, v, b, text,
                              _describe(b, v, mutation, Path(str(source)).name), timeout)
                summary.written[v] += 1
                summary.fixtures.append(folder)
    summary.elapsed_s = time.perf_counter() - started
    return summary


def _describe(built: _Built, variant: str, mutation: Mutation | None, source: str) -> str:
    """Provenance for task.toml: where the task came from and what was changed."""
    text = f"{built.problem.task_id} from {source}, {variant}"
    if mutation is None:
        return text
    where = f"{built.test_name} line {mutation.line + built.line_offset}"
    if variant == "conflicting":
        return (f"{text}: after the assertion at {where}, a copy inserted with "
                f"{mutation.description}")
    return f"{text}: at {where}, {mutation.description}"


def _note_skip(summary: ImportSummary, say: Callable[[str], None], problem: Problem,
               variant: str, reason: str, detail: str) -> None:
    summary.skip(variant, reason)
    msg = f"skipped {problem.task_id} ({variant}): {reason}" + (f": {detail}" if detail else "")
    summary.messages.append(msg)
    say(msg)


def import_command(args: argparse.Namespace) -> int:
    """``evalkit tasks import humaneval SOURCE --to DIR ...``; 0 when anything was written."""
    variants = [v.strip() for v in str(getattr(args, "variants", None) or
                                       ",".join(VARIANTS)).split(",") if v.strip()]
    try:
        summary = import_humaneval(
            args.source, args.to, variants=variants,
            seed=int(getattr(args, "seed", 0) or 0),
            limit=getattr(args, "limit", None), suite=getattr(args, "suite", None),
            jobs=getattr(args, "jobs", None),
            timeout=float(getattr(args, "timeout", None) or DEFAULT_TIMEOUT_S),
            log=lambda msg: print(msg, file=sys.stderr),
        )
    except (SourceError, ValueError) as exc:
        print(f"evalkit tasks import humaneval: {exc}", file=sys.stderr)
        return 2
    print(summary.format())
    return 0 if sum(summary.written.values()) else 1
