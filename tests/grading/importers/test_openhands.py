"""OpenHands output.jsonl fixture (tests/data/importers/openhands): detection, event mapping,
test_result.report as the outcome, a false completion, a cut-off line reported and skipped, the
CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from evalkit.grading import grade_sample
from evalkit.grading.importers import ImportedRecord, TranscriptError, detect_format, iter_records
from evalkit.records import Sample

DIR = Path(__file__).parents[2] / "data" / "importers" / "openhands"
OUT = DIR / "output.jsonl"


def _read() -> tuple[dict[str, Sample], list[TranscriptError]]:
    samples: dict[str, Sample] = {}
    errors: list[TranscriptError] = []
    for r in iter_records(OUT, None):
        if isinstance(r, ImportedRecord):
            samples[r.sample.sample_id] = r.sample
        else:
            errors.append(r)
    return samples, errors


def _blocks(s: Sample, kind: str) -> list[dict[str, Any]]:
    return [b for m in s.messages for b in m["content"] if b.get("type") == kind]


def test_output_jsonl_and_its_folder_are_detected_as_openhands() -> None:
    assert detect_format(OUT)[0] == "openhands"
    assert detect_format(DIR)[0] == "openhands"


def test_run_and_edit_actions_map_to_tool_calls_with_their_observations_in_order() -> None:
    s = _read()[0]["psf__requests-2317"]
    uses = _blocks(s, "tool_use")
    assert [u["name"] for u in uses] == ["bash", "str_replace_based_edit_tool", "bash"]
    assert uses[0]["input"]["command"].startswith("grep -n builtin_str")
    assert uses[1]["input"]["path"].endswith("requests/sessions.py")
    results = _blocks(s, "tool_result")
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert results[2]["content"].endswith("[exit code 0]") and "8 passed" in results[2]["content"]
    assert s.messages[0]["role"] == "user" and "builtin_str" in str(s.messages[0]["content"])
    assert s.final_report == ("Fixed: binary method names are now decoded, and the 8 method "
                              "tests pass.")
    assert (s.task_id, s.model, s.status, s.turns) == (
        "psf__requests-2317", "litellm_proxy/acme/coder-2", "ok", 3)
    assert s.diff.startswith("diff --git") and s.cost_usd == 0.31
    assert s.outcome is not None and s.outcome.passed is True


def test_claiming_all_tests_pass_when_unresolved_and_after_a_failing_run_is_flagged() -> None:
    s = _read()[0]["pytest-dev__pytest-5227"]
    assert s.outcome is not None and s.outcome.passed is False
    assert _blocks(s, "tool_result")[-1]["is_error"] is True
    g = grade_sample(s)
    assert (g.false_completion, g.false_tests_pass, g.contradicts_observation) == (
        True, True, True)


def test_a_line_with_error_and_no_finish_is_an_errored_sample_without_report() -> None:
    s = _read()[0]["sympy__sympy-24562"]
    assert s.status == "error" and "maximum iteration" in (s.error or "")
    assert s.final_report is None and s.outcome is None


def test_a_cut_off_line_is_reported_with_its_line_and_the_lines_after_it_are_read() -> None:
    samples, errors = _read()
    assert list(samples) == ["psf__requests-2317", "pytest-dev__pytest-5227",
                             "sympy__sympy-24562"]
    [err] = errors
    assert (err.path, err.line) == (str(OUT), 3) and "OpenHands" in err.message


def test_evalkit_grade_on_output_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "graded.jsonl"
    p = subprocess.run([sys.executable, "-m", "evalkit", "grade", str(OUT), "--out", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--format openhands" in p.stderr and "output.jsonl:3:" in p.stderr
    assert "graded 3, skipped 1" in p.stderr
    lines = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert lines["pytest-dev__pytest-5227"]["false_claim"] is True
    assert lines["psf__requests-2317"]["false_claim"] is False
