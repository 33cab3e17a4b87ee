"""evalkit.doctor / `evalkit doctor`: runner probes inside the real sandbox, keys, bubblewrap."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit import exitcodes
from evalkit.cli import main
from evalkit.doctor import acheck_runners, check_bwrap, check_keys, failures, requirements
from evalkit.sandbox import default_sandbox
from tests.runsuite import load, make_fixture, make_suite

ROOT = Path(__file__).resolve().parent.parent


def suite_needing(tmp_path: Path, command: str, language: str = "python") -> Path:
    make_fixture(tmp_path / "needs", "needs-module", f'''
        id = "needs-module"
        language = "{language}"
        test_command = "{command}"
        outcome = "solvable"
        instruction = "Fix calc.add."
        ''', {"calc.py": "def add(a, b):\n    return a - b\n"},
        solution={"calc.py": "def add(a, b):\n    return a + b\n"})
    return tmp_path / "needs"


@pytest.mark.parametrize("command, language, what", [
    ("PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python -m pytest -q", "python", ["can import pytest"]),
    ("python3 -m unittest -q", "python", ["`python3` can import unittest"]),
    ("pytest -q", "python", ["`pytest` is on the sandbox's PATH"]),
    ("node --test", "javascript", ["node >= 20"]),
    ("npm test", "javascript", ["node >= 20", "`npm` is on the sandbox's PATH"]),
    ("make test", "python", ["`make` is on the sandbox's PATH"]),
])
def test_requirements_name_what_each_test_command_needs(command: str, language: str,
                                                        what: list[str]) -> None:
    found = [r.what for r in requirements(command, language)]
    assert len(found) == len(what)
    assert all(w in f for w, f in zip(what, found, strict=True)), found


def test_a_runner_module_missing_in_the_sandbox_fails_with_the_fix(tmp_path: Path) -> None:
    suite = suite_needing(tmp_path, "python -m evalkit_no_such_runner -q")
    (check,) = asyncio.run(acheck_runners(load(suite), default_sandbox()))
    assert not check.ok and "No module named 'evalkit_no_such_runner'" in check.detail
    assert "pip install evalkit_no_such_runner" in check.fix and "needs-module" in check.name
    assert "Traceback" not in check.detail


def test_the_builtin_runners_pass_here(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, which=("solvable", "already_passing"))  # python -m pytest
    (check,) = asyncio.run(acheck_runners(load(suite), default_sandbox()))
    assert check.ok and "2 fixtures" in check.name, check.detail


@pytest.mark.skipif(shutil.which("node") is None, reason="node absent")
def test_node_version_is_checked_in_the_sandbox(tmp_path: Path) -> None:
    suite = suite_needing(tmp_path, "node --test", language="javascript")
    (check,) = asyncio.run(acheck_runners(load(suite), default_sandbox()))
    major = int(subprocess.run(["node", "--version"], capture_output=True, text=True)
                .stdout.strip().lstrip("v").split(".")[0])
    assert check.ok is (major >= 20) and "node >= 20" in check.name


def test_keys_are_looked_up_only_for_providers_that_need_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    assert check_keys(["sim:honest", "quick:ok"]) == []
    checks = check_keys(["anthropic:claude-sonnet-4-5", "sim:honest"])
    (missing,) = failures(checks)
    assert "ANTHROPIC_API_KEY" in missing.detail and "export ANTHROPIC_API_KEY" in missing.fix
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "tok")
    assert not failures(check_keys(["anthropic:claude-sonnet-4-5"]))


def test_bwrap_check_agrees_with_starting_bwrap_directly() -> None:
    check = check_bwrap()
    if shutil.which("bwrap") is None:
        assert not check.ok and "apt-get install bubblewrap" in check.fix
        return
    direct = subprocess.run(["bwrap", "--ro-bind", "/", "/", "true"], capture_output=True)
    assert check.ok is (direct.returncode == 0), check.detail


def test_doctor_command_exits_environment_and_names_the_missing_runner(
        tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    suite = suite_needing(tmp_path, "python -m evalkit_no_such_runner")
    assert main(["doctor", "--tasks", str(suite), "--model", "sim:honest"]) \
        == exitcodes.ENVIRONMENT
    out = capsys.readouterr().out
    assert "[FAIL] test runner" in out and "pip install evalkit_no_such_runner" in out


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="doctor fails without bubblewrap")
def test_doctor_command_is_ready_on_a_complete_machine(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable",))
    assert main(["doctor", "--tasks", str(suite)]) == exitcodes.OK
    assert "ready" in capsys.readouterr().out


def test_doctor_with_a_path_that_does_not_exist_exits_usage(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["doctor", "--tasks", str(tmp_path / "nope")]) == exitcodes.USAGE
    assert main(["doctor", "--config", str(tmp_path / "nope.toml")]) == exitcodes.USAGE
    err = capsys.readouterr().err
    assert "nope" in err and "Traceback" not in err


def test_doctor_on_a_fresh_interpreter_without_pytest_names_pytest(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                   check=True)
    python = tmp_path / "venv" / "bin" / "python"
    if subprocess.run([str(python), "-c", "import pytest"], capture_output=True).returncode == 0:
        pytest.skip("the fresh venv sees pytest anyway")
    suite = make_suite(tmp_path, which=("solvable",))
    proc = subprocess.run([str(python), "-m", "evalkit", "doctor", "--tasks", str(suite)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == exitcodes.ENVIRONMENT, proc.stdout + proc.stderr
    assert "No module named 'pytest'" in proc.stdout and "pip install pytest" in proc.stdout


def test_leftovers_of_dead_runs_are_a_warning_naming_doctor_reclaim(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evalkit.doctor import check_leftovers

    monkeypatch.setenv("EVALKIT_WORKSPACE_ROOT", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    (tmp_path / f"evalkit-ws-{gone.pid}-x").mkdir()
    check = check_leftovers()
    assert not check.ok and check.severity == "warning" and failures([check]) == []
    assert check.detail.startswith("1 temp folder, ") and "evalkit doctor --reclaim" in check.fix
