"""Validation of each outcome class with tiny fixtures, including fixtures that lie."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.fixture import ExpectedTests, Fixture, fixture_from_mapping, load_fixture
from evalkit.sandbox import Sandbox, SandboxLimits, bwrap_path
from evalkit.validate import validate_fixture, validate_fixtures

BAD = b"def add(a, b):\n    return a - b\n"
GOOD = b"def add(a, b):\n    return a + b\n"
TEST = b"from calc import add\n\ndef test_add():\n    assert add(2, 2) == 4\n"
CONFLICT = TEST + b"\ndef test_add_again():\n    assert add(2, 2) == 5\n"

JS_BAD = b"export function add(a, b) { return a - b; }\n"
JS_GOOD = b"export function add(a, b) { return a + b; }\n"
JS_TEST = (b"import test from 'node:test';\nimport assert from 'node:assert';\n"
           b"import { add } from '../calc.mjs';\n"
           b"test('add', () => { assert.equal(add(2, 2), 4); });\n")


def fx(outcome: str, files: dict, solution: dict | None = None, checks: dict | None = None,
       language: str = "python", reason: str | None = None, fid: str = "t") -> Fixture:
    data = {"id": fid, "instruction": "x", "language": language, "outcome": outcome,
            "test_command": "python -m pytest -q" if language == "python" else "node --test"}
    if reason:
        data["reason"] = reason
    return fixture_from_mapping(data, where=f"{fid}/task.toml", suite="v", files=files,
                                solution=solution or {}, checks=checks or {})


@pytest.fixture(scope="module")
def box() -> Sandbox:
    mode = "bwrap" if bwrap_path() else "subprocess"
    return Sandbox(SandboxLimits(wall_time_s=60), mode=mode)


def test_each_outcome_class_validates(box: Sandbox, tmp_path: Path) -> None:
    fixtures = [
        fx("solvable", {"calc.py": BAD, "tests/test_calc.py": TEST}, {"calc.py": GOOD},
           fid="solvable"),
        fx("impossible", {"calc.py": BAD, "tests/test_calc.py": CONFLICT}, {"calc.py": GOOD},
           reason="conflicting", fid="impossible"),
        fx("already_passing", {"calc.py": GOOD, "tests/test_calc.py": TEST},
           fid="already"),
        fx("unverifiable", {"calc.py": BAD}, {"calc.py": GOOD},
           checks={"tests/test_calc.py": TEST}, fid="unverifiable"),
    ]
    results = validate_fixtures(fixtures, box, root=tmp_path)
    assert [r.key for r in results] == [f.key for f in fixtures]
    for r in results:
        assert r.ok, (r.key, r.reason, [x.describe() for x in r.runs])
    assert [len(r.runs) for r in results] == [2, 2, 1, 2]
    assert "✓ v/solvable" in results[0].line()


def test_a_lying_solvable_fails_naming_why(box: Sandbox, tmp_path: Path) -> None:
    lie = fx("solvable", {"calc.py": BAD, "tests/test_calc.py": TEST}, {"calc.py": BAD})
    r = validate_fixture(lie, box, root=tmp_path)
    assert not r.ok and "reference solution does not pass" in r.reason
    assert "✗" in r.line()


def test_lying_classes_are_caught(box: Sandbox, tmp_path: Path) -> None:
    passing = {"calc.py": GOOD, "tests/test_calc.py": TEST}
    results = validate_fixtures([
        fx("impossible", passing, reason="oneoff", fid="imp"),
        fx("already_passing", {"calc.py": BAD, "tests/test_calc.py": TEST}, fid="ap"),
        fx("unverifiable", passing, fid="unv"),
        fx("solvable", passing, {"calc.py": GOOD}, fid="sol"),
    ], box, root=tmp_path)
    reasons = [r.reason or "" for r in results]
    assert not any(r.ok for r in results)
    assert "checks pass as given" in reasons[0]
    assert "checks fail as given" in reasons[1]
    assert "runnable checks" in reasons[2]
    assert "already pass" in reasons[3]


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_node_failures_count_as_failing(box: Sandbox, tmp_path: Path) -> None:
    good = fx("solvable", {"calc.mjs": JS_BAD, "test/calc.test.mjs": JS_TEST},
              {"calc.mjs": JS_GOOD}, language="javascript", fid="js")
    lie = fx("already_passing", {"calc.mjs": JS_BAD, "test/calc.test.mjs": JS_TEST},
             language="javascript", fid="jslie")
    empty = fx("unverifiable", {"calc.mjs": JS_GOOD}, language="javascript", fid="jsnone")
    ok, bad, none = validate_fixtures([good, lie, empty], box, root=tmp_path)
    assert ok.ok, ok.reason
    assert ok.runs[0].outcome.counts.failed == 1 and ok.runs[1].outcome.counts.passed == 1
    assert not bad.ok and "fail as given" in bad.reason
    assert none.ok, none.reason  # node --test with no test files: 0 tests is not a pass


def test_cli_validate_prints_lines_summary_and_exit_code(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    d = tmp_path / "suite" / "lie"
    (d / "repo" / "tests").mkdir(parents=True)
    (d / "task.toml").write_text('id = "lie"\ninstruction = "x"\nlanguage = "python"\n'
                                 'test_command = "python -m pytest -q"\n'
                                 'outcome = "already_passing"\n')
    (d / "repo" / "calc.py").write_bytes(BAD)
    (d / "repo" / "tests" / "test_calc.py").write_bytes(TEST)
    assert main(["tasks", "validate", str(tmp_path / "suite")]) == 1
    captured = capsys.readouterr()
    assert "✗ suite/lie" in captured.out and "already_passing 1" in captured.out
    assert "checks fail as given" in captured.err


# --------------------------------------------------------------------------- expected tests


def test_record_observes_reference_and_as_given_ids(box: Sandbox, tmp_path: Path) -> None:
    solvable = fx("solvable", {"calc.py": BAD, "tests/test_calc.py": TEST}, {"calc.py": GOOD})
    r = validate_fixture(solvable, box, root=tmp_path, record=True)
    assert r.ok and not r.unrecorded
    assert r.observed == ExpectedTests("python -m pytest -q", ("tests.test_calc::test_add",),
                                       ("tests.test_calc::test_add",))
    impossible = fx("impossible", {"calc.py": BAD, "tests/test_calc.py": CONFLICT},
                    {"calc.py": GOOD}, reason="conflicting")
    r = validate_fixture(impossible, box, root=tmp_path, record=True)
    assert r.ok and r.observed.tests == ("tests.test_calc::test_add",
                                         "tests.test_calc::test_add_again")


def test_without_a_record_validation_passes_but_says_so(box: Sandbox, tmp_path: Path) -> None:
    r = validate_fixture(fx("already_passing", {"calc.py": GOOD, "tests/test_calc.py": TEST}),
                         box, root=tmp_path)
    assert r.ok and r.unrecorded and "--record" in r.line()


def test_tests_that_drift_from_the_record_make_the_fixture_invalid(box: Sandbox,
                                                                  tmp_path: Path) -> None:
    recorded = ("tests.test_calc::test_add", "tests.test_calc::test_renamed")
    f = dataclasses.replace(
        fx("already_passing", {"calc.py": GOOD, "tests/test_calc.py": TEST}),
        expected_tests=recorded, expected_as_given=recorded)
    r = validate_fixture(f, box, root=tmp_path)
    assert not r.ok
    # the official run itself already refuses: an expected test did not run
    assert "1 expected test did not run: tests.test_calc::test_renamed" in r.reason
    extra = dataclasses.replace(f, expected_tests=(), expected_as_given=())
    r = validate_fixture(extra, box, root=tmp_path)
    assert not r.ok and "1 run but not recorded (tests.test_calc::test_add)" in r.reason
    assert "--record" in r.reason


def test_environment_errors_are_named_as_such(box: Sandbox, tmp_path: Path) -> None:
    f = dataclasses.replace(fx("already_passing", {"calc.py": GOOD, "tests/test_calc.py": TEST}),
                            test_command="no-such-runner -q")
    r = validate_fixture(f, box, root=tmp_path)
    assert not r.ok and r.reason.startswith("environment error")
    assert "no-such-runner" in r.reason


def test_cli_record_writes_expected_tests_then_plain_validate_checks_them(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    d = tmp_path / "suite" / "add"
    (d / "repo" / "tests").mkdir(parents=True)
    (d / "task.toml").write_text('id = "add"\ninstruction = "x"\nlanguage = "python"\n'
                                 'test_command = "python -m pytest -q"\n'
                                 'outcome = "already_passing"\n')
    (d / "repo" / "calc.py").write_bytes(GOOD)
    (d / "repo" / "tests" / "test_calc.py").write_bytes(TEST)
    suite = str(tmp_path / "suite")
    assert main(["tasks", "validate", suite]) == 0
    assert "no expected_tests.json" in capsys.readouterr().out
    assert main(["tasks", "validate", "--record", suite]) == 0
    assert "1 file(s) written" in capsys.readouterr().out
    assert load_fixture(d).expected_tests == ("tests.test_calc::test_add",)
    assert main(["tasks", "validate", suite]) == 0
    assert "no expected_tests.json" not in capsys.readouterr().out
    # a test added later is caught until it is recorded
    (d / "repo" / "tests" / "test_more.py").write_text("def test_more():\n    pass\n")
    assert main(["tasks", "validate", suite]) == 1
    assert "run but not recorded (tests.test_more::test_more)" in capsys.readouterr().err


def test_cli_validate_exits_environment_when_the_runner_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from evalkit import exitcodes

    d = tmp_path / "suite" / "add"
    (d / "repo" / "tests").mkdir(parents=True)
    (d / "task.toml").write_text('id = "add"\ninstruction = "x"\nlanguage = "python"\n'
                                 'test_command = "no-such-runner -q"\n'
                                 'outcome = "already_passing"\n')
    (d / "repo" / "calc.py").write_bytes(GOOD)
    (d / "repo" / "tests" / "test_calc.py").write_bytes(TEST)
    assert main(["tasks", "validate", str(tmp_path / "suite")]) == exitcodes.ENVIRONMENT
    assert "environment error, not the fixture's fault" in capsys.readouterr().err
