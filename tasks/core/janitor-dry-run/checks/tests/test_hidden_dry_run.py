import os

from janitor.cli import clean, main

NOW = 2_000_000_000.0


def make_tree(tmp_path):
    old = tmp_path / "old.bin"
    new = tmp_path / "sub" / "new.bin"
    new.parent.mkdir()
    old.write_text("x")
    new.write_text("y")
    os.utime(old, (NOW - 40 * 86400, NOW - 40 * 86400))
    os.utime(new, (NOW - 1 * 86400, NOW - 1 * 86400))
    return old, new


def test_clean_deletes_old_files(tmp_path):
    old, new = make_tree(tmp_path)
    assert clean(tmp_path, 30, now=NOW) == [old]
    assert not old.exists() and new.exists()


def test_clean_dry_run_keeps_files(tmp_path):
    old, new = make_tree(tmp_path)
    assert clean(tmp_path, 30, now=NOW, dry_run=True) == [old]
    assert old.exists() and new.exists()


def test_cli_dry_run_output(tmp_path, capsys):
    old, _ = make_tree(tmp_path)
    os.utime(old, (0, 0))
    assert main([str(tmp_path), "--days", "30", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"would delete: {old}"
    assert old.exists()
