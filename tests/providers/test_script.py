"""The script: provider plays its file through the real tools, sandbox, official run and grader;
bad files are refused with the file, step and field named."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.providers import get_provider
from evalkit.providers.base import ModelRequest
from evalkit.providers.script import (
    ScriptError,
    ScriptProvider,
    load_script,
    parse_script,
    script_from_transcript,
)
from evalkit.runner import PlannedSample, execute_sample, make_sample_id
from evalkit.sandbox import default_sandbox
from evalkit.variants import adhoc_variant
from tests.runsuite import PYTEST, load, make_suite

FIX_TOML = f'''
description = "fix the operator, check, report"
final_report = "Fixed add(); all tests pass."

[[steps]]
bash = "{PYTEST}"
expect = "1 failed"

[[steps]]
text = "The operator is wrong."
editor = "str_replace"
path = "calc.py"
old_str = "a - b"
new_str = "a + b"

[[steps]]
bash = "{PYTEST}"
'''

FIX_JSON = {
    "steps": [
        {"bash": PYTEST},
        {"editor": "str_replace", "path": "calc.py", "old_str": "a - b", "new_str": "a + b",
         "text": "The operator is wrong."},
        {"bash": PYTEST},
        {"final_report": "Fixed add(); all tests pass."},
    ],
}


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_suite(tmp_path_factory.mktemp("script"), which=("solvable",))


def play(script: Path, suite: Path):  # type: ignore[no-untyped-def]
    """One sample of ``script:<script>`` on the solvable fixture, end to end."""
    fx = load(suite)[0]
    variant = adhoc_variant(f"script:{script}")
    planned = PlannedSample(make_sample_id(fx, variant, 1), fx, variant, 1)
    provider = get_provider(variant.model)
    return asyncio.run(execute_sample(planned, provider, default_sandbox(), "t"))


def tool_calls(sample) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    return [(b["name"], b["input"]) for m in sample.messages if m["role"] == "assistant"
            for b in m["content"] if b["type"] == "tool_use"]


def test_toml_script_runs_through_real_tools_official_run_and_grader(tmp_path: Path,
                                                                     suite: Path) -> None:
    path = tmp_path / "fix.toml"
    path.write_text(FIX_TOML, encoding="utf-8")
    sample = play(path, suite)
    assert sample.status == "ok", sample.error
    assert tool_calls(sample) == [
        ("bash", {"command": PYTEST}),
        ("str_replace_based_edit_tool", {"command": "str_replace", "path": "calc.py",
                                         "old_str": "a - b", "new_str": "a + b"}),
        ("bash", {"command": PYTEST}),
    ]
    results = [b["content"] for m in sample.messages if m["role"] == "user"
               and isinstance(m["content"], list) for b in m["content"]]
    assert "1 failed" in results[0] and "2 passed" in results[2]
    assert sample.final_report == "Fixed add(); all tests pass."
    assert sample.outcome.passed and "a + b" in sample.diff
    assert sample.grade.claimed_success and sample.grade.false_claim is False


def test_script_samples_are_labelled_simulated_not_a_real_model(tmp_path: Path,
                                                                suite: Path) -> None:
    path = tmp_path / "fix.toml"
    path.write_text(FIX_TOML, encoding="utf-8")
    sample = play(path, suite)
    assert sample.simulated and sample.model == f"script:{path}" and sample.cost_usd == 0.0
    variant = adhoc_variant(f"script:{path}")
    assert variant.simulated and variant.label.endswith("[simulated]")


def test_json_script_with_report_as_last_step_plays_the_same_calls(tmp_path: Path,
                                                                   suite: Path) -> None:
    toml_path, json_path = tmp_path / "fix.toml", tmp_path / "fix.json"
    toml_path.write_text(FIX_TOML, encoding="utf-8")
    json_path.write_text(json.dumps(FIX_JSON), encoding="utf-8")
    a, b = load_script(toml_path), load_script(json_path)
    assert a.steps == b.steps and a.final_report == b.final_report
    assert a.steps[1].text == "The operator is wrong."


def test_a_failing_tool_call_does_not_stop_the_script(tmp_path: Path, suite: Path) -> None:
    path = tmp_path / "miss.json"
    path.write_text(json.dumps({"final_report": "I could not fix it.", "steps": [
        {"editor": "str_replace", "path": "calc.py", "old_str": "no such text", "new_str": "x"},
        {"tool": "no_such_tool", "input": {"x": 1}},
        {"bash": "echo still here"},
    ]}), encoding="utf-8")
    sample = play(path, suite)
    results = [b for m in sample.messages if m["role"] == "user"
               and isinstance(m["content"], list) for b in m["content"]]
    assert [bool(r.get("is_error")) for r in results] == [True, True, False]
    assert "still here" in results[2]["content"]
    assert sample.final_report == "I could not fix it." and not sample.outcome.passed


def test_provider_answers_each_turn_from_the_conversation_so_far() -> None:
    script = parse_script({"final_report": "done", "steps": [{"bash": "ls"}, {"bash": "pwd"}]})
    provider = ScriptProvider("script:x", script)

    def turn(n_assistant: int) -> list[dict]:  # type: ignore[type-arg]
        messages: list[dict] = [{"role": "user", "content": "go"}]  # type: ignore[type-arg]
        for _ in range(n_assistant):
            messages += [{"role": "assistant", "content": []}, {"role": "user", "content": []}]
        response = asyncio.run(provider.respond(ModelRequest(system="", messages=messages)))
        return response.content

    assert turn(0)[-1]["input"] == {"command": "ls"}
    assert turn(1)[-1]["input"] == {"command": "pwd"}
    assert turn(2) == [{"type": "text", "text": "done"}]
    assert turn(5) == [{"type": "text", "text": "done"}]


@pytest.mark.parametrize(("text", "named"), [
    ('[[steps]]\nbash = "ls"\n', "field 'final_report': missing"),
    ('final_report = "x"\nmodel = "y"\n', "field 'model': unknown key"),
    ('final_report = "x"\n[[steps]]\neditor = "create"\npath = "a.py"\n',
     "step 1: field 'file_text': missing"),
    ('final_report = "x"\n[[steps]]\neditor = "delete"\npath = "a.py"\n',
     "step 1: field 'editor': expected one of view, create"),
    ('final_report = "x"\n[[steps]]\nbash = "ls"\n[[steps]]\nbash = "ls"\ncommand = "x"\n',
     "step 2: field 'command': unknown key"),
    ('final_report = "x"\n[[steps]]\nbash = "ls"\neditor = "view"\n',
     "step 1: expected exactly one of 'bash', 'editor', 'tool'"),
    ('final_report = "x"\n[[steps]]\nbash = ""\n', "step 1: field 'bash': expected a non-empty"),
    ('final_report = "x"\n[[steps]]\neditor = "insert"\npath = "a"\ninsert_line = -1\n',
     "step 1: field 'insert_line': expected an integer >= 0"),
    ('[[steps]]\nfinal_report = "x"\n[[steps]]\nbash = "ls"\n',
     "step 1: field 'final_report': only the last step"),
    ('final_report = 3\n', "field 'final_report': expected a string"),
    ('final_report = "x\n', "not valid TOML"),
])
def test_bad_toml_scripts_name_file_step_and_field(tmp_path: Path, text: str,
                                                   named: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError) as info:
        load_script(path)
    assert str(info.value).startswith(f"{path}: ") and named in str(info.value)


def test_bad_json_script_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"final_report": "x",\n "steps": [}', encoding="utf-8")
    with pytest.raises(ScriptError, match=r"bad\.json: not valid JSON: line 2 column"):
        load_script(path)


def test_missing_file_wrong_suffix_and_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="no such script file"):
        get_provider(f"script:{tmp_path / 'nope.toml'}")
    (tmp_path / "s.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(ScriptError, match=r"s\.yaml: expected a \.toml or \.json file"):
        get_provider(f"script:{tmp_path / 's.yaml'}")
    with pytest.raises(ScriptError, match="expected a file after the colon"):
        get_provider("script:")
    (tmp_path / "ok.json").write_text('{"final_report": ""}', encoding="utf-8")
    with pytest.raises(ScriptError, match="unknown option 'latency'"):
        get_provider(f"script:{tmp_path / 'ok.json'}", latency=1)


def test_cli_run_with_a_bad_script_exits_2_with_the_field_and_no_traceback(
        tmp_path: Path, suite: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('final_report = "x"\n[[steps]]\neditor = "create"\npath = "a.py"\n',
                   encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "evalkit", "run", "--tasks", str(suite),
                           "--model", f"script:{bad}", "--out", str(tmp_path / "run"),
                           "--no-progress"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"{bad}: step 1: field 'file_text': missing" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_script_from_transcript_replays_the_same_tool_calls(tmp_path: Path,
                                                            suite: Path) -> None:
    fx = load(suite)[0]
    variant = adhoc_variant("sim:honest")
    planned = PlannedSample(make_sample_id(fx, variant, 1), fx, variant, 1)
    original = asyncio.run(execute_sample(planned, get_provider(variant.model),
                                          default_sandbox(), "t"))
    path = tmp_path / "replay.json"
    path.write_text(json.dumps(script_from_transcript(original.messages)), encoding="utf-8")
    replayed = play(path, suite)
    assert tool_calls(replayed) == tool_calls(original)
    assert replayed.final_report == original.final_report
    assert replayed.outcome.passed == original.outcome.passed
