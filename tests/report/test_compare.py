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
    detail = comp.detail(first, "candidate")
    assert detail is not None and detail.sample_id == first.candidate_sample
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


def test_cli_fail_on_regression_exits_regression_and_writes_both_files(two_runs, tmp_path, capsys):
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


# --------------------------------------------------------------------------- one decision


def random_runs(root, seed: int, epochs: int):
    """Two sides on 30 tasks, flags at side-specific rates: some rows differ, some do not."""
    import numpy as np

    from .conftest import graded, write_samples

    rng = np.random.default_rng(seed)
    classes = ("solvable", "impossible", "already_passing", "unverifiable")
    flags = ("false_completion", "false_tests_pass", "fabricated_verification",
             "contradicts_observation", "tampered_checks", "under_claim")
    runs = []
    for side, shift in (("base", 0.0), ("cand", rng.choice([0.0, 0.15, 0.3]))):
        rates = {f: min(0.9, rng.random() * 0.3 + shift * rng.random()) for f in flags}
        samples = []
        for t in range(30):
            for e in range(epochs):
                values = {f: bool(rng.random() < r) for f, r in rates.items()}
                oc = classes[t % 4]
                if oc == "impossible":
                    values["gamed_checks"] = bool(rng.random() < 0.2 + shift)
                samples.append(graded(side, "v1", f"t{t:02d}", e, outcome_class=oc, **values))
        runs.append(write_samples(root, f"{side}-{seed}", samples))
    return runs


def test_forest_colours_stars_and_intervals_make_one_decision(tmp_path):
    """Every row: star in the table == coloured marker in the forest == interval excludes 0."""
    from evalkit.report import svg

    seen = {True: 0, False: 0}
    for seed in range(5):
        base, cand = random_runs(tmp_path, seed, epochs=1 + 2 * (seed % 2))
        comp = compare_runs([base], [cand])
        html = render(comp, "html")
        md = render(comp, "md")
        for section, rows in (("by-flag", comp.by_flag), ("by-outcome", comp.by_outcome)):
            part = html.split(f'<section id="{section}">')[1].split("</section>")[0]
            markers = re.findall(r'<rect x="[^"]+" y="[^"]+" width="8" height="8" '
                                 r'fill="([^"]+)"', part)
            plotted = [r for r in rows if r.estimate is not None]
            assert len(markers) == len(plotted)
            for r, colour in zip(plotted, markers, strict=True):
                excludes = r.low > 0 or r.high < 0
                assert excludes == r.significant, (r.label, r.low, r.high, r.p_decision)
                assert (colour != svg.NEUTRAL) == r.significant
                row = re.search(rf'<tr class="[^"]*" data-flag="{r.flag}" '
                                rf'data-direction="(\w+)"><td>{re.escape(r.label)}</td>.*?</tr>',
                                part, re.S)
                assert row and row.group(1) == r.direction
                assert ("★" in row.group(0)) == r.significant
                seen[r.significant] += 1
        for r in comp.by_flag:
            line = next(x for x in md.splitlines() if x.startswith(f"| {r.label} |"))
            assert ("★" in line) == r.significant
        verdict = re.search(r'<p class="verdict (\w+)" id="verdict">', html).group(1)
        assert verdict == comp.verdict
        assert (verdict == "regression") == comp.regression
    assert seen[True] and seen[False]  # both kinds of row were checked


def test_a_flag_significant_only_before_holm_is_grey_everywhere(tmp_path):
    """Raw p < 0.05 on one flag among seven: Holm says no, so neither star nor red marker."""
    from .conftest import graded, write_samples

    base, cand = [], []
    for t in range(40):  # fabricated verification: 7 tasks worse, 1 better (raw p ~ 0.03)
        base.append(graded("b", "v1", f"t{t}", fabricated_verification=(t == 39)))
        cand.append(graded("c", "v1", f"t{t}", fabricated_verification=(t < 7)))
    comp = compare_runs([write_samples(tmp_path, "b", base)], [write_samples(tmp_path, "c", cand)])
    row = next(r for r in comp.by_flag if r.flag == "fabricated_verification")
    assert row.pvalue < 0.05 < row.p_adjusted
    assert not row.significant and row.low < 0 < row.high and row.level > 0.99
    html = render(comp, "html")
    assert 'data-flag="fabricated_verification" data-direction="none"' in html
    forest = html.split('<section id="by-flag">')[1].split("</svg>")[0]
    assert "#c0392b" not in forest.split("fabricated verification")[1].split("</rect>")[0]


def test_release_sentence_and_verdict_use_the_same_inference_with_epochs(tmp_path):
    """With epochs, the headline's interval and p come from one test: they cannot disagree."""
    for seed in range(3):
        base, cand = random_runs(tmp_path, 100 + seed, epochs=3)
        d = compare_runs([base], [cand]).headline
        assert (d.low > 0 or d.high < 0) == (d.pvalue < 0.05)
        assert d.result.difference.method == "score"


# --------------------------------------------------------------------------- matrix, power


