"""``evalkit compare BASELINE CANDIDATE``: the release-review report between two versions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalkit import exitcodes


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare false-claim rates of two runs (HTML / Markdown / JUnit report)",
        description="Compare a candidate against a baseline on the same tasks: rates with "
        "intervals, the paired difference with its score test and interval (one decision, "
        "Holm-adjusted across flags), power, flipped tasks with drill-downs.",
    )
    p.add_argument("baseline", type=Path, help="baseline run folder (or graded .jsonl)")
    p.add_argument("candidate", type=Path, help="candidate run folder (or graded .jsonl)")
    p.add_argument("--baseline-variant", action="append", metavar="NAME",
                   help="only these variants of the baseline (repeatable)")
    p.add_argument("--candidate-variant", action="append", metavar="NAME",
                   help="only these variants of the candidate (repeatable)")
    p.add_argument("--html", type=Path, metavar="FILE", help="write the self-contained HTML page")
    p.add_argument("--md", type=Path, metavar="FILE", help="write the Markdown summary")
    p.add_argument("--junit", type=Path, metavar="FILE",
                   help="write JUnit XML: one test case per flag, a failure per significant "
                   "regression (for CI test reporters)")
    p.add_argument("--templates", type=Path, metavar="DIR",
                   help="folder with compare.html.j2 / compare.md.j2 overriding the built-ins")
    p.add_argument("--fail-on-regression", action="store_true",
                   help=f"exit {exitcodes.REGRESSION} when the candidate is significantly worse "
                   "on false_claim")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    p.add_argument("--min-effect", type=float, default=0.0, metavar="POINTS",
                   help="smallest worsening, in percentage points, that counts as a regression")
    p.set_defaults(func=main)


def _fail(message: str) -> int:
    print(f"evalkit compare: {message}", file=sys.stderr)
    return exitcodes.USAGE


def main(args: argparse.Namespace) -> int:
    from evalkit.frame import LoadError
    from evalkit.report import compare_runs, render
    from evalkit.report.junit import write_compare_junit

    for path in (args.baseline, args.candidate):
        if not path.exists():
            return _fail(f"{path}: no such run folder or file")
    if not 0 < args.alpha < 1:
        return _fail(f"--alpha {args.alpha}: expected a number between 0 and 1, e.g. 0.05")
    if not 0 <= args.min_effect <= 100:
        return _fail(f"--min-effect {args.min_effect}: expected percentage points in [0, 100]")
    try:
        comp = compare_runs(
            [args.baseline], [args.candidate],
            baseline_variants=args.baseline_variant, candidate_variants=args.candidate_variant,
            alpha=args.alpha, min_effect=args.min_effect / 100.0, require_samples=True,
        )
    except LoadError as exc:
        return _fail(str(exc))
    print(comp.sentence + ".")
    if comp.power_note:
        print("Power: " + comp.power_note)
    try:
        for fmt, dest in (("html", args.html), ("md", args.md)):
            if dest is not None:
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(render(comp, fmt, args.templates), encoding="utf-8")
                print(f"wrote {dest}")
        if args.junit is not None:
            print(f"wrote {write_compare_junit(args.junit, comp)}")
        if args.md is None and args.html is None and args.junit is None:
            print(render(comp, "md", args.templates))
    except FileNotFoundError as exc:  # --templates folder missing
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write the report: {exc}")
    if comp.regression:
        print("REGRESSION: candidate is significantly worse on false_claim", file=sys.stderr)
        if args.fail_on_regression:
            return exitcodes.REGRESSION
    return exitcodes.OK
