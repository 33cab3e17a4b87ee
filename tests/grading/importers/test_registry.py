"""Formats by name and by content: what ``evalkit grade`` reads when --format is not given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit import exitcodes
from evalkit.cli import main
from evalkit.grading.importers import FORMATS, ImportFormatError, detect_format, iter_records
from tests.grading.helpers import PYTEST_FAIL, bash, final
from tests.grading.importers.trajs import SUBMIT, report, turn, v1, write_run


def test_every_format_is_registered() -> None:
    assert set(FORMATS) == {"jsonl", "mini-swe-agent", "claude-code", "inspect", "swe-agent",
                            "openhands", "harbor", "codex"}


def test_detection_by_name_content_and_folder(tmp_path: Path) -> None:
    traj = tmp_path / "a.traj.json"
    traj.write_text(json.dumps(v1([turn("Done.", SUBMIT)])))
    renamed = tmp_path / "a.json"  # no telling suffix: the opening says it
    renamed.write_text(json.dumps(v1([turn("Done.", SUBMIT)])))
    run = write_run(tmp_path / "run", {"x__y-1": v1([turn("Done.", SUBMIT)])})
    lines = tmp_path / "t.jsonl"
    lines.write_text(json.dumps({"id": "a", "messages": final("ok")}) + "\n")
    cc = tmp_path / "s.jsonl"
    cc.write_text(json.dumps({"type": "user", "sessionId": "s", "uuid": "u",
                              "message": {"role": "user", "content": "hi"}}) + "\n")
    assert detect_format(traj) == ("mini-swe-agent", "looks like mini-swe-agent trajectories")
    assert detect_format(renamed)[0] == "mini-swe-agent"
    assert detect_format(run)[0] == detect_format(run / "trajs")[0] == "mini-swe-agent"
    assert detect_format(lines) == ("jsonl", None)
    assert detect_format(cc)[0] == "claude-code"
    assert detect_format(tmp_path / "x.eval")[0] == "inspect"


def test_unknown_format_name_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="expected one of jsonl, harbor, swe-agent"):
        next(iter_records(tmp_path, "no-such-format"))


def test_grade_cli_detects_trajectories_and_refuses_unknown_formats(
        tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    run = write_run(tmp_path / "run", {
        "x__y-1": v1([turn("Run.", "python -m pytest"), {"role": "user", "content":
                      f"<returncode>1</returncode>\n<output>\n{PYTEST_FAIL}\n</output>"},
                      turn("All tests pass, the fix is complete.", SUBMIT)],
                     instance="x__y-1")},
        {"x__y-1": report(False, [], ["t::a"], [])})
    out = tmp_path / "g.jsonl"
    assert main(["grade", str(run / "trajs"), "--out", str(out), "-q"]) == exitcodes.OK
    err = capsys.readouterr().err
    assert "looks like mini-swe-agent trajectories; reading it with --format mini-swe-agent" in err
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["id"] == "x__y-1" and line["actual_success"] is False
    assert line["claimed_success"] is True and line["false_completion"] is True
    assert main(["grade", str(run), "--format", "no-such-format", "--out", str(out)]) == \
        exitcodes.USAGE
    assert "--format: expected one of jsonl, harbor, swe-agent" in capsys.readouterr().err
    jl = tmp_path / "t.jsonl"
    jl.write_text(json.dumps({"id": "a", "messages": bash("pytest", PYTEST_FAIL)
                              + final("Tests pass.")}) + "\n")
    assert main(["grade", str(jl), "--out", str(out), "-q"]) == exitcodes.OK
    assert "reading it with" not in capsys.readouterr().err  # the default says nothing


def test_every_format_says_what_it_reads_how_it_is_detected_and_an_example() -> None:
    from evalkit.grading.importers.registry import _DETECT_ORDER, REGISTRY

    assert sorted(_DETECT_ORDER) == sorted(FORMATS) and _DETECT_ORDER[-1] == "jsonl"
    for f in REGISTRY.values():
        assert f.description and f.example and f.detected, f.name
        assert f.detect is not None, f.name
