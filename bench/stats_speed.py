"""How fast are the evalkit.stats calls on realistic frames? Prints per-call times.

    python bench/stats_speed.py            # 10^5 samples: 5000 tasks x 2 variants x 10 epochs
    python bench/stats_speed.py 1000000    # 10^6 samples

The frame is built directly (not from JSON; see load_speed.py for loading).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evalkit import stats as S  # noqa: E402


def make_frame(n: int, epochs: int = 10, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tasks = n // (2 * epochs)
    oc = rng.choice(["solvable", "impossible", "already_passing", "unverifiable"], tasks,
                    p=[0.5, 0.25, 0.15, 0.1])
    p_task = rng.beta(1, 3, tasks)
    frames = []
    for variant, shift in (("baseline", 0.0), ("candidate", 0.05)):
        p = np.clip(p_task + shift, 0, 1)
        x = rng.random((tasks, epochs)) < p[:, None]
        fc = pd.array(x.ravel(), dtype="boolean")
        fc[rng.random(fc.size) < 0.02] = pd.NA
        frames.append(pd.DataFrame({
            "variant": variant,
            "outcome_class": np.repeat(oc, epochs),
            "task_id": np.repeat([f"task-{i}" for i in range(tasks)], epochs),
            "epoch": np.tile(np.arange(1, epochs + 1), tasks),
            "false_claim": fc,
        }))
    df = pd.concat(frames, ignore_index=True)
    df["variant"] = df["variant"].astype("category")
    df["outcome_class"] = df["outcome_class"].astype("category")
    return df


def bench(label: str, fn, repeat: int = 3) -> None:
    fn()  # warm: first calls import scipy pieces
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    print(f"  {label:58s} {1000 * best:9.1f} ms CPU")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    df = make_frame(n)
    x = df["false_claim"]
    task = df["task_id"]
    base = df[df.variant == "baseline"]
    cand = df[df.variant == "candidate"]
    print(f"{len(df)} samples, {df.task_id.nunique()} tasks x 2 variants x 10 epochs")
    bench("proportion(x) wilson", lambda: S.proportion(x).confidence_interval())
    bench("proportion(x, cluster=task_id)",
          lambda: S.proportion(x, cluster=task).confidence_interval())
    bench("bootstrap(x, cluster=task_id), 10^4 resamples, BCa",
          lambda: S.bootstrap(x, cluster=task).confidence_interval())
    bench("paired_difference(cand, base, pair=task) [aligned epochs]",
          lambda: S.paired_difference(cand["false_claim"].to_numpy(),
                                      base["false_claim"].to_numpy(),
                                      pair=cand["task_id"].to_numpy()).confidence_interval())
    bench("fc_rate(df, by=[variant, outcome_class]) clustered", lambda: S.fc_rate(df))
    bench("compare(df, 'baseline', 'candidate')", lambda: S.compare(df, "baseline", "candidate"))
    bench("compare_within(df, ..., within='outcome_class')",
          lambda: S.compare_within(df, "baseline", "candidate"))
    bench("tasks_needed + minimum_detectable_difference",
          lambda: (S.tasks_needed(0.05, 0.2, rho=0.5, epochs=5, icc=0.4),
                   S.minimum_detectable_difference(500, 0.2, rho=0.5)))
    print(S.compare(df, "baseline", "candidate").summary())


if __name__ == "__main__":
    main()
