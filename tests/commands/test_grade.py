"""``evalkit grade`` options for imports: --list-formats, --format auto, --outcomes, --scorer /
--pass-value, --variant, and --out DIR (a run folder); bad values are usage errors naming the
flag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evalkit import exitcodes
from evalkit.cli import main
from evalkit.grading.importers import FORMATS
from tests.grading.helpers import PYTEST_FAIL, PYTEST_PASS, bash, final

INSPECT_LOG = Path(__file__).parent.parent / "data" / "importers" / "inspect" / \
    "strutil_fixes.json"


def _lines(path: Path) -> dict[str, dict[str, Any]]:
    return {d.get("id") or d["sample_id"]: d for d in map(json.loads,
                                                          path.read_text().splitlines())}


def _imports(tmp_path: Path, name: str = "t.jsonl", model: str | None = "acme/coder-1") -> Path:
    """Three instances claiming success; the lines carry no outcome of their own."""
    src = tmp_path / name
    rows = []
    for i, out in (("x__y-1", PYTEST_PASS), ("x__y-2", PYTEST_FAIL), ("x__y-3", PYTEST_FAIL)):
        row: dict[str, Any] = {"id": i, "messages": bash("python -m pytest", out)
                               + final("Fixed; all tests pass.")}
        if model:
            row["model"] = model
        rows.append(json.dumps(row))
    src.write_text("\n".join(rows) + "\n")
    return src


def test_list_formats_needs_no_path_and_says_what_each_reads_and_how_it_is_detected(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "--list-formats"]) == exitcodes.OK
    out = capsys.readouterr().out
    for name in FORMATS:
        assert f"\n{name}\n  reads:" in out
    assert out.count("  detected: ") == len(FORMATS) and "--outcomes" in out


def test_no_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade"]) == exitcodes.USAGE
    assert "--list-formats" in capsys.readouterr().err


def test_format_auto_detects_and_an_unknown_name_is_a_usage_error_naming_the_flag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = _imports(tmp_path), tmp_path / "g.jsonl"
    assert main(["grade", str(src), "--format", "auto", "--out", str(out), "-q"]) == 0
    assert len(_lines(out)) == 3
    capsys.readouterr()
    assert main(["grade", str(src), "--format", "swe", "--out", str(out)]) == exitcodes.USAGE
    assert "--format: expected one of jsonl" in capsys.readouterr().err


def test_outcomes_join_by_instance_id_and_the_missing_are_counted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = _imports(tmp_path), tmp_path / "g.jsonl"
    summary = tmp_path / "acme.run.json"
    summary.write_text(json.dumps({"resolved_ids": ["x__y-1"], "unresolved_ids": ["x__y-2"],
                                   "error_ids": ["x__y-3"]}))
    assert main(["grade", str(src), "--outcomes", str(summary), "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert "2 of 3 samples joined by instance id; 1 graded without an official outcome: " \
           "1 a harness error there (x__y-3)" in err
    lines = _lines(out)
    assert lines["x__y-1"]["false_claim"] is False and lines["x__y-1"]["actual_success"] is True
    assert lines["x__y-2"]["false_completion"] is True
    assert lines["x__y-3"]["actual_success"] is None and lines["x__y-3"]["false_completion"] \
        is None


def test_bad_outcomes_are_usage_errors_naming_the_flag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = _imports(tmp_path), tmp_path / "g.jsonl"
    assert main(["grade", str(src), "--outcomes", str(tmp_path / "no.json"), "--out",
                 str(out)]) == exitcodes.USAGE
    assert f"--outcomes {tmp_path / 'no.json'}: no such file or folder" in \
        capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert main(["grade", str(src), "--outcomes", str(bad), "--out", str(out)]) == \
        exitcodes.USAGE
    err = capsys.readouterr().err
    assert f"--outcomes {bad}: no outcome could be read" in err and "expected a JSON object" in err
    assert not out.exists()


def test_no_sample_matching_the_outcomes_says_what_the_ids_look_like(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = _imports(tmp_path), tmp_path / "g.jsonl"
    summary = tmp_path / "s.json"
    summary.write_text(json.dumps({"resolved_ids": ["other__repo-9"]}))
    assert main(["grade", str(src), "--outcomes", str(summary), "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert "0 of 3 samples joined" in err and "'x__y-1'" in err and "'other__repo-9'" in err


def test_scorer_and_pass_value_choose_the_inspect_outcome(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.jsonl"
    assert main(["grade", str(INSPECT_LOG), "--out", str(out), "-q"]) == 0
    default = _lines(out)
    assert default["strutil_fixes:wrap-width:1"]["actual_success"] is False
    assert main(["grade", str(INSPECT_LOG), "--scorer", "verify_tests", "--pass-value", "I",
                 "--out", str(out), "-q"]) == 0
    assert _lines(out)["strutil_fixes:wrap-width:1"]["actual_success"] is True
    capsys.readouterr()
    assert main(["grade", str(INSPECT_LOG), "--scorer", "nope", "--out", str(out)]) == \
        exitcodes.USAGE
    err = capsys.readouterr().err
    assert "--scorer nope: no sample of" in err and "verify_tests, partial_credit" in err


@pytest.mark.parametrize("argv, flag", [
    (["--scorer", "verify_tests"], "--scorer is for Inspect logs"),
    (["--pass-value", "C"], "--pass-value is for Inspect logs"),
    (["--scorer", " "], "--scorer: expected a non-empty value"),
    (["--variant", ""], "--variant: expected a non-empty value"),
])
def test_inspect_flags_on_other_formats_and_empty_values_are_usage_errors(
        argv: list[str], flag: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    src = _imports(tmp_path)
    assert main(["grade", str(src), *argv, "--out", str(tmp_path / "g.jsonl")]) == \
        exitcodes.USAGE
    assert flag in capsys.readouterr().err


def test_import_flags_on_a_run_folder_are_usage_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "A"
    assert main(["grade", str(_imports(tmp_path)), "--out", str(run), "-q"]) == 0
    capsys.readouterr()
    assert main(["grade", str(run), "--outcomes", str(tmp_path / "t.jsonl")]) == exitcodes.USAGE
    assert "--outcomes is for imported transcripts" in capsys.readouterr().err


def test_flat_lines_carry_what_load_needs_and_variant_labels_them(tmp_path: Path) -> None:
    out = tmp_path / "g.jsonl"
    assert main(["grade", str(_imports(tmp_path)), "--variant", "coder-1 + prompt B", "--out",
                 str(out), "-q"]) == 0
    line = _lines(out)["x__y-2"]
    assert (line["suite"], line["variant"], line["model"], line["epoch"], line["status"]) == (
        "imported", "coder-1 + prompt B", "acme/coder-1", 0, "ok")


def test_out_dir_is_a_run_folder_that_regrades_and_never_overwrites_a_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _imports(tmp_path, model=None)
    run = tmp_path / "subm-a"
    assert main(["grade", str(src), "--out", str(run), "-q"]) == 0
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["run_id"] == "subm-a" and manifest["status"] == "complete"
    assert manifest["imported_from"]["format"] == "jsonl"
    assert manifest["counts"] == {"samples": 3, "ok": 3, "limit": 0, "error": 0}
    samples = _lines(run / "samples.jsonl")
    assert {s["run_id"] for s in samples.values()} == {"subm-a"}
    # no model in the input: the folder's name labels the variant
    assert {s["variant"] for s in samples.values()} == {"subm-a"}
    assert all(s["grade"]["grader"] == "rules" and s["messages"] for s in samples.values())
    assert manifest["outcome_class_unknown"] == sorted(samples)
    assert {s["grade"]["gamed_checks"] for s in samples.values()} == {None}
    # the folder re-grades in place like a run, the class still unknown
    assert main(["grade", str(run), "-q"]) == 0
    regraded = [json.loads(x) for x in (run / "grades.jsonl").read_text().splitlines()]
    assert len(regraded) == 3 and {g["grade"]["gamed_checks"] for g in regraded} == {None}
    # an earlier import is replaced; a real run is not touched
    assert main(["grade", str(src), "--out", str(run), "-q"]) == 0
    assert not (run / "grades.jsonl").exists()
    real = tmp_path / "real"
    real.mkdir()
    (real / "samples.jsonl").write_text("")
    (real / "manifest.json").write_text(json.dumps({"run_id": "real", "status": "complete"}))
    capsys.readouterr()
    assert main(["grade", str(src), "--out", str(real)]) == exitcodes.USAGE
    assert "holds a run" in capsys.readouterr().err
    assert (real / "samples.jsonl").read_text() == ""
