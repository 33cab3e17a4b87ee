"""Cost of the isolated official run against the old restore-and-run, measured in one run.

Usage: python bench/official_run_cost.py [-n 12] [--baseline REV] [FIXTURE ...]

"before" is ``official_run`` of ``evalkit/workspace.py`` at ``--baseline`` (default 3c52cd2,
the last version that restored protected files in the agent's workspace and ran there), loaded
from git into a module of its own; "after" is the current one (fresh official workspace built
from the fixture plus the agent's code, expected tests checked). Both run the same built-in
fixtures with their reference solution applied, in the same sandbox, interleaved so machine
load affects both alike. Each repetition gets a freshly materialized agent workspace (not
timed). Prints median wall ms and median harness CPU ms (evalkit's own process: building the
official workspace, parsing; the sandboxed test processes are not in it, and it is less
sensitive to other load on a shared machine) per run, the extra and the ratio, per fixture and
overall.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evalkit import workspace  # noqa: E402
from evalkit.fixture import Fixture, load_fixture  # noqa: E402
from evalkit.sandbox import Sandbox, bwrap_path  # noqa: E402

DEFAULT_FIXTURES = ("csv-quoted-fields", "todo-cli-limit-option", "event-serializer-timezone",
                    "js-emitter-once")
DEFAULT_BASELINE = "3c52cd2"


def old_workspace(rev: str) -> ModuleType:
    """``evalkit/workspace.py`` as it was at ``rev``, importable beside the current one."""
    from revision import module_at

    return module_at(rev, "evalkit/workspace.py")


def _cpu() -> float:
    """CPU seconds of this (the harness) process: what the isolation costs evalkit itself."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def timed_run(run, fixture: Fixture, box: Sandbox, base: Path) -> tuple[float, float, bool]:
    """Wall seconds, harness CPU seconds and whether it passed."""
    holder = Path(tempfile.mkdtemp(dir=base))
    try:
        ws = workspace.materialize(fixture, holder / "repo", solution=True)
        cpu, start = _cpu(), time.perf_counter()
        outcome = run(fixture, ws, box)
        return time.perf_counter() - start, _cpu() - cpu, outcome.passed
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixtures", nargs="*", default=list(DEFAULT_FIXTURES))
    ap.add_argument("-n", type=int, default=12, help="runs per fixture and version")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision of 'before'")
    args = ap.parse_args()

    load = os.getloadavg()
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} "
          f"kernel={platform.release()} load={load[0]:.2f},{load[1]:.2f},{load[2]:.2f}")
    box = Sandbox(mode="bwrap" if bwrap_path() else "subprocess")
    print(f"sandbox: {box.mode}; before = {args.baseline}:evalkit/workspace.py, after = "
          f"working tree; {args.n} runs per fixture and version, interleaved")
    before = old_workspace(args.baseline)
    versions = {"before": before.official_run, "after": workspace.official_run}
    fixtures = [load_fixture(ROOT / "tasks" / "core" / name, suite="core")
                for name in args.fixtures]
    all_wall: dict[str, list[float]] = {k: [] for k in versions}
    all_cpu: dict[str, list[float]] = {k: [] for k in versions}
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        base = Path(tmp)
        for f in fixtures:
            for run in versions.values():  # warm caches (imports, page cache) for both
                timed_run(run, f, box, base)
            wall: dict[str, list[float]] = {k: [] for k in versions}
            cpu: dict[str, list[float]] = {k: [] for k in versions}
            passed: dict[str, set[bool]] = {k: set() for k in versions}
            for i in range(args.n):
                order = list(versions) if i % 2 == 0 else list(reversed(versions))
                for name in order:
                    dt, dc, ok = timed_run(versions[name], f, box, base)
                    wall[name].append(dt)
                    cpu[name].append(dc)
                    passed[name].add(ok)
            print(f"{f.id} ({len(f.files)} files, {len(f.expected_tests or ())} expected tests; "
                  f"passed: before {sorted(passed['before'])}, after {sorted(passed['after'])})")
            _line("  wall", wall)
            _line("  harness cpu", cpu)
            for k in versions:
                all_wall[k] += wall[k]
                all_cpu[k] += cpu[k]
        # the part that is new work in Python: building the official workspace's file plan
        f = fixtures[0]
        holder = base / "plan"
        ws = workspace.materialize(f, holder / "repo", solution=True)
        start = time.perf_counter()
        for _ in range(50):
            workspace.official_plan(f, ws)
        plan_ms = (time.perf_counter() - start) / 50 * 1000
    print(f"all fixtures ({len(all_wall['after'])} runs per version)")
    _line("  wall", all_wall)
    _line("  harness cpu", all_cpu)
    print(f"official_plan alone ({fixtures[0].id}): {plan_ms:.2f} ms")
    return 0


def _line(label: str, times: dict[str, list[float]]) -> None:
    b, a = (statistics.median(times[k]) * 1000 for k in ("before", "after"))
    print(f"{label:<14} median before {b:7.1f} ms  after {a:7.1f} ms  extra {a - b:+6.1f} ms  "
          f"ratio {a / b:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
