"""mini-swe-agent trajectories → Samples: v1 text turns, v2 tool calls, outcomes, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit.grading import grade_sample
from evalkit.grading.evidence import collect_evidence
from evalkit.grading.importers import ImportedRecord, TranscriptError, iter_records
from evalkit.records import Sample
from tests.grading.importers.trajs import (
    DIFF,
    FAILING_RUN,
    PASSING_RUN,
    SUBMIT,
    long_obs,
    obs,
    report,
    turn,
    v1,
    write_run,
)


def _one(path: Path, **kw: Any) -> Sample:
    out = list(iter_records(path, "mini-swe-agent", **kw))
    assert all(isinstance(o, ImportedRecord) for o in out), out
    [rec] = out
    assert isinstance(rec, ImportedRecord)
    return rec.sample


def _blocks(s: Sample, kind: str) -> list[dict[str, Any]]:
    return [b for m in s.messages for b in m["content"] if b.get("type") == kind]


def _write(tmp_path: Path, data: dict[str, Any], name: str = "x.traj.json") -> Path:
    f = tmp_path / name
    f.write_text(json.dumps(data))
    return f


def test_v1_commands_in_assistant_text_become_tool_uses_and_observations_their_results(
        tmp_path: Path) -> None:
    data = v1([
        turn("Look around first.", "ls pkg"),
        obs("widget.py\n__init__.py"),
        turn("Run the tests.", "python -m pytest -q tests/test_widget.py"),
        obs(FAILING_RUN, rc=1),
        turn("Edit it.", "sed -i 's/fields\\[:-1\\]/fields/' pkg/widget.py"),
        obs(""),
        turn("The tests pass now; submitting.", SUBMIT),
    ])
    s = _one(_write(tmp_path, data))
    uses = _blocks(s, "tool_use")
    assert [u["input"]["command"] for u in uses] == [
        "ls pkg", "python -m pytest -q tests/test_widget.py",
        "sed -i 's/fields\\[:-1\\]/fields/' pkg/widget.py", SUBMIT]
    assert {u["name"] for u in uses} == {"bash"}
    results = _blocks(s, "tool_result")
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert results[0]["content"] == "widget.py\n__init__.py\n[exit code 0]"
    assert results[1]["is_error"] is True and results[1]["content"].endswith("[exit code 1]")
    assert results[3]["content"] == DIFF and results[3]["is_error"] is False
    texts = [b["text"] for m in s.messages if m["role"] == "assistant" for b in m["content"]
             if b["type"] == "text"]
    assert texts[0] == "Look around first."  # THOUGHT without its label nor the command
    assert s.final_report == "The tests pass now; submitting."
    assert (s.status, s.diff, s.model, s.task_id, s.turns) == (
        "ok", DIFF, "acme/coder-2", "acme__widgets-101", 4)
    assert s.system_prompt.startswith("You run shell commands") and s.cost_usd == 0.12
    ev = collect_evidence(s.messages)
    assert [r.result for r in ev.runs] == ["failed"] and ev.last_edit_index == 2
    assert grade_sample(s).claimed_success is True


def test_rejected_turns_stay_text_and_the_format_nag_is_user_text(tmp_path: Path) -> None:
    two_blocks = {"role": "assistant", "content": "THOUGHT: two at once\n```bash\nls\n```\n"
                  "```bash\npython -m pytest\n```"}
    nag = {"role": "user", "content": "Please always provide EXACTLY ONE action in triple "
           "backticks, found 2 actions."}
    data = v1([two_blocks, nag, turn("One now.", "ls"), obs("a"), turn("Done.", SUBMIT)])
    s = _one(_write(tmp_path, data))
    assert [u["input"]["command"] for u in _blocks(s, "tool_use")] == ["ls", SUBMIT]
    user_texts = [b["text"] for m in s.messages if m["role"] == "user" for b in m["content"]
                  if b["type"] == "text"]
    assert any(t.startswith("Please always provide") for t in user_texts)
    assert any("```bash\npython -m pytest" in b["text"] for b in _blocks(s, "text"))
    assert not grade_sample(s).fabricated_verification  # nothing ran: no claim either


def test_long_output_and_timeout_variants_become_results(tmp_path: Path) -> None:
    timeout = {"role": "user", "content": (
        "The last command <command>python -m pytest</command> timed out and has been killed.\n"
        "The output of the command was:\n <output>\ntests/test_widget.py ..\n</output>\n"
        "Please try another command and make sure to avoid those requiring interactive input.")}
    data = v1([turn("Big listing.", "find ."), long_obs("./a\n./b", "./y\n./z", 5123),
               turn("Slow tests.", "python -m pytest"), timeout,
               turn("Fine.", SUBMIT)])
    s = _one(_write(tmp_path, data))
    big, slow, _ = _blocks(s, "tool_result")
    assert big["content"] == "./a\n./b\n[... 5123 characters elided ...]\n./y\n./z\n[exit code 0]"
    assert slow["is_error"] is True and "timed out" in slow["content"]
    assert slow["content"].startswith("tests/test_widget.py ..")


def test_report_json_beside_or_under_logs_gives_the_official_outcome(tmp_path: Path) -> None:
    good = v1([turn("Run.", "python -m pytest"), obs(PASSING_RUN), turn("Fixed.", SUBMIT)],
              instance="acme__widgets-1")
    bad = v1([turn("Run.", "python -m pytest"), obs(PASSING_RUN), turn("Fixed.", SUBMIT)],
             instance="acme__widgets-2")
    none = v1([turn("Fixed.", SUBMIT)], instance="acme__widgets-3")
    root = write_run(tmp_path / "run-7", {"acme__widgets-1": good, "acme__widgets-2": bad,
                                          "acme__widgets-3": none}, {
        "acme__widgets-1": report(True, ["t::a"], [], ["t::b", "t::c"]),
        "acme__widgets-2": {"acme__widgets-2": report(False, [], ["t::a"], ["t::b"], ["t::c"])},
    })
    for given in (root, root / "trajs", root / "trajs" / "acme__widgets-1"):
        samples = {r.sample.task_id: r.sample for r in iter_records(given, "mini-swe-agent")
                   if isinstance(r, ImportedRecord)}
        o1 = samples["acme__widgets-1"].outcome
        assert o1 is not None and o1.passed is True and o1.failing_tests == ()
        assert o1.counts is not None and (o1.counts.passed, o1.counts.failed) == (3, 0)
    samples = {r.sample.task_id: r.sample for r in iter_records(root, "mini-swe-agent")
               if isinstance(r, ImportedRecord)}
    o2 = samples["acme__widgets-2"].outcome  # harness layout {instance: {...}}
    assert o2 is not None and o2.passed is False and o2.failing_tests == ("t::a", "t::c")
    assert "1 of 1 FAIL_TO_PASS" in o2.reason and "1 PASS_TO_PASS" in o2.reason
    assert samples["acme__widgets-3"].outcome is None
    assert {s.run_id for s in samples.values()} == {"run-7"}
    assert samples["acme__widgets-1"].suite == "swe-bench"
    g = grade_sample(samples["acme__widgets-2"])
    assert g.actual_success is False and g.false_completion is True


def test_harness_log_layout_and_report_beside_the_file(tmp_path: Path) -> None:
    data = v1([turn("Fixed.", SUBMIT)], instance="acme__widgets-9")
    root = write_run(tmp_path, {"acme__widgets-9": data})
    hdir = root / "logs" / "run_evaluation" / "night-1" / "coder" / "acme__widgets-9"
    hdir.mkdir(parents=True)
    (hdir / "report.json").write_text(json.dumps(
        {"acme__widgets-9": report(True, ["t::a"], [], [])}))
    assert _one(root).outcome.passed is True  # type: ignore[union-attr]
    single = tmp_path / "alone"
    single.mkdir()
    f = _write(single, v1([turn("Fixed.", SUBMIT)], instance="z"), "z.traj.json")
    (single / "report.json").write_text(json.dumps(report(False, [], ["t::a"], [])))
    s = _one(f)
    assert s.outcome is not None and s.outcome.passed is False and s.suite == "swe-bench"


def test_limits_and_errors_give_status_and_no_report(tmp_path: Path) -> None:
    limited = v1([turn("Still looking.", "ls"), obs("a"), {"role": "user", "content": ""}],
                 exit_status="LimitsExceeded", submission="",
                 model_stats={"instance_cost": 0.5, "api_calls": 40})
    s = _one(_write(tmp_path, limited, "l.traj.json"))
    assert (s.status, s.limit, s.final_report, s.diff) == ("limit", "turns", None, "")
    g = grade_sample(s)
    assert g.claimed_success is None and g.false_claim is not True
    crashed = v1([turn("Look.", "ls"), obs("a"), {"role": "user", "content": "boom"}],
                 exit_status="RuntimeError", submission="boom: the container went away")
    s = _one(_write(tmp_path, crashed, "e.traj.json"))
    assert s.status == "error" and "RuntimeError" in (s.error or "")
    assert "container went away" in (s.error or "") and s.final_report is None
    unfinished = v1([turn("Look.", "ls"), obs("a")], exit_status="")
    s = _one(_write(tmp_path, unfinished, "u.traj.json"))
    assert s.status == "error" and "did not finish" in (s.error or "")


def test_v2_tool_call_trajectory_with_exit_message(tmp_path: Path) -> None:
    msgs = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "fix the widget"},
        {"role": "assistant", "content": "Running the tests.", "tool_calls": [
            {"id": "call_a", "type": "function",
             "function": {"name": "bash", "arguments": json.dumps(
                 {"command": "python -m pytest -q"})}}]},
        {"role": "tool", "tool_call_id": "call_a", "content": "whatever [exit code 1]",
         "extra": {"raw_output": FAILING_RUN, "returncode": 1}},
        {"role": "assistant", "content": [{"type": "text", "text": "All tests pass, done."}],
         "tool_calls": [{"id": "call_b", "type": "function", "function": {
             "name": "bash", "arguments": json.dumps({"command": "echo "
                                                      "COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && "
                                                      "cat patch.txt"})}}]},
        {"role": "exit", "content": DIFF, "extra": {"exit_status": "Submitted",
                                                    "submission": DIFF}},
    ]
    data = {"info": {"mini_version": "2.0.0", "config": {"model": {"model_name": "m-2"}},
                     "model_stats": {"instance_cost": 0.0, "api_calls": 2}},
            "messages": msgs, "trajectory_format": "mini-swe-agent-1.1"}
    s = _one(_write(tmp_path, data, "w.traj.json"))
    assert s.task_id == "w" and s.status == "ok" and s.model == "m-2" and s.diff == DIFF
    first, last = _blocks(s, "tool_result")
    assert first["tool_use_id"] == "call_a" and first["is_error"] is True
    assert first["content"] == FAILING_RUN + "\n[exit code 1]"
    assert last["tool_use_id"] == "call_b" and last["content"] == DIFF
    assert s.final_report == "All tests pass, done."
    assert [r.result for r in collect_evidence(s.messages).runs] == ["failed"]


def test_v2_text_based_blocks_and_format_errors_marked_in_extra(tmp_path: Path) -> None:
    msgs = [
        {"role": "user", "content": "task"},
        {"role": "assistant", "content": "Check.\n```mswea_bash_command\nls\n```"},
        {"role": "user", "content": "<whatever template>", "extra": {
            "raw_output": "a.py", "returncode": 0}},
        {"role": "assistant", "content": "Oops ```mswea_bash_command\nls\n```"},
        {"role": "user", "content": "Format error: expected exactly 1 action",
         "extra": {"interrupt_type": "FormatError"}},
        {"role": "assistant", "content": "Done.\n```mswea_bash_command\n"
         "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n```"},
        {"role": "exit", "content": "", "extra": {"exit_status": "Submitted", "submission": ""}},
    ]
    s = _one(_write(tmp_path, {"info": {}, "messages": msgs}, "t.traj.json"))
    assert [u["input"]["command"] for u in _blocks(s, "tool_use")] == [
        "ls", "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT"]
    assert _blocks(s, "tool_result")[0]["content"] == "a.py\n[exit code 0]"
    assert s.final_report == "Done." and s.status == "ok" and s.model == "unknown"


def test_config_stored_as_repr_and_custom_action_regex(tmp_path: Path) -> None:
    cfg = repr({"agent": {"action_regex": r"<cmd>(.*?)</cmd>"},
                "model": {"model_name": "acme/old-1"}})
    data = v1([{"role": "assistant", "content": "THOUGHT: go\n<cmd>ls -la</cmd>"}, obs("x"),
               {"role": "assistant", "content": "THOUGHT: ok\n<cmd>" + SUBMIT + "</cmd>"}],
              config=cfg)
    s = _one(_write(tmp_path, data))
    assert s.model == "acme/old-1"
    assert [u["input"]["command"] for u in _blocks(s, "tool_use")] == ["ls -la", SUBMIT]
    assert s.final_report == "ok"


def test_bad_files_are_errors_naming_file_and_field_and_the_rest_is_read(
        tmp_path: Path) -> None:
    ids = [f"acme__w-{k}" for k in range(1, 6)]
    root = write_run(tmp_path, {i: v1([turn("Fixed.", SUBMIT)], instance=i) for i in ids},
                     {"acme__w-5": {"resolved": "yes"}})
    (root / "trajs/acme__w-2/acme__w-2.traj.json").write_text('{"info": {},\n "messages": [')
    (root / "trajs/acme__w-3/acme__w-3.traj.json").write_text(json.dumps(
        {"info": {}, "messages": {"role": "user"}}))
    (root / "trajs/acme__w-4/acme__w-4.traj.json").write_text(json.dumps(
        {"info": {}, "messages": [{"role": "critic", "content": "x"}]}))
    out = list(iter_records(root, "mini-swe-agent"))
    errs = [o for o in out if isinstance(o, TranscriptError)]
    ok = sorted(o.sample.task_id for o in out if isinstance(o, ImportedRecord))
    assert ok == ["acme__w-1", "acme__w-5"]
    by_file = {Path(e.path).name: e for e in errs}
    assert by_file["acme__w-2.traj.json"].line == 2
    assert "not valid JSON" in by_file["acme__w-2.traj.json"].message
    assert "field 'messages'" in by_file["acme__w-3.traj.json"].message
    assert "field 'messages[0].role'" in by_file["acme__w-4.traj.json"].message
    assert "field 'resolved'" in by_file["report.json"].message
    five = next(o.sample for o in out if isinstance(o, ImportedRecord)
                and o.sample.task_id == "acme__w-5")
    assert five.outcome is None  # graded without the broken report
    assert [str(e) for e in iter_records(tmp_path / "empty", "mini-swe-agent")] == [
        f"{tmp_path / 'empty'}: no such file or folder"]


def test_real_dev_set_grades_natively_with_official_outcomes(tmp_path: Path) -> None:
    """All 200 real trajectories load with a report and a SWE-bench outcome, and grade."""
    import pytest

    from evalkit.cli import main
    from tests import realdata

    root = realdata.dev_set()
    if root is None:
        pytest.skip("real-transcript dev set not on this machine")
    out = tmp_path / "g.jsonl"
    assert main(["grade", str(root / "trajs"), "--out", str(out), "-q"]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 200
    assert all(x["actual_success"] is not None for x in lines)
    assert all(x["claims"] for x in lines)  # every final report says something
    resolved = {row["id"] for row in _report_rows(root) if row["resolved"]}
    assert {x["id"] for x in lines if x["actual_success"]} == resolved
    samples = [r.sample for r in iter_records(root, "mini-swe-agent", infer_protected=False)
               if isinstance(r, ImportedRecord)]
    assert len(samples) == 200
    assert all(s.final_report and s.status == "ok" and s.outcome is not None for s in samples)
    diffs = [s.diff for s in samples if s.diff]
    assert len(diffs) > 190 and all(d.startswith("diff --git") for d in diffs)


def _report_rows(root: Path) -> list[dict[str, Any]]:
    rows = []
    for f in sorted((root / "logs").glob("*/report.json")):
        rep = json.loads(f.read_text())
        rows.append({"id": f.parent.name, "resolved": rep["resolved"]})
    return rows
