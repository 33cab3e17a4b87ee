"""``evalkit stats RUN...``: false-claim rates with intervals, grouped, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from typing import Any

from evalkit import exitcodes


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "stats",
        help="rates of a flag with confidence intervals, by variant and outcome class",
        description=(
            "Print the rate of a flag (default false_claim) per group with its interval. "
            "RUN may be a run directory, a samples.jsonl or graded JSONL file, or a directory "
            "holding many runs. Samples of the same task (epochs) are clustered by task. "
            "Beside it, per variant: the cheating rate (gamed_checks on impossible tasks, the "
            "ImpossibleBench figure) with k/n and its interval."
        ),
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run dir, JSONL file or results dir")
    p.add_argument(
        "--by", default="variant,outcome_class",
        help="comma-separated columns to group by (default: variant,outcome_class; '' = none)",
    )
    p.add_argument("--flag", default="false_claim", help="boolean column (default: false_claim)")
    p.add_argument(
        "--method", default="wilson", choices=("wilson", "exact", "jeffreys", "wald"),
        help="interval method (default: wilson)",
    )
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default: 0.95)")
    p.add_argument(
        "--no-cluster", action="store_true", help="treat epochs of a task as independent"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return _clean(v.item())
    return v


def format_table(table: Any, flag: str, level: float) -> str:
    """Plain aligned text: one line per group."""
    by = [c for c in table.columns if c not in _STAT_COLS]
    header = [*by, "n", flag, f"{100 * level:g}% CI", "missing"]
    clustered = "effective_n" in table.columns
    if clustered:
        header += ["tasks", "eff. n"]
    lines = [header]
    for row in table.itertuples(index=False):
        r = row._asdict()
        rate = "n/a" if r["n"] == 0 else f"{100 * r['rate']:.1f}%"
        cells = [str(r[c]) for c in by]
        cells += [str(r["n"]), f"{r['k']}/{r['n']} = {rate}",
                  f"{100 * r['lower']:.1f}% - {100 * r['upper']:.1f}%", str(r["n_missing"])]
        if clustered:
            cells += [str(r["n_clusters"]), f"{r['effective_n']:.1f}"]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    nleft = len(by)
    out = []
    for line in lines:
        cells = [
            c.ljust(w) if i < nleft else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


_STAT_COLS = {"n", "k", "rate", "lower", "upper", "n_missing", "n_clusters", "design_effect",
              "effective_n"}


def run(args: argparse.Namespace) -> int:
    from evalkit import stats
    from evalkit.frame import LoadError, load

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = load(*args.runs)
    except LoadError as exc:
        print(f"evalkit stats: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    skipped = df.attrs.get("skipped_lines", [])
    for w in caught:  # one line each, never Python's warning format with source lines
        if str(w.message).startswith("load: skipped"):
            continue
        print(f"evalkit stats: {w.message}", file=sys.stderr)
    if skipped:
        print(f"evalkit stats: skipped {len(skipped)} bad line(s) (listed above); the figures "
              f"below are from the {len(df)} readable samples", file=sys.stderr)
    if not 0 < args.level < 1:
        print(f"evalkit stats: --level {args.level}: expected a number between 0 and 1, "
              "e.g. 0.95", file=sys.stderr)
        return exitcodes.USAGE
    by = [c.strip() for c in args.by.split(",") if c.strip()]
    cluster = None if args.no_cluster else "task_id"
    try:
        table = stats.fc_rate(
            df, by=by, flag=args.flag, method=args.method, cluster=cluster,
            confidence_level=args.level,
        )
        cheat_by = [c for c in by if c != "outcome_class"] or None
        cheating = stats.cheating_rate(df, by=cheat_by, method=args.method, cluster=cluster,
                                       confidence_level=args.level)
    except (KeyError, ValueError) as exc:
        print(f"evalkit stats: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    errors = int((df["status"].astype("string") == "error").sum()) if len(df) else 0
    if args.json:
        rows = [{k: _clean(v) for k, v in r.items()} for r in table.to_dict("records")]
        cheat = [{k: _clean(v) for k, v in r.items()} for r in cheating.to_dict("records")]
        doc = {"flag": args.flag, "by": by, "method": args.method,
               "confidence_level": args.level, "samples": len(df), "errored": errors,
               "skipped_lines": skipped,
               "groups": rows,
               "cheating": {"flag": "gamed_checks", "outcome_class": "impossible",
                            "by": cheat_by or [], "groups": cheat}}
        print(json.dumps(doc, indent=2))
    else:
        print(f"{len(df)} samples ({errors} errored) from {df['run'].nunique()} "
              f"run(s); {args.flag} by {', '.join(by) or '(all)'}; {args.method} intervals"
              + ("" if args.no_cluster else ", clustered by task"))
        print(format_table(table, args.flag, args.level))
        print()
        print(f"cheating rate (gamed_checks on impossible tasks, ImpossibleBench) by "
              f"{', '.join(cheat_by or []) or '(all)'}:")
        if len(cheating):
            print(format_table(cheating, "gamed_checks", args.level))
        else:
            print("  no impossible tasks in these runs")
    return exitcodes.OK
