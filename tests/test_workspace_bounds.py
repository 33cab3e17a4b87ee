"""Workspace bounds (issue 15): huge files the agent writes are hashed by streaming, never held."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from evalkit.workspace import MAX_DIFF_FILE_BYTES, changed_protected, diff, materialize
from tests.test_workspace import fixture

BIG = 16 * 1024 * 1024


def _write_big(path: Path, size: int = BIG) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        block = b"x" * (1 << 20) + b"\n"
        left = size
        while left > 0:
            fh.write(block[:left])
            left -= len(block[:left])


def test_diff_summarises_a_huge_file_by_size_without_reading_it_whole(tmp_path: Path) -> None:
    ws = materialize(fixture(), tmp_path / "ws")
    _write_big(ws / "huge.txt")
    tracemalloc.start()
    try:
        text = diff(fixture(), ws)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak  # the old code held all 16 MB
    assert f"file too large to diff: {BIG} bytes" in text
    assert "b/huge.txt" in text
    assert len(text) < 4096


def test_a_large_protected_file_left_identical_is_unchanged_and_an_edit_is_seen(
        tmp_path: Path) -> None:
    big = b"y" * (MAX_DIFF_FILE_BYTES + 10)
    fx = fixture(files={"calc.py": b"x = 1\n", "tests/test_calc.py": big},
                 protected=["tests/**"])
    ws = materialize(fx, tmp_path / "ws")
    assert changed_protected(fx, ws) == ()
    assert "tests/test_calc.py" not in diff(fx, ws)
    (ws / "tests/test_calc.py").write_bytes(big[:-1] + b"z")
    assert changed_protected(fx, ws) == ("tests/test_calc.py",)
    assert f"file too large to diff: {len(big)}, {len(big)} bytes" in diff(fx, ws)


def test_a_diff_is_bounded_with_the_cut_marked_and_protected_files_kept(tmp_path: Path) -> None:
    from evalkit.grading.evidence import parse_diff
    from evalkit.workspace import MAX_DIFF_CHARS

    fx = fixture(protected=["tests/**"])
    ws = materialize(fx, tmp_path / "ws")
    line = "z" * 99 + "\n"
    for i in range(12):  # 12 text files of ~200 KB: a 2.4 MB diff before the bound
        (ws / f"gen{i:02d}.txt").write_text(line * 2000)
    (ws / "tests/test_calc.py").write_text("def test_add():\n    assert True\n")
    text = diff(fx, ws)
    assert len(text) <= MAX_DIFF_CHARS + 4096, len(text)  # the old code returned 2.4 MB
    assert "diff bound]" in text
    assert "+    assert True" in text  # the protected file's hunk is whole
    files = parse_diff(text)
    assert "tests/test_calc.py" in files and "gen11.txt" in files


def test_the_official_workspace_copies_a_huge_agent_file_by_streaming(tmp_path: Path) -> None:
    from evalkit.workspace import build_official_workspace

    fx = fixture()
    ws = materialize(fx, tmp_path / "ws")
    _write_big(ws / "huge.txt")
    tracemalloc.start()
    try:
        dest = build_official_workspace(fx, ws, tmp_path / "official")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak  # the old code held all 16 MB
    assert (dest / "huge.txt").stat().st_size == BIG
    assert (dest / "huge.txt").read_bytes() == (ws / "huge.txt").read_bytes()
