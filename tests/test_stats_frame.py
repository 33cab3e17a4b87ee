"""fc_rate / compare / compare_within on frames, and the ``evalkit stats`` command."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit import records as R
from evalkit import stats as S
from evalkit.cli import main


def frame(rows):
    df = pd.DataFrame(rows, columns=["variant", "outcome_class", "task_id", "epoch",
                                     "false_claim"])
    df["variant"] = df["variant"].astype("category")
    df["outcome_class"] = df["outcome_class"].astype("category")
    df["false_claim"] = df["false_claim"].astype("boolean")
    return df


def paired_frame(n_tasks=180, p_base=0.2, seed=0):
    """baseline and candidate on the same tasks; candidate adds false claims on ~13% of tasks."""
    rng = np.random.default_rng(seed)
    base = rng.random(n_tasks) < p_base
    cand = base.copy()
    flip_up = (~base) & (rng.random(n_tasks) < 0.2)
    flip_down = base & (rng.random(n_tasks) < 0.1)
    cand[flip_up], cand[flip_down] = True, False
    rows = []
    for t in range(n_tasks):
        oc = "impossible" if t % 3 == 0 else "solvable"
        rows.append(("baseline", oc, f"t{t}", 1, bool(base[t])))
        rows.append(("candidate", oc, f"t{t}", 1, bool(cand[t])))
    return frame(rows), base, cand


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_fc_rate_by_variant_and_outcome_class_matches_proportion():
    df, base, cand = paired_frame()
    table = S.fc_rate(df, by=["variant", "outcome_class"])
    assert list(table.columns) == ["variant", "outcome_class", "n", "k", "rate", "lower",
                                   "upper", "n_missing", "n_clusters", "design_effect",
                                   "effective_n"]
    assert len(table) == 4
    row = table[(table.variant == "baseline") & (table.outcome_class == "impossible")].iloc[0]
    x = base[::3]
    ref = S.proportion_from_counts(int(x.sum()), x.size).confidence_interval()
    assert (row.n, row.k) == (x.size, x.sum())
    assert (row.lower, row.upper) == pytest.approx(ref)  # one epoch: clustering is a no-op


def test_fc_rate_all_missing_group_is_n0_with_full_interval():
    df = frame([("a", "solvable", "t1", 1, None), ("a", "solvable", "t2", 1, None),
                ("b", "solvable", "t1", 1, True)])
    table = S.fc_rate(df, by="variant").set_index("variant")
    assert table.loc["a", "n"] == 0 and table.loc["a", "n_missing"] == 2
    assert math.isnan(table.loc["a", "rate"])
    assert (table.loc["a", "lower"], table.loc["a", "upper"]) == (0.0, 1.0)
    assert S.fc_rate(df, by=None, cluster=None)["n"].tolist() == [1]


def test_fc_rate_clusters_epochs_by_task():
    rows = [("a", "solvable", f"t{t}", e, t < 4) for t in range(12) for e in range(5)]
    table = S.fc_rate(frame(rows), by="variant")
    assert table["n"].item() == 60 and table["n_clusters"].item() == 12
    assert table["effective_n"].item() == pytest.approx(12, rel=0.1)
    naive = S.fc_rate(frame(rows), by="variant", cluster=None)
    assert table["lower"].item() < naive["lower"].item()


def test_fc_rate_unknown_column_is_a_clear_error():
    df, *_ = paired_frame(10)
    with pytest.raises(KeyError, match="outcome"):
        S.fc_rate(df, by=["variant", "outcome"])


def test_compare_gives_the_paired_score_difference_and_a_plain_summary():
    df, base, cand = paired_frame()
    r = S.compare(df, "baseline", "candidate")
    assert r.n_pairs == 180 and r.n_unpaired == 0
    assert r.statistic == pytest.approx(cand.mean() - base.mean())
    assert r.candidate_only == int((cand & ~base).sum())
    assert r.baseline_only == int((base & ~cand).sum())
    ref = S.paired_score(cand, base)
    assert r.pvalue == ref.pvalue and r.confidence_interval() == ref.confidence_interval()
    lo, hi = r.confidence_interval()
    assert lo < r.statistic < hi
    s = r.summary()
    assert s.startswith("candidate makes false claims more often than baseline: +")
    assert "95% CI +" in s and s.endswith(", 180 paired tasks") and (", p " in s)


def test_compare_with_no_difference_says_so_and_handles_unpaired_tasks():
    rows = [("a", "solvable", f"t{t}", 1, t % 4 == 0) for t in range(20)]
    rows += [("b", "solvable", f"t{t}", 1, t % 4 == 0) for t in range(22)]
    rows += [("b", "solvable", "t0", 2, None)]
    r = S.compare(frame(rows), "a", "b")
    assert r.n_pairs == 20 and r.n_unpaired == 2 and r.n_missing == 1
    assert r.statistic == 0 and r.pvalue == 1.0
    assert r.summary().startswith("no clear difference: b vs a +0.0 points")


def test_compare_errors_and_empty_overlap():
    df, *_ = paired_frame(10)
    with pytest.raises(ValueError, match="not in the frame"):
        S.compare(df, "baseline", "nope")
    rows = [("a", "solvable", "t1", 1, True), ("b", "solvable", "t2", 1, False)]
    r = S.compare(frame(rows), "a", "b")
    assert r.n_pairs == 0 and "no tasks in common" in r.summary()


def test_compare_within_adjusts_pvalues_with_holm():
    df, *_ = paired_frame()
    table = S.compare_within(df, "baseline", "candidate", within="outcome_class")
    assert list(table["outcome_class"]) == ["impossible", "solvable"]
    assert table["pvalue_holm"].tolist() == pytest.approx(S.holm(table["pvalue"]).tolist())
    assert (table["pvalue_holm"] >= table["pvalue"]).all()


# --------------------------------------------------------------------------- CLI


def write_run(path, n_tasks=6):
    path.mkdir(parents=True)
    with open(path / "samples.jsonl", "w") as fh:
        for v in ("base", "cand"):
            for t in range(n_tasks):
                for e in (1, 2):
                    g = R.Grade(grader="rules", grader_version="1",
                                false_claim=(t + (v == "cand")) % 3 == 0)
                    s = R.Sample(sample_id=f"{v}{t}{e}", run_id=path.name, task_id=f"t{t}",
                                 suite="s", outcome_class="solvable", variant=v, model=v,
                                 epoch=e, status="ok", grade=g)
                    fh.write(json.dumps(R.to_json(s)) + "\n")
    return path


def test_stats_command_prints_an_aligned_table(tmp_path, capsys):
    run = write_run(tmp_path / "run1")
    assert main(["stats", str(run)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("24 samples (0 errored) from 1 run(s); false_claim by variant, "
                             "outcome_class")
    assert out[1].split()[:4] == ["variant", "outcome_class", "n", "false_claim"]
    assert out[2].split()[:5] == ["base", "solvable", "12", "4/12", "="]
    assert len({len(line) for line in out[1:4]}) == 1  # aligned


def test_stats_command_json_is_machine_readable(tmp_path, capsys):
    run = write_run(tmp_path / "run1")
    assert main(["stats", str(run), "--by", "variant", "--json", "--method", "exact"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["flag"] == "false_claim" and doc["by"] == ["variant"]
    g = doc["groups"][0]
    assert g["variant"] == "base" and g["n"] == 12 and g["k"] == 4 and g["n_clusters"] == 6


def test_stats_command_path_not_found_is_a_usage_error_like_every_command(tmp_path, capsys):
    from evalkit import exitcodes

    assert main(["stats", str(tmp_path / "missing")]) == exitcodes.USAGE
    assert "no such file" in capsys.readouterr().err
    run = write_run(tmp_path / "run1")
    assert main(["stats", str(run), "--flag", "nope"]) == exitcodes.USAGE
    assert main(["stats", str(run), "--level", "95"]) == exitcodes.USAGE
    assert "--level 95" in capsys.readouterr().err


def write_impossible_run(path):
    """Two variants on four impossible tasks; v2 games the checks on three, v1 on one."""
    path.mkdir(parents=True)
    with open(path / "samples.jsonl", "w") as fh:
        for v, gamed in (("v1", 1), ("v2", 3)):
            for t in range(4):
                g = R.Grade(grader="rules", grader_version="1", false_claim=t < gamed,
                            gamed_checks=t < gamed)
                s = R.Sample(sample_id=f"{v}{t}", run_id=path.name, task_id=f"t{t}",
                             suite="s", outcome_class="impossible", variant=v, model=v,
                             epoch=1, status="ok", grade=g)
                fh.write(json.dumps(R.to_json(s)) + "\n")
        s = R.Sample(sample_id="v1x", run_id=path.name, task_id="t9", suite="s",
                     outcome_class="solvable", variant="v1", model="v1", epoch=1,
                     status="error", error="provider failed")
        fh.write(json.dumps(R.to_json(s)) + "\n")
    return path


def test_stats_command_shows_the_cheating_rate_per_variant_with_k_of_n(tmp_path, capsys):
    run = write_impossible_run(tmp_path / "imp")
    assert main(["stats", str(run)]) == 0
    out = capsys.readouterr().out
    assert "(1 errored)" in out.splitlines()[0]
    tail = out.split("cheating rate (gamed_checks on impossible tasks")[1].splitlines()
    assert tail[2].split()[:4] == ["v1", "4", "1/4", "="]
    assert tail[3].split()[:4] == ["v2", "4", "3/4", "="]
    assert main(["stats", str(run), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    cheat = {g["variant"]: g for g in doc["cheating"]["groups"]}
    assert (cheat["v2"]["k"], cheat["v2"]["n"]) == (3, 4) and doc["errored"] == 1
    assert 0 < cheat["v2"]["lower"] < 0.75 < cheat["v2"]["upper"] < 1


def test_compare_with_epochs_averages_per_task_and_pairs_tasks():
    rows = []
    for t in range(40):
        for e in range(3):
            rows.append(("a", "solvable", f"t{t}", e, (t + e) % 5 == 0))
            rows.append(("b", "solvable", f"t{t}", e, (t + e) % 3 == 0))
    df = frame(rows)
    r = S.compare(df, "a", "b")
    assert r.difference.method == "score" and r.n_pairs == 40
    means = df.groupby(["task_id", "variant"], observed=True)["false_claim"].mean().unstack()
    assert r.statistic == pytest.approx((means["b"] - means["a"]).mean())
    lo, hi = r.confidence_interval()
    assert lo < r.statistic < hi


def test_compare_summary_direction_follows_the_one_test_and_interval():
    # 5 tasks worse, 0 better, 15 equal: the score test rejects, and so its interval excludes 0
    rows = [("a", "solvable", f"t{t}", 1, False) for t in range(20)]
    rows += [("b", "solvable", f"t{t}", 1, t < 5) for t in range(20)]
    r = S.compare(frame(rows), "a", "b")
    assert r.confidence_interval()[0] > 0 and r.pvalue < 0.05 and r.significant()
    assert r.summary().startswith("b makes false claims more often than a: +25.0 points")
    assert "disagree" not in r.summary()
    # 2 worse, 0 better: neither the test nor the interval finds a difference
    rows = [("a", "solvable", f"t{t}", 1, False) for t in range(20)]
    rows += [("b", "solvable", f"t{t}", 1, t < 2) for t in range(20)]
    r = S.compare(frame(rows), "a", "b")
    assert r.confidence_interval()[0] < 0 < r.confidence_interval()[1] and r.pvalue > 0.05
    assert r.summary().startswith("no clear difference: b vs a +10.0 points")


@pytest.mark.parametrize("method", ["wilson", "wald", "exact"])
@pytest.mark.parametrize("keyed", ["category", "string"])
def test_fc_rate_in_one_pass_agrees_with_proportion_per_group(method: str, keyed: str) -> None:
    """fc_rate computes every group from codes in one pass (issue 19: ~5x faster at 10^6
    rows); each row must still be what proportion() says for that group alone, NA keys and
    groups whose flag is all missing included."""
    import numpy as np

    from evalkit import stats as S

    rng = np.random.default_rng(7)
    n = 400
    df = pd.DataFrame({
        "variant": pd.array(rng.choice(["a", "b", "c"], n), dtype=keyed),
        "outcome_class": pd.array(rng.choice(["x", "y", None], n), dtype=keyed),
        "task_id": pd.array(rng.choice([f"t{i}" for i in range(25)], n), dtype="string"),
        "false_claim": pd.array([None if r < 0.2 else bool(r > 0.6) for r in rng.random(n)],
                                dtype="boolean"),
    })
    df.loc[df["variant"] == "c", "false_claim"] = pd.NA
    out = S.fc_rate(df, method=method)
    assert len(out) == len(df.groupby(["variant", "outcome_class"], observed=True,
                                      dropna=False))
    for row in out.itertuples():
        cls = df["outcome_class"]
        part = df[(df["variant"] == row.variant)
                  & (cls.isna() if pd.isna(row.outcome_class) else cls == row.outcome_class)]
        ref = S.proportion(part["false_claim"], method, cluster=part["task_id"])
        lo, hi = ref.confidence_interval()
        assert (row.n, row.k, row.n_missing, row.n_clusters) == (ref.n, ref.k, ref.n_dropped,
                                                                ref.n_clusters)
        assert row.lower == pytest.approx(lo, abs=1e-12)
        assert row.upper == pytest.approx(hi, abs=1e-12)
        assert row.design_effect == pytest.approx(ref.design_effect, nan_ok=True)
        assert row.effective_n == pytest.approx(ref.effective_n, nan_ok=True)
