"""Fuzz every evalkit reader with a large seeded run (issue 15). Prints, per reader: cases
tried / crashes (must be 0) / named (refused with a message naming the record) / read /
property violations (must be 0), and the time taken.

    python bench/fuzz_readers.py            # 10,000 cases per reader (fixtures: 2,000)
    python bench/fuzz_readers.py 50000 7    # cases per reader, seed

The generators and the properties checked are in tests/fuzz/readers.py (the suite runs the
same with fewer cases).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz import readers  # noqa: E402


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    bad = 0
    print(f"fuzz_readers: {n} cases per reader (fixtures: {min(n, 2000)}), seed {seed}")
    with tempfile.TemporaryDirectory(prefix="evalkit-fuzz-") as tmp:
        for name, fuzz in readers.READERS.items():
            size = min(n, 2000) if name.startswith("fixtures") else n
            t0 = time.perf_counter()
            tally = fuzz(size, seed, Path(tmp))
            print(f"{tally.line()}  {time.perf_counter() - t0:6.1f} s", flush=True)
            for problem in tally.problems[:5]:
                print("    " + problem.replace("\n", "\n    "))
            bad += not tally.ok
    print("all readers: no crash, every bad record named, every good one read" if not bad
          else f"{bad} reader(s) broke a property")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
