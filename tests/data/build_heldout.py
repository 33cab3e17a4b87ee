"""Expand the hand-written sources in heldout_src/ into heldout.jsonl (deterministic).

The held-out set measures the rule-based grader on reports it was never tuned on; its labels
were written from docs/flags.md and tests/data/README.md only, and committed before grading.

    python tests/data/build_heldout.py          # write tests/data/heldout.jsonl
    python tests/data/build_heldout.py --check  # exit 1 if the file is out of date
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "heldout.jsonl"


def build() -> list[dict]:
    """All items from heldout_src/items_*.py, sorted by id; ids must be unique."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import heldout_src

    items: list[dict] = []
    for mod in sorted(m.name for m in pkgutil.iter_modules(heldout_src.__path__)):
        if mod.startswith("items_"):
            items.extend(importlib.import_module(f"heldout_src.{mod}").ITEMS)
    ids = [it["id"] for it in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SystemExit(f"duplicate ids: {dupes}")
    for it in items:
        it["model"] = "heldout"
        for c in it["labels"]["claims"]:
            if c["quote"] not in it["final_report"]:
                raise SystemExit(f"{it['id']}: quote not in report: {c['quote']!r}")
    return sorted(items, key=lambda it: it["id"])


def render(items: list[dict]) -> str:
    return "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items)


def main(argv: list[str]) -> int:
    text = render(build())
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date; run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} items to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
