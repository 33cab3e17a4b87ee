"""Suites: folders, folders of suites, saved datasets (exact round trip), collected errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.fixture import ExpectedTests, FixtureError, write_expected_tests
from evalkit.suite import (
    export_suite,
    fixture_from_row,
    fixture_to_row,
    load_suite,
    load_suites,
)

TOML = """\
id = "{id}"
instruction = "Do {id}."
language = "python"
test_command = "python -m pytest -q"
outcome = "{outcome}"
{extra}"""


def write(root: Path, suite: str, tid: str, *, outcome: str = "already_passing",
          extra: str = "", toml: str | None = None, folder: str | None = None) -> Path:
    d = root / suite / (folder or tid)
    (d / "repo" / "tests").mkdir(parents=True)
    (d / "task.toml").write_text(toml if toml is not None else
                                 TOML.format(id=tid, outcome=outcome, extra=extra))
    (d / "repo" / "mod.py").write_text(f"NAME = {tid!r}\n")
    (d / "repo" / "tests" / "test_mod.py").write_text("def test_ok():\n    assert True\n")
    (d / "repo" / "blob.bin").write_bytes(bytes(range(256)) + b"\r\n  \n")
    return d


def test_single_fixture_suite_and_folder_of_suites(tmp_path: Path) -> None:
    write(tmp_path, "a", "one")
    write(tmp_path, "a", "two")
    write(tmp_path, "b", "one")
    assert [f.key for f in load_suite(tmp_path / "a" / "one")] == ["a/one"]
    assert [f.key for f in load_suite(tmp_path / "a")] == ["a/one", "a/two"]
    assert [f.key for f in load_suite(tmp_path)] == ["a/one", "a/two", "b/one"]


def test_broken_fixture_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    write(tmp_path, "s", "good")
    write(tmp_path, "s", "bad", extra='unknown_key = 1\n')
    write(tmp_path, "s", "worse", outcome="impossible")
    res = load_suite(tmp_path / "s", errors="collect")
    assert [f.id for f in res.fixtures] == ["good"]
    assert len(res.errors) == 2 and not res.ok
    fields = sorted(e.field for e in res.errors)
    assert fields == ["reason", "unknown_key"]
    assert any("bad/task.toml" in e.where for e in res.errors)
    with pytest.raises(FixtureError):
        load_suite(tmp_path / "s")


def test_duplicate_ids_in_a_suite_are_errors(tmp_path: Path) -> None:
    write(tmp_path, "s", "dup")
    write(tmp_path, "s", "dup", folder="dup-copy")
    res = load_suite(tmp_path / "s", errors="collect")
    assert len(res.fixtures) == 1
    assert res.errors[0].field == "id" and "duplicate" in str(res.errors[0])


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    res = load_suites([tmp_path / "nope"])
    assert res.errors and "no such" in str(res.errors[0])


def test_dataset_round_trip_is_exact(tmp_path: Path) -> None:
    write(tmp_path, "s", "plain")
    d = write(tmp_path, "s", "imp", outcome="impossible",
              extra='reason = "oneoff"\nprotected = ["tests/**"]\ntags = ["x", "y"]\n'
                    '[limits]\ntest_timeout = 7.5\nworkspace_size_mb = 64\nworkspace_files = 300\n')
    (d / "solution").mkdir()
    (d / "solution" / "mod.py").write_text("NAME = 'attempt'\n")
    (d / "checks").mkdir()
    (d / "checks" / "hidden.py").write_bytes(b"\x00binary\xff")
    original = load_suite(tmp_path / "s")
    export_suite(original, tmp_path / "ds")
    assert (tmp_path / "ds" / "dataset_info.json").is_file()
    loaded = load_suite(tmp_path / "ds")

    def strip(f):
        return dataclasses.replace(f, source="")

    assert [strip(f) for f in loaded] == [strip(f) for f in original]
    imp = next(f for f in loaded if f.id == "imp")
    assert imp.checks == {"hidden.py": b"\x00binary\xff"}
    assert imp.files["blob.bin"] == bytes(range(256)) + b"\r\n  \n"
    assert imp.test_timeout_s == 7.5 and imp.tags == ("x", "y")
    assert (imp.workspace_max_bytes, imp.workspace_max_files) == (64 * 1024 * 1024, 300)
    # a folder holding saved datasets loads like a folder of suites
    assert len(load_suite(tmp_path / "ds")) == 2


def test_cli_export_list_and_load_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    write(tmp_path, "s", "one")
    assert main(["tasks", "export", str(tmp_path / "s"), "--to", str(tmp_path / "out")]) == 0
    assert main(["tasks", "list", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "s/one" in out and "already_passing" in out
    write(tmp_path, "s", "broken", extra="bogus = 1\n")
    assert main(["tasks", "list", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert "bogus" in err and "broken/task.toml" in err


def test_cli_import_humaneval_is_wired(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture) -> None:
    import sys
    import types

    calls = []
    fake = types.ModuleType("evalkit.humaneval")
    fake.import_command = lambda args: calls.append(args) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "evalkit.humaneval", fake)
    rc = main(["tasks", "import", "humaneval", "he.jsonl", "--to", str(tmp_path),
               "--variants", "original,oneoff", "--seed", "3", "--limit", "2"])
    assert rc == 0
    assert (calls[0].source, calls[0].variants, calls[0].seed, calls[0].limit) == \
        ("he.jsonl", "original,oneoff", 3, 2)


def test_dataset_carries_expected_tests_and_the_official_table(tmp_path: Path) -> None:
    d = write(tmp_path, "s", "rec", extra='[official]\nfrom_agent = ["pyproject.toml"]\n'
                                          'from_fixture = ["data/**"]\n')
    write_expected_tests(d, ExpectedTests("python -m pytest -q", ("tests.test_mod::test_ok",),
                                          ("tests.test_mod::test_ok",)))
    write(tmp_path, "s", "unrecorded")
    original = load_suite(tmp_path / "s")
    export_suite(original, tmp_path / "ds")
    loaded = {f.id: f for f in load_suite(tmp_path / "ds")}
    assert loaded["rec"].expected_tests == ("tests.test_mod::test_ok",)
    assert loaded["rec"].expected_as_given == ("tests.test_mod::test_ok",)
    assert loaded["rec"].official_from_agent == ("pyproject.toml",)
    assert loaded["rec"].official_source("data/x.csv") is not None
    assert loaded["unrecorded"].expected_tests is None  # not recorded stays "not recorded"


def test_schema_1_rows_still_load_without_expected_tests(tmp_path: Path) -> None:
    f = load_suite(write(tmp_path, "s", "old"))[0]
    row = fixture_to_row(f)
    for key in ("expected_tests", "expected_as_given", "official_from_fixture",
                "official_from_agent"):
        row.pop(key)
    row["schema_version"] = 1
    old = fixture_from_row(row, "ds (row 0)")
    assert old.expected_tests is None and old.files == f.files
    row["schema_version"] = 9
    with pytest.raises(FixtureError) as info:
        fixture_from_row(row, "ds (row 0)")
    assert info.value.field == "schema_version"


@pytest.mark.parametrize("argv", [["tasks", "list", "{missing}"],
                                  ["tasks", "export", "{missing}", "--to", "{tmp}/out"]])
def test_cli_missing_path_exits_usage(tmp_path: Path, capsys: pytest.CaptureFixture,
                                      argv: list[str]) -> None:
    from evalkit import exitcodes

    args = [a.replace("{missing}", str(tmp_path / "nope")).replace("{tmp}", str(tmp_path))
            for a in argv]
    assert main(args) == exitcodes.USAGE
    assert "nope: no such file or folder" in capsys.readouterr().err
