"""Scripted agents (``script:path/to/file.toml`` or ``.json``): play a file of tool calls and a
final report through the real tools, sandbox, official run and grader, as any model would.

Why: to reproduce a transcript's actions against a fixture (does this sequence of edits really
pass? would the grader flag that report?), and to pin how evalkit treats a hostile agent
(tests/hostile/). A scripted sample is labelled simulated: it is not a real model.

The file (TOML shown; JSON has the same keys)::

    description = "what this script does"      # optional, for people
    final_report = "Fixed add(); all tests pass."   # before the first [[steps]] in TOML

    [[steps]]
    bash = "python -m pytest -q"               # a bash tool call
    expect = "2 failed"                         # optional, any value: ignored by the player

    [[steps]]
    editor = "str_replace"                     # an editor call (view, create, str_replace,
    path = "calc.py"                           # insert, undo_edit) with the editor's own keys
    old_str = "a - b"
    new_str = "a + b"
    text = "Fixing the operator."              # optional: the agent's words before the call

    [[steps]]
    tool = "bash"                              # raw form: any tool name and input, unchecked
    input = { command = "ls", restart = false } # (replays a recorded transcript, mistakes and all)

``final_report`` may instead be the last step (a step with only ``final_report``, and
optionally ``expect``/``text``). Each step is one model turn with one tool call; the report is
the last turn, so a script needs ``len(steps) + 1`` turns. ``bash`` and ``editor`` steps are
checked when the file is loaded against what the tools accept; a bad file raises
``ScriptError`` naming the file, the step and the field.

The provider is stateless: the step to play is the number of assistant turns already in the
conversation, so one provider serves any number of concurrent samples. Usage is estimated from
text length (about 4 characters a token), cost is 0.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.providers.base import ModelRequest, ModelResponse, offline_response
from evalkit.tools import BASH, EDITOR

TOP_KEYS = ("description", "final_report", "steps")
STEP_COMMON = ("expect", "text")
#: editor command -> (required keys, optional keys), as evalkit.tools.Tools.edit reads them
EDITOR_INPUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "view": (("path",), ("view_range",)),
    "create": (("path", "file_text"), ()),
    "str_replace": (("path", "old_str"), ("new_str",)),
    "insert": (("path", "insert_line"), ("insert_text", "new_str")),
    "undo_edit": (("path",), ()),
}


class ScriptError(ValueError):
    """A script file that cannot be played; the message names the file, step and field."""


@dataclass(frozen=True)
class Step:
    """One model turn: an optional text, then one tool call."""

    tool: str
    input: dict[str, Any]
    text: str = ""


@dataclass(frozen=True)
class Script:
    steps: tuple[Step, ...]
    final_report: str
    description: str = ""
    source: str = ""


def create(rest: str, **options: Any) -> ScriptProvider:
    """``get_provider("script:attacks/conftest.toml")`` → a ScriptProvider (file read now, so a
    bad file stops the run before any sample starts)."""
    if options:
        raise ScriptError(f"script:{rest}: unknown option {sorted(options)[0]!r}; the script "
                          "provider takes no options")
    if not rest.strip():
        raise ScriptError("script: expected a file after the colon, e.g. "
                          "script:attacks/conftest.toml")
    return ScriptProvider(f"script:{rest}", load_script(Path(rest).expanduser()))


def load_script(path: str | Path) -> Script:
    """Read and check a .toml or .json script. Raises ScriptError."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise ScriptError(f"{where}: no such script file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{where}: cannot read: {exc}") from exc
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise ScriptError(f"{where}: expected a .toml or .json file")
    except tomllib.TOMLDecodeError as exc:
        raise ScriptError(f"{where}: not valid TOML: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ScriptError(f"{where}: not valid JSON: line {exc.lineno} column {exc.colno}: "
                          f"{exc.msg}") from exc
    return parse_script(data, where)


