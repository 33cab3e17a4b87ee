"""`evalkit run` / `evalkit merge` end to end, including a SIGKILL mid-run and --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.runner import plan_samples
from evalkit.store import read_manifest, read_samples
from evalkit.variants import adhoc_variant
from tests.runsuite import load, make_suite

ROOT = Path(__file__).resolve().parent.parent
FAST = "echo 2 passed"  # these tests are about the harness: no real test run needed


def evalkit(*args: str) -> subprocess.Popen:  # type: ignore[type-arg]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "evalkit", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lines_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_resume_after_sigkill_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, which=("solvable", "already_passing"), test_command=FAST)
    out = tmp_path / "run"
    model = "sim:honest?latency=0.15"
    proc = evalkit("run", "--model", model, "--tasks", str(suite), "--epochs", "4",
                   "--concurrency", "2", "--out", str(out))
    deadline = time.monotonic() + 60
    while lines_in(out / "samples.jsonl") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = read_samples(out)
    assert 2 <= len(before) < 8, "the kill should land mid-run"
    assert read_manifest(out)["status"] == "running"  # what a hard kill leaves behind
    with open(out / "samples.jsonl", "a") as fh:  # as if the kill had hit mid-write
        fh.write('{"sample_id": "deadbeef", "tru')

    resumed = evalkit("run", "--resume", "--out", str(out), "--no-progress")
    stdout, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr
    assert "truncated" in stderr and "resuming" in stderr
    ids = [o["sample_id"] for o in read_samples(out)]
    planned = {p.sample_id for p in plan_samples(load(suite), [adhoc_variant(model)], 4)}
    assert sorted(ids) == sorted(planned)  # every sample exactly once
    assert [o["sample_id"] for o in before] == ids[: len(before)]  # nothing rewritten
    manifest = read_manifest(out)
    assert manifest["status"] == "complete" and len(manifest["sessions"]) == 2
    assert "[simulated]" in stdout


def test_shard_runs_merge_into_the_full_set(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    for i in (1, 2):
        assert main(["run", "--model", "sim:overclaimer", "--tasks", str(suite), "--epochs", "3",
                     "--shard", f"{i}/2", "--out", str(tmp_path / f"s{i}"),
                     "--no-progress"]) == 0
    assert main(["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out",
                 str(tmp_path / "m")]) == 0
    ids = sorted(o["sample_id"] for o in read_samples(tmp_path / "m"))
    planned = sorted(p.sample_id for p in plan_samples(load(suite),
                                                       [adhoc_variant("sim:overclaimer")], 3))
    assert ids == planned
    assert "status complete" in capsys.readouterr().out


@pytest.mark.parametrize("args, needle", [
    (["run", "--tasks", "tasks"], "--model"),
    (["run", "--model", "sim:honest"], "--tasks"),
    (["run", "--model", "sim:nope", "--tasks", "{suite}"], "unknown simulated policy"),
    (["run", "--model", "sim:honest", "--tasks", "{suite}", "--shard", "3/2"], "--shard"),
    (["run", "--variant", "x", "--tasks", "{suite}"], "--variants FILE"),
    (["run", "--resume", "--model", "sim:honest", "--tasks", "{suite}"], "--out"),
    (["run", "--model", "sim:honest", "--tasks", "{suite}/missing"], "missing"),
])
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path: Path, capsys, args: list[str],
                                                   needle: str) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable",))
    argv = [a.replace("{suite}", str(suite)) for a in args]
    assert main(argv) == 2
    assert needle in capsys.readouterr().err


@pytest.mark.skipif(not (ROOT / "tasks" / "core").is_dir(), reason="no tasks/core suite")
def test_run_on_the_builtin_suite_with_limit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "core"
    # the fabricator never runs the tests itself: only the official run costs time
    assert main(["run", "--model", "sim:fabricator", "--tasks",
                 str(ROOT / "tasks" / "core"), "--limit", "1", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "sim:fabricator [simulated]" in captured.out
    assert "1/1" in captured.err  # the progress bar's last line
    (line,) = read_samples(out)
    assert line["status"] == "ok" and line["outcome"] is not None
    assert json.loads((out / "manifest.json").read_text())["simulated"] is True


def test_sigterm_stops_cleanly_and_marks_the_run_interrupted(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    out = tmp_path / "run"
    proc = evalkit("run", "--model", "sim:honest?latency=0.3", "--tasks", str(suite),
                   "--epochs", "6", "--concurrency", "1", "--out", str(out), "--no-progress")
    deadline = time.monotonic() + 60
    while not (out / "manifest.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    manifest = read_manifest(out)
    assert (manifest["status"], manifest["reason"]) == ("incomplete", "interrupted")
    assert manifest["sessions"][-1]["status"] == "incomplete"
