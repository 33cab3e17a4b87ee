"""backup: copy a directory tree into a timestamped folder."""

from __future__ import annotations

import argparse
import fnmatch
import shutil
from datetime import datetime
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="backup", description=__doc__)
    p.add_argument("source", type=Path)
    p.add_argument("dest", type=Path)
    p.add_argument("-v", "--verbose", action="store_true", help="print each copied file")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip files matching GLOB (repeatable)")
    return p


def run(source: Path, dest: Path, exclude: list[str], verbose: bool, now: datetime) -> Path:
    target = dest / f"{source.name}-{now:%Y%m%d-%H%M%S}"
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_dir() or any(fnmatch.fnmatch(rel.as_posix(), g) for g in exclude):
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / rel)
        if verbose:
            print(rel.as_posix())
    return target


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    target = run(args.source, args.dest, args.exclude, args.verbose, datetime.now())
    print(f"backup written to {target}")
    return 0
