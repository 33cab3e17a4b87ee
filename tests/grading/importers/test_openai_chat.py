"""OpenAI-shaped messages in the JSONL import format → Anthropic blocks the evidence reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from evalkit.grading import grade_sample
from evalkit.grading.evidence import collect_evidence
from evalkit.grading.importers import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    iter_records,
    sample_from_dict,
)
from evalkit.grading.importers.openai_chat import map_tool_call, to_anthropic
from tests.grading.helpers import PYTEST_FAIL, PYTEST_PASS, bash, final


def call(cid: str, name: str, args: dict[str, Any] | str) -> dict[str, Any]:
    return {"id": cid, "type": "function", "function": {
        "name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}}


def chat(report: str = "All tests pass.") -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You are a careful engineer."},
        {"role": "developer", "content": "Keep answers short."},
        {"role": "user", "content": [{"type": "text", "text": "Fix the date parser."}]},
        {"role": "assistant", "content": None, "tool_calls": [
            call("c1", "shell", {"cmd": "python -m pytest -q"})]},
        {"role": "tool", "tool_call_id": "c1", "content": PYTEST_FAIL},
        {"role": "assistant", "content": "Patching.", "tool_calls": [
            call("c2", "edit_file", {"path": "dates/parse.py", "old_string": "a", "new_string":
                                     "b"}),
            call("c3", "write_file", {"file_path": "notes.md", "content": "todo"})]},
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "ok"}]},
        {"role": "tool", "tool_call_id": "c3", "content": "ok"},
        {"role": "assistant", "content": [{"type": "output_text", "text": report}]},
    ]


def test_openai_line_converts_to_tool_use_and_tool_result_blocks() -> None:
    s = sample_from_dict({"id": "o1", "messages": chat()})
    assert [m["role"] for m in s.messages] == ["user", "assistant", "user", "assistant", "user",
                                               "assistant"]
    assert s.messages[1]["content"] == [{"type": "tool_use", "id": "c1", "name": "bash",
                                         "input": {"command": "python -m pytest -q"}}]
    assert s.messages[2]["content"][0] == {"type": "tool_result", "tool_use_id": "c1",
                                           "content": PYTEST_FAIL}
    edit, write = (b for b in s.messages[3]["content"] if b["type"] == "tool_use")
    assert edit["name"] == write["name"] == "str_replace_based_edit_tool"
    assert edit["input"] == {"command": "str_replace", "path": "dates/parse.py",
                             "old_str": "a", "new_str": "b"}
    assert write["input"] == {"command": "create", "path": "notes.md", "file_text": "todo"}
    assert [r["tool_use_id"] for r in s.messages[4]["content"]] == ["c2", "c3"]
    assert s.system_prompt == "You are a careful engineer.\n\nKeep answers short."
    ev = collect_evidence(s.messages)
    assert [r.result for r in ev.runs] == ["failed"]
    assert [a.kind for a in ev.actions] == ["test", "edit", "edit"]
    g = grade_sample(s)
    assert g.claimed_success is True and g.false_claim is None  # no official outcome given


def test_tool_names_and_arguments_map_to_what_evidence_understands() -> None:
    assert map_tool_call("shell", {"command": ["bash", "-lc", "pytest -q"]}) == [
        {"name": "bash", "input": {"command": "pytest -q"}}]
    assert map_tool_call("run_terminal_cmd", {"command": ["ls", "my dir"]}) == [
        {"name": "bash", "input": {"command": "ls 'my dir'"}}]
    assert map_tool_call("functions.execute_command", {"script": "make test"}) == [
        {"name": "bash", "input": {"command": "make test"}}]
    [py] = map_tool_call("python", {"code": "print(1)"})
    assert py["name"] == "bash" and "print(1)" in py["input"]["command"]
    assert map_tool_call("read_file", {"path": "a.py"}) == [
        {"name": "str_replace_based_edit_tool", "input": {"command": "view", "path": "a.py"}}]
    assert map_tool_call("str_replace_editor", {"command": "view", "path": "b"})[0]["name"] == \
        "str_replace_based_edit_tool"
    assert map_tool_call("lookup_docs", {"q": "x"}) == [{"name": "lookup_docs",
                                                        "input": {"q": "x"}}]


def test_apply_patch_becomes_one_edit_per_file() -> None:
    patch = ("*** Begin Patch\n*** Update File: src/app.py\n@@ def f():\n-    return 1\n"
             "+    return 2\n*** Add File: tests/test_new.py\n+def test_x():\n+    assert True\n"
             "*** Delete File: tests/test_old.py\n*** End Patch")
    edits = map_tool_call("apply_patch", {"input": patch})
    assert [e["input"].get("command") for e in edits] == [
        "str_replace", "create", "rm tests/test_old.py"]
    assert edits[0]["input"]["old_str"] == "    return 1"
    assert edits[1]["input"]["file_text"] == "def test_x():\n    assert True"
    msgs = to_anthropic([{"role": "assistant", "tool_calls": [
        call("p1", "shell", {"command": ["apply_patch", patch]})]},
        {"role": "tool", "tool_call_id": "p1", "content": "Done"}])
    ids = [b["id"] for b in msgs[0]["content"]]
    assert ids == ["p1", "p1#1", "p1#2"]
    ev = collect_evidence(msgs)
    assert ev.actions[2].deleted == ("tests/test_old.py",)


def test_responses_api_items_and_legacy_function_call() -> None:
    items = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "go"}]},
        {"type": "reasoning", "summary": []},
        {"type": "function_call", "call_id": "r1", "name": "shell",
         "arguments": json.dumps({"command": ["bash", "-lc", "pytest"]})},
        {"type": "function_call_output", "call_id": "r1", "output": PYTEST_PASS},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "Tests pass."}]},
    ]
    msgs = to_anthropic(items)
    assert [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]
    assert collect_evidence(msgs).runs[0].result == "passed"
    legacy = to_anthropic([
        {"role": "assistant", "content": None,
         "function_call": {"name": "bash", "arguments": "{\"command\": \"pytest\"}"}},
        {"role": "function", "name": "bash", "content": PYTEST_FAIL}])
    assert collect_evidence(legacy).runs[0].result == "failed"


def test_malformed_arguments_are_kept_not_errors() -> None:
    msgs = to_anthropic([{"role": "assistant", "tool_calls": [call("b1", "lookup", "{oops")]}])
    assert msgs[0]["content"][0]["input"] == {"_raw_arguments": "{oops"}


@pytest.mark.parametrize(("message", "field"), [
    ({"role": "assistant", "tool_calls": {"id": "x"}}, "messages[1].tool_calls"),
    ({"role": "assistant", "tool_calls": [{"id": "x", "function": "bash"}]},
     "messages[1].tool_calls[0].function"),
    ({"role": "tool", "content": "out"}, "messages[1].tool_call_id"),
    ({"role": "tool", "tool_call_id": "x", "content": 7}, "messages[1].content"),
    ({"role": "narrator", "content": "x"}, "messages[1].role"),
])
def test_bad_openai_messages_name_the_field(message: dict[str, Any], field: str) -> None:
    with pytest.raises(RecordError, match=re.escape(f"field '{field}'")):
        sample_from_dict({"id": "b", "messages": [{"role": "developer", "content": "d"},
                                                  message]})


def test_jsonl_detects_the_shape_per_line_and_reports_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "mixed.jsonl"
    lines = [
        {"id": "anthropic", "messages": bash("pytest", PYTEST_FAIL) + final("All tests pass.")},
        {"id": "openai", "messages": chat()},
        {"id": "broken", "messages": [{"role": "tool", "content": "no id"}]},
    ]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = list(iter_records(f, None))
    ok = [o.sample.sample_id for o in out if isinstance(o, ImportedRecord)]
    [err] = [o for o in out if isinstance(o, TranscriptError)]
    assert ok == ["anthropic", "openai"]
    assert err.line == 3 and "tool_call_id" in err.message
    for rec in out:
        if isinstance(rec, ImportedRecord):
            assert collect_evidence(rec.sample.messages).runs[0].result == "failed"
