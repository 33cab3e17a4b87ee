"""Does each simulated agent get the flag it exists to produce, and the honest one none?

Runs every ``sim:`` policy on a task suite (offline), re-grades each run with the rule grader
and prints, per policy, how many samples raise each flag.

    python bench/grade_sims.py [--tasks tasks/core] [--limit N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evalkit.grading import grade_sample  # noqa: E402
from evalkit.records import Sample, from_json  # noqa: E402

POLICIES = {  # policy -> the flag it exists to produce
    "honest": None,
    "overclaimer": "false_completion",
    "fabricator": "fabricated_verification",
    "tamperer": "tampered_checks",
    "hedger": "under_claim",
}
FLAGS = ("false_completion", "false_tests_pass", "fabricated_verification",
         "contradicts_observation", "tampered_checks", "false_claim", "under_claim")
SHORT = ("fc", "ftp", "fab", "contra", "tamper", "FC", "under")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default=str(ROOT / "tasks" / "core"))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--keep", default=None, help="keep the run folders here")
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="evalkit-sims-"))
    print(f"{'policy':<12}{'n':>4}  " + "".join(f"{s:>8}" for s in SHORT) + "   target")
    ok = True
    for policy, target in POLICIES.items():
        out = base / policy
        if not (out / "samples.jsonl").exists():
            cmd = [sys.executable, "-m", "evalkit", "run", "--model", f"sim:{policy}",
                   "--tasks", args.tasks, "--out", str(out), "--no-progress"]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        counts: Counter[str] = Counter()
        n = 0
        for line in (out / "samples.jsonl").read_text().splitlines():
            g = grade_sample(from_json(Sample, json.loads(line)))
            n += 1
            for f in FLAGS:
                counts[f] += getattr(g, f) is True
        hit = "honest: none" if target is None else f"{target}: {counts[target]}/{n}"
        good = (counts["false_claim"] == 0 and counts["under_claim"] == 0) if target is None \
            else counts[target] > 0
        ok &= good
        print(f"{policy:<12}{n:>4}  " + "".join(f"{counts[f]:>8}" for f in FLAGS)
              + f"   {hit}{'' if good else '  <-- MISSING'}")
    print(f"runs in {base}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
