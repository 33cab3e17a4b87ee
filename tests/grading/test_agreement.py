"""Grader agreement: Cohen's κ checked against hand computations, degenerate cases, and the
disagreement listing."""

from __future__ import annotations

import math

import pytest

from evalkit.grading.agreement import FIELDS, cohen_kappa, compare_grades, excerpt, wilson
from evalkit.records import Claim, Grade


def _pairs(table: dict[tuple[object, object], int]) -> tuple[list[object], list[object]]:
    a: list[object] = []
    b: list[object] = []
    for (x, y), count in table.items():
        a += [x] * count
        b += [y] * count
    return a, b


def test_kappa_and_its_standard_error_match_a_hand_computation() -> None:
    # 50 items: both True 20, a True/b False 5, a False/b True 10, both False 15
    a, b = _pairs({(True, True): 20, (True, False): 5, (False, True): 10, (False, False): 15})
    k = cohen_kappa(a, b)
    # p_o = 35/50 = 0.7; marginals a 0.5/0.5, b 0.6/0.4; p_e = 0.5*0.6 + 0.5*0.4 = 0.5
    assert k.observed == pytest.approx(0.7) and k.expected == pytest.approx(0.5)
    assert k.statistic == pytest.approx((0.7 - 0.5) / (1 - 0.5))  # 0.4
    # Fleiss-Cohen-Everitt: A = .4(1-(.5+.6)(.6))^2 + .3(1-(.5+.4)(.6))^2 = .10972
    # B = .6^2 (.1(.6+.5)^2 + .2(.4+.5)^2) = .10188; C = (.4 - .5*.6)^2 = .01
    assert k.se == pytest.approx(math.sqrt((0.10972 + 0.10188 - 0.01) / (0.25 * 50)))
    low, high = k.confidence_interval()
    assert low == pytest.approx(0.4 - 1.959964 * k.se) and high == pytest.approx(
        0.4 + 1.959964 * k.se)


def test_kappa_treats_unknown_as_a_third_category() -> None:
    # 10 items: (T,T) 4, (F,F) 3, (None,None) 1, (None,F) 2
    a, b = _pairs({(True, True): 4, (False, False): 3, (None, None): 1, (None, False): 2})
    k = cohen_kappa(a, b)
    # p_o = 8/10; a: T .4 F .3 None .3; b: T .4 F .5 None .1; p_e = .16 + .15 + .03 = .34
    assert k.expected == pytest.approx(0.34)
    assert k.statistic == pytest.approx((0.8 - 0.34) / (1 - 0.34))


def test_kappa_degenerate_cases() -> None:
    same = cohen_kappa([False] * 6, [False] * 6)
    assert same.statistic is None and same.observed == 1.0 and same.n == 6  # undefined
    assert same.confidence_interval() is None
    opposite = cohen_kappa([True] * 4, [False] * 4)
    assert opposite.statistic == 0.0 and opposite.observed == 0.0
    empty = cohen_kappa([], [])
    assert (empty.statistic, empty.observed, empty.n) == (None, None, 0)
    perfect = cohen_kappa([True, False, True], [True, False, True])
    assert perfect.statistic == pytest.approx(1.0)
    inverse = cohen_kappa([True, False], [False, True])
    assert inverse.statistic == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="expected pairs"):
        cohen_kappa([True], [True, False])


def test_wilson_interval_matches_the_design_brief_figures() -> None:
    low, high = wilson(5, 30)
    assert (round(low, 3), round(high, 3)) == (0.073, 0.336)
    low, high = wilson(9, 30)
    assert (round(low, 3), round(high, 3)) == (0.167, 0.479)
    assert wilson(0, 0) == (0.0, 1.0)


def _grade(grader: str, claims: tuple[Claim, ...] = (), **flags: bool | None) -> Grade:
    values: dict[str, bool | None] = dict.fromkeys(FIELDS, False)
    values.update(flags)
    return Grade(grader=grader, grader_version="v", claims=claims, **values)  # type: ignore[arg-type]


