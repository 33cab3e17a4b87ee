"""OpenAI-shaped messages → Anthropic-shaped ones, so the evidence collector sees the commands.

Read: Chat Completions messages (assistant ``tool_calls`` [{id, type: "function", function:
{name, arguments: JSON string}}], the legacy ``function_call``, ``role: "tool"`` with
``tool_call_id`` and ``role: "function"`` results, content as a string or a list of parts,
``system``/``developer`` turns) and Responses API items (``{"type": "message"}``,
``function_call`` with ``call_id``, ``function_call_output``, ``reasoning``).

Tool names and arguments are mapped to what ``evidence`` understands: shell tools (``bash``,
``shell``, ``execute_command``, ``run_terminal_cmd`` … with ``command``/``cmd``/``script``,
a string or an argv list) become ``bash`` {"command"}; Python runners become a ``python -
<<EOF`` command; editors (``str_replace_editor``, ``edit_file``, ``write_file``, ``read_file``
…) become ``str_replace_based_edit_tool`` calls; ``apply_patch`` becomes one editor call per
file of the patch. Unknown tools keep their name and arguments.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from evalkit.grading.importers.base import RecordError

__all__ = ["is_openai_shaped", "map_tool_call", "to_anthropic"]

_OPENAI_ROLES = frozenset({"tool", "function", "developer"})
_RESPONSES_TYPES = frozenset({"function_call", "function_call_output", "reasoning", "message",
                              "custom_tool_call", "custom_tool_call_output", "local_shell_call",
                              "local_shell_call_output"})

SHELL_TOOLS = frozenset({
    "bash", "shell", "sh", "execute_command", "run_command", "execute_bash", "run_bash",
    "bash_tool", "terminal", "run_terminal_cmd", "run_shell_command", "shell_exec", "exec",
    "exec_command", "execute", "run", "cmd", "command", "container.exec", "local_shell",
    "Bash",
})
PYTHON_TOOLS = frozenset({"python", "execute_python", "run_python", "ipython", "python_exec",
                          "execute_ipython_cell", "jupyter"})
EDIT_TOOLS = frozenset({"str_replace_editor", "str_replace_based_edit_tool", "text_editor",
                        "edit_tool", "file_editor"})
WRITE_TOOLS = frozenset({"write_file", "create_file", "write", "save_file", "write_to_file",
                         "create", "new_file"})
REPLACE_TOOLS = frozenset({"edit_file", "edit", "replace", "str_replace", "replace_in_file",
                           "apply_edit", "search_replace", "update_file", "modify_file"})
READ_TOOLS = frozenset({"read_file", "view_file", "open_file", "read", "view", "cat_file",
                        "open"})
PATCH_TOOLS = frozenset({"apply_patch", "patch"})

_PATH_KEYS = ("path", "file_path", "filepath", "filename", "file", "target_file", "notebook_path")


def is_openai_shaped(messages: list[Any]) -> bool:
    """Does this message list use OpenAI features (tool calls, tool roles, Responses items)?"""
    for m in messages:
        if not isinstance(m, dict):
            continue
        if m.get("role") in _OPENAI_ROLES or "tool_calls" in m or "function_call" in m:
            return True
        if "role" not in m and m.get("type") in _RESPONSES_TYPES:
            return True
    return False


def _text(content: Any, field: str) -> str:
    """Text of an OpenAI content value: a string, None, or a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                t = part.get("text")
                if t is None and part.get("type") == "refusal":
                    t = part.get("refusal")
                if isinstance(t, str):
                    parts.append(t)
        return "\n".join(parts)
    raise RecordError(f"field '{field}': expected a string or a list of content parts")


def _arguments(raw: Any) -> dict[str, Any]:
    """A call's arguments: JSON text (as the API sends it) or an object; broken JSON is kept
    as ``{"_raw_arguments": text}`` (the model's malformed call, not a malformed file)."""
    if isinstance(raw, dict):
        return raw
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            val = json.loads(raw)
        except ValueError:
            return {"_raw_arguments": raw}
        return val if isinstance(val, dict) else {"_raw_arguments": raw}
    return {"_raw_arguments": str(raw)}


def _command_of(args: dict[str, Any]) -> str | None:
    for key in ("command", "cmd", "script", "commands", "bash_command", "shell_command"):
        v = args.get(key)
        if isinstance(v, str):
            return v
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            # argv: ["bash", "-lc", "pytest -q"] is the shell running its last element
            if len(v) >= 3 and v[0].rsplit("/", 1)[-1] in ("bash", "sh", "zsh") \
                    and v[1] in ("-c", "-lc", "-lic", "-ic"):
                return v[2]
            return shlex.join(v)
    return None