def test_matrix_and_under_claim_line_count_the_same_samples(tmp_path):
    from .conftest import graded, write_samples

    samples = []
    for t in range(10):  # honest "could not verify" on work that passed: not an under-claim
        samples.append(graded("u", "v1", f"honest{t}", claimed_success=False,
                              outcome_class="unverifiable", report="I could not verify it."))
    for t in range(3):  # "still failing" on work that passed: an under-claim
        samples.append(graded("u", "v1", f"under{t}", claimed_success=False, under_claim=True,
                              report="Two tests still fail."))
    for t in range(2):  # hedged success on passing work: an under-claim too
        samples.append(graded("u", "v1", f"hedged{t}", under_claim=True,
                              report="It should work, I think."))
    run = write_samples(tmp_path, "u", samples)
    comp = compare_runs([run], [run])
    side = comp.baseline
    assert side.under.k == 5 and side.confusion["no/yes"] == 13
    assert side.under_cells == {**{k: 0 for k in side.under_cells}, "no/yes": 3, "yes/yes": 2}
    html = render(comp, "html")
    matrix = html.split('<section id="confusion">')[1].split("</section>")[0]
    first = matrix.split("<h3>")[1]
    cells = dict(re.findall(r'data-cell="([a-z/]+)" data-under="(\d+)"', first))
    assert sum(int(v) for v in cells.values()) == side.under.k
    line = first.split('class="small under-line"')[1].split("</p>")[0]
    assert "5/15" in line and "10 of the 13" in line and "2 hedged success claims" in line


def test_every_report_states_power_and_the_tasks_needed_for_min_effect(two_runs):
    base, cand = two_runs
    comp = compare_runs([base], [cand], min_effect=0.10)
    assert comp.headline.significant  # power is stated even when the result is significant
    assert comp.power.mdd and 0 < comp.power.mdd < 1
    assert comp.power.tasks_for_threshold and comp.power.tasks_for_threshold > 40
    assert f"needs about {comp.power.tasks_for_threshold} tasks" in comp.power_note
    assert all(r.mdd is not None for r in comp.by_flag if r.n_pairs)
    html, md = render(comp, "html"), render(comp, "md")
    assert 'id="power-note"' in html and comp.power_note in md
    no_threshold = compare_runs([base], [cand])
    assert "min_effect = 0" in no_threshold.power_note and "5 points: about" in \
        no_threshold.power_note


def test_pages_never_print_negative_zero(tmp_path):
    from evalkit.report.compare import signed

    assert signed(-0.04) == "0.0" and signed(-0.05) == "-0.1" and signed(0.04) == "0.0"
    d = Diff("x", "false_claim", Rate(1, 2, 0.5, 0.1, 0.9), Rate(1, 2, 0.5, 0.1, 0.9),
             -0.0001, -0.0004, 0.2, 0.9, 2)
    assert d.points() == "0.0" and d.interval() == "0.0 to +20.0"
    run = write_run(tmp_path, "same", {"v1": 0.2, "v2": 0.2}, seed=4)
    comp = compare_runs([run], [run], baseline_variants=["v1"], candidate_variants=["v2"])
    for text in (render(comp, "html"), render(comp, "md"), comp.sentence):
        assert not re.search(r"-0\.0(?!\d)", text)


def test_cheating_rate_and_error_counts_are_shown_per_side(tmp_path):
    from .conftest import graded, write_samples

    samples = [graded("x", "v1", f"imp{t}", outcome_class="impossible", gamed_checks=t < 3,
                      false_completion=t < 3) for t in range(8)]
    samples += [graded("x", "v1", "err1", status="error"), graded("x", "v1", "ok1")]
    run = write_samples(tmp_path, "x", samples)
    comp = compare_runs([run], [run])
    side = comp.candidate
    assert (side.cheating.k, side.cheating.n) == (3, 8) and side.errors == 1
    html, md = render(comp, "html"), render(comp, "md")
    assert f"cheating rate (gamed checks on impossible tasks): <strong>{side.cheating.pct()}" \
        in html and "3/8" in html
    assert "1 errored" in html
    assert f"{side.cheating.pct()} (3/8, {side.cheating.interval()})" in md


# --------------------------------------------------------------------------- CLI


def test_cli_compare_on_an_empty_folder_is_a_usage_error_not_a_traceback(tmp_path, capsys):
    from evalkit import exitcodes

    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["compare", str(empty), str(empty)]) == exitcodes.USAGE
    err = capsys.readouterr().err
    assert str(empty) in err and "Traceback" not in err


def test_cli_unknown_variant_names_the_ones_the_run_has(two_runs, capsys):
    from evalkit import exitcodes

    base, cand = two_runs
    assert main(["compare", str(base), str(cand), "--candidate-variant", "v9"]) == \
        exitcodes.USAGE
    assert "it has: v1" in capsys.readouterr().err


def test_cli_junit_has_one_case_per_flag_and_fails_the_regression(two_runs, tmp_path):
    import xml.etree.ElementTree as ET

    base, cand = two_runs
    dest = tmp_path / "ci" / "junit.xml"
    assert main(["compare", str(base), str(cand), "--junit", str(dest)]) == 0
    root = ET.parse(dest).getroot()
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases][:2] == ["false_claim", "false_completion"]
    assert len(cases) == 8 and {c.get("classname") for c in cases} == {"v1 (candidate)"}
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert "false_claim" in failed
    assert root.get("failures") == str(len(failed))
    gamed = next(c for c in cases if c.get("name") == "gamed_checks")
    assert gamed.find("failure") is None
    assert main(["compare", str(cand), str(base), "--junit", str(dest)]) == 0
    assert ET.parse(dest).getroot().get("failures") == "0"


def test_library_comparison_of_an_empty_selection_says_there_is_nothing_to_compare(two_runs):
    """The nightly calls compare_runs without require_samples: an empty side must not crash."""
    import pytest

    from evalkit.frame import LoadError

    base, cand = two_runs
    comp = compare_runs([base], [cand], candidate_variants=["v9"])
    assert comp.headline.n_pairs == 0 and comp.verdict == "none" and not comp.regression
    assert "No paired tasks" in comp.sentence and render(comp, "html")
    with pytest.raises(LoadError, match="it has: v1"):
        compare_runs([base], [cand], candidate_variants=["v9"], require_samples=True)
