"""Codex CLI sessions → Samples, one per file: ``codex exec --json`` output and the rollout
files Codex keeps (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``).

``codex exec --json`` events: ``thread.started`` (``thread_id``), ``item.completed`` with an
``item`` of type ``agent_message`` (text), ``command_execution`` (``command``,
``aggregated_output``, ``exit_code``), ``file_change`` (``changes`` [{path, kind}]),
``mcp_tool_call``, ``reasoning``; ``turn.completed`` (usage), ``turn.failed`` / ``error``. The
older stream (``{"id", "msg": {"type": "exec_command_begin" | "exec_command_end" |
"agent_message" | "task_complete" …}}``) is read too.

Rollout lines ``{"timestamp", "type", "payload"}``: ``session_meta`` (id), ``turn_context``
(model), ``response_item`` (Responses API items: messages, ``function_call`` ``shell`` with an
argv ``command``, ``function_call_output`` whose ``output`` is JSON with ``metadata.exit_code``
or text opening "Exit code: N", ``custom_tool_call`` ``apply_patch``), ``event_msg``. Older
rollouts (bare items after a ``{"id", "instructions"}`` line) are read too.

The final report is the agent's last message. A session that ended in ``turn.failed`` is status
"error". No official outcome of its own (``--outcomes``, or Harbor's verifier, gives one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from evalkit.grading.importers._common import Messages, head, json_lines, text_of
from evalkit.grading.importers.base import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    attach_line_errors,
    record_from_dict,
)

__all__ = ["CodexSession", "looks_like_codex", "read_codex"]

_WHAT = "one Codex CLI event per line (codex exec --json or a rollout file)"
_EXIT = re.compile(r"^Exit code:\s*(-?\d+)")
_EXEC_TYPES = (b'"thread.started"', b'"turn.started"', b'"item.completed"', b'"item.started"')
_ROLLOUT_TYPES = (b'"session_meta"', b'"turn_context"', b'"response_item"')


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.jsonl") if p.is_file())
    return [path]


def looks_like_codex(path: Path) -> bool:
    """A Codex exec --json stream or rollout file, or a folder of them (exec output files
    have no fixed name, so a folder without rollouts is judged by its first .jsonl file)."""
    if path.is_dir():
        files = sorted(path.rglob("rollout-*.jsonl")) or _files(path)[:1]
        return bool(files) and looks_like_codex(files[0])
    h = head(path)
    if any(t in h for t in _EXEC_TYPES + _ROLLOUT_TYPES):
        return b'"type"' in h
    return b'"msg"' in h and (b'"exec_command_begin"' in h or b'"task_started"' in h
                              or b'"agent_message"' in h)


def _shell_command(cmd: Any) -> str:
    """argv (["bash", "-lc", "pytest"]) or a string → the command line."""
    if isinstance(cmd, list) and all(isinstance(c, str) for c in cmd):
        if len(cmd) >= 3 and cmd[0].rsplit("/", 1)[-1] in ("bash", "sh", "zsh") and \
                cmd[1] in ("-lc", "-c"):
            return cmd[2]
        import shlex

        return shlex.join(cmd)
    if isinstance(cmd, str) and cmd.lstrip().split(" ", 1)[0].rsplit("/", 1)[-1] in (
            "bash", "sh", "zsh"):
        # exec --json gives the argv joined ("bash -lc 'pytest -q'"): the script is the command
        import shlex
        try:
            argv = shlex.split(cmd)
        except ValueError:
            return cmd
        if len(argv) == 3 and argv[1] in ("-lc", "-c"):
            return argv[2]
    return cmd if isinstance(cmd, str) else ""


def _function_output(raw: Any) -> tuple[str, int | None]:
    """A function_call_output's text and exit code (JSON {output, metadata} or plain text)."""
    if isinstance(raw, dict):
        data: Any = raw
    elif isinstance(raw, str) and raw.lstrip().startswith("{"):
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            data = None
    else:
        data = None
    if isinstance(data, dict) and "output" in data:
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        rc = meta.get("exit_code")
        return text_of(data.get("output")), rc if isinstance(rc, int) and \
            not isinstance(rc, bool) else None
    text = text_of(raw)
    m = _EXIT.match(text)
    if m:
        body = text.split("Output:\n", 1)[1] if "Output:\n" in text else text
        return body, int(m.group(1))
    return text, None


