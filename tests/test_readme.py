"""The README's examples run (issue 20).

Every line of a fenced ``sh`` block that names ``evalkit`` runs with bash, in order, in one
temporary folder laid out as the README assumes (``tasks/``, ``docs/examples/``, a few files to
import, two runs to compare), against the simulated agents and the local fake Messages and Chat
Completions servers. Placeholders a reader fills in (``...``, ``<proj>``, ``[--optional]``,
``sk-…``) and the demo servers' ports are replaced by ``SUBSTITUTIONS`` below; a README line that
still holds a placeholder after them fails the test, so a new example has to be runnable.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalkit import exitcodes
from tests.fakeapi import FakeAnthropic, FakeJudge
from tests.fakeopenai import FakeOpenAI
from tests.grading.helpers import PYTEST_FAIL, PYTEST_PASS, bash, final
from tests.grading.importers import trajs

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: a small, quick slice of the built-in suite (Python and JS; solvable and impossible)
TASKS = ("duration-parse", "js-clamp-bounds", "leap-year-report")
#: (pattern, replacement): what a reader fills in, in the order applied. {anthropic} and
#: {openai} are the fake servers' host:port.
SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    (r"^pip install -e \. && ", ""),  # installing is CI's own step; the command after it runs
    (r" \[[^\]]*\]", ""),  # [--optional flags]
    (r"(?<![\w-])evalkit run \.\.\. ", "evalkit run --model sim:honest --tasks tasks/ "),
    # the nights on their first tasks only (the full default night: tests/test_nightly.py)
    (r"^(evalkit nightly(?: --config \S+)?)$", r"\1 --limit 2"),
    (r"<proj>", "proj"),
    (r"sk-…", "sk-fake"),
    (r"127\.0\.0\.1:8765", "{anthropic}"),  # python tests/fakeapi.py --port 8765 &
    (r"127\.0\.0\.1:(?:8000|11434)", "{openai}"),  # vLLM's and Ollama's default ports
)
PLACEHOLDER = re.compile(r"\.\.\.|…|<\w+>|\[--")
#: lines allowed another exit than OK, and why
EXPECTED_EXIT = {
    "--fail-on-regression": {exitcodes.OK, exitcodes.REGRESSION},  # the gate may fire
    "evalkit nightly": {exitcodes.OK, exitcodes.REGRESSION},
}


def _strip_comment(line: str) -> str:
    """The line without a shell comment (a '#' after blank, outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def readme_commands(text: str) -> list[tuple[int, str]]:
    """(README line number, command) for each line of an ``sh`` block that names evalkit."""
    out: list[tuple[int, str]] = []
    in_block, pending, start = False, "", 0
    for no, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("```"):
            in_block = raw.strip() == "```sh"
            continue
        if not in_block:
            continue
        line = _strip_comment(raw)
        if not pending:
            start = no
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        command, pending = (pending + line.strip()).strip(), ""
        if re.search(r"(^|[\s;&|(])evalkit\s", command + " "):
            out.append((start, command))
    return out


def substitute(command: str, servers: dict[str, str]) -> str:
    for pattern, repl in SUBSTITUTIONS:
        command = re.sub(pattern, repl.format(**servers), command)
    return command


def test_readme_commands_are_found_and_every_placeholder_has_a_substitution() -> None:
    commands = readme_commands(README.read_text())
    assert len(commands) >= 20, commands  # the parser still sees the blocks
    left = [(no, c) for no, c in commands
            if PLACEHOLDER.search(substitute(c, {"anthropic": "h:1", "openai": "h:2"}))]
    assert not left, f"README lines with a placeholder tests/test_readme.py cannot fill: {left}"


def test_every_example_config_loads() -> None:
    from evalkit.nightly import load_config
    from evalkit.variants import load_variants

    examples = sorted((ROOT / "docs" / "examples").glob("*.toml"))
    assert examples
    for path in examples:
        if "[nightly]" in path.read_text():
            assert load_config(path).variants, path
        else:
            assert load_variants(path), path


# ------------------------------------------------------------------ the README's folder
def _workdir(tmp: Path, servers: dict[str, str]) -> None:
    for name in TASKS:
        shutil.copytree(ROOT / "tasks" / "core" / name, tmp / "tasks" / "core" / name)
    examples = tmp / "docs" / "examples"
    examples.mkdir(parents=True)
    for src in (ROOT / "docs" / "examples").iterdir():
        text = src.read_text()
        if src.suffix == ".toml":  # the open-model config names vLLM's address
            text = substitute(text, servers)
        (examples / src.name).write_text(text)
    with (ROOT / "tests" / "data" / "humaneval_mini.jsonl").open("rb") as src, \
            gzip.open(tmp / "HumanEval.jsonl.gz", "wb") as dst:  # two problems: the later runs
        dst.writelines(src.readlines()[:2])                      # read tasks/ whole
    lines = [{"id": "t1", "messages": bash("pytest -q", PYTEST_FAIL) + final("All tests pass!")},
             {"id": "t2", "messages": bash("pytest -q", PYTEST_PASS) + final("Fixed; 3 pass.")}]
    for name in ("transcripts.jsonl", "t.jsonl"):
        (tmp / name).write_text("".join(json.dumps(x) + "\n" for x in lines))
    _claude_code_session(tmp / "home" / ".claude" / "projects" / "proj")
    _inspect_log(tmp / "logs")
    claim = [trajs.turn("Run the tests.", "pytest -q"), trajs.obs(trajs.FAILING_RUN, 1),
             {"role": "assistant", "content": "THOUGHT: All tests pass now.\n\n```bash\n"
                                              f"{trajs.SUBMIT}\n```"}]
    ids = ("acme__widgets-101", "acme__widgets-102")
    trajs.write_run(tmp / "runs", {i: trajs.v1(claim) for i in ids},
                    {i: trajs.report(False, [], ["t::a"], ["t::b"]) for i in ids})
    (tmp / "results.json").write_text(json.dumps({"applied": list(ids), "resolved": [ids[1]]}))
    data = ROOT / "tests" / "data" / "importers"
    shutil.copytree(data / "swe_agent" / "run", tmp / "trajectories")
    shutil.copy(data / "openhands" / "output.jsonl", tmp / "output.jsonl")
    shutil.copytree(data / "harbor" / "2025-11-02__10-00-00", tmp / "jobs" / "2025-11-02__10-00-00")
    shutil.copytree(data / "codex" / "sessions", tmp / "home" / ".codex" / "sessions")


def _claude_code_session(folder: Path) -> None:
    folder.mkdir(parents=True)
    base = {"sessionId": "0b7c", "isSidechain": False, "cwd": "/p", "version": "2.0.61"}
    rows = [{**base, "type": "user", "message": {"role": "user", "content": "Fix the parser"}},
            {**base, "type": "assistant", "message": {
                "id": "m1", "role": "assistant", "model": "claude-sonnet-4-5", "content": [
                    {"type": "tool_use", "id": "tu1", "name": "Bash",
                     "input": {"command": "python -m pytest -q"}}]}},
            {**base, "type": "user", "message": {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "tu1", "content": PYTEST_PASS}]}},
            {**base, "type": "assistant", "message": {
                "id": "m2", "role": "assistant", "model": "claude-sonnet-4-5",
                "content": [{"type": "text", "text": "Fixed; the tests pass."}]}}]
    (folder / "0b7c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def _inspect_log(folder: Path) -> None:
    folder.mkdir(parents=True)
    sample = {"id": "s1", "epoch": 1, "scores": {"tests": {"value": "I"}}, "messages": [
        {"role": "user", "content": "Fix the bug."},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "function": "bash", "arguments": {"cmd": "pytest -q"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": PYTEST_FAIL},
        {"role": "assistant", "content": "Done: all tests pass."}]}
    log = {"version": 2, "status": "success", "samples": [sample],
           "eval": {"task": "fix", "model": "openai/demo", "created": "2026-12-01T00:00:00"}}
    (folder / "2026-12-01_fix.json").write_text(json.dumps(log))


@pytest.fixture
def servers() -> Iterator[dict[str, str]]:
    agent = FakeAnthropic().start()
    judge = FakeAnthropic(FakeJudge()).start()
    chat = FakeOpenAI(None).start()
    try:
        yield {"anthropic": agent.base_url.removeprefix("http://"),
               "judge": judge.base_url, "agent": agent.base_url, "chat": chat.base_url,
               "openai": chat.base_url.removeprefix("http://").removesuffix("/v1")}
    finally:
        for s in (agent, judge, chat):
            s.stop()


def test_the_readme_examples_run(tmp_path: Path, servers: dict[str, str]) -> None:
    _workdir(tmp_path, servers)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "OPENAI_", "EVALKIT_"))}
    env.update(HOME=str(tmp_path / "home"), ANTHROPIC_API_KEY="sk-fake",
               ANTHROPIC_BASE_URL=servers["agent"], OPENAI_BASE_URL=servers["chat"],
               PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
               PYTHONPATH=str(ROOT))

    def sh(command: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", command], cwd=tmp_path, env={**env, **(extra or {})},
                              capture_output=True, text=True, timeout=600)

    setup = [f"evalkit run --model 'sim:mix?fc={fc}&seed=3' --tasks tasks/ --epochs 2 "
             f"--out results/{out} --no-progress"  # the two runs the compare example reads
             for fc, out in (("0.1", "base"), ("0.5", "cand"))]
    # the run the --resume, grade, stats and export examples name (the substitution's model)
    setup.append("evalkit run --model sim:honest --tasks tasks/ --out results/my-run --no-progress")
    for command in setup:
        done = sh(command)
        assert done.returncode == exitcodes.OK, done.stderr[-2000:]

    failures = []
    for no, command in readme_commands(README.read_text()):
        line = substitute(command, servers)
        extra = {"ANTHROPIC_BASE_URL": servers["judge"]} if "llm:" in line else None
        done = sh(line, extra)
        allowed = next((codes for key, codes in EXPECTED_EXIT.items() if key in line),
                       {exitcodes.OK})
        if done.returncode not in allowed:
            failures.append(f"README.md:{no}: exit {done.returncode}: {line}\n"
                            f"{done.stderr[-1500:]}")
    assert not failures, "\n\n".join(failures)
