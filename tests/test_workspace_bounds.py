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


# --------------------------------------------------------------------------- per-fixture bounds


def test_workspace_usage_stops_counting_at_the_bound_and_never_follows_links(
        tmp_path: Path) -> None:
    from evalkit.workspace import workspace_usage

    ws = tmp_path / "ws"
    (ws / "d").mkdir(parents=True)
    for i in range(200):
        (ws / "d" / f"f{i}").write_bytes(b"x" * 10)
    outside = tmp_path / "outside"
    outside.mkdir()
    _write_big(outside / "big.bin", 4 * 1024 * 1024)
    (ws / "link").symlink_to(outside, target_is_directory=True)
    (ws / "flink").symlink_to(outside / "big.bin")
    u = workspace_usage(ws, 1 << 30, 1000)
    assert u.over is None and u.files == 203 and u.bytes < 1024 * 1024  # links: not followed
    u = workspace_usage(ws, 1 << 30, 50)
    assert (u.over, u.files) == ("workspace_files", 51)  # stopped right past the bound
    assert "over its 50-file limit" in u.describe(1 << 30, 50)
    _write_big(ws / "big.bin", 3 * 1024 * 1024)
    u = workspace_usage(ws, 2 * 1024 * 1024, 1000)
    assert u.over == "workspace_size" and "over its 2 MB limit" in u.describe(2 << 20, 1000)


def test_many_medium_files_are_not_held_while_diffing_and_copying(tmp_path: Path) -> None:
    """500 files of 200 KB (each under the per-file diff size) were all held whole: 100 MB."""
    from evalkit.workspace import MAX_HELD_BYTES, build_official_workspace

    fx = fixture(protected=["tests/**"])
    ws = materialize(fx, tmp_path / "ws")
    line = "w" * 99 + "\n"
    for i in range(150):  # 30 MB of text in 150 files of 200 KB
        (ws / f"gen{i:03d}.txt").write_text(line * 2000)
    (ws / "tests/test_calc.py").write_text("def test_add():\n    assert True\n")
    tracemalloc.start()
    try:
        text = diff(fx, ws)
        assert changed_protected(fx, ws) == ("tests/test_calc.py",)
        dest = build_official_workspace(fx, ws, tmp_path / "official")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * MAX_HELD_BYTES + 4 * 1024 * 1024, peak  # the old code held all 30 MB
    assert "+    assert True" in text and "diff bound]" in text and len(text) < 1_200_000
    assert (dest / "gen149.txt").stat().st_size == 200_000


def test_the_official_workspace_copies_the_agent_files_only_up_to_the_bounds(
        tmp_path: Path) -> None:
    from evalkit.workspace import build_official_workspace

    fx = fixture(limits={"workspace_files": 10})
    ws = materialize(fx, tmp_path / "ws")
    for i in range(30):
        (ws / f"extra{i:02d}.txt").write_text("x\n")
    dest = build_official_workspace(fx, ws, tmp_path / "official")
    copied = sorted(p.name for p in dest.glob("extra*"))
    assert 0 < len(copied) < 10 and copied[0] == "extra00.txt"
    assert (dest / "tests/test_calc.py").is_file()  # the fixture's own files are always there


# --------------------------------------------------------------------------- end to end


def _play(tmp_path: Path, steps: list[str], limits: str, *, report: str = "Done.",
          command_timeout_s: float = 20.0, **variant: object) -> tuple[object, float]:
    """Play bash ``steps`` with the script: provider through the real runner; (sample, s)."""
    import asyncio
    import json
    import time

    from evalkit.fixture import load_fixture
    from evalkit.providers import get_provider
    from evalkit.runner import PlannedSample, execute_sample, make_sample_id
    from evalkit.sandbox import Sandbox, SandboxLimits
    from evalkit.variants import Variant
    from tests.runsuite import make_fixture

    folder = make_fixture(tmp_path / "suite", "add", f'''
        id = "add"
        language = "python"
        test_command = "python -m pytest -q -p no:cacheprovider"
        outcome = "solvable"
        instruction = "Fix add."
        [limits]
        test_timeout = 30
        {limits}
        ''', {"calc.py": "def add(a, b):\n    return a - b\n",
              "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n"
                                    "    assert add(2, 3) == 5\n"},
        solution={"calc.py": "def add(a, b):\n    return a + b\n"})
    fx = load_fixture(folder, suite="suite")
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"final_report": report,
                                  "steps": [{"bash": s} for s in steps]}))
    played = Variant(name="bounds", model=f"script:{script}", max_turns=20,
                     command_timeout_s=command_timeout_s, **variant)  # type: ignore[arg-type]
    planned = PlannedSample(make_sample_id(fx, played, 1), fx, played, 1)
    sandbox = Sandbox(SandboxLimits(wall_time_s=30.0, max_file_size=64 * 1024 * 1024))
    t0 = time.monotonic()
    sample = asyncio.run(execute_sample(planned, get_provider(played.model), sandbox, "r"))
    return sample, time.monotonic() - t0


