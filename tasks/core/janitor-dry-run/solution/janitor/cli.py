"""janitor: delete old files from a directory tree."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def old_files(root: Path, days: float, now: float) -> list[Path]:
    cutoff = now - days * 86400
    return sorted(p for p in root.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff)


def clean(root: Path, days: float, now: float | None = None, dry_run: bool = False) -> list[Path]:
    """Delete files under ``root`` not modified for ``days`` days; returns them.

    With ``dry_run`` nothing is deleted; the files that would be are returned.
    """
    now = time.time() if now is None else now
    victims = old_files(root, days, now)
    if not dry_run:
        for path in victims:
            path.unlink()
    return victims


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="janitor", description=__doc__)
    p.add_argument("root", type=Path)
    p.add_argument("--days", type=float, default=30)
    p.add_argument("--dry-run", action="store_true", help="list files without deleting them")
    args = p.parse_args(argv)
    victims = clean(args.root, args.days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for path in victims:
        print(f"{verb}: {path}")
    print(f"{len(victims)} file(s) {'would be deleted' if args.dry_run else 'deleted'}")
    return 0
