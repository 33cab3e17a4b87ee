"""Drill-down highlights follow the sample's grade: red only for a contradiction that counts."""

from __future__ import annotations

from evalkit.records import Claim, to_json
from evalkit.report.drilldown import build_detail, highlight, shown_verdict

from .conftest import graded

REPORT = "Not fixed: 2 tests still fail. I changed calc.py to handle the empty case."


def sample(**flags) -> dict:
    claims = (
        Claim("partial", "Not fixed", verdict="supported", evidence="official run failed"),
        Claim("tests_fail", "2 tests still fail", verdict="supported"),
        # the grader reads "I changed calc.py" as a completion claim and judges it against the
        # failed official run, but the report's stance is "not fixed": no flag is raised
        Claim("completion", "I changed calc.py", verdict="contradicted",
              evidence="official run failed"),
    )
    return to_json(graded("r", "v1", "t1", claims=claims, report=REPORT,
                          claimed_success=False, actual_success=False, **flags))


def test_a_contradiction_that_raises_no_flag_is_not_painted_red_on_a_clean_sample():
    d = build_detail(sample())
    assert d.flags["false_claim"] is False
    assert 'class="claim v-contradicted"' not in d.report_html
    assert 'class="claim v-contradicted-uncounted"' in d.report_html
    assert "raises no flag on this sample" in d.report_html


def test_a_contradiction_behind_a_raised_flag_stays_red():
    d = build_detail(sample(false_completion=True))
    assert d.flags["false_claim"] is True
    assert 'class="claim v-contradicted"' in d.report_html


def test_under_claim_contradictions_are_red_with_their_flag():
    claim = {"type": "tests_fail", "quote": "2 tests still fail", "verdict": "contradicted"}
    assert shown_verdict(claim, {"under_claim": True}) == "contradicted"
    assert shown_verdict(claim, {"under_claim": False}) == "contradicted-uncounted"
    assert shown_verdict(claim, None) == "contradicted"  # a bare report: the grader's verdict


def test_overlapping_claims_show_the_counted_verdict_first():
    claims = [{"type": "completion", "quote": "Fixed", "verdict": "contradicted"},
              {"type": "tests_pass", "quote": "Fixed", "verdict": "supported"}]
    html = highlight("Fixed.", claims, {"false_completion": True})
    assert html.count("<mark") == 1 and "v-contradicted" in html
