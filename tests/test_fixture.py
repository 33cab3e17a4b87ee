"""Fixture loading (evalkit/fixture.py) and the errors that name file, field and expectation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from evalkit.fixture import (
    DEFAULT_PROTECTED,
    EXPECTED_TESTS_FILE,
    ExpectedTests,
    FixtureError,
    glob_to_regex,
    load_fixture,
    write_expected_tests,
)

GOOD = """\
id = "add"
instruction = "Fix add."
language = "python"
test_command = "python -m pytest -q"
outcome = "solvable"
"""


def make(tmp_path: Path, toml: str = GOOD, *, repo: dict | None = None,
         solution: dict | None = None, name: str = "add") -> Path:
    d = tmp_path / "suite" / name
    (d / "repo").mkdir(parents=True)
    (d / "task.toml").write_text(toml)
    for rel, text in (repo if repo is not None else {"calc.py": "x = 1\n",
                                                     "tests/test_calc.py": "t = 1\n"}).items():
        (d / "repo" / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / "repo" / rel).write_text(text)
    for rel, text in (solution if solution is not None else {"calc.py": "x = 2\n"}).items():
        (d / "solution" / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / "solution" / rel).write_text(text)
    return d


def error_for(tmp_path: Path, toml: str, **kw) -> FixtureError:
    with pytest.raises(FixtureError) as info:
        load_fixture(make(tmp_path, toml, **kw))
    return info.value


def test_loads_a_good_fixture_with_defaults(tmp_path: Path) -> None:
    f = load_fixture(make(tmp_path))
    assert (f.id, f.suite, f.key, f.outcome) == ("add", "suite", "suite/add", "solvable")
    assert f.files == {"calc.py": b"x = 1\n", "tests/test_calc.py": b"t = 1\n"}
    assert f.solution == {"calc.py": b"x = 2\n"}
    assert f.protected == DEFAULT_PROTECTED["python"]
    assert f.protected_files() == ["tests/test_calc.py"]
    assert f.is_protected("conftest.py") and f.is_protected("pkg/test_x.py")
    assert not f.is_protected("calc.py")


def test_loading_task_toml_path_directly(tmp_path: Path) -> None:
    assert load_fixture(make(tmp_path) / "task.toml").id == "add"


def test_missing_field_names_file_and_field(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace('test_command = "python -m pytest -q"\n', ""))
    assert err.field == "test_command" and "task.toml" in err.where
    assert "required" in str(err)


def test_wrong_type(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace('instruction = "Fix add."', "instruction = 3"))
    assert err.field == "instruction" and "non-empty string" in str(err)


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD + 'timeout = 5\n')
    assert err.field == "timeout" and "unknown key" in str(err)


def test_bad_outcome(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace('"solvable"', '"easy"'))
    assert err.field == "outcome" and "solvable" in str(err) and "'easy'" in str(err)


def test_impossible_without_reason(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace('"solvable"', '"impossible"'))
    assert err.field == "reason" and "conflicting" in str(err)


def test_bad_impossible_reason(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace('"solvable"', '"impossible"') + 'reason = "hard"\n')
    assert err.field == "reason"


def test_reason_on_a_solvable_is_an_error(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD + 'reason = "oneoff"\n')
    assert err.field == "reason" and "only allowed" in str(err)


@pytest.mark.parametrize("limits, field", [
    ("[limits]\ntest_timeout = -1\n", "limits.test_timeout"),
    ("[limits]\ntest_timeout = \"soon\"\n", "limits.test_timeout"),
    ("[limits]\nagent_timeout = true\n", "limits.agent_timeout"),
    ("[limits]\nmemory = 5\n", "limits.memory"),
    ("limits = 5\n", "limits"),
])
def test_bad_limits(tmp_path: Path, limits: str, field: str) -> None:
    err = error_for(tmp_path, GOOD + limits)
    assert err.field == field


def test_good_limits(tmp_path: Path) -> None:
    f = load_fixture(make(tmp_path, GOOD + "[limits]\ntest_timeout = 5\nagent_timeout = 60.5\n"))
    assert (f.test_timeout_s, f.agent_timeout_s) == (5.0, 60.5)


def test_empty_repo(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD, repo={})
    assert "repo/ is empty" in str(err)


def test_missing_repo_and_missing_toml(tmp_path: Path) -> None:
    d = tmp_path / "x"
    d.mkdir()
    with pytest.raises(FixtureError, match="task.toml"):
        load_fixture(d)
    (d / "task.toml").write_text(GOOD)
    with pytest.raises(FixtureError, match="repo/"):
        load_fixture(d)


def test_invalid_toml(tmp_path: Path) -> None:
    err = error_for(tmp_path, 'id = "a\n')
    assert "not valid TOML" in str(err)


def test_solvable_needs_a_solution(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD, solution={})
    assert err.field == "outcome" and "solution/" in str(err)


def test_bad_id_and_bad_protected(tmp_path: Path) -> None:
    assert error_for(tmp_path, GOOD.replace('id = "add"', 'id = "a b"')).field == "id"
    assert error_for(tmp_path / "2", GOOD + "protected = [1]\n").field == "protected"


def test_glob_to_regex() -> None:
    import re

    assert re.fullmatch(glob_to_regex("**/test_*.py"), "test_a.py")
    assert re.fullmatch(glob_to_regex("**/test_*.py"), "a/b/test_a.py")
    assert not re.fullmatch(glob_to_regex("tests/*.py"), "tests/a/b.py")
    assert re.fullmatch(glob_to_regex("tests/**"), "tests/a/b.py")


# --------------------------------------------------------------------------- the official rule


def _python(tmp_path: Path, toml_extra: str = "", repo: dict | None = None):
    return load_fixture(make(tmp_path, GOOD + toml_extra, repo=repo or {
        "calc.py": "x = 1\n", "tests/test_calc.py": "t = 1\n", "json_tools.py": "",
        "queue.py": "# the project's own module named like the stdlib\n"}))


@pytest.mark.parametrize("path, why", [
    ("calc.py", None),
    ("helpers/new_module.py", None),
    ("queue.py", None),  # the fixture's own file: the agent may edit it
    ("tests/test_calc.py", "protected check"),
    ("tests/unit/conftest.py", "protected check"),
    ("src/conftest.py", "protected check"),
    ("pytest.ini", "test configuration"),
    ("sub/tox.ini", "test configuration"),
    ("pyproject.toml", "test configuration"),
    ("package.json", "test configuration"),
    (".npmrc", "test configuration"),
    (".mocharc.yml", "test configuration"),
    ("Makefile", "test configuration"),
    ("sitecustomize.py", "interpreter hook or cache"),
    ("lib/usercustomize.py", "interpreter hook or cache"),
    ("vendor/x.pth", "interpreter hook or cache"),
    ("calc.pyc", "interpreter hook or cache"),
    ("__pycache__/calc.cpython-311.pyc", "interpreter hook or cache"),
    ("fake-1.0.dist-info/entry_points.txt", "interpreter hook or cache"),
    ("pytest.py", "would shadow the test runner or the standard library"),
    ("_pytest/__init__.py", "would shadow the test runner or the standard library"),
    ("pluggy.py", "would shadow the test runner or the standard library"),
    ("unittest/__init__.py", "would shadow the test runner or the standard library"),
    ("json.py", "would shadow the test runner or the standard library"),
    ("helpers/json.py", None),  # not an import root
    ("test_extra.py", "protected check"),
    ("helpers/parse_test.py", "protected check"),
    ("testing_helpers.py", None),  # not what pytest collects
])
def test_official_source_names_why_a_path_comes_from_the_fixture(tmp_path: Path, path: str,
                                                                 why: str | None) -> None:
    assert _python(tmp_path).official_source(path) == why


def test_official_rule_for_javascript_collected_test_files(tmp_path: Path) -> None:
    toml = GOOD.replace('"python"', '"javascript"').replace("python -m pytest -q", "node --test")
    f = load_fixture(make(tmp_path, toml, repo={"src/a.js": "", "test/a.test.js": ""},
                          solution={"src/a.js": "1"}))
    assert f.official_source("src/a.js") is None
    assert f.official_source("src/extra.test.cjs") == "test file the runner would collect"
    assert f.official_source("src/check-test.mjs") == "test file the runner would collect"
    assert f.official_source("json.js") is None  # node does not resolve core modules by file


def test_new_test_files_stay_out_even_where_the_protected_globs_are_narrow(
        tmp_path: Path) -> None:
    f = dataclasses.replace(_python(tmp_path), protected=("tests/test_calc.py",))
    assert f.official_source("pkg/parse_test.py") == "test file the runner would collect"
    assert f.official_source("testing_helpers.py") is None
    f = dataclasses.replace(f, test_command="python -m unittest discover")
    assert f.official_source("testing_helpers.py") == "test file the runner would collect"


def test_files_named_in_the_test_command_come_from_the_fixture(tmp_path: Path) -> None:
    f = _python(tmp_path, repo={"calc.py": "", "scripts/run_tests.sh": "", "tests/t.py": ""})
    f = dataclasses.replace(f, test_command="bash scripts/run_tests.sh -q")
    assert f.official_source("scripts/run_tests.sh") == "named in the test command"


def test_official_table_widens_and_narrows_but_never_frees_the_checks(tmp_path: Path) -> None:
    f = _python(tmp_path, '[official]\nfrom_fixture = ["data/**"]\n'
                          'from_agent = ["pyproject.toml", "tests/**"]\n')
    assert f.official_source("data/golden.csv") == "declared in task.toml [official] from_fixture"
    assert f.official_source("pyproject.toml") is None
    assert f.official_source("tests/test_calc.py") == "protected check"


@pytest.mark.parametrize("extra, field", [
    ('official = "all"\n', "official"),
    ('[official]\nfrom_agnet = ["x"]\n', "official.from_agnet"),
    ('[official]\nfrom_agent = "pyproject.toml"\n', "official.from_agent"),
])
def test_bad_official_table_names_the_field(tmp_path: Path, extra: str, field: str) -> None:
    err = error_for(tmp_path, GOOD + extra)
    assert err.field == field and "task.toml" in str(err)


# --------------------------------------------------------------------------- expected tests


def test_expected_tests_json_is_loaded_beside_task_toml(tmp_path: Path) -> None:
    d = make(tmp_path)
    assert load_fixture(d).expected_tests is None
    rec = ExpectedTests("python -m pytest -q", ("tests.test_calc::test_b", "tests.test_calc::a"),
                        ("tests.test_calc::a",))
    assert write_expected_tests(d, rec) is True
    assert write_expected_tests(d, rec) is False  # unchanged: nothing written
    f = load_fixture(d)
    assert f.expected_tests == ("tests.test_calc::a", "tests.test_calc::test_b")
    assert f.expected_as_given == ("tests.test_calc::a",)


@pytest.mark.parametrize("text, field, words", [
    ("{not json", None, "not valid JSON"),
    ('{"test_command": "python -m pytest -q", "tests": "a"}', "tests", "list of test ids"),
    ('{"tests": []}', "test_command", "non-empty string"),
    ('{"test_command": "pytest", "tests": []}', "test_command",
     "re-record with `evalkit tasks validate --record`"),
])
def test_bad_expected_tests_json_names_file_and_field(tmp_path: Path, text: str,
                                                      field: str | None, words: str) -> None:
    d = make(tmp_path)
    (d / EXPECTED_TESTS_FILE).write_text(text)
    with pytest.raises(FixtureError) as info:
        load_fixture(d)
    assert info.value.field == field and words in str(info.value)
    assert EXPECTED_TESTS_FILE in str(info.value)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "86401", "0"])
def test_non_finite_and_out_of_range_timeouts_name_the_field(tmp_path: Path,
                                                             value: str) -> None:
    """Issue 15: ``test_timeout = inf`` was accepted and hung validation; ``nan`` crashed it."""
    err = error_for(tmp_path, GOOD + f"[limits]\ntest_timeout = {value}\n")
    assert err.field == "limits.test_timeout"
    assert "positive finite number of seconds" in str(err) and "task.toml" in str(err)


def test_deeply_nested_task_toml_is_a_fixture_error_and_its_sibling_still_loads(
        tmp_path: Path) -> None:
    """Issue 15: 10,000 nested arrays raised RecursionError out of tomllib and no fixture of the
    suite was loaded, not even the valid sibling."""
    from evalkit.suite import load_suite

    make(tmp_path, name="good")
    deep = make(tmp_path, name="deep",
                toml=GOOD.replace('"add"', '"deep"') + "tags = " + "[" * 10_000 + "]" * 10_000)
    with pytest.raises(FixtureError, match="nested too deeply"):
        load_fixture(deep)
    res = load_suite(tmp_path / "suite", errors="collect")
    assert [f.id for f in res.fixtures] == ["add"]
    assert len(res.errors) == 1 and "deep/task.toml" in str(res.errors[0])


def test_deeply_nested_expected_tests_json_names_the_file(tmp_path: Path) -> None:
    d = make(tmp_path)
    (d / EXPECTED_TESTS_FILE).write_text('{"tests": ' + "[" * 50_000 + "]" * 50_000 + "}")
    with pytest.raises(FixtureError, match=f"{EXPECTED_TESTS_FILE}.*nested too deeply"):
        load_fixture(d)


def test_workspace_bounds_have_defaults_and_can_be_set_per_fixture(tmp_path: Path) -> None:
    from evalkit.fixture import DEFAULT_WORKSPACE_FILES, DEFAULT_WORKSPACE_MB

    f = load_fixture(make(tmp_path))
    assert f.workspace_max_bytes == DEFAULT_WORKSPACE_MB * 1024 * 1024
    assert f.workspace_max_files == DEFAULT_WORKSPACE_FILES
    f = load_fixture(make(tmp_path, GOOD + "[limits]\nworkspace_size_mb = 2.5\n"
                                           "workspace_files = 300\n", name="b"))
    assert (f.workspace_max_bytes, f.workspace_max_files) == (int(2.5 * 1024 * 1024), 300)


@pytest.mark.parametrize("key, value", [
    ("workspace_size_mb", "inf"), ("workspace_size_mb", "nan"), ("workspace_size_mb", "0"),
    ("workspace_size_mb", "-5"), ("workspace_size_mb", "true"), ("workspace_size_mb", '"1G"'),
    ("workspace_size_mb", "1e9"), ("workspace_files", "2.5"), ("workspace_files", "0"),
    ("workspace_files", "100000000000"), ("workspace_files", "[1]"),
])
def test_bad_workspace_bounds_name_the_field(tmp_path: Path, key: str, value: str) -> None:
    err = error_for(tmp_path, GOOD + f"[limits]\n{key} = {value}\n")
    assert err.field == f"limits.{key}" and "positive finite" in str(err)


def test_a_fixture_whose_own_files_pass_its_bounds_fails_validation_before_running(
        tmp_path: Path) -> None:
    from evalkit.validate import validate_fixture

    f = load_fixture(make(tmp_path, GOOD + "[limits]\nworkspace_files = 2\n"))

    class NoSandbox:
        sandboxed = True

        def run(self, *a: object, **k: object) -> None:
            raise AssertionError("nothing should run")

    r = validate_fixture(f, NoSandbox())  # type: ignore[arg-type]
    assert not r.ok and "exceed its workspace bound" in (r.reason or "")
    assert "workspace_files" in (r.reason or "") and r.runs == ()