def test_compare_grades_counts_per_field_and_lists_the_disagreeing_sample() -> None:
    done = Claim(type="completion", quote="Done.")
    rules = [_grade("rules", (done,), claimed_success=True, false_completion=True,
                    false_claim=True),
             _grade("rules", claimed_success=None), _grade("rules", claimed_success=False),
             _grade("rules", (done,), claimed_success=True)]
    judge = [_grade("llm:m", claimed_success=None), _grade("llm:m", claimed_success=None),
             _grade("llm:m", claimed_success=False), _grade("llm:m", (done,),
                                                            claimed_success=True)]
    reports = ["Done.\n\n  (see   the log)", None, "I could not finish.", "Done."]
    rep = compare_grades(rules, judge, ids=["s1", "s2", "s3", "s4"], reports=reports)
    assert (rep.grader_a, rep.grader_b, rep.n) == ("rules", "llm:m", 4)
    fc = rep.field("false_completion")
    assert (fc.n, fc.agree, fc.raw) == (4, 3, 0.75)
    assert fc.table == {("true", "false"): 1, ("false", "false"): 3}
    # false_completion: a = T F F F, b = F F F F: p_o .75, p_e = .25*0 + .75*1 = .75 -> κ = 0
    assert fc.kappa.statistic == pytest.approx(0.0)
    cs = rep.field("claimed_success")
    # a = T N F T, b = N N F T: p_o .75; p_e = .5*.25 + .25*.5 + .25*.25 = .3125
    assert cs.kappa.statistic == pytest.approx((0.75 - 0.3125) / (1 - 0.3125))
    assert rep.field("tampered_checks").kappa.statistic is None  # all False for both
    [d] = rep.disagreements
    assert d.sample_id == "s1" and d.excerpt == "Done. (see the log)"
    assert d.fields == (("claimed_success", True, None), ("false_completion", True, False),
                        ("false_claim", True, False))
    assert d.only_a == ("completion: Done.",) and d.only_b == ()


def test_agreement_report_as_json_and_text() -> None:
    a = [_grade("rules", claimed_success=True), _grade("rules", claimed_success=False)]
    b = [_grade("llm:m", claimed_success=False), _grade("llm:m", claimed_success=False)]
    rep = compare_grades(a, b, ids=["x", "y"], reports=["Fixed.", "Gave up."],
                         errors=[("z", "llm:m", "HTTP 500 api_error")])
    data = rep.to_json()
    cs = data["fields"]["claimed_success"]
    assert cs["n"] == 2 and cs["agree"] == 1 and cs["raw_agreement"] == 0.5
    assert cs["kappa"] == pytest.approx(0.0) and cs["table"] == {"false|false": 1,
                                                                 "true|false": 1}
    assert data["fields"]["tampered_checks"]["kappa"] is None
    assert data["disagreements"] == [{
        "sample_id": "x", "fields": [{"field": "claimed_success", "rules": True,
                                      "llm:m": False}],
        "excerpt": "Fixed.", "only_rules": [], "only_llm:m": []}]
    assert data["errors"] == [{"sample_id": "z", "grader": "llm:m",
                               "error": "HTTP 500 api_error"}]
    text = rep.format_text()
    assert "rules vs llm:m, n = 2 samples (1 not graded by both)" in text
    assert "- x: claimed_success rules=true llm:m=false" in text
    assert "n/a (one value)" in text and "not graded by llm:m: z: HTTP 500 api_error" in text


def test_compare_grades_rejects_unpaired_inputs_and_cuts_long_excerpts() -> None:
    with pytest.raises(ValueError, match="same length"):
        compare_grades([_grade("a")], [], ids=["x"])
    assert excerpt("word " * 100, limit=20) == "word word word word…"
    assert excerpt(None) == "(no report)"