def parse_script(data: Any, where: str = "<script>") -> Script:
    """Check parsed script data (the TOML/JSON object). Raises ScriptError."""
    if not isinstance(data, Mapping):
        raise ScriptError(f"{where}: expected an object with 'steps' and 'final_report'")
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise ScriptError(f"{where}: field '{unknown[0]}': unknown key; allowed: "
                          f"{', '.join(TOP_KEYS)}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScriptError(f"{where}: field 'description': expected a string")
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list):
        raise ScriptError(f"{where}: field 'steps': expected a list of steps ([[steps]] tables "
                          "in TOML)")
    report = data.get("final_report")
    steps: list[Step] = []
    for i, raw in enumerate(raw_steps, start=1):
        at = f"{where}: step {i}"
        if not isinstance(raw, Mapping):
            raise ScriptError(f"{at}: expected a table/object, got {type(raw).__name__}")
        if "final_report" in raw:
            if i != len(raw_steps):
                raise ScriptError(f"{at}: field 'final_report': only the last step may be the "
                                  "final report")
            if report is not None:
                raise ScriptError(f"{at}: field 'final_report': given twice (also at the top "
                                  "level)")
            extra = sorted(set(raw) - {"final_report", *STEP_COMMON})
            if extra:
                raise ScriptError(f"{at}: field '{extra[0]}': a final-report step has no tool "
                                  "call")
            report = raw["final_report"]
            continue
        steps.append(_parse_step(raw, at))
    if report is None:
        raise ScriptError(f"{where}: field 'final_report': missing; the agent's last words are "
                          "required (in TOML put it above the first [[steps]])")
    if not isinstance(report, str):
        raise ScriptError(f"{where}: field 'final_report': expected a string")
    return Script(tuple(steps), report, description, where)


def _parse_step(raw: Mapping[str, Any], at: str) -> Step:
    kinds = [k for k in ("bash", "editor", "tool") if k in raw]
    if len(kinds) != 1:
        what = "none" if not kinds else " and ".join(repr(k) for k in kinds)
        raise ScriptError(f"{at}: expected exactly one of 'bash', 'editor', 'tool' or "
                          f"'final_report'; found {what}")
    text = raw.get("text", "")
    if not isinstance(text, str):
        raise ScriptError(f"{at}: field 'text': expected a string")
    kind = kinds[0]
    if kind == "bash":
        _only(raw, ("bash", "restart"), at)
        command = raw["bash"]
        if not isinstance(command, str) or not command.strip():
            raise ScriptError(f"{at}: field 'bash': expected a non-empty command string")
        tool_input: dict[str, Any] = {"command": command}
        if "restart" in raw:
            if not isinstance(raw["restart"], bool):
                raise ScriptError(f"{at}: field 'restart': expected true or false")
            tool_input["restart"] = raw["restart"]
        return Step(BASH, tool_input, text)
    if kind == "editor":
        command = raw["editor"]
        if command not in EDITOR_INPUTS:
            raise ScriptError(f"{at}: field 'editor': expected one of "
                              f"{', '.join(EDITOR_INPUTS)}; got {command!r}")
        required, optional = EDITOR_INPUTS[command]
        _only(raw, ("editor", *required, *optional), at, f"editor {command!r}")
        for key in required:
            if key not in raw:
                raise ScriptError(f"{at}: field '{key}': missing; editor {command!r} needs "
                                  f"{', '.join(required)}")
        tool_input = {"command": command}
        for key in (*required, *optional):
            if key in raw:
                tool_input[key] = _check_editor_value(key, raw[key], at)
        if command == "insert" and "insert_text" not in raw and "new_str" not in raw:
            raise ScriptError(f"{at}: field 'insert_text': missing; editor 'insert' needs the "
                              "text to insert")
        return Step(EDITOR, tool_input, text)
    _only(raw, ("tool", "input"), at)
    name = raw["tool"]
    if not isinstance(name, str) or not name:
        raise ScriptError(f"{at}: field 'tool': expected a tool name such as {BASH!r} or "
                          f"{EDITOR!r}")
    tool_input = raw.get("input", {})
    if not isinstance(tool_input, Mapping):
        raise ScriptError(f"{at}: field 'input': expected a table/object (the tool's input)")
    # raw form: passed as recorded; the tool itself answers a bad input, as it would a model
    return Step(name, dict(tool_input), text)


