"""Results store: fsynced lines, atomic manifest, truncated-line repair, one writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.records import SCHEMA_VERSION, Sample, from_json
from evalkit.store import CORRUPT, RunStore, StoreError, read_manifest, read_samples


def sample(i: int) -> Sample:
    return Sample(sample_id=f"{i:016x}", run_id="r", task_id=f"t{i}", suite="s",
                  outcome_class="solvable", variant="v", model="sim:honest", epoch=1,
                  status="ok", final_report="done")


def test_append_writes_one_json_line_per_sample_with_schema_version(tmp_path: Path) -> None:
    with RunStore(tmp_path / "run") as store:
        store.append(sample(1))
        store.append(sample(2))
    lines = (tmp_path / "run" / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["schema_version"] == SCHEMA_VERSION
    assert from_json(Sample, json.loads(lines[1])) == sample(2)


def test_truncated_last_line_is_moved_aside_and_the_file_repaired(tmp_path: Path,
                                                                  capsys) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "run"
    with RunStore(run) as store:
        store.append(sample(1))
    with open(run / "samples.jsonl", "a") as fh:
        fh.write('{"sample_id": "00000000000002", "run_id": "r", "task')  # killed mid-write
    with RunStore(run) as store:
        assert store.sample_ids() == {f"{1:016x}"}
        store.append(sample(3))
    assert [o["task_id"] for o in read_samples(run)] == ["t1", "t3"]
    assert '"task' in (run / CORRUPT).read_text()
    assert "truncated" in capsys.readouterr().err


def test_complete_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    line = json.dumps({"sample_id": "a", "status": "ok"})
    (run / "samples.jsonl").write_text(line)
    with RunStore(run) as store:
        store.append(sample(2))
    assert [o["sample_id"] for o in read_samples(run)] == ["a", f"{2:016x}"]
    assert not (run / CORRUPT).exists()


def test_a_broken_middle_line_is_skipped_with_a_warning(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "run"
    run.mkdir()
    (run / "samples.jsonl").write_text('{"sample_id": "a"}\nnot json\n{"sample_id": "b"}\n')
    assert [o["sample_id"] for o in read_samples(run)] == ["a", "b"]
    assert "samples.jsonl:2" in capsys.readouterr().err


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    with RunStore(tmp_path / "run"), pytest.raises(StoreError, match="another evalkit"):
        RunStore(tmp_path / "run").open()


def test_manifest_is_replaced_atomically(tmp_path: Path) -> None:
    with RunStore(tmp_path / "run") as store:
        store.write_manifest({"status": "running"})
        store.write_manifest({"status": "complete"})
    assert read_manifest(tmp_path / "run") == {"status": "complete"}
    assert not list((tmp_path / "run").glob("*.tmp"))
