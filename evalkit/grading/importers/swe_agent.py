"""SWE-agent trajectories (``<instance>.traj``, a file or a folder of them) → Samples.

A ``.traj`` file is one JSON object: ``trajectory`` (one step per model turn: ``thought``,
``action`` — the command line the harness ran, ``observation`` — its output, ``response``),
``history`` (the chat as sent to the model; its first non-demonstration user message states the
task), ``info`` (``exit_status``, ``submission`` — the diff, ``model_stats``) and
``replay_config`` (a JSON string or object naming the model). Read from v0.7 and v1.x files.

Mapping: each step's thought is assistant text and its action a ``bash`` ``tool_use``; the
observation is the ``tool_result`` (SWE-agent records no exit code). The step whose action is
``submit`` ends the run: its thought is the final report. ``exit_status`` "submitted" is status
"ok"; an autosubmission after a limit ("submitted (exit_cost)", "exit_context" …) is status
"limit" with no report (the model did not report); any other exit is "error". The official
outcome comes from SWE-bench's ``report.json`` beside the trajectory or under ``logs/`` (see
``swebench.ReportIndex``), or from ``--outcomes``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalkit.grading.importers._common import Messages, head, read_json, text_of
from evalkit.grading.importers.base import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    record_from_dict,
)
from evalkit.grading.importers.swebench import ReportIndex, read_report

__all__ = ["looks_like_swe_agent", "read_swe_agent"]

_WHAT = "a SWE-agent trajectory (an object with trajectory, history, info)"
#: exit statuses that mean the harness stopped the agent at a limit (SWE-agent names)
_LIMITS = {"exit_cost": "budget", "exit_context": "output_tokens",
           "exit_total_execution_time": "wall_time", "exit_command_timeout": "wall_time",
           "exit_step_limit": "turns"}


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.traj") if p.is_file())
    return [path]


def looks_like_swe_agent(path: Path) -> bool:
    """A ``.traj`` file (or a folder of them) or JSON opening like one."""
    if path.is_dir():
        return next(path.rglob("*.traj"), None) is not None
    if path.suffix == ".traj":
        return True
    h = head(path).lstrip()
    return h.startswith(b"{") and b'"trajectory"' in h and (
        b'"action"' in h or b'"observation"' in h or b'"history"' in h)


def _model(data: dict[str, Any]) -> str:
    cfg = data.get("replay_config")
    if isinstance(cfg, str):
        try:
            cfg = json.loads(cfg)
        except (ValueError, RecursionError):
            cfg = None
    if isinstance(cfg, dict):
        agent = cfg.get("agent") if isinstance(cfg.get("agent"), dict) else {}
        model = agent.get("model") if isinstance(agent.get("model"), dict) else {}
        name = model.get("name") or model.get("model_name")
        if isinstance(name, str) and name:
            return name
    for key in ("model_name", "model"):
        v = (data.get("info") or {}).get(key) if isinstance(data.get("info"), dict) else None
        if isinstance(v, str) and v:
            return v
    return "unknown"


def _task(history: Any) -> str:
    if not isinstance(history, list):
        return ""
    for m in history:
        # SWE-agent 1.x writes the instance template as message_type "observation" (the
        # first non-demonstration user message); later observations come after it
        if isinstance(m, dict) and m.get("role") == "user" and not m.get("is_demo") and \
                m.get("message_type") != "demonstration":
            return text_of(m.get("content"))
    return ""


def record_from_traj(data: Any, f: Path, index: ReportIndex | None, run_id: str,
                     infer: bool = True) -> tuple[ImportedRecord, TranscriptError | None]:
    """One parsed .traj → record (+ an error about its report.json, which does not stop it)."""
    if not isinstance(data, dict):
        raise RecordError(f"expected {_WHAT}, got {type(data).__name__}")
    steps = data.get("trajectory")
    if not isinstance(steps, list):
        raise RecordError("field 'trajectory': expected a list of steps {thought, action, "
                          "observation}")
    info = data.get("info", {})
    if not isinstance(info, dict):
        raise RecordError("field 'info': expected an object (exit_status, submission)")
    conv = Messages()
    conv.user(_task(data.get("history")))
    submit_thought: str | None = None
    last_thought = ""
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise RecordError(f"field 'trajectory[{i}]': expected a step object")
        action = step.get("action")
        if action is not None and not isinstance(action, str):
            raise RecordError(f"field 'trajectory[{i}].action': expected the command as a string")
        thought = step.get("thought")
        thought = thought if isinstance(thought, str) else text_of(step.get("response"))
        conv.say(thought)
        last_thought = thought or last_thought
        cmd = (action or "").strip()
        if not cmd:
            continue
        cid = f"swea_{i}"
        conv.call(cid, "bash", {"command": cmd})
        obs = step.get("observation")
        conv.result(cid, obs if isinstance(obs, str) else text_of(obs))
        if cmd.split()[0] == "submit":
            submit_thought = thought or ""
    exit_status = str(info.get("exit_status") or "")
    fields: dict[str, Any] = {"turns": len(steps)}
    stats = info.get("model_stats") if isinstance(info.get("model_stats"), dict) else {}
    cost = stats.get("instance_cost")
    if isinstance(cost, int | float) and not isinstance(cost, bool) and 0 <= cost < 1e9:
        fields["cost_usd"] = float(cost)
    report: str | None = None
    low = exit_status.lower()
    limit = next((kind for key, kind in _LIMITS.items() if key in low), None)
    if low == "submitted":
        fields["status"] = "ok"
        report = submit_thought if submit_thought is not None else last_thought
    elif limit is not None or "limit" in low:
        fields["status"] = "limit"
        fields["limit"] = limit
    else:
        fields["status"] = "error"
        fields["error"] = (f"SWE-agent exit status {exit_status}" if exit_status else
                           "trajectory has no info.exit_status (the run did not finish)")
    iid = f.name[: -len(".traj")] if f.name.endswith(".traj") else f.stem
    outcome = None
    report_err: TranscriptError | None = None
    rpath = index.find(f, iid) if index is not None else None
    if rpath is not None:
        try:
            outcome = read_report(rpath, iid)
        except RecordError as exc:
            report_err = TranscriptError(str(rpath), None, f"{exc} (the sample {iid} is graded "
                                         "without an official outcome)")
    submission = info.get("submission")
    diff = submission if isinstance(submission, str) and "diff --git" in submission else ""
    obj = {"id": iid, "task_id": iid, "model": _model(data), "run_id": run_id,
           "suite": "swe-bench", "messages": conv.messages, "final_report": report,
           "diff": diff}
    return record_from_dict(obj, str(f), infer, outcome=outcome, checked=True, **fields), \
        report_err


def read_swe_agent(path: Path, *, infer: bool = True
                   ) -> Iterator[ImportedRecord | TranscriptError]:
    """Every .traj under ``path``; a broken one is a TranscriptError naming it, the rest go on."""
    files = _files(path)
    if not files:
        yield TranscriptError(str(path), None, "no .traj files found (expected a SWE-agent "
                              "trajectory or a folder of them)")
        return
    index = ReportIndex(path)
    base = path if path.is_dir() else path.parent
    run_id = base.name or "import"
    for f in files:
        data = read_json(f, _WHAT)
        if isinstance(data, TranscriptError):
            yield data
            continue
        try:
            rec, err = record_from_traj(data, f, index, run_id, infer)
        except (RecordError, ValueError, TypeError) as exc:
            yield TranscriptError(str(f), None, str(exc))
            continue
        if err is not None:
            yield err
        yield rec
