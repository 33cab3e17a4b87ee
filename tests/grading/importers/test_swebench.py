"""SWE-bench report.json (flat and harness layouts) → the official Outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.grading.importers import RecordError
from evalkit.grading.importers.swebench import ReportIndex, outcome_from_report, read_report
from tests.grading.importers.trajs import report


def test_resolved_report_passes_with_counts_of_the_verdict_tests_only() -> None:
    o = outcome_from_report(report(True, ["t::a"], [], ["t::b", "t::c"]), "x__y-1")
    assert o.passed is True and o.failing_tests == () and o.reason == ""
    assert o.counts is not None and (o.counts.passed, o.counts.failed) == (3, 0)
    assert o.counts.tests == {"t::a": "passed", "t::b": "passed", "t::c": "passed"}
    assert "tests/test_other.py::test_old" not in o.counts.tests  # FAIL_TO_FAIL: not a verdict


def test_unresolved_report_names_failing_tests_and_why() -> None:
    o = outcome_from_report({"x__y-1": report(False, ["t::a"], ["t::b"], ["t::c"], ["t::d"])},
                            "x__y-1")
    assert o.passed is False and o.failing_tests == ("t::b", "t::d")
    assert o.reason == "SWE-bench: 1 of 2 FAIL_TO_PASS tests still fail; 1 PASS_TO_PASS tests broke"
    unapplied = report(False, [], [], [], patch_successfully_applied=False)
    assert outcome_from_report(unapplied, "i").reason == "SWE-bench: the patch did not apply"
    empty = report(False, [], [], [], patch_is_None=True)
    assert outcome_from_report(empty, "i").reason == "SWE-bench: no patch submitted"


@pytest.mark.parametrize(("rep", "message"), [
    ([], "expected a JSON object"),
    ({"resolved": "yes"}, "field 'resolved'"),
    ({"other__y-2": {"resolved": True}}, "not 'x__y-1'"),
    ({"resolved": True, "tests_status": []}, "field 'tests_status'"),
    ({"resolved": True, "tests_status": {"FAIL_TO_PASS": {"success": "t::a"}}},
     "field 'tests_status.FAIL_TO_PASS.success'"),
])
def test_malformed_reports_name_the_field(rep: object, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        outcome_from_report(rep, "x__y-1")


def test_unreadable_report_file_is_a_record_error(tmp_path: Path) -> None:
    f = tmp_path / "report.json"
    f.write_text("{nope")
    with pytest.raises(RecordError, match="not valid JSON"):
        read_report(f, "i")


def test_index_prefers_the_report_beside_the_trajectory(tmp_path: Path) -> None:
    traj = tmp_path / "trajs" / "i" / "i.traj.json"
    traj.parent.mkdir(parents=True)
    traj.write_text("{}")
    (tmp_path / "logs" / "i").mkdir(parents=True)
    (tmp_path / "logs" / "i" / "report.json").write_text(json.dumps(report(True, [], [], [])))
    idx = ReportIndex(tmp_path / "trajs")
    assert idx.find(traj, "i") == tmp_path / "logs" / "i" / "report.json"
    (traj.parent / "report.json").write_text("{}")
    assert idx.find(traj, "i") == traj.parent / "report.json"
    lone = tmp_path / "elsewhere" / "j.traj.json"
    lone.parent.mkdir()
    assert idx.find(lone, "j") is None