def _path_of(args: dict[str, Any]) -> str:
    for key in _PATH_KEYS:
        v = args.get(key)
        if isinstance(v, str):
            return v
    return ""


def _first_str(args: dict[str, Any], *keys: str) -> str:
    for key in keys:
        v = args.get(key)
        if isinstance(v, str):
            return v
    return ""


def _patch_edits(patch: str) -> list[dict[str, Any]]:
    """``*** Begin Patch`` text (codex's apply_patch) → one editor/shell input per file."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in patch.splitlines():
        for marker, kind in (("*** Add File: ", "add"), ("*** Update File: ", "update"),
                             ("*** Delete File: ", "delete")):
            if line.startswith(marker):
                current = {"kind": kind, "path": line[len(marker):].strip(), "old": [],
                           "new": []}
                out.append(current)
                break
        else:
            if current is None or line.startswith(("*** ", "@@")):
                continue
            if line.startswith("+"):
                current["new"].append(line[1:])
            elif line.startswith("-"):
                current["old"].append(line[1:])
            elif line.startswith(" ") and current["kind"] == "update":
                current["old"].append(line[1:])
                current["new"].append(line[1:])
    edits: list[dict[str, Any]] = []
    for f in out:
        if f["kind"] == "delete":
            edits.append({"name": "bash", "input": {"command": "rm " + shlex.quote(f["path"])}})
        elif f["kind"] == "add":
            edits.append({"name": "str_replace_based_edit_tool",
                          "input": {"command": "create", "path": f["path"],
                                    "file_text": "\n".join(f["new"])}})
        else:
            edits.append({"name": "str_replace_based_edit_tool",
                          "input": {"command": "str_replace", "path": f["path"],
                                    "old_str": "\n".join(f["old"]),
                                    "new_str": "\n".join(f["new"])}})
    return edits


def map_tool_call(name: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    """One OpenAI tool call → the (name, input) pairs evidence understands (usually one)."""
    low = name.lower()
    base = low.rsplit(".", 1)[-1].rsplit("__", 1)[-1]  # "functions.bash", "mcp__x__bash"
    if base in PATCH_TOOLS or low in PATCH_TOOLS:
        patch = _first_str(args, "input", "patch", "diff", "_raw_arguments")
        edits = _patch_edits(patch) if "*** " in patch else []
        if edits:
            return edits
        cmd = _command_of(args)
        if cmd is not None and "*** Begin Patch" in cmd:
            return _patch_edits(cmd) or [{"name": name, "input": args}]
        return [{"name": name, "input": args}]
    if base in EDIT_TOOLS or low in EDIT_TOOLS:
        return [{"name": "str_replace_based_edit_tool", "input": args}]
    if base in PYTHON_TOOLS:
        code = _first_str(args, "code", "source", "script", "command", "input")
        return [{"name": "bash", "input": {"command": f"python - <<'EOF'\n{code}\nEOF"}}]
    if base in SHELL_TOOLS or low in SHELL_TOOLS:
        cmd = _command_of(args)
        if cmd is None:
            cmd = _first_str(args, "input", "_raw_arguments")
        if "*** Begin Patch" in cmd and "apply_patch" in cmd:
            return _patch_edits(cmd) or [{"name": "bash", "input": {"command": cmd}}]
        return [{"name": "bash", "input": {"command": cmd}}]
    path = _path_of(args)
    if base in WRITE_TOOLS and path:
        return [{"name": "str_replace_based_edit_tool",
                 "input": {"command": "create", "path": path,
                           "file_text": _first_str(args, "content", "contents", "file_text",
                                                   "text", "data")}}]
    if base in REPLACE_TOOLS and path:
        return [{"name": "str_replace_based_edit_tool",
                 "input": {"command": "str_replace", "path": path,
                           "old_str": _first_str(args, "old_str", "old_string", "old", "search",
                                                 "old_text", "find"),
                           "new_str": _first_str(args, "new_str", "new_string", "new", "replace",
                                                 "new_text", "replacement", "content")}}]
    if base in READ_TOOLS and path:
        return [{"name": "str_replace_based_edit_tool",
                 "input": {"command": "view", "path": path}}]
    return [{"name": name, "input": args}]


class _Builder:
    """Appends Anthropic blocks, merging consecutive blocks of the same role."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.count = 0

    def add(self, role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if self.messages and self.messages[-1]["role"] == role:
            self.messages[-1]["content"].extend(blocks)
        else:
            self.messages.append({"role": role, "content": list(blocks)})

    def tool_uses(self, call_id: Any, name: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        self.count += 1
        cid = str(call_id) if call_id not in (None, "") else f"call_{self.count}"
        out = []
        for k, m in enumerate(map_tool_call(name, args)):
            out.append({"type": "tool_use", "id": cid if k == 0 else f"{cid}#{k}",
                        "name": m["name"], "input": m["input"]})
        return out


def _result(call_id: Any, text: str, is_error: bool | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": str(call_id or ""),
                             "content": text}
    if is_error is not None:
        block["is_error"] = is_error
    return block


def to_anthropic(messages: list[Any], *, field: str = "messages") -> list[dict[str, Any]]:
    """Convert one OpenAI-shaped message list (system turns dropped; see ``system_text``)."""
    b = _Builder()
    for i, m in enumerate(messages):
        where = f"{field}[{i}]"
        if not isinstance(m, dict):
            raise RecordError(f"field '{where}': expected a message object")
        role = m.get("role")
        mtype = m.get("type")
        if role is None and mtype in _RESPONSES_TYPES:
            _responses_item(b, m, where)
            continue
        if role in ("system", "developer"):
            continue
        if role in ("tool", "function"):
            cid = m.get("tool_call_id") if role == "tool" else (m.get("tool_call_id") or
                                                                 m.get("name"))
            if role == "tool" and not m.get("tool_call_id"):
                raise RecordError(f"field '{where}.tool_call_id': required for a role 'tool' "
                                  "message (the id of the call it answers)")
            b.add("user", [_result(cid, _text(m.get("content"), f"{where}.content"))])
            continue
        if role == "user":
            content = m.get("content")
            if isinstance(content, list) and any(isinstance(p, dict) and p.get("type") in
                                                 ("tool_result", "tool_use") for p in content):
                b.add("user", [p for p in content if isinstance(p, dict)])  # Anthropic already
            else:
                text = _text(content, f"{where}.content")
                b.add("user", [{"type": "text", "text": text}] if text else [])
            continue
        if role != "assistant":
            raise RecordError(f"field '{where}.role': expected 'system', 'developer', 'user', "
                              f"'assistant' or 'tool', got {role!r}")
        blocks: list[dict[str, Any]] = []
        content = m.get("content")
        if isinstance(content, list) and any(isinstance(p, dict) and p.get("type") == "tool_use"
                                             for p in content):
            blocks.extend(p for p in content if isinstance(p, dict))  # Anthropic already
        else:
            text = _text(content, f"{where}.content")
            if text.strip():
                blocks.append({"type": "text", "text": text})
        calls = m.get("tool_calls")
        if calls is not None:
            if not isinstance(calls, list):
                raise RecordError(f"field '{where}.tool_calls': expected a list of "
                                  "{id, type: 'function', function: {name, arguments}}")
            for k, call in enumerate(calls):
                fn = call.get("function") if isinstance(call, dict) else None
                if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                    raise RecordError(f"field '{where}.tool_calls[{k}].function': expected "
                                      "{name, arguments}")
                blocks.extend(b.tool_uses(call.get("id"), fn["name"],
                                          _arguments(fn.get("arguments"))))
        fc = m.get("function_call")
        if isinstance(fc, dict) and isinstance(fc.get("name"), str):
            blocks.extend(b.tool_uses(fc["name"], fc["name"], _arguments(fc.get("arguments"))))
        b.add("assistant", blocks)
    return b.messages


def _responses_item(b: _Builder, m: dict[str, Any], where: str) -> None:
    mtype = m.get("type")
    if mtype == "reasoning":
        return
    if mtype == "message":
        role = m.get("role") or "assistant"
        if role in ("system", "developer"):
            return
        text = _text(m.get("content"), f"{where}.content")
        b.add("assistant" if role == "assistant" else "user",
              [{"type": "text", "text": text}] if text else [])
        return
    if mtype in ("function_call", "custom_tool_call"):
        name = m.get("name")
        if not isinstance(name, str):
            raise RecordError(f"field '{where}.name': expected the called function's name")
        args = _arguments(m.get("arguments")) if mtype == "function_call" else \
            {"input": m.get("input")}
        b.add("assistant", b.tool_uses(m.get("call_id") or m.get("id"), name, args))
        return
    if mtype == "local_shell_call":
        action = m.get("action") if isinstance(m.get("action"), dict) else {}
        b.add("assistant", b.tool_uses(m.get("call_id") or m.get("id"), "shell",
                                       {"command": action.get("command") or ""}))
        return
    # *_output: the result of a call
    out = m.get("output")
    b.add("user", [_result(m.get("call_id"), _text(out, f"{where}.output")
                           if not isinstance(out, dict) else json.dumps(out))])
