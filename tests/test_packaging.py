"""A plain (non-editable) install carries the built-in suite: the wheel is built from a copy of
the source, installed into a fresh venv, and its suite is found and validated from an unrelated
working directory."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The venv's python, with evalkit installed from a wheel (dependencies from this
    interpreter's site-packages: nothing is downloaded)."""
    if importlib.util.find_spec("wheel") is None:
        pytest.fail("the 'wheel' package is needed to build evalkit without build isolation "
                    "(it is in the dev extra)")
    tmp = tmp_path_factory.mktemp("pkg")
    src = tmp / "src"  # building in the checkout would write build/ and egg-info into it
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "results", "*.egg-info", "__pycache__", ".pytest_cache",
        ".ruff_cache", ".venv", "node_modules"))
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(src)], check=True, capture_output=True)
    (wheel,) = wheels.glob("evalkit-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    return python


def _run(python: Path, cwd: Path, *code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run([str(python), *code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_wheel_carries_the_builtin_suite_and_finds_it_from_anywhere(
        installed: Path, tmp_path: Path) -> None:
    probe = _run(installed, tmp_path, "-c", "import evalkit, evalkit.nightly as n; "
                 "print(evalkit.__file__); print(n.builtin_suite())")
    assert probe.returncode == 0, probe.stderr
    module, suite = probe.stdout.split()
    assert str(installed.parent.parent) in module  # the wheel's copy, not the checkout
    assert suite.startswith(str(installed.parent.parent)) and suite.endswith("builtin_tasks")
    packaged = {p.relative_to(suite).as_posix() for p in Path(suite).rglob("task.toml")}
    source = {p.relative_to(ROOT / "tasks").as_posix() for p in (ROOT / "tasks").rglob("task.toml")}
    assert packaged == source and len(packaged) >= 50


def test_the_packaged_suite_validates_from_an_unrelated_folder(installed: Path,
                                                             tmp_path: Path) -> None:
    done = _run(installed, tmp_path, "-m", "evalkit", "tasks", "validate", "--jobs", "2")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    n = len(list((ROOT / "tasks").rglob("task.toml")))
    assert f"{n} fixtures, {n} valid, 0 invalid, 0 not loadable" in done.stdout
    assert not (tmp_path / "results").exists()
