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

from evalkit import exitcodes
from evalkit.cli import main
from evalkit.runner import plan_samples
from evalkit.store import read_manifest, read_samples
from evalkit.variants import adhoc_variant
from tests.fakeapi import fake_anthropic as _fake_anthropic  # noqa: F401
from tests.fakeapi import text
from tests.runsuite import load, make_fixture, make_suite

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
    (["run", "--resume", "--out", "{suite}/no-such-run"], "no such run folder"),
])
def test_bad_arguments_and_missing_paths_exit_usage_with_a_clear_message(
        tmp_path: Path, capsys, args: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable",))
    argv = [a.replace("{suite}", str(suite)) for a in args]
    assert main(argv) == exitcodes.USAGE
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


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
    assert proc.returncode == exitcodes.INCOMPLETE, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    manifest = read_manifest(out)
    assert (manifest["status"], manifest["reason"]) == ("incomplete", "interrupted")
    assert manifest["sessions"][-1]["status"] == "incomplete"


def test_run_without_an_api_key_exits_environment_before_any_sample(
        tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    out = tmp_path / "run"
    code = main(["run", "--model", "anthropic:claude-sonnet-4-5", "--tasks", str(suite),
                 "--out", str(out), "--no-progress"])
    assert code == exitcodes.ENVIRONMENT
    err = capsys.readouterr().err
    assert "ANTHROPIC_API_KEY" in err and "Nothing ran" in err
    assert not out.exists()  # no run folder, no sample


def test_run_whose_samples_all_error_exits_errors_and_says_so(
        tmp_path: Path, capsys, monkeypatch, fake_anthropic) -> None:  # type: ignore[no-untyped-def]
    api = fake_anthropic([text("unused")], api_key="sk-right")  # any other key: 401
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-wrong")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    suite = make_suite(tmp_path, which=("solvable", "already_passing"), test_command=FAST)
    out = tmp_path / "run"
    code = main(["run", "--model", "anthropic:claude-sonnet-4-5", "--tasks", str(suite),
                 "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == exitcodes.ERRORS, captured.err
    assert "complete with errors" in captured.out and "2 errored" in captured.out
    manifest = read_manifest(out)
    assert manifest["status"] == "complete" and manifest["counts"]["error"] == 2
    assert all(o["status"] == "error" for o in read_samples(out))


def test_fixtures_that_do_not_load_are_counted_as_skipped_and_exit_errors(
        tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    make_fixture(suite, "broken", 'id = "broken"\nlanguage = "python"\n', {"a.py": "x = 1\n"})
    out = tmp_path / "run"
    code = main(["run", "--model", "sim:honest", "--tasks", str(suite), "--out", str(out),
                 "--no-progress"])
    captured = capsys.readouterr()
    assert code == exitcodes.ERRORS
    assert "1 fixtures skipped" in captured.out and "complete with errors" in captured.out
    manifest = read_manifest(out)
    assert manifest["fixtures_skipped"] == 1 and "broken" in manifest["fixture_errors"][0]
    assert manifest["counts"]["error"] == 0 and len(read_samples(out)) == 1


def test_a_clean_run_exits_ok_and_records_the_preflight(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    out = tmp_path / "run"
    assert main(["run", "--model", "sim:honest", "--tasks", str(suite), "--out", str(out),
                 "--no-progress"]) == exitcodes.OK
    manifest = read_manifest(out)
    assert manifest["fixtures_skipped"] == 0
    assert [c["ok"] for c in manifest["preflight"]] == [True]  # `echo` is on the PATH


def venv_without_pytest(tmp_path: Path) -> Path:
    """A fresh interpreter that can import evalkit (PYTHONPATH) but not pytest: the state of
    a fresh install before pytest became a dependency."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                   check=True)
    python = tmp_path / "venv" / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import pytest"], capture_output=True)
    if probe.returncode == 0:
        pytest.skip("the fresh venv sees pytest anyway")
    return python


def test_run_on_a_fresh_interpreter_without_pytest_exits_environment(tmp_path: Path) -> None:
    python = venv_without_pytest(tmp_path)
    suite = make_suite(tmp_path, which=("solvable",))  # python -m pytest
    out = tmp_path / "run"
    proc = subprocess.run([str(python), "-m", "evalkit", "run", "--model", "sim:honest",
                           "--tasks", str(suite), "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert proc.returncode == exitcodes.ENVIRONMENT, proc.stderr
    assert "can import pytest" in proc.stderr and "pip install pytest" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


@pytest.mark.parametrize("make, needle", [
    (lambda p: p.mkdir(), "holds no run"),
    (lambda p: (p.mkdir(), (p / "samples.jsonl").write_text("")), "holds no run"),
    (lambda p: (p.mkdir(), (p / "manifest.json").write_text("{}")), "nothing to merge"),
    (lambda p: None, "no such folder"),
])
def test_merge_of_an_empty_or_missing_folder_exits_usage_and_writes_nothing(
        tmp_path: Path, capsys, make, needle: str) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "src"
    make(src)
    assert main(["merge", str(src), "--out", str(tmp_path / "m")]) == exitcodes.USAGE
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_merge_of_some_shards_exits_incomplete_and_of_all_ok(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable", "already_passing"), test_command=FAST)
    shards = [tmp_path / f"s{i}" for i in (1, 2)]
    for i, out in enumerate(shards, 1):
        assert main(["run", "--model", "sim:honest", "--tasks", str(suite), "--epochs", "3",
                     "--shard", f"{i}/2", "--out", str(out), "--no-progress"]) == 0
    with_samples = [s for s in shards if read_samples(s)]
    assert main(["merge", str(with_samples[0]), "--out",
                 str(tmp_path / "part")]) == exitcodes.INCOMPLETE
    assert "shards missing" in capsys.readouterr().out
    # an empty shard (its manifest says complete, 0 planned) still merges
    assert main(["merge", *map(str, shards), "--out", str(tmp_path / "all")]) == exitcodes.OK


def test_resume_takes_the_key_from_the_environment_not_the_redacted_manifest(
        tmp_path: Path, capsys, monkeypatch, fake_anthropic) -> None:  # type: ignore[no-untyped-def]
    api = fake_anthropic(lambda body, n: text("Nothing to change."), api_key="sk-right")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    variants = tmp_path / "v.toml"
    variants.write_text(f'[variants.claude]\nmodel = "anthropic:claude-sonnet-4-5"\n\n'
                        f'[variants.claude.options]\nbase_url = "{api.base_url}"\n'
                        f'api_key = "sk-right"\n')
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    out = tmp_path / "run"
    assert main(["run", "--variants", str(variants), "--tasks", str(suite), "--out", str(out),
                 "--no-progress"]) == exitcodes.OK
    assert "sk-right" not in (out / "manifest.json").read_text()
    # the manifest only knows "<redacted>": without a key in the environment, nothing runs
    assert main(["run", "--resume", "--out", str(out), "--epochs", "2",
                 "--no-progress"]) == exitcodes.ENVIRONMENT
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-right")
    assert main(["run", "--resume", "--out", str(out), "--epochs", "2",
                 "--no-progress"]) == exitcodes.OK
    assert [o["status"] for o in read_samples(out)] == ["ok", "ok"]
