"""Builders for small hand-written mini-swe-agent trajectories and SWE-bench reports (own text;
nothing copied from real transcripts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SYSTEM = "You run shell commands to solve tasks. Reply with a THOUGHT and one bash block."
TASK = "<pr_description>\nThe widget parser drops the last field.\n</pr_description>"
SUBMIT = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached"
DIFF = ("diff --git a/pkg/widget.py b/pkg/widget.py\n--- a/pkg/widget.py\n+++ b/pkg/widget.py\n"
        "@@ -1 +1 @@\n-    return fields[:-1]\n+    return fields\n")
FAILING_RUN = ("tests/test_widget.py .F.                                      [100%]\n"
               "FAILED tests/test_widget.py::test_last_field - AssertionError\n"
               "========================= 1 failed, 2 passed in 0.05s ==========================")
PASSING_RUN = ("tests/test_widget.py ...                                      [100%]\n"
               "========================= 3 passed in 0.05s ==========================")


def turn(thought: str, command: str, lang: str = "bash") -> dict[str, Any]:
    return {"role": "assistant", "content": f"THOUGHT: {thought}\n\n```{lang}\n{command}\n```"}


def obs(output: str, rc: int = 0) -> dict[str, Any]:
    """v1 observation, as the swebench config renders it."""
    return {"role": "user",
            "content": f"<returncode>{rc}</returncode>\n<output>\n{output}\n</output>"}


def long_obs(head: str, tail: str, elided: int, rc: int = 0) -> dict[str, Any]:
    return {"role": "user", "content": (
        f"<returncode>{rc}</returncode>\n<warning>\nThe output of your last command was too "
        f"long.\n</warning><output_head>\n{head}\n</output_head>\n<elided_chars>\n{elided} "
        f"characters elided\n</elided_chars>\n<output_tail>\n{tail}\n</output_tail>")}


def v1(messages: list[dict[str, Any]], *, exit_status: str = "Submitted",
       submission: str = DIFF, instance: str = "acme__widgets-101",
       model: str = "acme/coder-2", config: Any = None, **info: Any) -> dict[str, Any]:
    """A v1 trajectory: system + task + the given turns (+ the submission message)."""
    cfg = config if config is not None else {
        "agent": {"step_limit": "40", "cost_limit": "3.0"}, "model": {"model_name": model}}
    msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": TASK}, *messages]
    if exit_status == "Submitted":
        msgs.append({"role": "user", "content": submission})
    return {"info": {"exit_status": exit_status, "submission": submission,
                     "model_stats": {"instance_cost": 0.12, "api_calls": 5},
                     "mini_version": "1.15.0", "config": cfg, **info},
            "messages": msgs, "trajectory_format": "mini-swe-agent-1", "instance_id": instance}


def report(resolved: bool, f2p_ok: list[str], f2p_bad: list[str], p2p_ok: list[str],
           p2p_bad: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"patch_is_None": False, "patch_exists": True, "patch_successfully_applied": True,
            "resolved": resolved, **extra, "tests_status": {
                "FAIL_TO_PASS": {"success": f2p_ok, "failure": f2p_bad},
                "PASS_TO_PASS": {"success": p2p_ok, "failure": p2p_bad or []},
                "FAIL_TO_FAIL": {"success": [], "failure": ["tests/test_other.py::test_old"]},
                "PASS_TO_FAIL": {"success": [], "failure": []}}}


def write_run(root: Path, trajs: dict[str, dict[str, Any]],
              reports: dict[str, dict[str, Any]] | None = None) -> Path:
    """``root/trajs/<id>/<id>.traj.json`` and ``root/logs/<id>/report.json`` (the published
    layout); returns root."""
    for iid, data in trajs.items():
        d = root / "trajs" / iid
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{iid}.traj.json").write_text(json.dumps(data))
    for iid, rep in (reports or {}).items():
        d = root / "logs" / iid
        d.mkdir(parents=True, exist_ok=True)
        (d / "report.json").write_text(json.dumps(rep))
    return root
