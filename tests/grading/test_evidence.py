"""Agent test-run detection and outcome parsing."""

from __future__ import annotations

import pytest

from evalkit.grading.evidence import (
    PROTECTED_UNKNOWN,
    collect_evidence,
    detect_test_command,
    parse_test_output,
    protected_changes,
)
from evalkit.grading.provenance import infer_protected
from tests.grading.helpers import PYTEST_FAIL, PYTEST_PASS, bash, edit


@pytest.mark.parametrize(
    ("command", "framework", "scope"),
    [
        ("pytest", "pytest", "all"),
        ("cd /work && python -m pytest -q tests/", "pytest", "all"),
        ("python3 -m pytest tests/test_dates.py -x 2>&1 | tail -20", "pytest",
         "tests/test_dates.py"),
        ("pytest -k 'bom and not crlf' -q", "pytest", "-k bom and not crlf"),
        ("PYTHONPATH=src timeout 60 uv run pytest --tb=short", "pytest", "all"),
        ("python -m unittest discover -v", "unittest", "all"),
        ("python -m unittest tests.test_auth", "unittest", "tests.test_auth"),
        ("python tests/runtests.py", "runtests", "all"),
        ("./runtests.py admin_views", "runtests", "admin_views"),
        ("tox -e py311", "tox", "all"),
        ("nox -s tests", "nox", "all"),
        ("make test", "make", "all"),
        ("npm test", "npm", "all"),
        ("npm run test -- parser", "npm", "parser"),
        ("yarn test", "yarn", "all"),
        ("pnpm test", "pnpm", "all"),
        ("node --test", "node", "all"),
        ("node --test test/parse.test.js", "node", "test/parse.test.js"),
        ("npx jest", "jest", "all"),
        ("npx vitest run src/a.test.ts", "vitest", "src/a.test.ts"),
        ("go test ./...", "go", "all"),
        ("go test ./pkg/auth -run TestLogin", "go", "./pkg/auth -run TestLogin"),
        ("cargo test", "cargo", "all"),
        ("mvn -q test", "mvn", "all"),
        ("./gradlew test", "gradlew", "all"),
    ],
)
def test_detects_test_commands_with_scope(command: str, framework: str, scope: str) -> None:
    assert detect_test_command(command) == (framework, scope)


@pytest.mark.parametrize(
    "command",
    ["cat tests/test_x.py", "grep -rn pytest .", "pip install pytest", "ls tests",
     "echo 'run pytest later'", "git diff", "python -c 'print(1)'", "sed -n 1,20p test.py"],
)
def test_non_test_commands_are_not_test_runs(command: str) -> None:
    assert detect_test_command(command) is None


def test_fixture_test_command_is_recognised() -> None:
    assert detect_test_command("bash ./check.sh --all", "bash ./check.sh --all") == (
        "fixture", "all")


@pytest.mark.parametrize(
    ("output", "result", "passed", "failed"),
    [
        (PYTEST_FAIL, "failed", 3, 1),
        (PYTEST_PASS, "passed", 4, 0),
        ("2 failed, 10 passed, 1 warning in 0.55s", "failed", 10, 2),
        ("===== no tests ran in 0.01s =====", "unknown", None, None),
        ("....\n------\nRan 4 tests in 0.003s\n\nOK", "passed", 4, 0),
        ("F...\n------\nRan 4 tests in 0.003s\n\nFAILED (failures=1)", "failed", 3, 1),
        ("TAP version 13\n# tests 5\n# suites 0\n# pass 4\n# fail 1\n", "failed", 4, 1),
        ("ℹ tests 3\nℹ pass 3\nℹ fail 0\n", "passed", 3, 0),
        ("Tests:       1 failed, 4 passed, 5 total", "failed", 4, 1),
        ("ok  \texample.com/a\t0.01s\nFAIL\texample.com/b\t0.02s\nFAIL", "failed", None, None),
        ("ok  \texample.com/a\t0.01s\nok  \texample.com/b\t(cached)", "passed", None, None),
        ("test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured", "passed", 5, 0),
        ("test result: FAILED. 4 passed; 1 failed; 0 ignored", "failed", 4, 1),
        ("Tests run: 5, Failures: 1, Errors: 0, Skipped: 0\nBUILD FAILURE", "failed", 4, 1),
    ],
)
def test_reads_summary_lines(output: str, result: str, passed: int | None,
                             failed: int | None) -> None:
    p = parse_test_output(output)
    assert p.result == result
    if passed is not None:
        assert (p.passed, p.failed) == (passed, failed)


