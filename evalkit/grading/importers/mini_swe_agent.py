"""mini-swe-agent trajectories (``.traj.json``, a file or a folder of them) → Samples.

Layouts read (``trajectory_format`` ``mini-swe-agent-1`` of v1.x and ``mini-swe-agent-1.1`` of
v2): text-based turns, where the one command block of an assistant message (```bash, ```sh or
```mswea_bash_command; the config's ``action_regex`` when it has one) is the agent's action and
the next user message (``<returncode>N</returncode><output>…</output>``, its head/tail variant
for long output, the timeout message, or a v2 message with ``extra.returncode``) is its result;
and tool-call turns (assistant ``tool_calls``, ``role: "tool"`` results, Responses API items),
ending with a ``role: "exit"`` message in v2.

Conversion: an assistant turn's THOUGHT becomes a text block and its command a ``bash``
``tool_use``; the observation becomes the matching ``tool_result`` (its output, with
``[exit code N]`` appended as the harness reported it; ``is_error`` when N != 0 or the command
timed out). A turn without exactly one command block was rejected by the harness: its text stays
text, and the format-error nag that follows is user text, not a tool result.

The final report is the THOUGHT of the turn that submitted (``echo
COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`` or ``MINI_SWE_AGENT_FINAL_OUTPUT``), without its command.
``info.exit_status`` other than Submitted gives status "limit" (LimitsExceeded) or "error" and no
report. ``info.submission`` is the diff; the model comes from the config; the official outcome
from SWE-bench's ``report.json`` when one is found (``swebench.ReportIndex``), else None.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalkit.grading.importers.base import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    record_from_dict,
)
from evalkit.grading.importers.openai_chat import map_tool_call
from evalkit.grading.importers.swebench import ReportIndex, read_report

__all__ = ["convert", "looks_like_trajectory", "read_mini_swe_agent", "trajectory_files"]

DEFAULT_ACTION = re.compile(r"```(?:bash|sh|mswea_bash_command)[ \t]*\n(.*?)\n```", re.S)
SUBMIT_MARKERS = ("COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT", "MINI_SWE_AGENT_FINAL_OUTPUT")
_RC = re.compile(r"<returncode>\s*(-?\d+)\s*</returncode>")
_ELIDED = re.compile(r"<elided_chars>\s*(\d+)")
_THOUGHT = re.compile(r"^\s*(?:\*\*)?THOUGHT(?:\*\*)?\s*:?\s*", re.I)
_SWEBENCH_ID = re.compile(r"^[\w.-]+__[\w.-]+-\d+$")
_TRAJ_SUFFIXES = (".traj.json", ".traj")


# ------------------------------------------------------------------------- finding files

def trajectory_files(path: Path) -> list[Path]:
    """The trajectories under ``path`` (itself when it is a file)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*.traj.json") if p.is_file())
    return [path]


def looks_like_trajectory(path: Path) -> bool:
    """A .traj.json file, a folder holding one, or JSON that opens like a trajectory."""
    if path.is_dir():
        return next(path.rglob("*.traj.json"), None) is not None
    if path.name.endswith(_TRAJ_SUFFIXES):
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    head = head.lstrip()
    return head.startswith(b"{") and (b'"mini_version"' in head or b'"trajectory_format"' in head
                                      or head.startswith(b'{"info"'))


def _instance_of(data: dict[str, Any], f: Path) -> str:
    iid = data.get("instance_id")
    if isinstance(iid, str) and iid:
        return iid
    name = f.name
    for suffix in _TRAJ_SUFFIXES + (".json",):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _run_name(given: Path) -> str:
    base = given if given.is_dir() else given.parent
    if given.is_file() and base.name == _instance_of({}, given):
        base = base.parent
    if base.name == "trajs":
        base = base.parent
    return base.name or "import"


# ------------------------------------------------------------------------- config

def _config(info: dict[str, Any]) -> dict[str, Any]:
    cfg = info.get("config")
    if isinstance(cfg, str):  # some versions store the config's repr
        try:
            cfg = ast.literal_eval(cfg)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            cfg = {}
    return cfg if isinstance(cfg, dict) else {}


