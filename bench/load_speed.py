"""How fast does ``evalkit.load`` read samples.jsonl? Prints seconds and rows/s.

    python bench/load_speed.py            # 10^5 rows
    python bench/load_speed.py 1000000    # 10^6 rows (about 3 GB of JSON lines, in /tmp)

Lines are realistic ``records.Sample`` JSON (about 3 KB each: a short transcript, outcome,
usage, grade). Reports the best of 3 runs, wall and CPU time, with orjson (if installed) and
with the stdlib json parser.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

from evalkit import frame  # noqa: E402


def _time(fn, repeat: int) -> tuple[float, float]:
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best_wall, best_cpu


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeat = 3 if n <= 200_000 else 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "samples.jsonl"
        size = synth.write_many_lines(path, n)
        print(f"{n} rows, {size / 1e6:.0f} MB ({size / n:.0f} B/line)")
        import json

        parsers = [("default", frame._json_loads), ("stdlib json", lambda: json.loads)]
        original = frame._json_loads
        for label, factory in parsers:
            frame._json_loads = factory
            try:
                wall, cpu = _time(lambda: frame.load(path), repeat)
            finally:
                frame._json_loads = original
            print(f"  load ({label:11s}): {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
                  f"{n / wall:,.0f} rows/s")
        df = frame.load(path)
        print(f"  frame: {len(df)} rows x {df.shape[1]} columns, "
              f"{df.memory_usage(deep=True).sum() / 1e6:.0f} MB in memory")


if __name__ == "__main__":
    main()
