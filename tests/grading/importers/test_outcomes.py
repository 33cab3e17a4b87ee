"""SWE-bench outcomes (``--outcomes``): every shape load_outcomes reads, what it cannot read, and
the join by instance id (a sample not in the outcomes has none)."""

from __future__ import annotations

import json
from pathlib import Path

from evalkit.grading.importers import ImportedRecord, iter_records, load_outcomes, outcome_joined
from tests.grading.helpers import final


def _report(resolved: bool) -> dict[str, object]:
    return {"patch_is_None": False, "patch_exists": True, "patch_successfully_applied": True,
            "resolved": resolved, "tests_status": {
                "FAIL_TO_PASS": {"success": ["t::a"] if resolved else [],
                                 "failure": [] if resolved else ["t::a"]},
                "PASS_TO_PASS": {"success": ["t::b"], "failure": []}}}


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def test_harness_summary_gives_verdicts_and_error_ids_get_no_outcome(tmp_path: Path) -> None:
    f = _write(tmp_path / "acme.run1.json", {
        "resolved_ids": ["a__a-1"], "unresolved_ids": ["a__a-2"], "empty_patch_ids": ["a__a-3"],
        "error_ids": ["a__a-4"]})
    out = load_outcomes(f)
    assert out["a__a-1"].passed is True
    assert out["a__a-2"].passed is False and "not resolved" in out["a__a-2"].reason
    assert "no patch" in out["a__a-3"].reason
    assert "a__a-4" not in out and out.harness_errors == {"a__a-4"} and out.errors == []


def test_experiments_results_json_resolved_wins_over_applied(tmp_path: Path) -> None:
    f = _write(tmp_path / "results.json", {"applied": ["x-1", "x-2"], "resolved": ["x-1"],
                                           "no_apply": ["x-3"]})
    out = load_outcomes(f)
    assert out["x-1"].passed is True and out["x-2"].passed is False
    assert "did not apply" in out["x-3"].reason


def test_report_json_keyed_by_instance_and_a_logs_folder_of_flat_reports(tmp_path: Path) -> None:
    keyed = _write(tmp_path / "report.json", {"b-1": _report(True), "b-2": _report(False)})
    out = load_outcomes(keyed)
    assert out["b-1"].passed and not out["b-2"].passed
    assert out["b-2"].failing_tests == ("t::a",)
    logs = tmp_path / "logs"
    _write(logs / "run_evaluation" / "r1" / "m" / "c-1" / "report.json", _report(True))
    _write(logs / "run_evaluation" / "r1" / "m" / "c-2" / "report.json", {"c-2": _report(False)})
    both = load_outcomes(logs)
    assert both["c-1"].passed is True and both["c-2"].passed is False


def test_unreadable_files_are_errors_naming_the_file_and_the_rest_is_kept(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    _write(logs / "d-1" / "report.json", _report(True))
    (logs / "d-2").mkdir()
    (logs / "d-2" / "report.json").write_text('{"d-2": {"resolved": tru')
    _write(logs / "d-3" / "report.json", {"resolved_ids": "d-3"})
    out = load_outcomes(logs)
    assert set(out) == {"d-1"}
    msgs = sorted(str(e) for e in out.errors)
    assert len(msgs) == 2
    assert "d-2/report.json" in msgs[0] and "d-3/report.json" in msgs[1]
    assert "resolved_ids" in msgs[1] and "list of instance ids" in msgs[1]
    (tmp_path / "empty").mkdir()
    empty = load_outcomes(tmp_path / "empty")
    assert not empty and "no report.json found" in str(empty.errors[0])


def test_join_replaces_each_outcome_by_instance_id_and_unknown_ids_get_none(
        tmp_path: Path) -> None:
    src = tmp_path / "t.jsonl"
    src.write_text("".join(json.dumps({"id": i, "messages": final("Done, all tests pass."),
                                       "outcome": {"passed": True}}) + "\n"
                           for i in ("e-1", "e-2", "e-3")))
    out = load_outcomes(_write(tmp_path / "s.json", {"resolved_ids": ["e-1"],
                                                     "unresolved_ids": ["e-2"]}))
    recs = [r for r in iter_records(src, "jsonl", outcomes=out) if isinstance(r, ImportedRecord)]
    got = {r.sample.task_id: r.sample.outcome for r in recs}
    assert got["e-1"] is not None and got["e-1"].passed is True
    assert got["e-2"] is not None and got["e-2"].passed is False
    assert got["e-3"] is None  # the line's own outcome is not mixed with the harness's
    assert [outcome_joined(r.sample, out) for r in recs] == [True, True, False]


def test_the_public_api_joins_outcomes_to_read_transcripts(tmp_path: Path) -> None:
    import evalkit
    from tests.grading.importers import trajs

    claim = [trajs.turn("Run the tests.", "pytest -q"), trajs.obs(trajs.FAILING_RUN, 1),
             {"role": "assistant", "content": "THOUGHT: All tests pass now.\n\n```bash\n"
                                              f"{trajs.SUBMIT}\n```"}]
    trajs.write_run(tmp_path, {"acme__widgets-101": trajs.v1(claim)})
    _write(tmp_path / "results.json", {"applied": ["acme__widgets-101"], "resolved": []})
    outcomes = evalkit.load_outcomes(tmp_path / "results.json")
    [s] = evalkit.read_transcripts(tmp_path / "trajs", None, outcomes=outcomes)
    assert s.outcome is not None and s.outcome.passed is False
    assert evalkit.grade_sample(s).false_completion is True
