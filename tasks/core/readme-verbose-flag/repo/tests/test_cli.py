from datetime import datetime

from backup.cli import build_parser, run


def test_copies_tree_with_excludes(tmp_path, capsys):
    src = tmp_path / "proj"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "sub" / "b.log").write_text("b")
    target = run(src, tmp_path / "out", ["*.log", "sub/*.log"], True, datetime(2024, 5, 1, 12))
    assert target.name == "proj-20240501-120000"
    assert (target / "a.txt").read_text() == "a"
    assert not (target / "sub" / "b.log").exists()
    assert capsys.readouterr().out.split() == ["a.txt"]


def test_parser_options():
    args = build_parser().parse_args(["s", "d", "-v", "--exclude", "*.tmp", "--exclude", "x"])
    assert args.verbose and args.exclude == ["*.tmp", "x"]