def _only(raw: Mapping[str, Any], allowed: Sequence[str], at: str, what: str = "") -> None:
    extra = sorted(set(raw) - set(allowed) - set(STEP_COMMON))
    if extra:
        for_what = f" for {what}" if what else ""
        raise ScriptError(f"{at}: field '{extra[0]}': unknown key{for_what}; allowed: "
                          f"{', '.join([*allowed, *STEP_COMMON])}")


def _check_editor_value(key: str, value: Any, at: str) -> Any:
    if key == "insert_line":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ScriptError(f"{at}: field 'insert_line': expected an integer >= 0 "
                              "(0 = top of the file)")
        return value
    if key == "view_range":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            raise ScriptError(f"{at}: field 'view_range': expected [start, end] (end -1 = to "
                              "the end)")
        return list(value)
    if not isinstance(value, str):
        raise ScriptError(f"{at}: field '{key}': expected a string")
    if key in ("path", "old_str") and not value:
        raise ScriptError(f"{at}: field '{key}': expected a non-empty string")
    return value


class ScriptProvider:
    """Plays one Script; the same file for every sample (task, epoch) it is given."""

    simulated = True  # not a real model: every output that names the model says so

    def __init__(self, name: str, script: Script) -> None:
        self.name = name
        self.script = script
        self.calls = 0

    async def respond(self, request: ModelRequest) -> ModelResponse:
        self.calls += 1
        turn = sum(1 for m in request.messages if m.get("role") == "assistant")
        if turn >= len(self.script.steps):
            content = [{"type": "text", "text": self.script.final_report}]
            return self._response(request, content, "end_turn")
        step = self.script.steps[turn]
        content: list[dict[str, Any]] = []
        if step.text:
            content.append({"type": "text", "text": step.text})
        content.append({"type": "tool_use", "id": f"toolu_script_{turn + 1:03d}",
                        "name": step.tool, "input": dict(step.input)})
        return self._response(request, content, "tool_use")

    def _response(self, request: ModelRequest, content: list[dict[str, Any]],
                  stop: str) -> ModelResponse:
        return offline_response(self.name, request, content, stop)

    async def aclose(self) -> None:
        return None


# --------------------------------------------------------------------------- from a transcript


def script_from_transcript(messages: Sequence[Mapping[str, Any]],
                           final_report: str | None = None, *,
                           description: str = "") -> dict[str, Any]:
    """A script (as JSON-able data) replaying a transcript's tool calls in order.

    Every tool call becomes a raw ``tool``/``input`` step (recorded mistakes included), with the
    turn's text kept on its first call; parallel calls of one turn become consecutive turns.
    The final report is ``final_report`` or the last assistant turn's text. Save it with
    ``json.dump`` and run it with ``--model script:FILE.json`` against the fixture."""
    steps: list[dict[str, Any]] = []
    last_text = ""
    for message in messages:
        if message.get("role") != "assistant":
            continue
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else (
            content or [])
        text = "\n\n".join(b.get("text", "").strip() for b in blocks
                           if isinstance(b, Mapping) and b.get("type") == "text"
                           and b.get("text", "").strip())
        calls = [b for b in blocks if isinstance(b, Mapping) and b.get("type") == "tool_use"]
        if not calls:
            last_text = text
            continue
        for j, call in enumerate(calls):
            step: dict[str, Any] = {"tool": str(call.get("name", "")),
                                    "input": dict(call.get("input") or {})}
            if j == 0 and text:
                step["text"] = text
            steps.append(step)
        last_text = ""
    out: dict[str, Any] = {}
    if description:
        out["description"] = description
    out["final_report"] = final_report if final_report is not None else last_text
    out["steps"] = steps
    return out
