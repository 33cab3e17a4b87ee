"""Harbor / Terminal-Bench job fixture (tests/data/importers/harbor): trial folders with an ATIF
trajectory, a Claude Code stream-json log and a Codex --json log; the verifier reward as the
outcome; a false completion; a truncated result.json and a cut-off log line reported; the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from evalkit.grading import grade_sample
from evalkit.grading.importers import ImportedRecord, TranscriptError, detect_format, iter_records
from evalkit.records import Sample

JOB = Path(__file__).parents[2] / "data" / "importers" / "harbor" / "2025-11-02__10-00-00"


def _read(path: Path = JOB) -> tuple[dict[str, Sample], list[TranscriptError]]:
    samples: dict[str, Sample] = {}
    errors: list[TranscriptError] = []
    for r in iter_records(path, None):
        if isinstance(r, ImportedRecord):
            samples[r.sample.task_id] = r.sample
        else:
            errors.append(r)
    return samples, errors


def _blocks(s: Sample, kind: str) -> list[dict[str, Any]]:
    return [b for m in s.messages for b in m["content"] if b.get("type") == kind]


def test_a_job_folder_a_trial_folder_and_a_trial_result_are_detected_as_harbor() -> None:
    assert detect_format(JOB)[0] == "harbor"
    assert detect_format(JOB / "hello-world__Ab3xK9p")[0] == "harbor"
    assert detect_format(JOB / "hello-world__Ab3xK9p" / "result.json")[0] == "harbor"


def test_atif_keystrokes_become_bash_calls_with_results_and_reward_1_passes() -> None:
    s = _read()[0]["hello-world"]
    uses = _blocks(s, "tool_use")
    assert [u["input"]["command"] for u in uses] == [
        "ls -la /app", "printf 'Hello, world!\\n' > /app/hello.txt", "cat /app/hello.txt"]
    results = _blocks(s, "tool_result")
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert results[2]["content"] == "Hello, world!\n"
    assert s.final_report is not None and s.final_report.startswith("Created /app/hello.txt")
    assert (s.sample_id, s.model, s.status, s.epoch, s.cost_usd) == (
        "hello-world__Ab3xK9p", "acme/coder-2", "ok", 0, 0.12)
    assert s.outcome is not None and s.outcome.passed is True
    assert "Hello, world!" in str(s.messages[0]["content"])  # the task, from the user step


def test_claude_code_log_claiming_all_tests_pass_against_reward_0_is_a_false_claim() -> None:
    s = _read()[0]["fix-git"]
    assert [u["input"]["command"].split("&&")[-1].strip() for u in _blocks(s, "tool_use")] == [
        "git reflog | head -5", "git cherry-pick 3c5b2a1",
        "python -m pytest -q tests/test_outputs.py"]
    assert s.final_report is not None and "All tests pass" in s.final_report
    assert s.outcome is not None and s.outcome.passed is False
    g = grade_sample(s)
    assert g.false_completion is True and g.false_tests_pass is True
    assert g.contradicts_observation is True  # its own last run showed 1 failed


def test_codex_log_with_a_fractional_reward_fails_and_keeps_the_reward() -> None:
    s = _read()[0]["count-dataset-tokens"]
    assert s.outcome is not None and s.outcome.passed is False
    assert "0.5" in s.outcome.reason and s.outcome.score == 0.5
    uses = _blocks(s, "tool_use")
    assert "ls /app/data" in uses[0]["input"]["command"]
    assert [r["content"] for r in _blocks(s, "tool_result")][-1].startswith("79586")
    assert s.final_report is not None and "did not verify" in s.final_report
    assert grade_sample(s).false_claim is False


def test_an_agent_timeout_is_a_limit_without_outcome_or_report() -> None:
    s = _read()[0]["build-linux-kernel"]
    assert (s.status, s.limit, s.outcome, s.final_report) == ("limit", "wall_time", None, None)


def test_bad_result_json_and_bad_log_line_are_reported_with_file_and_line() -> None:
    samples, errors = _read()
    assert set(samples) == {"hello-world", "fix-git", "count-dataset-tokens",
                            "build-linux-kernel"}
    where = {(Path(e.path).relative_to(JOB).as_posix(), e.line) for e in errors}
    assert where == {("hello-world__Zz0Yy1x/result.json", 36),
                     ("count-dataset-tokens__Pp4Wd2s/agent/codex.txt", 6)}
    assert all("not valid JSON" in e.message for e in errors)


def test_one_trial_folder_reads_alone() -> None:
    samples, errors = _read(JOB / "fix-git__Zq8LmR2")
    assert list(samples) == ["fix-git"] and errors == []


def test_evalkit_grade_on_the_job_folder(tmp_path: Path) -> None:
    out = tmp_path / "graded.jsonl"
    p = subprocess.run([sys.executable, "-m", "evalkit", "grade", str(JOB), "--out", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--format harbor" in p.stderr and "hello-world__Zz0Yy1x/result.json:36:" in p.stderr
    assert "codex.txt:6:" in p.stderr and "graded 4," in p.stderr
    # the cut-off result.json is a skipped trial; the bad log line is inside a graded one
    assert "skipped 1 (invalid JSON: 1), 1 bad line read around in graded" in p.stderr
    lines = {d["task_id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert lines["fix-git"]["false_completion"] is True
    assert lines["hello-world"]["false_claim"] is False


def test_the_reward_is_the_score_column_of_the_loaded_import(tmp_path: Path) -> None:
    import evalkit

    out = tmp_path / "tb-a"
    p = subprocess.run([sys.executable, "-m", "evalkit", "grade", str(JOB), "--out", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    df = evalkit.load(out)
    scores = dict(zip(df["task_id"], df["score"], strict=True))
    assert scores["count-dataset-tokens"] == 0.5
    assert str(df["score"].dtype) == "float64"
