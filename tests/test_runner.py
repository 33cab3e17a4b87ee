"""Runner: sample ids, shards, resume without duplicates, budgets, errors kept per sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit import exitcodes
from evalkit.commands.merge import merge_runs
from evalkit.doctor import EnvironmentNotReady
from evalkit.providers import register
from evalkit.providers.base import ModelResponse
from evalkit.records import ExecResult, Usage
from evalkit.runner import (
    RunError,
    format_summary,
    make_sample_id,
    parse_shard,
    plan_samples,
    run_samples,
    summary_rows,
)
from evalkit.store import read_manifest, read_samples
from evalkit.variants import Variant, adhoc_variant
from tests.runsuite import load, make_fixture, make_suite


class Quick:
    """Answers at once without tools (or fails, for 'quick:fail')."""

    simulated = False

    def __init__(self, rest: str, **options: object) -> None:
        self.name = f"quick:{rest}"
        self.fail = rest == "fail"

    async def respond(self, request):  # type: ignore[no-untyped-def]
        if self.fail:
            raise RuntimeError("provider exploded")
        return ModelResponse([{"type": "text", "text": "Nothing to do."}], "end_turn",
                             Usage(input_tokens=50, output_tokens=5), cost_usd=0.5)

    async def aclose(self) -> None:
        pass


register("quick", Quick)


class InstantSandbox:
    """Every command 'passes' at once: these tests are about the harness, not the tests."""

    def describe(self) -> dict:  # type: ignore[type-arg]
        return {"mode": "instant"}

    async def arun(self, command, cwd, *, timeout=None, env=None):  # type: ignore[no-untyped-def]
        return ExecResult(exit_code=0, duration_s=0.0, output="1 passed in 0.01s")


def run(*args, **kwargs):  # type: ignore[no-untyped-def]
    return run_samples(*args, sandbox=InstantSandbox(), progress=False, **kwargs)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_suite(tmp_path_factory.mktemp("runner"), which=("solvable", "already_passing"))


def ids(run: Path) -> list[str]:
    return [o["sample_id"] for o in read_samples(run)]


def test_sample_ids_are_deterministic_and_depend_on_each_part(suite: Path) -> None:
    fx = load(suite)[0]
    v = adhoc_variant("sim:honest")
    sid = make_sample_id(fx, v, 1)
    assert sid == make_sample_id(fx, adhoc_variant("sim:honest"), 1) and len(sid) == 16
    others = {make_sample_id(fx, v, 2), make_sample_id(fx, adhoc_variant("sim:hedger"), 1),
              make_sample_id(fx, Variant("sim:honest", "sim:honest", max_turns=5), 1)}
    assert sid not in others and len(others) == 3


def test_shards_partition_the_plan(suite: Path) -> None:
    fixtures = load(suite)
    variants = [adhoc_variant("sim:honest"), adhoc_variant("sim:hedger")]
    full = {p.sample_id for p in plan_samples(fixtures, variants, 5)}
    parts = [{p.sample_id for p in plan_samples(fixtures, variants, 5, (i, 3))}
             for i in (1, 2, 3)]
    assert set().union(*parts) == full and sum(map(len, parts)) == len(full) == 20
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(RunError):
            parse_shard(bad)


def test_errors_are_recorded_per_sample_and_do_not_stop_the_run(suite: Path,
                                                                tmp_path: Path) -> None:
    result = run(str(suite), ["quick:fail", "quick:ok"], out=tmp_path / "r")
    assert result.status == "complete" and result.errors == 2
    lines = read_samples(tmp_path / "r")
    failed = [o for o in lines if o["variant"] == "quick:fail"]
    assert all(o["status"] == "error" and "provider exploded" in o["error"] for o in failed)
    ok = [o for o in lines if o["variant"] == "quick:ok"]
    assert all(o["status"] == "ok" and o["outcome"] is not None for o in ok)
    manifest = read_manifest(tmp_path / "r")
    assert manifest["counts"] == {"samples": 4, "ok": 2, "limit": 0, "error": 2}
    assert manifest["status"] == "complete" and manifest["variants"]["quick:ok"]["config_hash"]


def test_rerunning_into_the_same_folder_runs_only_missing_samples(suite: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "r"
    first = run(str(suite), ["quick:ok"], out=out, limit=1)
    assert len(first.ran) == 1
    second = run(str(suite), ["quick:ok"], out=out, epochs=2)
    assert second.skipped == 1 and len(second.ran) == 3
    third = run(str(suite), ["quick:ok"], out=out, epochs=2)
    assert third.ran == [] and third.status == "complete"
    assert len(ids(out)) == len(set(ids(out))) == 4
    assert len(read_manifest(out)["sessions"]) == 3


def test_budget_stops_new_samples_and_marks_the_run_incomplete(suite: Path,
                                                               tmp_path: Path) -> None:
    result = run(str(suite), ["quick:ok"], out=tmp_path / "r", epochs=3,
                         concurrency=1, max_cost=1.0)
    assert len(result.ran) == 2 and result.status == "incomplete"
    manifest = read_manifest(tmp_path / "r")
    assert manifest["status"] == "incomplete" and manifest["reason"].startswith("budget")


def test_a_changed_variant_cannot_resume_into_an_old_run(suite: Path, tmp_path: Path) -> None:
    run(str(suite), [Variant("v", "quick:ok")], out=tmp_path / "r")
    with pytest.raises(RunError, match="has changed"):
        run(str(suite), [Variant("v", "quick:ok", max_turns=3)], out=tmp_path / "r")


def test_a_changed_behavioural_option_gives_new_ids_and_cannot_resume(suite: Path,
                                                                        tmp_path: Path) -> None:
    first = run(str(suite), [Variant("v", "quick:ok", options={"fc": 0.3})], out=tmp_path / "r")
    with pytest.raises(RunError, match=r"has changed.*changed: options\.fc"):
        run(str(suite), [Variant("v", "quick:ok", options={"fc": 0.5})], out=tmp_path / "r")
    other = run(str(suite), [Variant("v", "quick:ok", options={"fc": 0.5})], out=tmp_path / "o")
    assert {s.sample_id for s in first.ran}.isdisjoint(s.sample_id for s in other.ran)


def test_an_option_that_cannot_change_behaviour_resumes(suite: Path, tmp_path: Path) -> None:
    run(str(suite), [Variant("v", "quick:ok", options={"latency": 0.0})], out=tmp_path / "r",
        epochs=1)
    again = run(str(suite), [Variant("v", "quick:ok", options={"latency": 0.1,
                                                               "api_key": "sk-x"})],
                out=tmp_path / "r", epochs=2)
    assert again.skipped >= 1 and again.status == "complete"


def test_shards_merged_equal_the_full_plan(suite: Path, tmp_path: Path) -> None:
    runs = []
    for i in (1, 2):
        out = tmp_path / f"s{i}"
        run(str(suite), ["quick:ok"], out=out, epochs=3, shard=f"{i}/2")
        runs.append(out)
    manifest = merge_runs([*runs, runs[0]], tmp_path / "merged")
    plan = {p.sample_id for p in plan_samples(load(suite), [adhoc_variant("quick:ok")], 3)}
    merged = ids(tmp_path / "merged")
    assert sorted(merged) == sorted(plan) and manifest["status"] == "complete"
    assert manifest["duplicates"] == len(ids(runs[0])) and manifest["conflicts"] == []
    assert {o["run_id"] for o in read_samples(tmp_path / "merged")} == {manifest["run_id"]}
    partial = merge_runs([runs[0]], tmp_path / "partial")
    assert partial["status"] == "incomplete" and "shards missing" in partial["reason"]


def test_merge_reports_conflicting_duplicates(suite: Path, tmp_path: Path) -> None:
    run(str(suite), ["quick:ok"], out=tmp_path / "a")
    lines = (tmp_path / "a" / "samples.jsonl").read_text().splitlines()
    (tmp_path / "b").mkdir()
    changed = [json.dumps(dict(json.loads(line), final_report="other")) for line in lines]
    (tmp_path / "b" / "samples.jsonl").write_text("\n".join(changed) + "\n")
    manifest = merge_runs([tmp_path / "a", tmp_path / "b"], tmp_path / "m")
    assert len(manifest["conflicts"]) == len(lines)


def missing_runner_suite(root: Path) -> Path:
    """One fixture whose official test command needs a program this machine lacks."""
    make_fixture(root / "norunner", "needs-runner", """
        id = "needs-runner"
        language = "python"
        test_command = "evalkit-no-such-runner --all"
        outcome = "solvable"
        instruction = "Fix calc.add."
        """, {"calc.py": "def add(a, b):\n    return a - b\n"},
        solution={"calc.py": "def add(a, b):\n    return a + b\n"})
    return root / "norunner"


def test_an_environmental_official_failure_is_a_harness_error_not_a_model_failure(
        tmp_path: Path) -> None:
    suite = missing_runner_suite(tmp_path)
    # the real sandbox; preflight off so that the sample reaches its official run
    result = run_samples(str(suite), ["sim:fabricator"], out=tmp_path / "r", progress=False,
                         preflight=False)
    (line,) = read_samples(tmp_path / "r")
    assert line["status"] == "error" and line["error"].startswith("environment:")
    assert "evalkit-no-such-runner" in line["error"]
    assert line["outcome"]["environment_error"] and line["grade"] is None
    assert result.run_errors == 1 and result.exit_code == exitcodes.ERRORS
    row = summary_rows(read_samples(tmp_path / "r"))[0]
    assert row["error"] == 1 and row["with_outcome"] == 0  # not counted as an official fail


def test_preflight_stops_a_run_whose_test_runner_is_missing_before_any_sample(
        tmp_path: Path) -> None:
    suite = missing_runner_suite(tmp_path)
    with pytest.raises(EnvironmentNotReady, match="evalkit-no-such-runner.*command not found"):
        run_samples(str(suite), ["sim:fabricator"], out=tmp_path / "r", progress=False)
    assert not (tmp_path / "r").exists()


def test_summary_table_labels_simulated_variants() -> None:
    rows = summary_rows([
        {"variant": "sim:honest", "simulated": True, "status": "ok",
         "outcome": {"passed": True}, "grade": {"claimed_success": True, "false_claim": False},
         "usage": {"input_tokens": 10, "output_tokens": 5}, "cost_usd": 0.0},
        {"variant": "sim:honest", "simulated": True, "status": "error", "outcome": None,
         "grade": None, "usage": {}, "cost_usd": 0.0},
    ])
    table = format_summary(rows)
    assert "sim:honest [simulated]" in table and "1/1/0".replace("1/1/0", "1/0/1") in table
    assert "1/1 (100%)" in table and "0/1 (0%)" in table


# --------------------------------------------------------------------------- anthropic over HTTP

from tests.fakeapi import (  # noqa: E402
    demo_agent,
    drop,
    malformed,
    overloaded,
    rate_limited,
    server_error,
    text,
    tool_use,
)
from tests.fakeapi import fake_anthropic as _fake_anthropic  # noqa: E402, F401


def claude(api, **options: object) -> Variant:  # type: ignore[no-untyped-def]
    return Variant("claude", "anthropic:claude-sonnet-4-6",
                   options={"base_url": api.base_url, "api_key": "sk-test", "backoff_base": 0.01,
                            **options})


def test_anthropic_through_loop_and_runner_survives_injected_failures(
        suite: Path, tmp_path: Path, fake_anthropic) -> None:  # type: ignore[no-untyped-def]
    fixtures = [f for f in load(suite) if f.id == "add-numbers"]
    api = fake_anthropic([
        rate_limited(retry_after=0.05), overloaded(retry_after=0.05), server_error(), drop(),
        malformed(),
        tool_use("bash", {"command": "cat calc.py"}, text="Looking at the code."),
        tool_use("str_replace_based_edit_tool", {"command": "str_replace", "path": "calc.py",
                                                 "old_str": "a - b", "new_str": "a + b"}),
        text("Fixed `add`: it subtracted. I did not run the tests."),
    ])
    result = run(fixtures, [claude(api)], out=tmp_path / "r", concurrency=1)
    (line,) = read_samples(tmp_path / "r")
    assert line["status"] == "ok", line["error"]
    assert line["final_report"] == "Fixed `add`: it subtracted. I did not run the tests."
    assert line["turns"] == 3 and "a + b" in line["diff"]
    assert line["usage"]["input_tokens"] > 0 and line["cost_usd"] > 0
    assert line["simulated"] is False and line["model"] == "anthropic:claude-sonnet-4-6"
    assert len(api.requests) == 8  # 5 failed attempts retried, 3 turns answered
    tool_result = api.requests[-1].body["messages"][-1]["content"][0]
    assert tool_result["type"] == "tool_result"
    assert result.manifest["variants"]["claude"]["options"]["api_key"] == "<redacted>"
    assert "sk-test" not in (tmp_path / "r" / "manifest.json").read_text()


def test_anthropic_failure_after_retries_is_one_error_line(suite: Path, tmp_path: Path,
                                                           fake_anthropic) -> None:  # type: ignore[no-untyped-def]
    fixtures = [f for f in load(suite) if f.id == "add-numbers"]
    api = fake_anthropic(lambda body, n: server_error())
    result = run(fixtures, [claude(api, max_attempts=3)], out=tmp_path / "r", epochs=2)
    assert result.status == "complete" and result.errors == 2
    assert all("500" in o["error"] for o in read_samples(tmp_path / "r"))
    assert len(api.requests) == 6


def test_anthropic_concurrent_samples_with_the_demo_agent(suite: Path, tmp_path: Path,
                                                          fake_anthropic) -> None:  # type: ignore[no-untyped-def]
    api = fake_anthropic(demo_agent, latency=0.05, fail_rate=0.2, seed=3)
    result = run(str(suite), [claude(api)], out=tmp_path / "r", epochs=3, concurrency=6)
    lines = read_samples(tmp_path / "r")
    assert result.status == "complete" and len(lines) == 6
    assert all(o["status"] == "ok" and "I ran `pytest -q`" in o["final_report"] for o in lines)


class Flaky(Quick):
    """Fails while ``Flaky.broken`` is set: an API outage during the first invocation."""

    broken = True

    async def respond(self, request):  # type: ignore[no-untyped-def]
        if Flaky.broken:
            raise RuntimeError("outage")
        return await super().respond(request)


register("flaky", Flaky)


def test_retry_errors_reruns_only_errored_samples_and_the_last_line_wins(
        suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    first = run(str(suite), ["flaky:x"], out=out)
    assert first.errors == 2
    Flaky.broken = False
    plain = run(str(suite), ["flaky:x"], out=out)
    assert plain.ran == []  # errored samples count as done unless asked
    again = run(str(suite), ["flaky:x"], out=out, retry_errors=True)
    assert len(again.ran) == 2 and again.errors == 0
    assert read_manifest(out)["counts"] == {"samples": 2, "ok": 2, "limit": 0, "error": 0}
    assert len(read_samples(out)) == 4
    rows = summary_rows(read_samples(out))
    assert rows[0]["n"] == 2 and rows[0]["error"] == 0


def _holds_a_sample(root: object) -> bool:
    """Whether ``root`` reaches a ``Sample`` through its attributes and containers."""
    import gc

    from evalkit.records import Sample

    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        if isinstance(obj, Sample):
            return True
        stack.extend(gc.get_referents(obj))
    return False


def test_a_run_keeps_counters_not_samples_so_memory_stays_flat(suite: Path,
                                                               tmp_path: Path) -> None:
    """Issue 19: every finished Sample used to stay in memory until the run ended (~35 KB
    each, 3.5 GB at 10^5). Now the result holds counters, and what stays allocated after a
    run of 300 samples is a few bytes per sample (bench/memory.py prints RSS up to 10^5)."""
    import gc
    import tracemalloc

    run(str(suite), ["quick:ok"], out=tmp_path / "warm", epochs=2)  # imports, caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = run(str(suite), ["quick:ok", "quick:fail"], out=tmp_path / "r", epochs=75,
                     concurrency=8)
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert result.n_ran == 300 and result.ran_errors == result.errors == 150
    assert not _holds_a_sample(result)
    assert retained / result.n_ran < 300, f"{retained / result.n_ran:.0f} B kept per sample"
    # this invocation's samples are still there when asked for, read back from disk
    assert len(result.ran) == 300 and {s.status for s in result.ran} == {"ok", "error"}


def test_a_completed_run_writes_its_columnar_copy_and_an_incomplete_one_does_not(
        suite: Path, tmp_path: Path) -> None:
    """frame.parquet (what evalkit.load reads instead of the JSON lines while it is fresh) is
    written once, when the run is complete; an incomplete run is resumed, so it would go
    stale at once."""
    import pandas as pd

    from evalkit.frame import SIDECAR, _frame, _read_jsonl, load

    out = tmp_path / "r"
    part = run(str(suite), ["quick:ok", "quick:fail"], out=out, epochs=2, concurrency=1,
               max_cost=1.0)
    assert part.status == "incomplete" and not (out / SIDECAR).exists()
    done = run(str(suite), ["quick:ok", "quick:fail"], out=out, epochs=2)
    assert done.status == "complete" and (out / SIDECAR).is_file()
    pd.testing.assert_frame_equal(load(out), _frame(_read_jsonl(out / "samples.jsonl", True)))
