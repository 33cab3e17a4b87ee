"""Codex CLI fixtures (tests/data/importers/codex): rollout files under sessions/YYYY/MM/DD and
``codex exec --json`` streams; detection, mapping, false claims against the agent's own runs
and a joined outcome, a cut-off rollout line reported and skipped, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from evalkit.grading import grade_sample
from evalkit.grading.importers import ImportedRecord, TranscriptError, detect_format, iter_records
from evalkit.records import Outcome, Sample

DATA = Path(__file__).parents[2] / "data" / "importers" / "codex"
SESSIONS = DATA / "sessions"
EXEC = DATA / "exec"
DATES = "0199e2a4-6c1d-7b50-9d3e-5a0c2b1f8e41"


def _read(path: Path, **kw: Any) -> tuple[dict[str, Sample], list[TranscriptError]]:
    samples: dict[str, Sample] = {}
    errors: list[TranscriptError] = []
    for r in iter_records(path, "codex", **kw):
        if isinstance(r, ImportedRecord):
            samples[r.sample.sample_id] = r.sample
        else:
            errors.append(r)
    return samples, errors


def _blocks(s: Sample, kind: str) -> list[dict[str, Any]]:
    return [b for m in s.messages for b in m["content"] if b.get("type") == kind]


def test_a_sessions_folder_a_rollout_and_an_exec_stream_are_detected_as_codex() -> None:
    assert detect_format(SESSIONS)[0] == "codex"
    assert detect_format(next(SESSIONS.rglob("rollout-*.jsonl")))[0] == "codex"
    assert detect_format(EXEC / "csv-quoted-newline.jsonl")[0] == "codex"


def test_a_folder_of_exec_json_outputs_is_detected_as_codex() -> None:
    assert detect_format(EXEC)[0] == "codex"  # no rollout-*.jsonl names to go by


def test_rollout_shell_calls_and_apply_patch_map_in_order_with_exit_codes() -> None:
    s = _read(SESSIONS)[0][DATES]
    uses = _blocks(s, "tool_use")
    assert [u["name"] for u in uses] == ["bash", "bash", "str_replace_based_edit_tool", "bash"]
    assert uses[0]["input"]["command"] == "pytest -q tests/test_dates.py"  # argv unwrapped
    results = _blocks(s, "tool_result")
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert results[0]["content"].endswith("[exit code 1]") and results[0]["is_error"] is True
    assert (s.model, s.task_id, s.status, s.turns) == ("gpt-5-codex", DATES, "ok", 4)
    assert "ISO week" in str(s.messages[0]["content"])
    assert s.final_report is not None and s.final_report.endswith("pass now.")


def test_all_tests_pass_after_a_failing_last_run_is_flagged_and_a_joined_outcome_decides() -> None:
    samples, _ = _read(SESSIONS)
    g = grade_sample(samples[DATES])
    assert g.false_tests_pass is True and g.contradicts_observation is True
    honest = grade_sample(samples["0199e3b0-11aa-7c22-8e10-3f4d5c6b7a80"])
    assert honest.contradicts_observation is False and honest.false_claim is None  # no outcome
    joined = _read(SESSIONS, outcomes={DATES: Outcome(passed=False, exit_code=1)})[0]
    assert grade_sample(joined[DATES]).false_completion is True


def test_exec_json_commands_are_unwrapped_from_bash_lc_and_graded() -> None:
    samples, errors = _read(EXEC)
    assert errors == []
    s = samples["0199f001-aaaa-7bbb-8ccc-ddddeeeeffff"]
    assert [u["input"].get("path") or u["input"]["command"] for u in _blocks(s, "tool_use")] \
        == ["python -m pytest -q tests/test_csv.py", "/repo/csvlite/reader.py",
            "python -m pytest -q tests/test_csv.py"]
    assert s.final_report is not None and "all tests pass" in s.final_report
    g = grade_sample(s)
    assert g.false_tests_pass is True and g.false_claim is True


def test_a_turn_failed_stream_is_an_errored_sample_without_report() -> None:
    s = _read(EXEC)[0]["0199f002-1111-7222-8333-444455556666"]
    assert s.status == "error" and "Rate limit" in (s.error or "")
    assert s.final_report is None


def test_a_cut_off_rollout_line_is_reported_and_the_session_still_read() -> None:
    samples, errors = _read(SESSIONS)
    assert len(samples) == 3
    [err] = errors
    assert err.path.endswith("0199e9c7-5f00-7a11-9b22-0c1d2e3f4a5b.jsonl") and err.line == 7
    s = samples["0199e9c7-5f00-7a11-9b22-0c1d2e3f4a5b"]
    assert s.final_report is not None and "did not change anything" in s.final_report


def test_evalkit_grade_on_the_sessions_folder(tmp_path: Path) -> None:
    out = tmp_path / "graded.jsonl"
    p = subprocess.run([sys.executable, "-m", "evalkit", "grade", str(SESSIONS), "--out",
                        str(out)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--format codex" in p.stderr and "0199e9c7-5f00-7a11-9b22-0c1d2e3f4a5b.jsonl:7:" \
        in p.stderr
    assert "graded 3, skipped 0, 1 bad line read around in graded" in p.stderr  # cut-off line
    lines = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert lines[DATES]["false_tests_pass"] is True


def test_exec_command_strings_with_a_shell_path_are_unwrapped_too() -> None:
    from evalkit.grading.importers.codex import _shell_command

    assert _shell_command("/bin/zsh -lc 'rg --files | head -200'") == "rg --files | head -200"
    assert _shell_command("bash -lc ls") == "ls"
    assert _shell_command("git status --short") == "git status --short"
    assert _shell_command("bash -lc 'unbalanced") == "bash -lc 'unbalanced"
