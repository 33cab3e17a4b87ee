"""A model API that stalls is an error, not a limit, and ``--retry-errors`` runs it again
(issue 15). End to end: ``evalkit run`` with the official SDKs over real HTTP against the
local fake servers (tests/fakeapi.py, tests/fakeopenai.py), whose first request gets no answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.store import read_samples
from tests import fakeapi, fakeopenai
from tests.runsuite import make_suite

REPORT = "Nothing needed changing: the tests already pass."


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-fake")  # the preflight looks the key up


def _variants(tmp_path: Path, model: str, base_url: str) -> Path:
    """One variant whose samples get 2 s of wall time: the stall outlasts it."""
    path = tmp_path / "variants.toml"
    path.write_text(f'[variants.v]\nmodel = "{model}"\n[variants.v.limits]\nwall_time = 2\n'
                    f'[variants.v.options]\nbase_url = "{base_url}"\n')
    return path


def _stall_then_retry(tmp_path: Path, capsys: pytest.CaptureFixture[str], model: str,
                      api: object) -> list[dict]:
    import anthropic  # noqa: F401 - imported once here, so no sample's wait includes it
    import openai  # noqa: F401

    suite = make_suite(tmp_path, which=("already_passing",))
    out = tmp_path / "run"
    args = ["run", "--variants", str(_variants(tmp_path, model, api.base_url)),  # type: ignore[attr-defined]
            "--tasks", str(suite), "--out", str(out), "--no-progress"]
    main(args)
    (first,) = read_samples(out)
    assert (first["status"], first["limit"]) == ("error", None), capsys.readouterr().err
    assert first["error"] == (f"no response from {model} within 2 s (the sample's wall time "
                              "ran out while waiting)")
    main([*args, "--resume", "--retry-errors"])
    return list(read_samples(out))


def test_anthropic_stall_is_an_error_that_retry_errors_runs_again(tmp_path: Path, capsys):
    with fakeapi.FakeAnthropic([fakeapi.stall(), fakeapi.text(REPORT)]) as api:
        lines = _stall_then_retry(tmp_path, capsys, "anthropic:claude-sonnet-4-5", api)
        assert len(api.message_requests) == 2
    first, retried = lines
    assert retried["sample_id"] == first["sample_id"]
    assert (retried["status"], retried["error"], retried["final_report"]) == ("ok", None, REPORT)
    assert retried["outcome"]["passed"] is True


def test_openai_stall_is_an_error_that_retry_errors_runs_again(tmp_path: Path, capsys):
    with fakeopenai.FakeOpenAI([fakeopenai.stall(), fakeopenai.text(REPORT)]) as api:
        lines = _stall_then_retry(tmp_path, capsys, "openai:qwen2.5-coder", api)
        assert len(api.chat_requests) == 2
    first, retried = lines
    assert retried["sample_id"] == first["sample_id"]
    assert (retried["status"], retried["error"], retried["final_report"]) == ("ok", None, REPORT)
    assert retried["outcome"]["passed"] is True
