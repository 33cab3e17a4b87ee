"""Every way a run can end leaves an honest exit code and manifest: a reader that goes away, a
full disk, an unexpected error. (SIGTERM and SIGKILL are in tests/test_run_cli.py.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from evalkit import exitcodes
from evalkit.store import read_manifest
from tests.runsuite import make_suite

ROOT = Path(__file__).resolve().parent.parent
FAST = "echo 2 passed"


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "evalkit", *args]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def _ids(run: Path) -> list[str]:
    return [json.loads(line)["sample_id"]
            for line in (run / "samples.jsonl").read_text().splitlines() if line.strip()]


def test_a_reader_that_goes_away_does_not_stop_the_run(tmp_path: Path) -> None:
    """`evalkit run … 2>&1 | head -2`: the run still finishes every sample and says so."""
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    out = tmp_path / "run"
    proc = subprocess.Popen(
        _cmd("run", "--model", "sim:honest?latency=0.05", "--tasks", str(suite),
             "--epochs", "6", "--concurrency", "1", "--out", str(out)),
        cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    proc.stdout.readline()  # like `head -1`: read a line, then go away
    proc.stdout.close()
    assert proc.wait(timeout=120) == exitcodes.OK
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "complete"
    assert len(_ids(out)) == 6


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 96 KB filesystem (tmpfs), grown later with remount; skipped where mount is
    not allowed."""
    mnt = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        pytest.skip("needs root and mount(8) to make a small filesystem")
    made = subprocess.run([mount, "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_full_disk_is_named_in_the_manifest_and_resume_finishes_the_run(
        tmp_path: Path, small_disk: Path) -> None:
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    out = small_disk / "run"
    args = ("run", "--model", "sim:overclaimer", "--tasks", str(suite), "--epochs", "40",
            "--concurrency", "1", "--out", str(out), "--no-progress")
    first = subprocess.run(_cmd(*args), cwd=tmp_path, env=_env(), capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == exitcodes.INCOMPLETE, first.stderr
    assert "Traceback" not in first.stderr
    assert "no space left on device" in first.stderr and "--resume" in first.stderr
    manifest = read_manifest(out)
    assert manifest is not None
    assert (manifest["status"], manifest["reason"]) == ("incomplete",
                                                        "failed: no space left on device")
    stored = _ids(out)  # every stored line is whole: the partial one was taken back
    assert 0 < len(stored) < 40

    subprocess.run(["mount", "-o", "remount,size=20m", str(small_disk)], check=True)
    again = subprocess.run(_cmd("run", "--resume", "--out", str(out), "--no-progress"),
                           cwd=tmp_path, env=_env(), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == exitcodes.OK, again.stderr
    assert read_manifest(out)["status"] == "complete"
    ids = _ids(out)
    assert len(ids) == len(set(ids)) == 40


def test_an_unexpected_error_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    # a results folder whose samples file is a directory: reading it fails in a way no
    # command foresees
    run = tmp_path / "weird"
    (run / "samples.jsonl").mkdir(parents=True)
    (run / "manifest.json").write_text("{}")
    proc = subprocess.run(_cmd("run", "--resume", "--out", str(run)), cwd=tmp_path,
                          env=_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode != exitcodes.OK
    assert "Traceback" not in proc.stderr and proc.stderr.strip(), proc.stderr


def test_an_unknown_model_leaves_no_run_folder_behind(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    work = tmp_path / "cwd"
    work.mkdir()
    proc = subprocess.run(_cmd("run", "--model", "sim:nope", "--tasks", str(suite)),
                          cwd=work, env=_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == exitcodes.USAGE and "unknown simulated policy" in proc.stderr
    assert list(work.iterdir()) == []