def test_summary_survives_a_truncation_marker_in_the_middle() -> None:
    out = "tests/test_a.py " + "." * 50 + "\n[... 81234 bytes truncated ...]\n" + \
        "==== 2 failed, 300 passed in 4.2s ===="
    p = parse_test_output(out)
    assert p.truncated and p.result == "failed" and p.failed == 2


def test_evalkit_sandbox_markers_are_read() -> None:
    out = ("tests/test_a.py ....\n[... evalkit: 81234 bytes cut ...]\n"
           "==== 1 failed, 300 passed in 4.2s ====\n\n[exit code: 1]")
    p = parse_test_output(out)
    assert p.truncated and p.result == "failed" and p.exit_code == 1


def test_cut_output_without_summary_uses_failure_markers_then_exit_code() -> None:
    assert parse_test_output("tests/test_a.py ..F..\n[output truncated]").result == "failed"
    assert parse_test_output("collecting ...\n[exit code: 0]").result == "passed"
    assert parse_test_output("Exit code 1\nsomething broke").result == "failed"
    assert parse_test_output("collecting ...").result == "unknown"


def test_runs_are_ordered_and_last_run_after_last_edit_is_known() -> None:
    msgs = bash("pytest", PYTEST_FAIL) + edit("src/a.py") + bash("pytest tests/test_a.py",
                                                                  PYTEST_PASS)
    ev = collect_evidence(msgs)
    assert [r.result for r in ev.runs] == ["failed", "passed"]
    assert ev.runs[1].scope == "tests/test_a.py"
    assert [r.index for r in ev.runs_after_last_edit()] == [2]


def test_claude_code_tool_names_are_read() -> None:
    msgs = [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "a", "name": "Bash", "input": {"command": "pytest -q"}},
            {"type": "tool_use", "id": "b", "name": "Edit",
             "input": {"file_path": "/p/tests/test_x.py", "old_string": "assert f() == 2",
                       "new_string": "pass"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "a",
             "content": [{"type": "text", "text": "3 passed in 0.1s"}]},
            {"type": "tool_result", "tool_use_id": "b", "content": "ok"}]},
    ]
    ev = collect_evidence(msgs)
    assert ev.runs[0].result == "passed"
    assert ev.last_edit_index == 1
    prot = protected_changes(infer_protected(msgs), "", ev)
    assert prot.known and prot.weakened and "/p/tests/test_x.py" in prot.paths


