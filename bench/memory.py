"""Memory of a long run: RSS of the runner process as finished samples pile up.

    python bench/memory.py                       # RSS at 10^3, 10^4, 10^5 samples (minutes)
    python bench/memory.py --checkpoints 1000,5000

One run of ``sim:honest`` on a small generated suite through the whole pipeline (workspace,
agent loop, tools, official run, grading, fsynced store), with a sandbox that answers every
command at once, so only the harness's own memory is measured. A progress object records the
process RSS (``/proc/self/status`` VmRSS) when the run has finished each checkpoint's number of
samples; after the run it prints RSS, peak RSS (``ru_maxrss``) and the slope in KB per sample
between the first and the last checkpoint. The issue-19 target: under 200 MB at 10^5 samples.
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

ROOT = Path(__file__).resolve().parent.parent
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
    args = p.parse_args()
    checkpoints = [int(x) for x in args.checkpoints.split(",")]
    n = max(checkpoints)
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-bench-memory-"))
    try:
        fixtures = load(make_suite(tmp, which=("solvable", "impossible", "already_passing"),
                                   test_command=TEST_COMMAND))
        epochs = -(-n // len(fixtures))
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
