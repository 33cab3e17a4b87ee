"""``evalkit export RUN... --parquet [OUT] | --csv OUT``: the notebook's frame as a file.

Why: CI jobs, dashboards and other languages want the tidy per-sample table without importing
evalkit. It is exactly ``evalkit.load(RUN...)`` (same columns and dtypes, docs/notebook.md);
Parquet keeps the dtypes (nullable booleans stay NA, categories stay categories), CSV writes NA
as an empty cell.

``--parquet`` without OUT (re)writes each run folder's columnar sidecar ``frame.parquet``, which
``evalkit.load`` reads instead of ``samples.jsonl`` while it is fresh: for runs that did not
complete in one go, were merged, imported or re-graded (a completed run writes its own).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

EPILOG = """\
examples:
  evalkit export results/20261122T010203Z-ab12cd --parquet run.parquet
  evalkit export results/ --latest --csv latest.csv        # newest run per variant
  evalkit export results/ --run nightly-20261121-020000 --parquet night.parquet
  evalkit export results/20261122T010203Z-ab12cd --parquet  # its frame.parquet, for load

exit codes: 0 written; 2 bad arguments, a path that does not exist or holds no results;
5 (--parquet without OUT) a run folder got no frame.parquet (a bad line: load names it);
6 pyarrow (for --parquet) is not installed.
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export", help="write the per-sample table of runs as Parquet or CSV",
        description="Write evalkit.load(RUN...) — one typed row per sample, no transcripts — "
        "to a Parquet or CSV file.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="*", metavar="RUN",
                   help="run folders, samples.jsonl / graded JSONL files, or a results folder")
    fmt = p.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--parquet", metavar="OUT", nargs="?", const="",
                     help="write a Parquet file (needs pyarrow); without OUT, write each run "
                     "folder's frame.parquet, which evalkit.load reads while it is fresh")
    fmt.add_argument("--csv", metavar="OUT", help="write a CSV file")
    p.add_argument("--latest", action="store_true",
                   help="per variant, only its newest run (when RUN holds several nights)")
    p.add_argument("--run", action="append", dest="select", metavar="RUN_ID",
                   help="only this run id (repeatable)")
    p.set_defaults(func=main)


def _usage(message: str) -> int:
    from evalkit import exitcodes

    print(f"evalkit export: error: {message}", file=sys.stderr)
    return exitcodes.USAGE


def _sidecars(runs: list[str]) -> int:
    """Write frame.parquet in every run folder among ``runs`` (a results folder: each run)."""
    from evalkit import exitcodes
    from evalkit.frame import LoadError, _discover, write_sidecar

    folders: list[Path] = []
    try:
        for run in runs:
            folders += [found for kind, found in _discover(Path(run)) if kind == "run"]
    except LoadError as exc:
        return _usage(str(exc))
    if not folders:
        return _usage("--parquet without OUT writes a run folder's frame.parquet: give run "
                      "folders (or a results folder), or name an OUT file")
    written = 0
    for folder in folders:
        if write_sidecar(folder) is not None:
            written += 1
        else:
            print(f"evalkit export: warning: {folder}: no frame.parquet written (a bad line "
                  "in samples.jsonl or grades.jsonl: `evalkit.load` names it), so load reads "
                  "the JSON lines", file=sys.stderr)
    print(f"evalkit export: frame.parquet written in {written} of {len(folders)} run "
          f"folder{'s' if len(folders) != 1 else ''}")
    return exitcodes.OK if written == len(folders) else exitcodes.ERRORS


def main(args: argparse.Namespace) -> int:
    import importlib.util

    from evalkit import exitcodes
    from evalkit.frame import LoadError, load

    if args.parquet is not None and importlib.util.find_spec("pyarrow") is None:
        print("evalkit export: error: --parquet needs pyarrow, which is not installed; "
              f"fix: {sys.executable} -m pip install pyarrow (or use --csv)", file=sys.stderr)
        return exitcodes.ENVIRONMENT
    if not args.runs and args.parquet and Path(args.parquet).is_dir():
        # `export --parquet RUN`: the folder was taken as --parquet's optional OUT
        args.runs, args.parquet = [args.parquet], ""
    if not args.runs:
        return _usage("give at least one RUN (a run folder, a results folder or a JSONL file)")
    if args.parquet == "":
        return _sidecars(args.runs)
    out = Path(args.parquet or args.csv)
    if not out.parent.is_dir():
        return _usage(f"{out}: the folder {out.parent} does not exist")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = load(*args.runs, latest=args.latest, runs=args.select)
        except LoadError as exc:
            return _usage(str(exc))
    for w in caught:
        print(f"evalkit export: warning: {w.message}", file=sys.stderr)
    if args.parquet:
        df.to_parquet(out, index=False)
    else:
        df.to_csv(out, index=False)
    runs = df["run"].nunique()
    print(f"evalkit export: {len(df)} samples from {runs} run{'s' if runs != 1 else ''}, "
          f"{df.shape[1]} columns -> {out}")
    return exitcodes.OK
