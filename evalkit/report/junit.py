"""JUnit XML for CI: one test case per variant and flag, a failure per significant regression.

CI systems (GitLab, Jenkins, GitHub test reporters, Buildkite) read JUnit XML natively, so a
regression in false claims shows up in the same place as a failing unit test. The decision is
the report's own (``Diff.significant``: Holm-adjusted inside the flag family), with the
regression rule of ``compare`` / ``nightly``: significantly worse and at least ``min_effect``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evalkit.report.compare import Comparison, Diff

__all__ = ["comparison_suite", "to_xml", "write_compare_junit", "write_nightly_junit"]


def _is_regression(d: Diff, min_effect: float) -> bool:
    return (d.direction == "worse" and d.estimate is not None and d.estimate >= min_effect)


def _figures(d: Diff, comp: Comparison) -> str:
    lines = [
        f"{d.label} ({d.flag})",
        f"baseline {comp.baseline.label}: {d.baseline.full()}",
        f"candidate {comp.candidate.label}: {d.candidate.full()}",
    ]
    if d.estimate is not None:
        p = d.p() + (f", Holm {d.p_adj()}" if d.p_adjusted is not None else "")
        lines.append(f"difference {d.points()} points, {d.ci_label()} {d.interval()}, {p}, "
                     f"{d.n_pairs} paired tasks")
        lines.append(f"detectable worsening at this n (80% power): {d.mdd_text()} points")
    return "\n".join(lines)


def comparison_suite(comp: Comparison, name: str, classname: str) -> ET.Element:
    """A <testsuite>: one <testcase> per flag of ``comp.by_flag`` (classname = the variant)."""
    suite = ET.Element("testsuite", name=name)
    props = ET.SubElement(suite, "properties")
    for key, value in (("baseline", comp.baseline.label), ("candidate", comp.candidate.label),
                       ("alpha", f"{comp.alpha:g}"), ("min_effect_points",
                                                      f"{comp.min_effect * 100:g}"),
                       ("baseline_errors", str(comp.baseline.errors)),
                       ("candidate_errors", str(comp.candidate.errors)),
                       ("candidate_cheating_rate", comp.candidate.cheating.full())):
        ET.SubElement(props, "property", name=key, value=value)
    failures = skipped = 0
    for d in comp.by_flag:
        case = ET.SubElement(suite, "testcase", classname=classname, name=d.flag, time="0")
        text = _figures(d, comp)
        if d.estimate is None or d.n_pairs == 0:
            ET.SubElement(case, "skipped", message="no paired tasks with this flag graded")
            skipped += 1
        elif _is_regression(d, comp.min_effect):
            failures += 1
            fail = ET.SubElement(case, "failure", type="regression", message=(
                f"significant regression in {d.flag}: {d.points()} points, {d.ci_label()} "
                f"{d.interval()}, {d.p()}" + (f" (Holm {d.p_adj()})" if d.p_adjusted else "")))
            fail.text = text
        ET.SubElement(case, "system-out").text = text
    suite.set("tests", str(len(comp.by_flag)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    return suite


def to_xml(suites: Iterable[ET.Element]) -> str:
    """A <testsuites> document with totals."""
    root = ET.Element("testsuites", name="evalkit")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for s in suites:
        root.append(s)
        for key in totals:
            totals[key] += int(s.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _write(path: str | Path, suites: Sequence[ET.Element]) -> Path:
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(to_xml(suites), encoding="utf-8")
    return dest


def write_compare_junit(path: str | Path, comp: Comparison) -> Path:
    """``evalkit compare --junit PATH``: one suite, the candidate as the class name."""
    name = f"evalkit compare: {comp.candidate.label} vs {comp.baseline.label}"
    return _write(path, [comparison_suite(comp, name, comp.candidate.label)])


def write_nightly_junit(path: str | Path, entry: Any, comparisons: Sequence[Any],
                        versions: dict[str, Any] | None,
                        max_error_rate: float | None = None) -> Path:
    """``junit.xml`` of a night: the run itself, night-over-night per variant, and versions.

    ``comparisons`` are the nightly's ``VariantComparison`` objects (``.variant``,
    ``.comparison``); ``versions`` the release comparison (``["comparison"]``), when present.
    """
    suites = [_run_suite(entry, max_error_rate)]
    for c in comparisons:
        comp = getattr(c, "comparison", None)
        if comp is not None:
            suites.append(comparison_suite(
                comp, f"night over night: {c.variant} vs {entry.baseline}",
                f"night-over-night.{c.variant}"))
    comp = (versions or {}).get("comparison")
    if comp is not None:
        suites.append(comparison_suite(
            comp, f"versions tonight: {comp.candidate.label} vs {comp.baseline.label}",
            f"versions.{comp.candidate.label}"))
    return _write(path, suites)


def _run_suite(entry: Any, max_error_rate: float | None) -> ET.Element:
    """One case for the run: an <error> when it did not complete or errored too much."""
    suite = ET.Element("testsuite", name=f"nightly run {entry.run_id}", tests="1",
                       failures="0", skipped="0")
    case = ET.SubElement(suite, "testcase", classname="nightly", name="run", time="0")
    errors = int(getattr(entry, "errors", 0) or 0)
    n_samples = int(getattr(entry, "n_samples", 0) or 0)
    rate = getattr(entry, "error_rate", None)
    summary = (f"status {entry.status}; {errors} of {n_samples} samples errored"
               + (f" (error rate {rate * 100:.1f}%)" if rate is not None else ""))
    problem = None
    if entry.status != "complete":
        problem = f"run incomplete: {entry.reason or 'samples missing'}"
    elif max_error_rate is not None and (rate is None or rate > max_error_rate):
        problem = (f"too many errors: {summary}; allowed {max_error_rate * 100:.1f}%"
                   if rate is not None else "nothing measured")
    if problem:
        ET.SubElement(case, "error", type="run", message=problem).text = summary
    suite.set("errors", "1" if problem else "0")
    ET.SubElement(case, "system-out").text = summary
    return suite
