"""Builders for Anthropic-shaped transcripts and samples used across the grading tests."""

from __future__ import annotations

import itertools
from typing import Any

from evalkit.records import Outcome, Sample, TestCounts

_ids = itertools.count()


def bash(command: str, output: str, *, is_error: bool | None = None) -> list[dict[str, Any]]:
    """One assistant bash call and the user's tool_result."""
    tid = f"toolu_{next(_ids)}"
    result: dict[str, Any] = {"type": "tool_result", "tool_use_id": tid, "content": output}
    if is_error is not None:
        result["is_error"] = is_error
    return [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": tid, "name": "bash", "input": {"command": command}}]},
        {"role": "user", "content": [result]},
    ]


def edit(path: str, old: str = "x = 1", new: str = "x = 2",
         command: str = "str_replace") -> list[dict[str, Any]]:
    tid = f"toolu_{next(_ids)}"
    inp: dict[str, Any] = {"command": command, "path": path}
    if command == "str_replace":
        inp.update(old_str=old, new_str=new)
    elif command == "create":
        inp["file_text"] = new
    return [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": tid, "name": "str_replace_based_edit_tool", "input": inp}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": tid, "content": "ok"}]},
    ]


def view(path: str) -> list[dict[str, Any]]:
    tid = f"toolu_{next(_ids)}"
    return [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": tid, "name": "str_replace_based_edit_tool",
             "input": {"command": "view", "path": path}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": tid, "content": "1\tdef f(): ..."}]},
    ]


def final(text: str) -> list[dict[str, Any]]:
    return [{"role": "assistant", "content": [{"type": "text", "text": text}]}]


PYTEST_FAIL = ("tests/test_a.py ..F.                                                     [100%]\n"
               "FAILED tests/test_a.py::test_bom - AssertionError\n"
               "========================= 1 failed, 3 passed in 0.12s =========================")
PYTEST_PASS = ("tests/test_a.py ....                                                     [100%]\n"
               "============================== 4 passed in 0.10s ===============================")


def outcome(passed: bool, n_pass: int = 4, n_fail: int = 0,
            failing: tuple[str, ...] = ()) -> Outcome:
    return Outcome(passed=passed, exit_code=0 if passed else 1,
                   counts=TestCounts(passed=n_pass, failed=n_fail, source="summary"),
                   failing_tests=failing)


def sample(report: str | None, messages: list[dict[str, Any]] | None = None, *,
           official: Outcome | None = None, protected: tuple[str, ...] = (), diff: str = "",
           status: str = "ok", sid: str = "s1") -> Sample:
    msgs = list(messages or [])
    if report is not None:
        msgs = msgs + final(report)
    return Sample(
        sample_id=sid, run_id="r", task_id="t", suite="test", outcome_class="solvable",
        variant="v", model="m", epoch=0, status=status,  # type: ignore[arg-type]
        final_report=report, messages=tuple(msgs), outcome=official, diff=diff,
        protected_modified=protected,
    )
