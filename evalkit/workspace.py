"""Workspaces: a fixture's files on disk, what the agent changed, and the official test run.

The workspace is written to by untrusted code, so everything here treats it as hostile:
symlinks are never followed (a link to ``/etc/passwd`` is reported as a link, and writing a
protected file over a link, or under a linked directory, replaces the link instead of writing
through it), and the official run restores protected files and removes added protected-matching
files (a new ``conftest.py``, a new test file) before running the checks.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shlex
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from evalkit.fixture import IGNORED_DIRS, Fixture
from evalkit.records import ExecResult, Outcome, TestCounts
from evalkit.testparse import MAX_JUNIT_BYTES, parse_test_output

if TYPE_CHECKING:
    from evalkit.sandbox import Sandbox

#: Name prefix of the JUnit report the official run writes into the workspace (then removes).
JUNIT_PREFIX = ".evalkit-junit-"
#: How much of the official run's output an Outcome keeps.
OUTPUT_TAIL_CHARS = 4000
#: Files larger than this are summarised in diffs, not shown.
MAX_DIFF_FILE_BYTES = 256 * 1024


class Link(str):
    """A symlink found in a workspace (its target text); never followed."""


# --------------------------------------------------------------------------- writing


def _rel_parts(rel: str) -> tuple[str, ...]:
    parts = PurePosixPath(rel.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or any(p in ("..", "") for p in parts):
        raise ValueError(f"unsafe path in fixture: {rel!r}")
    return tuple(p for p in parts if p != ".")


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)


def safe_write(ws: Path, rel: str, data: bytes) -> None:
    """Write ``ws/rel`` without following any symlink the workspace may contain."""
    parts = _rel_parts(rel)
    cur = Path(ws)
    for part in parts[:-1]:
        cur = cur / part
        if cur.is_symlink() or (cur.exists() and not cur.is_dir()):
            _remove(cur)
        if not cur.exists():
            cur.mkdir()
    target = cur / parts[-1]
    if target.is_symlink() or target.is_dir():
        _remove(target)
    mode = 0o755 if data.startswith(b"#!") else 0o644
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        os.fchmod(fh.fileno(), mode)


def safe_remove(ws: Path, rel: str) -> None:
    """Remove ``ws/rel`` (a file or link); parents that are links are not followed."""
    parts = _rel_parts(rel)
    cur = Path(ws)
    for part in parts[:-1]:
        cur = cur / part
        if cur.is_symlink() or not cur.is_dir():
            return  # the path does not exist inside the workspace
    target = cur / parts[-1]
    if target.is_symlink() or target.exists():
        _remove(target)


def materialize(fixture: Fixture, dest: Path, *, solution: bool = False,
                checks: bool = False) -> Path:
    """Write the fixture's repo/ (plus solution/ and checks/ overlays if asked) into ``dest``."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    layers: list[Mapping[str, bytes]] = [fixture.files]
    if solution:
        layers.append(fixture.solution)
    if checks:
        layers.append(fixture.checks)
    for layer in layers:
        for rel, data in sorted(layer.items()):
            safe_write(dest, rel, data)
    return dest


# --------------------------------------------------------------------------- reading


def read_workspace(ws: Path) -> dict[str, bytes | Link]:
    """Files in ``ws`` as {posix path: bytes, or Link(target) for symlinks}; caches skipped."""
    ws = Path(ws)
    out: dict[str, bytes | Link] = {}
    for dirpath, dirnames, filenames in os.walk(ws, followlinks=False):
        rel_dir = Path(dirpath).relative_to(ws)
        keep = []
        for d in dirnames:
            full = Path(dirpath) / d
            if d in IGNORED_DIRS:
                continue
            if full.is_symlink():
                out[(rel_dir / d).as_posix()] = Link(os.readlink(full))
            else:
                keep.append(d)
        dirnames[:] = sorted(keep)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = (rel_dir / name).as_posix()
            if name.startswith(JUNIT_PREFIX):
                continue
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                out[rel] = Link(os.readlink(full))
            elif stat.S_ISREG(st.st_mode):
                try:
                    fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                except OSError:
                    continue
                with os.fdopen(fd, "rb") as fh:
                    out[rel] = fh.read()
            # fifos, sockets, devices: ignored (reading them could block)
    return out


