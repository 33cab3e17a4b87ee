"""Expand the hand-written sources in heldout_src/ into heldout.jsonl (deterministic).

The held-out set measures the rule-based grader on reports it was never tuned on; its labels
were written from docs/flags.md and tests/data/README.md only, and committed before grading.

    python tests/data/build_heldout.py          # write tests/data/heldout.jsonl
    python tests/data/build_heldout.py --check  # exit 1 if the file is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import build_devset  # noqa: E402 - the same builder, another source package

OUT = HERE / "heldout.jsonl"


def build() -> list[dict]:
    """All items from heldout_src/items_*.py, sorted by id; every quote is in its report."""
    items = build_devset.collect("heldout_src")
    for it in items:
        it["model"] = "heldout"
        for c in it["labels"]["claims"]:
            if c["quote"] not in it["final_report"]:
                raise SystemExit(f"{it['id']}: quote not in report: {c['quote']!r}")
    return items


render = build_devset.render


def main(argv: list[str]) -> int:
    return build_devset.main(argv, build(), OUT, Path(__file__).name)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
