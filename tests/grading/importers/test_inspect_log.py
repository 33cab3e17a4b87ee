"""Inspect logs (tests/data/importers/inspect): a .json log committed, a .eval zip built from it
in tmp_path; detection, message mapping, scores as the outcome (--scorer / --pass-value), a
false completion, a bad sample and a truncated .eval member reported and skipped, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from evalkit.grading import grade_sample
from evalkit.grading.importers import ImportedRecord, TranscriptError, detect_format, iter_records
from evalkit.records import Sample

LOG = Path(__file__).parents[2] / "data" / "importers" / "inspect" / "strutil_fixes.json"


def build_eval(dest: Path, *, truncate: str | None = None) -> Path:
    """The .json fixture as a .eval archive (header.json + one samples/<id>_epoch_<n>.json per
    sample); ``truncate``: that sample's member is cut in half."""
    doc = json.loads(LOG.read_text())
    samples = doc.pop("samples")
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_journal/start.json", json.dumps({"version": 2, "eval": doc["eval"],
                                                      "plan": doc["plan"]}))
        z.writestr("header.json", json.dumps(doc))
        z.writestr("summaries.json", json.dumps([{"id": s["id"], "epoch": s["epoch"]}
                                                 for s in samples]))
        for s in samples:
            text = json.dumps(s)
            if s["id"] == truncate:
                text = text[: len(text) // 2]
            z.writestr(f"samples/{s['id']}_epoch_{s['epoch']}.json", text)
    return dest


def _read(path: Path, **kw: Any) -> tuple[dict[str, Sample], list[TranscriptError]]:
    samples: dict[str, Sample] = {}
    errors: list[TranscriptError] = []
    for r in iter_records(path, None, **kw):
        if isinstance(r, ImportedRecord):
            samples[r.sample.sample_id] = r.sample
        else:
            errors.append(r)
    return samples, errors


def _blocks(s: Sample, kind: str) -> list[dict[str, Any]]:
    return [b for m in s.messages for b in m["content"] if b.get("type") == kind]


@pytest.fixture()
def eval_log(tmp_path: Path) -> Path:
    return build_eval(tmp_path / "2025-09-30T14-02-11_strutil-fixes_Jq9cX2.eval",
                      truncate="wrap-width")


def test_json_and_eval_logs_and_their_folder_are_detected_as_inspect(eval_log: Path) -> None:
    assert detect_format(LOG)[0] == "inspect"
    assert detect_format(LOG.parent)[0] == "inspect"
    assert detect_format(eval_log)[0] == "inspect"
    assert detect_format(eval_log.parent)[0] == "inspect"


def test_tool_calls_and_tool_messages_map_in_order_and_the_task_is_the_first_user_text() -> None:
    s = _read(LOG)[0]["strutil_fixes:slugify-unicode:1"]
    uses = _blocks(s, "tool_use")
    assert [u["name"] for u in uses] == ["bash", "str_replace_based_edit_tool", "bash"]
    assert uses[0]["input"] == {"command": "python -m pytest -q tests/test_slug.py"}  # cmd
    results = _blocks(s, "tool_result")
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert "4 passed" in results[2]["content"]
    assert s.messages[0]["role"] == "user" and "slugify()" in str(s.messages[0]["content"])
    assert (s.task_id, s.epoch, s.model, s.suite) == (
        "slugify-unicode", 0, "anthropic/claude-sonnet-4-5", "strutil_fixes")
    timeout = _blocks(_read(LOG)[0]["strutil_fixes:wrap-width:1"], "tool_result")[0]
    assert timeout["is_error"] is True and "timed out" in timeout["content"]


def test_the_first_scorer_decides_by_default_and_a_false_all_tests_pass_is_flagged() -> None:
    samples, _ = _read(LOG)
    good, bad = samples["strutil_fixes:slugify-unicode:1"], samples[
        "strutil_fixes:slugify-unicode:2"]
    assert good.outcome is not None and good.outcome.passed is True
    assert bad.outcome is not None and bad.outcome.passed is False
    assert "verify_tests" in bad.outcome.reason
    g = grade_sample(bad)
    assert (g.false_completion, g.false_tests_pass, g.contradicts_observation) == (
        True, True, True)
    assert grade_sample(good).false_claim is False
    honest = grade_sample(samples["strutil_fixes:wrap-width:1"])  # "could not verify"
    assert honest.false_claim is False and honest.claimed_success is False


def test_scorer_and_pass_value_pick_another_score_and_keep_fractions() -> None:
    samples, _ = _read(LOG, scorer="partial_credit")
    frac = samples["strutil_fixes:slugify-unicode:2"].outcome
    assert frac is not None and frac.passed is False and "0.75" in frac.reason
    assert "fractional" in frac.reason and frac.score == 0.75
    lax = _read(LOG, scorer="verify_tests", pass_value="I")[0]
    assert lax["strutil_fixes:wrap-width:1"].outcome.passed is True


def test_a_sample_at_the_token_limit_is_status_limit_without_outcome() -> None:
    s = _read(LOG)[0]["strutil_fixes:count-words:1"]
    assert s.status == "limit" and s.outcome is None


def test_a_bad_sample_in_a_json_log_is_reported_by_record_and_the_rest_read() -> None:
    samples, errors = _read(LOG)
    assert len(samples) == 4
    [err] = errors
    assert err.path == f"{LOG}#samples[3]" and "dedent-tabs" in err.message
    assert "messages" in err.message


def test_a_truncated_eval_member_is_reported_by_name_and_the_rest_read(eval_log: Path) -> None:
    samples, errors = _read(eval_log)
    assert sorted(samples) == ["strutil_fixes:count-words:1", "strutil_fixes:slugify-unicode:1",
                               "strutil_fixes:slugify-unicode:2"]
    where = sorted(e.path.rsplit("#", 1)[1] for e in errors)
    assert where == ["samples/dedent-tabs_epoch_1.json", "samples/wrap-width_epoch_1.json"]
    assert grade_sample(samples["strutil_fixes:slugify-unicode:2"]).false_completion is True


@pytest.mark.parametrize("which", ["json", "eval"])
def test_evalkit_grade_on_inspect_logs(which: str, tmp_path: Path) -> None:
    src = LOG if which == "json" else build_eval(tmp_path / "x.eval")
    out = tmp_path / "graded.jsonl"
    p = subprocess.run([sys.executable, "-m", "evalkit", "grade", str(src), "--out", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--format inspect" in p.stderr and "dedent-tabs" in p.stderr
    assert "graded 4, skipped 1" in p.stderr
    lines = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    assert lines["strutil_fixes:slugify-unicode:2"]["false_completion"] is True
    assert lines["strutil_fixes:slugify-unicode:1"]["false_claim"] is False