def _is_binary(data: bytes) -> bool:
    if b"\0" in data[:8192]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _as_lines(value: bytes | Link | None) -> list[str] | None:
    """Text lines for a diff, or None if the content must be summarised."""
    if value is None:
        return []
    if isinstance(value, Link):
        return [f"symlink -> {value}\n"]
    if len(value) > MAX_DIFF_FILE_BYTES or _is_binary(value):
        return None
    return value.decode("utf-8").splitlines(keepends=True)


def diff(fixture: Fixture, ws: Path) -> str:
    """Unified diff of the workspace against the fixture's repo/ (added and deleted included)."""
    before = dict(fixture.files)
    after = read_workspace(ws)
    chunks: list[str] = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old is not None and new is not None and not isinstance(new, Link) and old == new:
            continue
        a = f"a/{path}" if old is not None else "/dev/null"
        b = f"b/{path}" if new is not None else "/dev/null"
        old_lines, new_lines = _as_lines(old), _as_lines(new)
        if old_lines is None or new_lines is None:
            chunks.append(f"diff --evalkit {a} {b}\nBinary files {a} and {b} differ\n")
            continue
        body = difflib.unified_diff(old_lines, new_lines, a, b)
        text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in body)
        if text:
            chunks.append(text)
    return "".join(chunks)


# --------------------------------------------------------------------------- protected files


def changed_protected(fixture: Fixture, ws: Path) -> tuple[str, ...]:
    """Protected paths edited, deleted or added (a new conftest.py or test file counts)."""
    current = read_workspace(ws)
    changed = set()
    for path in fixture.protected_files():
        if current.get(path) != fixture.files[path] or isinstance(current.get(path), Link):
            changed.add(path)
    for path in current:
        if path not in fixture.files and fixture.is_protected(path):
            changed.add(path)
    return tuple(sorted(changed))


def restore_protected(fixture: Fixture, ws: Path) -> tuple[str, ...]:
    """Put protected files back exactly and remove added protected-matching files."""
    changed = changed_protected(fixture, ws)
    for path in changed:
        if path in fixture.files:
            safe_write(ws, path, fixture.files[path])
        else:
            safe_remove(ws, path)
    return changed


# --------------------------------------------------------------------------- official run

_NODE_TEST = re.compile(r"\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+--test\b")


def junit_command(command: str, junit_path: str) -> tuple[str, dict[str, str]]:
    """The test command with a JUnit report requested, plus env vars to set.

    pytest: ``--junitxml`` through ``PYTEST_ADDOPTS`` (reaches pytest however it is invoked).
    node: ``--test-reporter=junit`` to the file and ``spec`` to stdout, inserted after
    ``node --test``.
    """
    env: dict[str, str] = {}
    if "pytest" in command:
        env["PYTEST_ADDOPTS"] = f"--junitxml={shlex.quote(junit_path)} -p no:cacheprovider"
    if _NODE_TEST.search(command) and "--test-reporter" not in command:
        flags = (f" --test-reporter=spec --test-reporter-destination=stdout"
                 f" --test-reporter=junit --test-reporter-destination={shlex.quote(junit_path)}")
        command = _NODE_TEST.sub(lambda m: m.group(0) + flags, command, count=1)
    return command, env


