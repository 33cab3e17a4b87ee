import pytest

from todo.cli import main


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "todo.json")
    for title, prio in [("write report", 2), ("water plants", 1), ("call bank", 3),
                        ("fix bike", 2), ("book dentist", 1)]:
        main(["--file", path, "add", title, "--priority", str(prio)])
    main(["--file", path, "done", "2"])
    return path


def listing(db, capsys, *extra):
    capsys.readouterr()
    code = main(["--file", db, "list", *extra])
    return code, capsys.readouterr().out.splitlines()


def test_list_open_tasks_in_priority_order(db, capsys):
    code, out = listing(db, capsys)
    assert code == 0
    assert out == [
        "[ ]   5  p1  book dentist",
        "[ ]   1  p2  write report",
        "[ ]   4  p2  fix bike",
        "[ ]   3  p3  call bank",
    ]


def test_limit(db, capsys):
    code, out = listing(db, capsys, "--limit", "2")
    assert code == 0
    assert out == ["[ ]   5  p1  book dentist", "[ ]   1  p2  write report", "... and 2 more"]


def test_short_limit_flag_not_cut(db, capsys):
    code, out = listing(db, capsys, "-n", "4")
    assert code == 0 and len(out) == 4 and "more" not in out[-1]


def test_all_includes_done(db, capsys):
    code, out = listing(db, capsys, "--all")
    assert out[0] == "[x]   2  p1  water plants"
    assert len(out) == 5


def test_all_with_limit(db, capsys):
    code, out = listing(db, capsys, "--all", "-n", "1")
    assert out == ["[x]   2  p1  water plants", "... and 4 more"]


@pytest.mark.parametrize("bad", ["0", "-3", "many"])
def test_bad_limit_is_usage_error(db, capsys, bad):
    with pytest.raises(SystemExit) as exc:
        main(["--file", db, "list", "--limit", bad])
    assert exc.value.code == 2
