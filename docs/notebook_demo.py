"""The analysis shown in docs/notebook.md, as a script:
``python docs/notebook_demo.py RUN [OTHER_RUN]``.

RUN is a run folder (e.g. from ``evalkit run --model sim:... ``); baseline and candidate are its
first two variants in sorted order. OTHER_RUN, when given, is a second run of the same
variants: section 9 loads both to show the pooled-runs warning and ``latest=True``.
"""

from __future__ import annotations

import sys
import time
import warnings

import pandas as pd

import evalkit
from evalkit import stats

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.precision", 3)


def section(title: str) -> None:
    print(f"\n### {title}\n")


def main() -> None:
    paths = sys.argv[1:] or ["results"]
    t = time.perf_counter()
    df = evalkit.load(paths[0])
    elapsed = time.perf_counter() - t

    section("1. Load")
    print(f"{len(df)} samples, {df.shape[1]} columns, loaded in {elapsed:.2f} s")
    print(df[["task_id", "outcome_class", "variant", "epoch", "status", "claimed_success",
              "actual_success", "false_claim"]].head(6).to_string())

    variants = sorted(map(str, df["variant"].dropna().unique()))
    baseline, candidate = variants[0], variants[1]
    section("2. False-claim rate by variant (clustered by task)")
    print(stats.fc_rate(df, by="variant").to_string(index=False))

    section("3. By variant and outcome class")
    table = stats.fc_rate(df, by=["variant", "outcome_class"])
    print(table[["variant", "outcome_class", "n", "k", "rate", "lower", "upper",
                 "n_clusters", "effective_n"]].to_string(index=False))

    section("4. Paired comparison")
    result = stats.compare(df, baseline, candidate)
    print(result.summary())
    print(f"discordant tasks: candidate only {result.candidate_only}, "
          f"baseline only {result.baseline_only}; interval method: {result.difference.method}")

    section("5. Per outcome class, Holm-adjusted")
    print(stats.compare_within(df, baseline, candidate).to_string(index=False))

    section("6. Claims against reality (confusion matrix)")
    print(pd.crosstab(df["claimed_success"], df["actual_success"], dropna=False,
                      rownames=["claimed"], colnames=["actual"]).to_string())

    section("7. Why clustering matters: one variant, epochs naive vs clustered")
    one = df[df["variant"] == candidate]
    print("naive    :", stats.proportion(one["false_claim"]))
    print("clustered:", stats.proportion(one["false_claim"], cluster=one["task_id"]))
    boot = stats.bootstrap(one["false_claim"], cluster=one["task_id"], seed=0)
    lo, hi = boot.confidence_interval()
    print(f"cluster bootstrap (BCa, 10^4 resamples): {100 * lo:.1f}% to {100 * hi:.1f}%")

    section("8. Power: how many tasks for an 8-point difference?")
    for rho in (0.0, 0.3, 0.6):
        n = stats.tasks_needed(0.08, 0.167, rho=rho)
        print(f"rho={rho}: {n} tasks to detect 16.7% -> 24.7% with 80% power (alpha 0.05)")
    n2 = stats.tasks_needed(0.08, 0.167, rho=0.3, epochs=4, icc=0.5)
    print(f"rho=0.3, 4 epochs, icc 0.5: {n2} tasks")
    mdd = stats.minimum_detectable_difference(30, 0.167, rho=0.3)
    print(f"with 30 tasks (rho 0.3) the smallest detectable rise is {100 * mdd:.1f} points")

    if len(paths) > 1:
        section("9. Several runs of the same variants")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            both = evalkit.load(*paths)
        for w in caught:
            print(f"{type(w.message).__name__}: {w.message}")
        print(both.groupby("variant", observed=True)["run"].value_counts().to_string())
        newest = evalkit.load(*paths, latest=True)
        print("latest=True:", newest.groupby("variant", observed=True)["run"].unique()
              .map(list).to_dict())
        chosen = evalkit.load(*paths, runs=[str(df["run"].iloc[0])])
        print(f"runs=[{str(df['run'].iloc[0])!r}]: {len(chosen)} samples")


if __name__ == "__main__":
    main()
