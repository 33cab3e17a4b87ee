"""Throughput of the runner with a simulated model and injected latency.

    python bench/throughput.py [--latency 0.2] [--levels 1,4,16,64] [--samples-per-slot 2]

For each concurrency level it runs ``sim:honest?latency=L`` on a small generated suite through
the whole pipeline (workspace, agent loop, tools, official run, grading, fsynced store) and
prints samples/s against the ideal ``concurrency / (turns x latency)``: what a harness with no
overhead and free tool calls would reach. Two sandboxes are measured:

* ``bwrap``: the real sandbox (every bash call and official run is a bubblewrap process),
* ``instant``: a stand-in that answers every command at once, isolating the harness overhead.

The fixtures' test command is a trivial ``python -c`` so that the figures measure the harness,
not pytest start-up. Output is a plain table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evalkit.records import ExecResult  # noqa: E402
from evalkit.runner import arun_samples  # noqa: E402
from evalkit.sandbox import default_sandbox  # noqa: E402
from evalkit.store import read_samples  # noqa: E402
from tests.runsuite import load, make_suite  # noqa: E402

TEST_COMMAND = "python -c 'print(\\\"2 passed\\\")'"


class InstantSandbox:
    def describe(self) -> dict[str, str]:
        return {"mode": "instant"}

    async def arun(self, command, cwd, *, timeout=None, env=None):  # type: ignore[no-untyped-def]
        return ExecResult(exit_code=0, duration_s=0.0, output="2 passed in 0.01s")


def measure(fixtures, model: str, concurrency: int, n: int, sandbox) -> dict:  # type: ignore[no-untyped-def]
    epochs = max(1, -(-n // len(fixtures)))
    out = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    try:
        t0 = time.perf_counter()
        result = asyncio.run(arun_samples(fixtures, [model], epochs=epochs, out=out / "run",
                                          concurrency=concurrency, progress=False,
                                          sandbox=sandbox))
        wall = time.perf_counter() - t0
        lines = read_samples(out / "run")
        n = len(result.ran)  # read back from the run folder: before it is removed
    finally:
        shutil.rmtree(out, ignore_errors=True)
    turns = sum(o["turns"] for o in lines) / len(lines)
    errors = sum(o["status"] != "ok" for o in lines)
    return {"n": n, "wall": wall, "turns": turns, "errors": errors}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--latency", type=float, default=0.2)
    p.add_argument("--levels", default="1,4,16,64")
    p.add_argument("--samples-per-slot", type=int, default=2,
                   help="samples per concurrency slot (at least 8 per level)")
    p.add_argument("--sandboxes", default="instant,bwrap")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="evalkit-bench-suite-"))
    fixtures = load(make_suite(tmp, which=("solvable", "impossible", "already_passing"),
                               test_command=TEST_COMMAND))
    model = f"sim:honest?latency={args.latency:g}"
    levels = [int(x) for x in args.levels.split(",")]
    print(f"model {model}; {len(fixtures)} fixtures; cpu count {os.cpu_count()}; "
          f"load average {os.getloadavg()[0]:.1f}")
    header = (f"{'sandbox':8} {'conc':>5} {'samples':>7} {'turns':>6} {'wall s':>7} "
              f"{'samples/s':>10} {'ideal/s':>8} {'efficiency':>10} {'errors':>6}")
    print(header)
    print("-" * len(header))
    for name in args.sandboxes.split(","):
        sandbox = InstantSandbox() if name == "instant" else default_sandbox()
        for c in levels:
            n = max(8, c * args.samples_per_slot)
            n = -(-n // len(fixtures)) * len(fixtures)
            r = measure(fixtures, model, c, n, sandbox)
            rate = r["n"] / r["wall"]
            ideal = c / (r["turns"] * args.latency)
            # with n samples in ceil(n/c) waves, a harness without overhead reaches this:
            reachable = r["n"] / (-(-r["n"] // c) * r["turns"] * args.latency)
            print(f"{name:8} {c:>5} {r['n']:>7} {r['turns']:>6.1f} {r['wall']:>7.2f} "
                  f"{rate:>10.2f} {ideal:>8.2f} {100 * rate / reachable:>9.0f}% "
                  f"{r['errors']:>6}", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
