"""What the Ray executor costs over running samples in-process, and what a second node buys.

    python bench/executor_overhead.py [--samples 24] [--latency 0.0]

Same suite, same seeded simulated agent, same sandbox, in one run:
1. in-process (the local executor) vs Ray on a local one-node cluster, concurrency 1: the
   per-sample wall difference is the Ray executor's overhead (task dispatch, object store,
   provider and sandbox set-up on the worker);
2. throughput with 1 node vs 2 nodes (two raylets on this machine, one CPU each; each sample
   asks for a whole CPU so the node count is what limits it).
Prints the machine, each figure and the ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RAY_AUTH_MODE", "disabled")


def _timed(spec, executor=None) -> float:  # type: ignore[no-untyped-def]
    from evalkit.runner import run_samples

    t0 = time.perf_counter()
    result = run_samples(spec["tasks"], [spec["model"]], epochs=spec["epochs"],
                         out=spec["out"], concurrency=spec["concurrency"], progress=False,
                         executor=executor)
    assert result.status == "complete", result.reason
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=24)
    ap.add_argument("--latency", type=float, default=0.0)
    args = ap.parse_args()
    import ray

    from evalkit.executors.ray import RayExecutor
    from tests.runsuite import make_suite

    tmp = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    suite = make_suite(tmp, which=("solvable", "impossible"), test_command="echo 2 passed")
    epochs = max(1, args.samples // 2)
    model = f"sim:mix?fc=0.3&seed=5&latency={args.latency}"
    base = dict(tasks=str(suite), model=model, epochs=epochs)
    n = 2 * epochs
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, ray {ray.__version__}; {n} samples of {model}; "
          f"load average {os.getloadavg()[0]:.2f}")

    local = _timed(dict(base, out=tmp / "local", concurrency=1))
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    _timed(dict(base, out=tmp / "warm", concurrency=1), RayExecutor())  # worker start-up
    remote = _timed(dict(base, out=tmp / "ray1", concurrency=1), RayExecutor())
    ray.shutdown()
    print(f"concurrency 1: in-process {1000 * local / n:.1f} ms/sample, ray (1 node, warm) "
          f"{1000 * remote / n:.1f} ms/sample; overhead {1000 * (remote - local) / n:+.1f} "
          f"ms/sample, ratio {remote / local:.2f}")

    ray_bin = shutil.which("ray") or str(Path(sys.executable).parent / "ray")
    env = dict(os.environ)
    head = subprocess.run([ray_bin, "start", "--head", "--num-cpus", "1", "--port", "0",
                           "--include-dashboard=false", "--disable-usage-stats"],
                          capture_output=True, text=True, env=env)
    try:
        address = next(line.split("'")[1] for line in head.stdout.splitlines()
                       if "ray start --address=" in line)
        results = {}
        for nodes in (1, 2):
            if nodes == 2:
                subprocess.run([ray_bin, "start", "--address", address, "--num-cpus", "1",
                                "--disable-usage-stats"], check=True, capture_output=True,
                               env=env)
                time.sleep(2)
            ray.init(address=address, log_to_driver=False, configure_logging=False)
            ex = RayExecutor(cpus_per_sample=1.0)
            _timed(dict(base, out=tmp / f"warm{nodes}", concurrency=4), ex)
            t = _timed(dict(base, out=tmp / f"n{nodes}", concurrency=4),
                       RayExecutor(cpus_per_sample=1.0))
            ray.shutdown()
            results[nodes] = n / t
            print(f"{nodes} node{'s' if nodes > 1 else ''} (1 CPU each, 1 CPU per sample): "
                  f"{results[nodes]:.2f} samples/s")
        print(f"2 nodes / 1 node throughput: {results[2] / results[1]:.2f}")
    finally:
        subprocess.run([ray_bin, "stop", "--force"], capture_output=True, env=env)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