def _prepare_official(fixture: Fixture, ws: Path, with_checks: bool = True,
                      ) -> tuple[str, dict[str, str], Path]:
    restore_protected(fixture, ws)
    if with_checks:
        for rel, data in sorted(fixture.checks.items()):
            safe_write(ws, rel, data)
    junit = Path(ws) / f"{JUNIT_PREFIX}{uuid.uuid4().hex[:12]}.xml"
    command, env = junit_command(fixture.test_command, str(junit))
    return command, env, junit


def _read_junit(junit: Path) -> bytes | None:
    try:
        st = os.lstat(junit)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_JUNIT_BYTES:
            return None
        fd = os.open(junit, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            return fh.read()
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(junit)


def outcome_from_result(result: ExecResult, junit_xml: bytes | None) -> Outcome:
    """Decide pass/fail: exit 0, no timeout, no failed/errored test, and tests actually ran."""
    counts = parse_test_output(result.output, junit_xml)
    failing = tuple(sorted(t for t, s in counts.tests.items() if s in ("failed", "error")))
    ran_tests = counts.source == "none" or counts.passed > 0
    passed = (
        result.exit_code == 0
        and not result.timed_out
        and counts.failed == 0
        and counts.errors == 0
        and ran_tests
    )
    return Outcome(
        passed=passed,
        exit_code=result.exit_code,
        counts=counts if counts.source != "none" else None,
        failing_tests=failing,
        output_tail=result.output[-OUTPUT_TAIL_CHARS:],
        timed_out=result.timed_out,
        duration_s=result.duration_s,
    )


def official_run(fixture: Fixture, ws: Path, sandbox: Sandbox, *,
                  with_checks: bool = True) -> Outcome:
    """Restore protected files, overlay hidden checks, run the test command, parse results.

    ``with_checks=False`` skips the checks/ overlay (validation: "is anything runnable here?").
    """
    command, env, junit = _prepare_official(fixture, ws, with_checks)
    try:
        result = sandbox.run(command, Path(ws), timeout=fixture.test_timeout_s, env=env)
    finally:
        junit_xml = _read_junit(junit)
    return outcome_from_result(result, junit_xml)


async def aofficial_run(fixture: Fixture, ws: Path, sandbox: Sandbox, *,
                         with_checks: bool = True) -> Outcome:
    """``official_run`` for the asyncio agent loop."""
    command, env, junit = _prepare_official(fixture, ws, with_checks)
    try:
        result = await sandbox.arun(command, Path(ws), timeout=fixture.test_timeout_s, env=env)
    finally:
        junit_xml = _read_junit(junit)
    return outcome_from_result(result, junit_xml)


# --------------------------------------------------------------------------- temp workspaces


def workspace_root() -> Path:
    """Where temporary workspaces go: ``EVALKIT_WORKSPACE_ROOT`` or the system temp dir."""
    return Path(os.environ.get("EVALKIT_WORKSPACE_ROOT") or tempfile.gettempdir())


@contextlib.contextmanager
def temp_workspace(fixture: Fixture, *, root: Path | None = None, solution: bool = False,
                   checks: bool = False, keep: bool = False) -> Iterator[Path]:
    """A fresh materialized workspace, removed on exit (unless ``keep``)."""
    base = Path(root) if root is not None else workspace_root()
    base.mkdir(parents=True, exist_ok=True)
    # Not named after the task: agents see this path, and a task id can hint at its class.
    holder = Path(tempfile.mkdtemp(prefix="evalkit-ws-", dir=base))
    ws = holder / "ws"
    try:
        materialize(fixture, ws, solution=solution, checks=checks)
        yield ws
    finally:
        if not keep:
            shutil.rmtree(holder, ignore_errors=True)


def counts_summary(counts: TestCounts | None) -> str:
    """``3 passed, 1 failed`` style text for one-line reports."""
    if counts is None:
        return "no test counts"
    parts = [f"{n} {label}" for n, label in (
        (counts.passed, "passed"), (counts.failed, "failed"), (counts.errors, "errors"),
        (counts.skipped, "skipped")) if n]
    return ", ".join(parts) or "0 tests"
