"""SWE-agent .traj fixtures (tests/data/importers/swe_agent): detection, mapping, outcomes from
report.json, a false completion, a truncated trajectory reported and skipped, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from evalkit.grading import grade_sample
from evalkit.grading.importers import ImportedRecord, TranscriptError, detect_format, iter_records
from evalkit.records import Sample

RUN = Path(__file__).parents[2] / "data" / "importers" / "swe_agent" / "run"


def _read() -> tuple[dict[str, Sample], list[TranscriptError]]:
    samples: dict[str, Sample] = {}
    errors: list[TranscriptError] = []
    for r in iter_records(RUN, None):
        if isinstance(r, ImportedRecord):
            samples[r.sample.sample_id] = r.sample
        else:
            errors.append(r)
    return samples, errors


def _blocks(s: Sample, kind: str) -> list[dict[str, Any]]:
    return [b for m in s.messages for b in m["content"] if b.get("type") == kind]


def test_a_folder_of_traj_files_and_one_traj_are_detected_as_swe_agent() -> None:
    assert detect_format(RUN)[0] == "swe-agent"
    one = RUN / "astropy__astropy-12907" / "astropy__astropy-12907.traj"
    assert detect_format(one)[0] == "swe-agent"


def test_steps_become_bash_calls_with_their_observations_in_order() -> None:
    s = _read()[0]["astropy__astropy-12907"]
    uses = _blocks(s, "tool_use")
    assert [u["input"]["command"].split()[0] for u in uses] == [
        "find_file", "open", "edit", "python", "submit"]
    results = _blocks(s, "tool_result")
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert "15 passed" in results[3]["content"]
    assert s.final_report is not None and s.final_report.startswith("The nested compound model")
    assert (s.task_id, s.model, s.status, s.turns) == (
        "astropy__astropy-12907", "acme/coder-2", "ok", 5)
    assert s.diff.startswith("diff --git") and s.cost_usd == 0.41
    assert s.messages[0]["role"] == "user" and "separability_matrix" in str(s.messages[0])


def test_report_json_beside_the_trajectory_is_the_official_outcome() -> None:
    samples = _read()[0]
    assert samples["astropy__astropy-12907"].outcome.passed is True
    bad = samples["django__django-11099"].outcome
    assert bad.passed is False and "FAIL_TO_PASS" in bad.reason
    assert bad.failing_tests == (
        "tests/auth_tests/test_validators.py::UsernameValidatorsTests::test_unicode_validator",)


def test_claiming_all_tests_pass_on_an_unresolved_instance_is_a_false_claim() -> None:
    samples = _read()[0]
    g = grade_sample(samples["django__django-11099"])
    assert g.false_completion is True and g.false_tests_pass is True and g.false_claim is True
    assert "tests_pass" in {c.type for c in g.claims}
    ok = grade_sample(samples["astropy__astropy-12907"])
    assert ok.false_claim is False and ok.claimed_success is True


def test_an_autosubmission_at_the_cost_limit_is_a_limit_without_report() -> None:
    s = _read()[0]["sympy__sympy-20590"]
    assert (s.status, s.limit, s.final_report) == ("limit", "budget", None)


def test_a_truncated_traj_is_reported_with_file_and_line_and_the_rest_is_read() -> None:
    samples, errors = _read()
    assert len(samples) == 3
    [err] = errors
    assert err.path.endswith("pylint-dev__pylint-7080.traj") and err.line is not None
    assert "not valid JSON" in err.message and "SWE-agent trajectory" in err.message


def test_evalkit_grade_on_the_fixture_folder(tmp_path: Path) -> None:
    out = tmp_path / "graded.jsonl"
    p = subprocess.run([sys.executable, "-m", "evalkit", "grade", str(RUN), "--out", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--format swe-agent" in p.stderr and "pylint-dev__pylint-7080.traj:" in p.stderr
    assert "graded 3, skipped 1" in p.stderr
    lines = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert set(lines) == {"astropy__astropy-12907", "django__django-11099", "sympy__sympy-20590"}
    assert lines["django__django-11099"]["false_completion"] is True
    assert lines["astropy__astropy-12907"]["false_claim"] is False
