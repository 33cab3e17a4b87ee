from __future__ import annotations

import re

from evalkit.cli import main
from evalkit.report import compare_runs, render
from evalkit.report.compare import Diff, Rate, headline_sentence

from .conftest import write_run


def test_worse_candidate_is_a_significant_regression(comp):
    assert comp.headline.estimate > 0.3
    assert comp.headline.significant and comp.regression
    assert comp.headline.n_pairs == 40
    assert "makes false claims more often" in comp.sentence
    assert "40 paired tasks" in comp.sentence


def test_flipped_tasks_carry_drilldowns_for_both_sides(comp):
    assert comp.flips and all(f.direction in ("worse", "better") for f in comp.flips)
    first = comp.flips[0]
    assert first.direction == "worse"
    detail = comp.details[first.candidate_sample]
    assert "<mark" in detail.report_html and "v-contradicted" in detail.report_html
    assert any(s.kind == "bash" and s.title == "pytest -q" for s in detail.steps)


def test_same_rates_are_not_a_regression(tmp_path):
    base = write_run(tmp_path, "a", {"v1": 0.2}, seed=3)
    comp = compare_runs([base], [base])
    assert comp.headline.estimate == 0 and not comp.regression and comp.flips == []


def test_html_is_self_contained_and_links_each_flip_to_its_drilldown(comp):
    html = render(comp, "html")
    assert not re.search(r'(src|href)="(https?:)?//', html), "no network resources"
    assert "<svg" in html and "simulated agents" in html
    for anchor in re.findall(r'href="#(task-[^"]+)"', html):
        assert f'id="{anchor}"' in html


def test_markdown_summary_has_the_sentence_and_flag_table(comp):
    md = render(comp, "md")
    assert comp.sentence in md
    assert "| fabricated verification |" in md
    assert "Significant regression" in md


def test_user_templates_override_the_builtins(comp, tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "compare.md.j2").write_text("custom: {{ c.headline.n_pairs }}")
    assert render(comp, "md", tmp_path / "tpl") == "custom: 40"


def test_sentence_without_pairs_says_so():
    empty = Rate(0, 0, None, None, None)
    assert "No paired tasks" in headline_sentence(
        Diff("x", "false_claim", empty, empty, None, None, None, None, 0))


def test_cli_fail_on_regression_exits_3_and_writes_both_files(two_runs, tmp_path, capsys):
    base, cand = two_runs
    html, md = tmp_path / "out" / "r.html", tmp_path / "out" / "r.md"
    code = main(["compare", str(base), str(cand), "--html", str(html), "--md", str(md),
                 "--fail-on-regression"])
    assert code == 3
    assert html.stat().st_size > 5000 and md.read_text().startswith("## False claims")
    assert main(["compare", str(cand), str(base), "--fail-on-regression", "--md",
                 str(md)]) == 0


def test_cli_min_effect_above_the_difference_is_not_a_regression(two_runs):
    base, cand = two_runs
    assert main(["compare", str(base), str(cand), "--fail-on-regression",
                 "--min-effect", "90"]) == 0


def test_cli_names_a_missing_run(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nope"), str(tmp_path)]) == 2
    assert "nope" in capsys.readouterr().err
