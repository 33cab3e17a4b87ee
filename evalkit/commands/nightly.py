"""``evalkit nightly``: run, compare with the last good night, fail loudly on regression."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "nightly",
        help="run the suite, compare with the last good night, write the report",
        description="With no config: the built-in suite on two built-in simulated versions, "
        "offline. Before any sample runs, the fixtures' test runners and the models' API keys "
        "are checked (as `evalkit doctor` does). Exit codes: 0 ok; 2 bad config or a path that "
        "does not exist; 3 significant regression; 4 run incomplete; 5 more samples errored "
        "than max_error_rate allows (not a good night); 6 environment not ready (nothing ran). "
        "When several apply the first in the order 2, 6, 4, 5, 3 wins.",
    )
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="nightly TOML ([nightly] settings, [variants.NAME] tables)")
    p.add_argument("--results", type=Path, metavar="DIR",
                   help="results root holding the nights and index.jsonl (default: results/)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N tasks (smoke run)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from evalkit import exitcodes, nightly

    try:
        config = nightly.load_config(args.config)
    except nightly.ConfigError as exc:
        print(f"evalkit nightly: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    if args.results is not None:
        config = replace(config, results=str(args.results))
    if args.limit is not None:
        config = replace(config, limit=args.limit)
    return nightly.run_nightly(config)
