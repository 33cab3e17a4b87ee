"""Memory of a long run: RSS of the runner process as finished samples pile up.

    python bench/memory.py                       # RSS at 10^3, 10^4, 10^5 samples (minutes)
    python bench/memory.py --checkpoints 1000,5000
    python bench/memory.py --before e1be2e1~1      # first the runner of that revision, to 10^4

One run of ``sim:honest`` on a small generated suite through the whole pipeline (workspace,
agent loop, tools, official run, grading, fsynced store), with a sandbox that answers every
command at once, so only the harness's own memory is measured. A progress object records the
process RSS (``/proc/self/status`` VmRSS) when the run has finished each checkpoint's number of
samples; after the run it prints RSS, peak RSS (``ru_maxrss``) and the slope in KB per sample
between the first and the last checkpoint. The issue-19 target: under 200 MB at 10^5 samples.

``--before REV`` first runs the same bench in a child process on ``git archive REV`` (the
evalkit of that revision, this script), up to ``--before-checkpoints`` (default 10^3, 10^4:
the old runner kept every sample, so 10^5 would need gigabytes), for a before/after in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("EVALKIT_BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import TEST_COMMAND, InstantSandbox  # noqa: E402

from evalkit.runner import arun_samples  # noqa: E402
from tests.runsuite import load, make_suite  # noqa: E402


def rss_mb() -> float:
    """Resident set size now, from /proc (what the kernel charges this process)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Stands in for the progress bar: counts samples and notes RSS at each checkpoint."""

    extra = None

    def __init__(self, checkpoints: list[int]) -> None:
        self.todo = sorted(checkpoints)
        self.done = 0
        self.errors = 0
        self.t0 = time.perf_counter()
        self.points: list[tuple[int, float, float]] = []  # samples, RSS MB, seconds

    def update(self, *, status: str = "ok", tokens: int = 0, cost: float = 0.0) -> None:
        self.done += 1
        self.errors += status == "error"
        if self.todo and self.done >= self.todo[0]:
            self.todo.pop(0)
            point = (self.done, rss_mb(), time.perf_counter() - self.t0)
            self.points.append(point)
            print(f"  {point[0]:>8,} samples  RSS {point[1]:7.1f} MB  {point[2]:7.1f} s",
                  flush=True)

    def close(self) -> None:
        pass


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoints", default="1000,10000,100000")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--before", metavar="REV", help="first run the bench on this revision")
    p.add_argument("--before-checkpoints", default="1000,10000")
    args = p.parse_args()
    if args.before:
        import subprocess

        old = Path(tempfile.mkdtemp(prefix="evalkit-bench-before-"))
        try:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            print(f"before ({args.before}):", flush=True)
            subprocess.run([sys.executable, __file__, "--checkpoints",
                            args.before_checkpoints, "--concurrency", str(args.concurrency)],
                           env={**os.environ, "EVALKIT_BENCH_ROOT": str(old)}, check=True)
        finally:
            shutil.rmtree(old, ignore_errors=True)
        print("after (this checkout):", flush=True)
    checkpoints = [int(x) for x in args.checkpoints.split(",")]
    n = max(checkpoints)
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-bench-memory-"))
    try:
        fixtures = load(make_suite(tmp, which=("solvable", "impossible", "already_passing"),
                                   test_command=TEST_COMMAND))
        epochs = -(-n // len(fixtures))
        import evalkit

        print(f"evalkit from {Path(evalkit.__file__).parent.parent}")
        print(f"sim:honest, instant sandbox, {len(fixtures)} fixtures x {epochs} epochs "
              f"({len(fixtures) * epochs:,} samples), concurrency {args.concurrency}; "
              f"cpu count {os.cpu_count()}, python {sys.version.split()[0]}, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"  {0:>8,} samples  RSS {rss_mb():7.1f} MB  (before the run)", flush=True)
        bar = Recorder(checkpoints)
        t0, c0 = time.perf_counter(), time.process_time()
        result = asyncio.run(arun_samples(fixtures, ["sim:honest"], epochs=epochs,
                                          out=tmp / "run", concurrency=args.concurrency,
                                          progress=bar, sandbox=InstantSandbox(),
                                          preflight=False))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"  after the run: RSS {rss_mb():.1f} MB, peak RSS {peak_mb():.1f} MB; "
              f"{result.status}, {bar.done:,} samples ({bar.errors} errors) in {wall:.0f} s "
              f"wall, {1000 * cpu / max(bar.done, 1):.2f} ms CPU per sample")
        if len(bar.points) >= 2:
            (n0, r0, _), (n1, r1, _) = bar.points[0], bar.points[-1]
            print(f"  growth {1024 * (r1 - r0) / (n1 - n0):.2f} KB RSS per sample "
                  f"({n0:,} -> {n1:,})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