def _section(cfg: dict[str, Any], key: str) -> dict[str, Any]:
    v = cfg.get(key)
    return v if isinstance(v, dict) else {}


def _number(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _model(cfg: dict[str, Any], messages: list[Any]) -> str:
    name = _section(cfg, "model").get("model_name")
    if isinstance(name, str) and name:
        return name
    for m in messages:
        resp = (m.get("extra") or {}).get("response") if isinstance(m, dict) else None
        if isinstance(resp, dict) and isinstance(resp.get("model"), str):
            return str(resp["model"])
    return "unknown"


def _action_regex(cfg: dict[str, Any]) -> re.Pattern[str]:
    for sec in ("model", "agent"):
        raw = _section(cfg, sec).get("action_regex")
        if isinstance(raw, str) and raw:
            try:
                return re.compile(raw, re.S)
            except re.error:
                break
    return DEFAULT_ACTION


# ------------------------------------------------------------------------- messages

def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) if isinstance(p, dict) else str(p)
                         for p in content if isinstance(p, dict | str))
    return str(content)


def _between(text: str, start: str, end: str) -> str | None:
    i = text.find(start)
    if i < 0:
        return None
    j = text.rfind(end)
    body = text[i + len(start): j if j > i else len(text)]
    return body[1:] if body.startswith("\n") else body


def _observation(m: dict[str, Any]) -> tuple[str, int | None, bool] | None:
    """(output, return code, timed out) when ``m`` reports a command's result, else None."""
    extra = m.get("extra") if isinstance(m.get("extra"), dict) else {}
    if extra.get("interrupt_type") == "FormatError":
        return None
    if "returncode" in extra or "raw_output" in extra:  # v2
        raw = extra.get("raw_output")
        out = raw if isinstance(raw, str) else _text(m.get("content") or m.get("output"))
        rc = extra.get("returncode")
        info = str(extra.get("exception_info") or "")
        timed_out = "timed out" in info.lower() or "timeout" in info.lower()
        if info:
            out = f"{out}\n[{info}]" if out else f"[{info}]"
        return out, rc if isinstance(rc, int) else None, timed_out
    text = _text(m.get("content") if "content" in m else m.get("output"))
    head = text[:300]
    rc_m = _RC.search(head)
    if rc_m:
        rc = int(rc_m.group(1))
        if "<output_head>" in text:
            h = (_between(text, "<output_head>", "</output_head>") or "").rstrip("\n")
            t = (_between(text, "<output_tail>", "</output_tail>") or "").rstrip("\n")
            n = _ELIDED.search(text)
            return f"{h}\n[... {n.group(1) if n else 'some'} characters elided ...]\n{t}", rc, False
        body = _between(text, "<output>", "</output>")
        return (body if body is not None else text[rc_m.end():].lstrip("\n")), rc, False
    if text.startswith("The last command") and "timed out" in head:
        body = _between(text, "<output>", "</output>")
        return (body or "").rstrip() + "\n[timed out: the harness killed the command]", None, True
    if m.get("role") == "tool" or m.get("type") == "function_call_output":
        return text, None, False
    return None


def _result(call_id: str, obs: tuple[str, int | None, bool]) -> dict[str, Any]:
    out, rc, timed_out = obs
    text = out if rc is None else f"{out.rstrip()}\n[exit code {rc}]"
    return {"type": "tool_result", "tool_use_id": call_id, "content": text,
            "is_error": bool(timed_out or (rc is not None and rc != 0))}


def _is_submit(command: str) -> bool:
    return "_FINAL_OUTPUT" in command and any(mark in command for mark in SUBMIT_MARKERS)


