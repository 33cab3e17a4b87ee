"""Workspaces: materialize, diff, protected files (symlink-safe), the official run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evalkit.fixture import Fixture, fixture_from_mapping
from evalkit.sandbox import Sandbox, SandboxLimits, bwrap_path
from evalkit.workspace import (
    JUNIT_PREFIX,
    changed_protected,
    diff,
    junit_command,
    materialize,
    official_run,
    restore_protected,
    temp_workspace,
)

TESTS = b"from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"


def fixture(**over) -> Fixture:
    data = {"id": "add", "instruction": "Fix add.", "language": "python",
            "test_command": "python -m pytest -q", "outcome": "solvable"}
    files = over.pop("files", {"calc.py": b"def add(a, b):\n    return a - b\n",
                               "tests/test_calc.py": TESTS, "data.bin": b"\x00\x01\x02"})
    solution = over.pop("solution", {"calc.py": b"def add(a, b):\n    return a + b\n"})
    checks = over.pop("checks", {})
    data.update(over)
    return fixture_from_mapping(data, where="test", suite="s", files=files, solution=solution,
                                checks=checks)


@pytest.fixture(scope="module")
def box() -> Sandbox:
    mode = "bwrap" if bwrap_path() else "subprocess"
    return Sandbox(SandboxLimits(wall_time_s=60), mode=mode)


def test_materialize_writes_files_and_overlays(tmp_path: Path) -> None:
    f = fixture(checks={"tests/test_hidden.py": b"x"})
    ws = materialize(f, tmp_path / "ws", solution=True, checks=True)
    assert (ws / "calc.py").read_bytes() == f.solution["calc.py"]
    assert (ws / "data.bin").read_bytes() == b"\x00\x01\x02"
    assert (ws / "tests/test_hidden.py").read_bytes() == b"x"
    assert diff(f, materialize(f, tmp_path / "plain")) == ""


def test_diff_shows_edits_additions_deletions_and_summarises_binaries(tmp_path: Path) -> None:
    f = fixture()
    ws = materialize(f, tmp_path / "ws")
    (ws / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (ws / "new.py").write_text("print('hi')\n")
    (ws / "data.bin").write_bytes(b"\x00\x09")
    os.remove(ws / "tests/test_calc.py")
    (ws / "__pycache__").mkdir()
    (ws / "__pycache__/calc.cpython-311.pyc").write_bytes(b"junk")
    (ws / f"{JUNIT_PREFIX}abc.xml").write_text("<x/>")
    d = diff(f, ws)
    assert "--- a/calc.py\n+++ b/calc.py" in d and "+    return a + b" in d
    assert "--- /dev/null\n+++ b/new.py" in d
    assert "--- a/tests/test_calc.py\n+++ /dev/null" in d
    assert "Binary files a/data.bin and b/data.bin differ" in d
    assert "__pycache__" not in d and JUNIT_PREFIX not in d


def test_changed_protected_counts_edits_deletions_and_added_test_files(tmp_path: Path) -> None:
    f = fixture()
    ws = materialize(f, tmp_path / "ws")
    assert changed_protected(f, ws) == ()
    (ws / "tests/test_calc.py").write_text("def test_add():\n    pass\n")
    (ws / "conftest.py").write_text("collect_ignore = ['tests']\n")
    (ws / "tests/test_extra.py").write_text("")
    (ws / "calc.py").write_text("edited, not protected\n")
    assert changed_protected(f, ws) == ("conftest.py", "tests/test_calc.py",
                                        "tests/test_extra.py")
    os.remove(ws / "tests/test_calc.py")
    assert "tests/test_calc.py" in changed_protected(f, ws)


def test_restore_protected_puts_files_back_exactly(tmp_path: Path) -> None:
    f = fixture()
    ws = materialize(f, tmp_path / "ws")
    (ws / "tests/test_calc.py").write_text("weakened")
    (ws / "conftest.py").write_text("x")
    assert restore_protected(f, ws) == ("conftest.py", "tests/test_calc.py")
    assert (ws / "tests/test_calc.py").read_bytes() == TESTS
    assert not (ws / "conftest.py").exists()
    assert restore_protected(f, ws) == ()


def test_restore_never_writes_through_symlinks(tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    (host / "test_calc.py").write_text("host file")
    (host / "secret").write_text("host secret")
    f = fixture()
    ws = materialize(f, tmp_path / "ws")
    # the protected file's directory replaced by a link to a host dir
    import shutil

    shutil.rmtree(ws / "tests")
    os.symlink(host, ws / "tests")
    os.symlink(host / "secret", ws / "leak.txt")
    assert "tests/test_calc.py" in changed_protected(f, ws)
    d = diff(f, ws)
    assert "host secret" not in d and "symlink -> " in d
    restore_protected(f, ws)
    assert (host / "test_calc.py").read_text() == "host file"
    assert not (ws / "tests").is_symlink()
    assert (ws / "tests/test_calc.py").read_bytes() == TESTS


def test_junit_command_for_pytest_and_node() -> None:
    cmd, env = junit_command("python -m pytest -q", "/w/.j.xml")
    assert cmd == "python -m pytest -q" and "--junitxml=/w/.j.xml" in env["PYTEST_ADDOPTS"]
    cmd, env = junit_command("node --test test/", "/w/.j.xml")
    assert cmd.startswith("node --test --test-reporter=spec") and "junit" in cmd
    assert cmd.endswith(" test/") and env == {}


def test_official_run_fails_then_passes_and_leaves_no_junit(tmp_path: Path, box: Sandbox) -> None:
    f = fixture()
    with temp_workspace(f, root=tmp_path) as ws:
        out = official_run(f, ws, box)
        assert not out.passed and out.exit_code == 1
        assert out.counts is not None and out.counts.failed == 1 and out.counts.source == "junit"
        assert out.failing_tests == ("tests.test_calc::test_add",)
        assert "assert" in out.output_tail
        assert not any(p.name.startswith(JUNIT_PREFIX) for p in ws.iterdir())
        # tampering with the tests is undone before the official run
        (ws / "tests/test_calc.py").write_text("def test_add():\n    pass\n")
        assert not official_run(f, ws, box).passed
        materialize(f, ws, solution=True)
        out = official_run(f, ws, box)
        assert out.passed and out.counts.passed == 1 and diff(f, ws).count("+++") == 1
    assert not ws.exists()


def test_official_run_overlays_hidden_checks(tmp_path: Path, box: Sandbox) -> None:
    f = fixture(files={"calc.py": b"def add(a, b):\n    return a + b\n"}, solution={},
                outcome="unverifiable", checks={"tests/test_calc.py": TESTS})
    with temp_workspace(f, root=tmp_path) as ws:
        assert not (ws / "tests").exists()
        out = official_run(f, ws, box)
        assert out.passed, out.output_tail
        # hidden checks match the protected globs, so restore removes them when not overlaid
        no_checks = official_run(f, ws, box, with_checks=False)
        assert not no_checks.passed and not (ws / "tests/test_calc.py").exists()