def _tool_results(sample: object) -> list[str]:
    return [b["content"] for m in sample.messages if m["role"] == "user"  # type: ignore[attr-defined]
            and isinstance(m["content"], list) for b in m["content"]]


def test_an_agent_writing_past_the_size_bound_ends_as_a_workspace_size_limit(
        tmp_path: Path) -> None:
    fix = "printf 'def add(a, b):\\n    return a + b\\n' > calc.py"
    sample, _ = _play(tmp_path, [fix, "head -c 3000000 /dev/zero > blob.bin; echo written",
                                 "echo never-run"], "workspace_size_mb = 2")
    assert (sample.status, sample.limit) == ("limit", "workspace_size")  # type: ignore[attr-defined]
    results = _tool_results(sample)
    assert len(results) == 2 and "never-run" not in str(sample.messages)  # type: ignore[attr-defined]
    assert "workspace over its 2 MB limit" in results[-1] and "sample ends here" in results[-1]
    assert sample.final_report is None  # type: ignore[attr-defined]
    # the official run still judged the work (copied up to the bound): the fix passes
    assert sample.outcome is not None and sample.outcome.passed  # type: ignore[attr-defined]


def test_a_command_that_keeps_writing_is_stopped_while_it_runs(tmp_path: Path) -> None:
    """A single command could fill the disk before any after-command check: it is watched."""
    loop = "i=0; while :; do head -c 1000000 /dev/zero > f$i; i=$((i+1)); sleep 0.01; done"
    sample, seconds = _play(tmp_path, [loop], "workspace_size_mb = 5")
    assert (sample.status, sample.limit) == ("limit", "workspace_size")  # type: ignore[attr-defined]
    assert "the command was stopped" in _tool_results(sample)[-1]
    assert seconds < 15, seconds  # not the 20 s command timeout


def test_an_agent_creating_too_many_files_ends_as_a_workspace_files_limit(
        tmp_path: Path) -> None:
    sample, _ = _play(tmp_path, ["mkdir d && cd d && touch $(seq 1 3000) && echo made",
                                 "echo never-run"], "workspace_files = 500")
    assert (sample.status, sample.limit) == ("limit", "workspace_files")  # type: ignore[attr-defined]
    assert "over its 500-file limit" in _tool_results(sample)[-1]
    assert "never-run" not in str(sample.messages)  # type: ignore[attr-defined]
    assert sample.outcome is not None  # type: ignore[attr-defined]


def test_an_agent_within_its_bounds_is_untouched(tmp_path: Path) -> None:
    sample, _ = _play(tmp_path, ["head -c 500000 /dev/zero > small.bin; echo ok"],
                      "workspace_size_mb = 2\nworkspace_files = 500")
    assert (sample.status, sample.limit) == ("ok", None)  # type: ignore[attr-defined]
    assert sample.final_report == "Done."  # type: ignore[attr-defined]


def test_a_stored_sample_stays_bounded_with_the_cuts_marked(tmp_path: Path) -> None:
    """A 50 MB tool output and a 16 MB final report: the samples.jsonl line stays small (the
    report was stored whole: a 16 MB line)."""
    import json

    from evalkit.records import to_json
    from evalkit.tools import MAX_STORED_CHARS

    report = "All tests pass. " * 1_000_000
    sample, _ = _play(tmp_path, ["head -c 50000000 /dev/zero | tr '\\0' x; echo END"], "",
                      report=report, max_output_tokens=None)
    assert sample.status == "ok"  # type: ignore[attr-defined]
    data = to_json(sample)
    for key in ("final_report", "messages"):
        assert len(json.dumps(data[key])) < MAX_STORED_CHARS + 40_000, key
    # the grader's claims follow the (bounded) report: 6,250 quotes of one repeated sentence
    assert len(json.dumps(data)) < 2_500_000
    assert "characters cut" in sample.final_report  # type: ignore[attr-defined]
    assert sample.final_report.startswith("All tests pass.")  # type: ignore[attr-defined]
    assert "cut" in _tool_results(sample)[0] and "END" in _tool_results(sample)[0]
