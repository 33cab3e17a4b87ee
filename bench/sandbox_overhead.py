"""Overhead of a sandboxed run against a bare subprocess for the same command.

Usage: python bench/sandbox_overhead.py [-n 15]

Runs ``true`` and ``python -m pytest -q`` on a small fixture, N repetitions, interleaving the
bare and sandboxed runs so machine load affects both alike, and prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evalkit.sandbox import Sandbox, SandboxLimits, bwrap_path  # noqa: E402

TEST = "from calc import add\n\n" + "".join(
    f"def test_add_{i}():\n    assert add({i}, 1) == {i + 1}\n\n" for i in range(10))


def bare(command: str, cwd: Path) -> float:
    # the same environment the sandbox gives (minus isolation), so only the sandbox differs
    from evalkit.sandbox import SAFE_ENV

    env = {**SAFE_ENV, "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
           "HOME": str(cwd), "PYTHONPATH": str(cwd)}
    start = time.perf_counter()
    subprocess.run(["/bin/bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, check=False)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=15)
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} "
          f"kernel={platform.release()} load={load[0]:.2f},{load[1]:.2f},{load[2]:.2f}")
    print(f"bwrap: {bwrap_path()}")
    boxes = {"subprocess-mode": Sandbox(SandboxLimits(), mode="subprocess")}
    if bwrap_path():
        boxes = {"bwrap": Sandbox(SandboxLimits(), mode="bwrap"), **boxes}
    for name, box in boxes.items():
        print(f"{name}: processes limited by {box.describe()['process_limit']}")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        (ws / "tests").mkdir(parents=True)
        (ws / "calc.py").write_text("def add(a, b):\n    return a + b\n")
        (ws / "tests" / "test_calc.py").write_text(TEST)
        for command in ("true", "python -m pytest -q -p no:cacheprovider"):
            times: dict[str, list[float]] = {"bare": [], **{k: [] for k in boxes}}
            for _ in range(args.n):
                times["bare"].append(bare(command, ws))
                for name, box in boxes.items():
                    r = box.run(command, ws)
                    assert r.exit_code == 0, r.output
                    times[name].append(r.duration_s)
            base = statistics.median(times["bare"])
            print(f"\n`{command}` (n={args.n}, medians)")
            for name, ts in times.items():
                med = statistics.median(ts)
                print(f"  {name:<16} {med * 1000:8.1f} ms   ratio {med / base:5.2f}x   "
                      f"overhead {(med - base) * 1000:+7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
