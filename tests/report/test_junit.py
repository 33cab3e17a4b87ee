"""JUnit XML for CI: the night's run, night over night per variant and flag, versions tonight."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from evalkit.nightly import NightEntry, VariantComparison
from evalkit.report import compare_runs
from evalkit.report.junit import write_compare_junit, write_nightly_junit

from .conftest import write_run


def night(**kw) -> NightEntry:
    base = dict(run_id="nightly-2", path="n2", started_at="2026-12-02T02:00:00Z",
                status="complete", baseline="nightly-1", n_samples=80, errors=0,
                error_rate=0.0)
    return NightEntry(**{**base, **kw})


def test_nightly_junit_has_a_suite_per_comparison_and_a_case_per_variant_and_flag(tmp_path):
    last = write_run(tmp_path, "last", {"a": 0.1, "b": 0.1}, seed=1)
    tonight = write_run(tmp_path, "tonight", {"a": 0.1, "b": 0.7}, seed=2)
    comps = []
    for name in ("a", "b"):
        c = compare_runs([last], [tonight], baseline_variants=[name], candidate_variants=[name])
        comps.append(VariantComparison(name, c.headline, c.regression, "x.html", "x.md", c))
    versions = compare_runs([tonight], [tonight], baseline_variants=["a"],
                            candidate_variants=["b"], labels=("a", "b"))
    dest = write_nightly_junit(tmp_path / "junit.xml", night(regression=True), comps,
                               {"comparison": versions}, max_error_rate=0.05)
    root = ET.parse(dest).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "nightly run nightly-2", "night over night: a vs nightly-1",
        "night over night: b vs nightly-1", "versions tonight: b vs a"]
    by_class = {}
    for case in root.iter("testcase"):
        by_class.setdefault(case.get("classname"), []).append(case)
    assert len(by_class["night-over-night.a"]) == len(by_class["night-over-night.b"]) == 8
    failing = {(c.get("classname"), c.get("name")) for cs in by_class.values() for c in cs
               if c.find("failure") is not None}
    assert ("night-over-night.b", "false_claim") in failing
    assert ("versions.b", "false_claim") in failing
    assert not any(cls == "night-over-night.a" for cls, _ in failing)
    assert root.get("failures") == str(len(failing)) and root.get("errors") == "0"


def test_a_night_with_too_many_errors_is_an_error_case(tmp_path):
    dest = write_nightly_junit(tmp_path / "j.xml", night(errors=30, error_rate=0.375), [],
                               None, max_error_rate=0.05)
    root = ET.parse(dest).getroot()
    error = root.find("./testsuite/testcase/error")
    assert error is not None and "too many errors" in error.get("message")
    assert "30 of 80 samples errored" in error.text and root.get("errors") == "1"
    incomplete = write_nightly_junit(tmp_path / "k.xml", night(status="incomplete",
                                                               reason="budget reached"), [], None)
    assert "budget reached" in ET.parse(incomplete).getroot().find(".//error").get("message")


def test_compare_junit_skips_flags_with_no_pairs(comp, tmp_path):
    root = ET.parse(write_compare_junit(tmp_path / "c.xml", comp)).getroot()
    gamed = [c for c in root.iter("testcase") if c.get("name") == "gamed_checks"][0]
    assert gamed.find("skipped") is not None
    assert root.get("skipped") == "1" and root.get("tests") == "8"