class CodexSession(Messages):
    """One Codex session's events, in order, → messages (used by the Harbor importer too)."""

    def __init__(self) -> None:
        super().__init__()
        self.session: str | None = None
        self.model: str | None = None
        self.failed: str | None = None
        self.turns = 0
        self.final: str | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self._calls: dict[str, str] = {}  # call id -> tool_use id (rollout / old stream)
        self._seen: set[str] = set()  # exec item ids already added

    # ---- codex exec --json (current)
    def exec_event(self, ev: dict[str, Any]) -> None:
        t = ev.get("type")
        if t == "thread.started":
            self.session = str(ev.get("thread_id") or "") or self.session
        elif t == "item.completed":
            item = ev.get("item")
            if not isinstance(item, dict):
                raise RecordError("field 'item': expected an object with id and type")
            self._item(item)
        elif t == "turn.completed":
            usage = ev.get("usage") if isinstance(ev.get("usage"), dict) else {}
            for key, attr in (("input_tokens", "input_tokens"), ("output_tokens",
                                                                  "output_tokens")):
                v = usage.get(key)
                if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**62:
                    setattr(self, attr, getattr(self, attr) + v)
        elif t in ("turn.failed", "error"):
            err = ev.get("error") if isinstance(ev.get("error"), dict) else ev
            self.failed = str(err.get("message") or "turn failed")[:300]

    def _item(self, item: dict[str, Any]) -> None:
        kind = item.get("type") or item.get("item_type")
        iid = str(item.get("id") or f"item_{len(self._seen)}")
        if iid in self._seen:
            return
        self._seen.add(iid)
        if kind in ("agent_message", "assistant_message"):
            self.say(text_of(item.get("text")))
        elif kind == "command_execution":
            self.turns += 1
            self.call(iid, "bash", {"command": _shell_command(item.get("command"))})
            rc = item.get("exit_code")
            rc = rc if isinstance(rc, int) and not isinstance(rc, bool) else None
            self.result(iid, text_of(item.get("aggregated_output")), rc,
                        error=item.get("status") == "failed")
        elif kind == "file_change":
            changes = item.get("changes") if isinstance(item.get("changes"), list) else []
            for k, ch in enumerate(c for c in changes if isinstance(c, dict)):
                path, how = str(ch.get("path") or ""), str(ch.get("kind") or "update")
                tid = f"{iid}#{k}"
                if how == "delete":
                    self.call(tid, "bash", {"command": f"rm {path}"})
                else:  # the patch text is not in the event: an edit of that file
                    self.add("assistant", [{"type": "tool_use", "id": tid,
                                            "name": "str_replace_based_edit_tool",
                                            "input": {"command": "create" if how == "add"
                                                      else "str_replace", "path": path}}])
                self.result(tid, f"{how} {path}", error=item.get("status") == "failed")
        elif kind == "mcp_tool_call":
            name = f"{item.get('server', 'mcp')}.{item.get('tool', 'tool')}"
            args = item.get("arguments") if isinstance(item.get("arguments"), dict) else {}
            self.call(iid, name, args)
            self.result(iid, text_of(item.get("result") or item.get("error") or ""),
                        error=item.get("status") == "failed")

    # ---- older exec stream and rollout event_msg payloads
    def msg_event(self, msg: dict[str, Any]) -> None:
        t = msg.get("type")
        if t == "agent_message" and not self._rollout_items:
            self.say(text_of(msg.get("message")))
        elif t == "exec_command_begin" and not self._rollout_items:
            cid = str(msg.get("call_id") or f"call_{self.turns}")
            self.turns += 1
            tid = f"codex_{cid}"
            self._calls[cid] = tid
            self.call(tid, "bash", {"command": _shell_command(msg.get("command"))})
        elif t == "exec_command_end" and not self._rollout_items:
            tid = self._calls.pop(str(msg.get("call_id")), None)
            if tid is not None:
                out = msg.get("aggregated_output")
                if not isinstance(out, str):
                    out = "\n".join(x for x in (text_of(msg.get("stdout")),
                                                text_of(msg.get("stderr"))) if x)
                rc = msg.get("exit_code")
                self.result(tid, out, rc if isinstance(rc, int) and not isinstance(rc, bool)
                            else None)
        elif t == "task_complete":
            last = msg.get("last_agent_message")
            if isinstance(last, str) and last.strip():
                self.final = last
        elif t == "error" or t == "stream_error":
            self.failed = str(msg.get("message") or "error")[:300]

    _rollout_items = False

    # ---- rollout response items (Responses API)
    def response_item(self, p: dict[str, Any]) -> None:
        self._rollout_items = True
        t = p.get("type")
        if t == "message":
            text = text_of(p.get("content"))
            if p.get("role") == "assistant":
                self.say(text)
            elif p.get("role") == "user":
                self.user(text)
        elif t in ("function_call", "custom_tool_call", "local_shell_call"):
            cid = str(p.get("call_id") or p.get("id") or f"call_{self.turns}")
            self.turns += 1
            name = str(p.get("name") or "shell")
            if t == "local_shell_call":
                action = p.get("action") if isinstance(p.get("action"), dict) else {}
                args: dict[str, Any] = {"command": _shell_command(action.get("command"))}
                name = "shell"
            elif t == "custom_tool_call":
                args = {"input": text_of(p.get("input"))}
            else:
                raw = p.get("arguments")
                try:
                    args = json.loads(raw) if isinstance(raw, str) else (raw or {})
                except (ValueError, RecursionError):
                    args = {"_raw_arguments": raw}
                args = args if isinstance(args, dict) else {}
                if name in ("shell", "container.exec", "local_shell") and \
                        "command" in args:
                    args = {**args, "command": _shell_command(args["command"])}
            tid = f"codex_{cid}"
            self._calls[cid] = tid
            self.call(tid, name, args)
        elif t in ("function_call_output", "custom_tool_call_output",
                   "local_shell_call_output"):
            tid = self._calls.pop(str(p.get("call_id")), None)
            if tid is not None:
                out, rc = _function_output(p.get("output"))
                self.result(tid, out, rc)

    def final_report(self) -> str | None:
        return self.final if self.final is not None else self.last_text


