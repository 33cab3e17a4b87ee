"""wordcount: count lines and words in files."""

from __future__ import annotations

import argparse
import sys


def count(text: str) -> tuple[int, int]:
    return text.count("\n"), len(text.split())


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wc", description=__doc__)
    p.add_argument("files", nargs="+", help="files to count")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the total")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    total_lines = total_words = 0
    for path in args.files:
        try:
            with open(path, encoding="utf-8") as fh:
                lines, words = count(fh.read())
        except OSError:
            continue
        total_lines += lines
        total_words += words
        print(f"{lines:>7} {words:>7} {path}")
    print(f"{total_lines:>7} {total_words:>7} total")
    return 0