class _Conv:
    """State of one trajectory's conversion."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.pending: list[str] = []  # tool_use ids awaiting a result, in order
        self.last_thought: str | None = None  # THOUGHT of the last turn that ran a command
        self.submit_thought: str | None = None  # THOUGHT of the last submitting turn
        self.turns = 0
        self.exit_status: str | None = None
        self.exit_submission: str | None = None

    def add(self, role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if self.messages and self.messages[-1]["role"] == role:
            self.messages[-1]["content"].extend(blocks)
        else:
            self.messages.append({"role": role, "content": blocks})

    def user_text(self, text: str) -> None:
        if text.strip():
            self.add("user", [{"type": "text", "text": text}])

    def results(self, obs: tuple[str, int | None, bool], call_id: str | None = None) -> None:
        if call_id is None or call_id not in self.pending:
            call_id = self.pending[0]
        self.pending.remove(call_id)
        self.add("user", [_result(call_id, obs)])


def _thought(text: str) -> str:
    return _THOUGHT.sub("", text, count=1).strip()


def convert(raw_messages: list[Any], action: re.Pattern[str] = DEFAULT_ACTION) -> _Conv:
    """Walk a trajectory's messages (raises RecordError naming ``messages[i]``)."""
    c = _Conv()
    n = len(raw_messages)
    for i, m in enumerate(raw_messages):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            raise RecordError(f"field '{where}': expected a message object")
        role = m.get("role")
        mtype = m.get("type") if role is None else None
        if role in ("system", "developer"):
            continue
        if role == "exit":
            extra = m.get("extra") if isinstance(m.get("extra"), dict) else {}
            c.exit_status = str(extra.get("exit_status") or "") or None
            sub = extra.get("submission", m.get("content"))
            c.exit_submission = sub if isinstance(sub, str) else None
            while c.pending:  # the submit command's output is the submission
                c.results((c.exit_submission or "", None, False))
            continue
        if role == "assistant" or (mtype == "message" and m.get("role", "assistant") ==
                                   "assistant") or mtype in ("function_call", "local_shell_call"):
            _assistant(c, m, raw_messages[i + 1] if i + 1 < n else None, action, where)
            continue
        if role in ("user", "tool") or mtype in ("function_call_output", "message"):
            if role is not None and not isinstance(m.get("content"), str | list | None):
                raise RecordError(f"field '{where}.content': expected a string or a list of "
                                  "content parts")
            obs = _observation(m) if c.pending else None
            if obs is not None:
                c.results(obs, str(m.get("tool_call_id") or m.get("call_id") or "") or None)
            elif c.pending and c.submit_thought is not None and i == _last_non_exit(raw_messages):
                # v1: the message after the submitting command is the submission itself
                c.results((_text(m.get("content")), None, False))
            else:
                c.pending.clear()  # a command without an observation (nag, interruption)
                c.user_text(_text(m.get("content")))
            continue
        raise RecordError(f"field '{where}.role': expected 'system', 'user', 'assistant', "
                          f"'tool' or 'exit', got {role!r}")
    return c


def _last_non_exit(msgs: list[Any]) -> int:
    for j in range(len(msgs) - 1, -1, -1):
        if not (isinstance(msgs[j], dict) and msgs[j].get("role") == "exit"):
            return j
    return -1