def session_from_lines(lines: Iterable[tuple[int, Any]], f: Path
                       ) -> tuple[CodexSession, list[TranscriptError]]:
    """Fold a file's parsed lines into one session; a bad event is an error naming its line."""
    s = CodexSession()
    lines = list(lines)
    # a rollout repeats its messages and commands as event_msg: read the items only
    s._rollout_items = any(isinstance(ev, dict) and ev.get("type") == "response_item"
                           for _, ev in lines)
    errors: list[TranscriptError] = []
    for lineno, ev in lines:
        try:
            if not isinstance(ev, dict):
                raise RecordError("expected a JSON object with a 'type'")
            t = ev.get("type")
            payload = ev.get("payload")
            if t in ("session_meta", "turn_context", "response_item", "event_msg",
                     "compacted") and isinstance(payload, dict):
                if t == "session_meta":
                    s.session = str(payload.get("id") or "") or s.session
                elif t == "turn_context":
                    s.model = str(payload.get("model") or "") or s.model
                elif t == "response_item":
                    s.response_item(payload)
                elif t == "event_msg":
                    s.msg_event(payload)
            elif isinstance(ev.get("msg"), dict):  # older exec --json stream
                s.msg_event(ev["msg"])
            elif isinstance(t, str) and "." in t or t == "error":
                s.exec_event(ev)
            elif t in ("message", "function_call", "function_call_output", "reasoning",
                       "custom_tool_call", "custom_tool_call_output", "local_shell_call"):
                s.response_item(ev)  # older rollout: bare items
            elif "instructions" in ev and "id" in ev and s.session is None:
                s.session = str(ev["id"])
            elif isinstance(ev.get("model"), str) and s.model is None:  # old exec config line
                s.model = ev["model"]
        except RecordError as exc:
            errors.append(TranscriptError(str(f), lineno, str(exc)))
    return s, errors


def record_from_session(s: CodexSession, f: Path, infer: bool = True,
                        **extra: Any) -> ImportedRecord:
    sid = s.session or f.stem
    fields: dict[str, Any] = {"turns": s.turns}
    if s.failed:
        fields.update(status="error", error=f"Codex: {s.failed}")
    if s.input_tokens or s.output_tokens:
        from evalkit.records import Usage

        fields["usage"] = Usage(input_tokens=s.input_tokens, output_tokens=s.output_tokens)
    obj = {"id": sid, "task_id": sid, "model": s.model or "unknown", "suite": "codex",
           "messages": s.messages, "final_report": None if s.failed else s.final_report(),
           **extra}
    return record_from_dict(obj, str(f), infer, checked=True, **fields)


def read_codex(path: Path, *, infer: bool = True) -> Iterator[ImportedRecord | TranscriptError]:
    files = _files(path)
    if not files:
        yield TranscriptError(str(path), None, "no .jsonl files found (expected codex exec "
                              "--json output or rollout files)")
        return
    for f in files:
        yield from attach_line_errors(_read_codex_file(f, infer))


def _read_codex_file(f: Path, infer: bool) -> Iterator[ImportedRecord | TranscriptError]:
    good: list[tuple[int, Any]] = []
    for item in json_lines(f, _WHAT):
        if isinstance(item, TranscriptError):
            yield item
        else:
            good.append(item)
    if not good:
        return
    s, errors = session_from_lines(good, f)
    yield from errors
    if not s.messages:
        yield TranscriptError(str(f), None, "no agent messages or commands found; "
                              f"expected {_WHAT}")
        return
    try:
        yield record_from_session(s, f, infer)
    except (RecordError, ValueError, TypeError) as exc:
        yield TranscriptError(str(f), None, str(exc))
