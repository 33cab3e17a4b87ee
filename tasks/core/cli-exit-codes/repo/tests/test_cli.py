import pytest

from wc.cli import main


@pytest.fixture
def files(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("one two\nthree\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("four\n", encoding="utf-8")
    return str(a), str(b)


def test_single_file_has_no_total(files, capsys):
    assert main([files[0]]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"      2       3 {files[0]}"]


def test_several_files_print_total(files, capsys):
    assert main(list(files)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "      3       4 total"
    assert len(out) == 3


def test_missing_file_exits_1_and_reports(files, capsys, tmp_path):
    missing = str(tmp_path / "nope.txt")
    assert main([files[0], missing, files[1]]) == 1
    captured = capsys.readouterr()
    assert f"wc: {missing}: No such file or directory" in captured.err
    assert captured.out.splitlines()[-1] == "      3       4 total"


def test_quiet_prints_only_total(files, capsys):
    assert main(["--quiet", *files]) == 0
    assert capsys.readouterr().out.splitlines() == ["      3       4 total"]


def test_quiet_single_file(files, capsys):
    assert main(["-q", files[0]]) == 0
    assert capsys.readouterr().out.splitlines() == ["      2       3 total"]


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--bogus", "x"])
    assert exc.value.code == 2
