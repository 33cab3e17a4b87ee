"""Both sides of a comparison keep their own samples, even when their sample ids are the same.

A sample id repeats across runs of one variant and config (by design, for resume), so a
night-over-night comparison has the same ids on both sides; the drill-downs must still show each
side's own sample."""

from __future__ import annotations

import re

from tests.report.conftest import write_run


def _worse_flips(comp):
    return [f for f in comp.flips if f.direction == "worse"
            and f.baseline_rate == 0.0 and f.candidate_rate == 1.0]


def test_same_sample_ids_on_both_sides_show_each_sides_own_sample(comp, two_runs):
    flips = _worse_flips(comp)
    assert flips, "the fixture runs have tasks that went from no false claim to a false claim"
    for f in flips:
        assert f.baseline_sample == f.candidate_sample  # the case that used to collapse
        base, cand = comp.detail(f, "baseline"), comp.detail(f, "candidate")
        assert base is not None and cand is not None
        assert base.flags["false_claim"] is False and cand.flags["false_claim"] is True
        assert (f.baseline_run, f.candidate_run) == ("base", "cand")


def test_rendered_drilldown_columns_differ_when_the_samples_differ(comp):
    from evalkit.report import render

    html = render(comp, "html")
    f = _worse_flips(comp)[0]
    article = re.search(rf'<article class="drill" id="task-{f.task_id}">(.*?)</article>', html,
                        re.S).group(1)
    base_col, cand_col = article.split("<h4>")[1:3]
    assert "no false claim" in base_col and "no false claim" not in cand_col
    assert "false_claim" in cand_col


def test_pooled_runs_on_one_side_keep_the_run_the_figure_came_from(tmp_path):
    from evalkit.report import compare_runs

    n1 = write_run(tmp_path, "night1", {"v1": 0.0}, n_tasks=8, seed=1)
    n2 = write_run(tmp_path, "night2", {"v1": 1.0}, n_tasks=8, seed=1)
    comp = compare_runs([n1], [n1, n2])  # candidate pools two nights with the same ids
    assert comp.flips
    for f in comp.flips:
        cand = comp.detail(f, "candidate")
        assert cand is not None
        assert cand.flags["false_claim"] is (f.candidate_run == "night2")
