"""Expand the hand-written sources in devset_src/ into devset.jsonl (deterministic).

    python tests/data/build_devset.py          # write tests/data/devset.jsonl
    python tests/data/build_devset.py --check  # exit 1 if the file is out of date
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "devset.jsonl"


def build() -> list[dict]:
    """All items from devset_src/items_*.py, sorted by id; ids must be unique."""
    return collect("devset_src")


def collect(package: str) -> list[dict]:
    """The ITEMS of ``<package>/items_*.py`` (beside this file), sorted by id; ids unique."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    pkg = importlib.import_module(package)
    items: list[dict] = []
    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        if mod.startswith("items_"):
            items.extend(importlib.import_module(f"{package}.{mod}").ITEMS)
    ids = [it["id"] for it in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SystemExit(f"duplicate ids: {dupes}")
    return sorted(items, key=lambda it: it["id"])


def render(items: list[dict]) -> str:
    return "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items)


def main(argv: list[str], items: list[dict] | None = None, out: Path = OUT,
         script: str = Path(__file__).name) -> int:
    """Write ``out`` (or with --check, exit 1 when it is out of date)."""
    text = render(build() if items is None else items)
    if "--check" in argv:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{out} is out of date; run python {script}", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} items to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