def _assistant(c: _Conv, m: dict[str, Any], nxt: Any, action: re.Pattern[str],
               where: str) -> None:
    c.turns += 1
    mtype = m.get("type")
    if mtype in ("function_call", "local_shell_call"):  # Responses API item
        args_raw = m.get("arguments")
        try:
            args = json.loads(args_raw) if isinstance(args_raw, str) else (args_raw or {})
        except ValueError:
            args = {"_raw_arguments": args_raw}
        if mtype == "local_shell_call":
            args = {"command": ((m.get("action") or {}).get("command") or "")}
        _calls(c, [(str(m.get("call_id") or m.get("id") or f"call_{c.turns}"),
                    str(m.get("name") or "bash"), args if isinstance(args, dict) else {})], None)
        return
    content = m.get("content")
    if not isinstance(content, str | list | None):
        raise RecordError(f"field '{where}.content': expected a string or a list of parts")
    text = _text(content)
    calls = m.get("tool_calls")
    if calls:  # v2 tool calling
        if not isinstance(calls, list):
            raise RecordError(f"field '{where}.tool_calls': expected a list of "
                              "{id, function: {name, arguments}}")
        parsed = []
        for k, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict):
                raise RecordError(f"field '{where}.tool_calls[{k}].function': expected "
                                  "{name, arguments}")
            raw = fn.get("arguments")
            try:
                args = json.loads(raw) if isinstance(raw, str) else (raw or {})
            except ValueError:
                args = {"_raw_arguments": raw}
            parsed.append((str(call.get("id") or f"call_{c.turns}_{k}"),
                           str(fn.get("name") or "bash"), args if isinstance(args, dict) else {}))
        _calls(c, parsed, _thought(text))
        return
    found = list(action.finditer(text))
    runs = bool(found) and _ran(nxt, found)
    if not runs:
        c.pending.clear()
        if text.strip():
            c.add("assistant", [{"type": "text", "text": text}])
        return
    hit = found[-1]
    thought = _thought(text[:hit.start()] + text[hit.end():])
    cmd = (hit.group(1) if hit.groups() else hit.group(0)).strip()
    tid = f"msa_{c.turns}"  # the common case, without the generic mapping of _calls
    use = {"type": "tool_use", "id": tid, "name": "bash", "input": {"command": cmd}}
    c.add("assistant", [{"type": "text", "text": thought}, use] if thought else [use])
    c.pending[:] = [tid]
    c.last_thought = thought
    if _is_submit(cmd):
        c.submit_thought = thought


def _ran(nxt: Any, found: list[re.Match[str]]) -> bool:
    """Did the harness run this turn's command? Exactly one block, or a next message that is its
    result (a config may accept more than one block)."""
    if not isinstance(nxt, dict):
        return len(found) == 1  # last message: a trajectory cut short after the command
    if nxt.get("role") == "exit":
        return True
    extra = nxt.get("extra") if isinstance(nxt.get("extra"), dict) else {}
    if extra.get("interrupt_type") == "FormatError":
        return False
    if len(found) == 1:
        return True
    return _observation(nxt) is not None


def _calls(c: _Conv, calls: list[tuple[str, str, dict[str, Any]]], thought: str | None) -> None:
    blocks: list[dict[str, Any]] = []
    if thought:
        blocks.append({"type": "text", "text": thought})
    c.pending.clear()
    submitting = False
    for cid, name, args in calls:
        for k, mapped in enumerate(map_tool_call(name, args)):
            tid = cid if k == 0 else f"{cid}#{k}"
            blocks.append({"type": "tool_use", "id": tid, "name": mapped["name"],
                           "input": mapped["input"]})
            if k == 0:
                c.pending.append(tid)
            cmd = mapped["input"].get("command")
            submitting = submitting or (isinstance(cmd, str) and _is_submit(cmd))
    c.add("assistant", blocks)
    if thought is not None:
        c.last_thought = thought
    if submitting:
        c.submit_thought = thought if thought is not None else ""


# ------------------------------------------------------------------------- records

def _limit_kind(cfg: dict[str, Any], info: dict[str, Any]) -> str | None:
    agent = _section(cfg, "agent")
    stats = info.get("model_stats") if isinstance(info.get("model_stats"), dict) else {}
    steps, calls = _number(agent.get("step_limit")), _number(stats.get("api_calls"))
    cost_limit, cost = _number(agent.get("cost_limit")), _number(stats.get("instance_cost"))
    if steps and calls is not None and calls >= steps:
        return "turns"
    if cost_limit and cost is not None and cost >= cost_limit:
        return "budget"
    return None


