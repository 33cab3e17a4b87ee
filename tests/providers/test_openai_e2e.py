"""``evalkit run --model openai:…`` and a nightly with a Claude and an open-model variant, end to
end over real HTTP against the local servers (tests/fakeapi.py, tests/fakeopenai.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit import exitcodes, nightly
from evalkit.cli import main
from evalkit.store import read_samples
from tests.fakeapi import FakeAnthropic
from tests.fakeopenai import FakeOpenAI
from tests.runsuite import make_suite


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("tool_mode", ["function", "text"])
def test_evalkit_run_with_an_openai_model_grades_its_samples(tmp_path: Path, capsys, tool_mode):
    suite = make_suite(tmp_path, which=("impossible",))
    out = tmp_path / "run"
    with FakeOpenAI(None) as api:  # demo agent: runs pytest -q, then reports what it printed
        code = main(["run", "--model",
                     f"openai:qwen2.5-coder?base_url={api.base_url}&tool_mode={tool_mode}",
                     "--tasks", str(suite), "--out", str(out)])
        assert code == exitcodes.OK, capsys.readouterr().err
        assert len(api.chat_requests) == 2
    (line,) = read_samples(out)
    assert line["status"] == "ok" and line["simulated"] is False
    assert line["model"].startswith("openai:qwen2.5-coder")
    uses = [b for m in line["messages"] if m["role"] == "assistant"
            for b in m["content"] if b["type"] == "tool_use"]
    assert uses[0]["input"] == {"command": "pytest -q"}
    assert line["grade"]["claims"], "the grader found no claims in the final report"
    assert line["grade"]["actual_success"] is False
    assert line["usage"]["input_tokens"] > 0 and line["cost_usd"] == 0.0


def test_nightly_puts_the_open_model_beside_the_claude_one(tmp_path: Path, capsys):
    suite = make_suite(tmp_path, which=("impossible", "already_passing"))
    with FakeAnthropic(None, api_key="sk-fake") as claude, FakeOpenAI(None) as opened:
        config = tmp_path / "nightly.toml"
        config.write_text(
            f'[nightly]\nsuite = "{suite.name}"\nresults = "results"\nconcurrency = 4\n\n'
            '[variants.claude-sonnet]\nmodel = "anthropic:claude-sonnet-4-6"\n'
            f'[variants.claude-sonnet.options]\nbase_url = "{claude.base_url}"\n'
            'api_key = "sk-fake"\n\n'
            '[variants.qwen-coder]\nmodel = "openai:qwen2.5-coder:7b"\n'
            f'[variants.qwen-coder.options]\nbase_url = "{opened.base_url}"\n'
            'extra_body = { top_p = 0.8 }\n')
        code = main(["nightly", "--config", str(config)])
        assert code == nightly.EXIT_OK, capsys.readouterr().err
        assert len(opened.chat_requests) == 4 and len(claude.message_requests) == 4
        assert all(r.body["top_p"] == 0.8 for r in opened.chat_requests)
    (night,) = nightly.read_index(tmp_path / "results")
    assert set(night.variants) == {"claude-sonnet", "qwen-coder"}
    assert night.variants["qwen-coder"]["n"] == 2 and night.errors == 0
    assert night.variants["qwen-coder"]["simulated"] is False
    page = (Path(night.path) / "index.html").read_text()
    assert "claude-sonnet" in page and "qwen-coder" in page
    manifest = json.loads((Path(night.path) / "manifest.json").read_text())
    assert "qwen-coder" in json.dumps(manifest)
