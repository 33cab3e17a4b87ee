"""Fixture loading (evalkit/fixture.py) and the errors that name file, field and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.fixture import DEFAULT_PROTECTED, FixtureError, glob_to_regex, load_fixture

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