def record_from_trajectory(data: Any, f: Path, index: ReportIndex | None, run_id: str,
                           infer: bool = True) -> tuple[ImportedRecord, TranscriptError | None]:
    """One parsed trajectory → record (+ an error about its report.json, which does not stop
    the sample: it is graded without an outcome)."""
    if not isinstance(data, dict):
        raise RecordError(f"expected a JSON object (a mini-swe-agent trajectory), got "
                          f"{type(data).__name__}")
    msgs = data.get("messages")
    if not isinstance(msgs, list):
        raise RecordError("field 'messages': expected a list of chat messages (a mini-swe-agent "
                          "trajectory has info, messages, trajectory_format)")
    info = data.get("info", {})
    if not isinstance(info, dict):
        raise RecordError("field 'info': expected an object (exit_status, submission, config)")
    cfg = _config(info)
    conv = convert(msgs, _action_regex(cfg))
    iid = _instance_of(data, f)
    status_raw = info.get("exit_status") or conv.exit_status
    exit_status = str(status_raw) if status_raw else None
    submission = info.get("submission")
    if not isinstance(submission, str):
        submission = conv.exit_submission or ""
    fields: dict[str, Any] = {"turns": conv.turns}
    stats = info.get("model_stats") if isinstance(info.get("model_stats"), dict) else {}
    cost = _number(stats.get("instance_cost"))
    if cost is not None:
        fields["cost_usd"] = cost
    report: str | None = None
    if exit_status and exit_status.lower() == "submitted":
        fields["status"] = "ok"
        report = conv.submit_thought if conv.submit_thought is not None else conv.last_thought
        report = report or ""
    elif exit_status and "limit" in exit_status.lower():  # LimitsExceeded and kin
        fields["status"] = "limit"
        fields["limit"] = _limit_kind(cfg, info)
    else:
        fields["status"] = "error"
        detail = submission.strip().splitlines()[0][:200] if submission.strip() else ""
        fields["error"] = (f"mini-swe-agent exit status {exit_status}" + (f": {detail}"
                                                                          if detail else "")
                           if exit_status else "trajectory has no info.exit_status (the run "
                           "did not finish)")
    outcome = None
    report_err: TranscriptError | None = None
    rpath = index.find(f, iid) if index is not None else None
    if rpath is not None:
        try:
            outcome = read_report(rpath, iid)
        except RecordError as exc:
            report_err = TranscriptError(str(rpath), None, f"{exc} (the sample {iid} is graded "
                                         "without an official outcome)")
    is_swebench = rpath is not None or bool(_SWEBENCH_ID.match(iid))
    system = next((_text(m.get("content")) for m in msgs if isinstance(m, dict)
                   and m.get("role") == "system"), "")
    obj = {"id": iid, "task_id": iid, "model": _model(cfg, msgs), "run_id": run_id,
           "suite": "swe-bench" if is_swebench else "mini-swe-agent",
           "messages": conv.messages, "final_report": report,
           "diff": submission if submission.startswith(("diff --git", "--- ")) or
           "\ndiff --git" in submission else "",
           "system_prompt": system}
    rec = record_from_dict(obj, str(f), infer, outcome=outcome, checked=True, **fields)
    return rec, report_err


def read_mini_swe_agent(path: Path, *, infer: bool = True
                        ) -> Iterator[ImportedRecord | TranscriptError]:
    """Every trajectory under ``path``; a broken one is a TranscriptError, the rest go on."""
    files = trajectory_files(path)
    if not files:
        yield TranscriptError(str(path), None, "no .traj.json files found (expected a "
                              "mini-swe-agent trajectory or a folder of them)")
        return
    index = ReportIndex(path)
    run_id = _run_name(path)
    for f in files:
        try:
            raw = f.read_bytes()
        except OSError as exc:
            yield TranscriptError(str(f), None, f"cannot open: {exc.strerror or exc}")
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield TranscriptError(str(f), exc.lineno, f"not valid JSON ({exc.msg} at column "
                                  f"{exc.colno}); expected a mini-swe-agent trajectory")
            continue
        except ValueError as exc:  # undecodable bytes
            yield TranscriptError(str(f), None, f"not valid JSON ({exc}); expected a "
                                  "mini-swe-agent trajectory")
            continue
        try:
            rec, err = record_from_trajectory(data, f, index, run_id, infer)
        except (RecordError, ValueError, TypeError) as exc:
            yield TranscriptError(str(f), None, str(exc))
            continue
        if err is not None:
            yield err
        yield rec