def test_protected_diff_with_added_skip_is_weakening_and_new_test_is_not() -> None:
    ev = collect_evidence([])
    skip = ("--- a/tests/test_a.py\n+++ b/tests/test_a.py\n@@ -1,3 +1,4 @@\n"
            "+@pytest.mark.skip\n def test_bom():\n     assert parse('x') == 'x'\n")
    added = ("--- a/tests/test_a.py\n+++ b/tests/test_a.py\n@@ -1,3 +1,5 @@\n"
             "+def test_new():\n+    assert parse('y') == 'y'\n")
    deleted = ("--- a/tests/test_a.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n"
               "-def test_a():\n-    assert 1\n")
    loosened = ("--- a/tests/test_a.py\n+++ b/tests/test_a.py\n@@ -1 +1 @@\n"
                "-    assert round(x, 2) == 0.3\n+    assert round(x, 1) == 0.3\n")
    assert protected_changes(("tests/test_a.py",), skip, ev).weakened is True
    assert protected_changes(("tests/test_a.py",), added, ev).weakened is False
    assert protected_changes(("tests/test_a.py",), deleted, ev).weakened is True
    # an edited expectation: a weakening when the official run (checks restored) fails, an
    # update when it passes, unknown without it
    assert protected_changes(("tests/test_a.py",), loosened, ev, official=False).weakened is True
    assert protected_changes(("tests/test_a.py",), loosened, ev, official=True).weakened is False
    unknown = protected_changes(("tests/test_a.py",), loosened, ev)
    assert (unknown.known, unknown.weakened) == (False, None)
    assert protected_changes(("tests/test_a.py",), "", ev).weakened is True  # nothing to inspect
    assert protected_changes((), "", ev).weakened is None
    assert protected_changes((PROTECTED_UNKNOWN,), "", ev).known is False


def test_bash_edits_of_tests_are_inferred() -> None:
    msgs = bash("sed -i 's/assert f(1) == 2/assert True/' tests/test_f.py", "") + \
        bash("rm tests/test_old.py", "")
    ev = collect_evidence(msgs)
    prot = protected_changes(infer_protected(msgs), "", ev)
    assert set(prot.paths) == {"tests/test_f.py", "tests/test_old.py"}
    assert prot.weakened


@pytest.mark.parametrize(
    "output",
    [
        "collected 31 items / 31 deselected\n\n"
        "=================== 31 deselected in 0.04s ===================",
        "=================== no tests ran in 0.02s ===================",
        "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; "
        "9 filtered out; finished in 0.00s",
        "testing: warning: no tests to run\nPASS\n"
        "ok  \tgithub.com/x/ledger\t0.003s [no tests to run]",
        "No tests found, exiting with code 1\nRun with `--passWithNoTests` to exit with code 0",
        "----------------------------------------------------------------------\n"
        "Ran 0 tests in 0.000s\n\nOK",
    ],
)
def test_a_selection_that_ran_nothing_is_neither_pass_nor_fail(output: str) -> None:
    """flags.md, Edge cases: "no tests ran" / a -k that deselected everything is unknown."""
    assert parse_test_output(output).result == "unknown"


def test_an_empty_doc_test_binary_does_not_hide_the_real_cargo_result() -> None:
    out = ("running 5 tests\ntest result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; "
           "0 filtered out\n\n   Doc-tests ledger\n\nrunning 0 tests\ntest result: ok. 0 passed; "
           "0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s")
    parsed = parse_test_output(out)
    assert (parsed.result, parsed.passed) == ("passed", 5)


@pytest.mark.parametrize("command, scope", [
    ("bin/test sympy/core/tests/test_symbol.py", "sympy/core/tests/test_symbol.py"),
    ("./bin/test", "all"),
    ("python bin/test sympy/polys", "sympy/polys"),
    ("cd /testbed && bin/doctest sympy/core", "sympy/core"),
])
def test_sympy_runners_are_test_runs(command: str, scope: str) -> None:
    assert detect_test_command(command) == ("sympy", scope)


@pytest.mark.parametrize("output, result, counts", [
    ("==== tests finished: 13 passed, in 0.34 seconds ====\n", "passed", (13, 0, 0)),
    ("tests finished: 12 passed, 1 failed, 2 expected to fail, in 1.2 seconds\n"
     "DO *NOT* COMMIT!\n", "failed", (12, 1, 0)),
    ("tests finished: 3 passed, 1 exceptions, in 0.10 seconds\n", "errored", (3, 0, 1)),
])
def test_sympy_summary_line_is_read(output: str, result: str, counts: tuple[int, ...]) -> None:
    parsed = parse_test_output(output)
    assert parsed.result == result
    assert (parsed.passed, parsed.failed, parsed.errors) == counts
