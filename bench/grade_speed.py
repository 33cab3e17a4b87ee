"""How fast does the rule grader go on realistic transcripts?

Synthesises transcripts of the size real agent sessions reach (hundreds of KB, dozens of tool
calls: file views, edits, test runs with long tracebacks and truncated outputs, a long markdown
final report) and measures transcripts per second for ``grade_sample`` on one core, plus the
JSONL import path (parse + map + grade).

    python bench/grade_speed.py [--n 200] [--calls 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evalkit.grading import grade_sample  # noqa: E402
from evalkit.grading.importers import read_transcripts  # noqa: E402
from evalkit.records import Outcome, Sample, TestCounts  # noqa: E402

WORDS = ("parse", "token", "cache", "window", "offset", "value", "header", "row", "date",
         "retry", "config", "user", "session", "encode", "decode", "limit", "page")


def _code(rng: random.Random, lines: int) -> str:
    out = []
    for i in range(lines):
        w1, w2 = rng.choice(WORDS), rng.choice(WORDS)
        out.append(f"{i + 1:5d}\t    {w1}_{w2} = compute_{w2}({w1}, limit={rng.randint(1, 99)})")
    return "\n".join(out)


def _pytest_output(rng: random.Random, failed: int, passed: int, tb_lines: int,
                   truncate: bool) -> str:
    parts = ["============================= test session starts ==============================",
             "platform linux -- Python 3.11.9, pytest-8.3.2, pluggy-1.5.0",
             f"collected {failed + passed} items", ""]
    for f in range(8):
        parts.append(f"tests/test_{rng.choice(WORDS)}_{f}.py " + "." * rng.randint(5, 40)
                     + ("F" if f < failed else "") + f"{'':20}[{min(100, (f + 1) * 12)}%]")
    if failed:
        parts.append("=" * 35 + " FAILURES " + "=" * 35)
        for f in range(failed):
            parts.append(f"_____________________________ test_{rng.choice(WORDS)}_{f} "
                         "_____________________________")
            for _ in range(tb_lines):
                parts.append(f"    {rng.choice(WORDS)} = self.{rng.choice(WORDS)}"
                             f"({rng.choice(WORDS)}, {rng.randint(0, 999)})")
            parts.append("E       AssertionError: assert 3 == 4")
    body = "\n".join(parts)
    if truncate:
        body = body[:4000] + f"\n[... {len(body) - 8000} bytes truncated ...]\n" + body[-4000:]
    summary = (f"{failed} failed, {passed} passed in {rng.uniform(0.5, 30):.2f}s" if failed
               else f"{passed} passed in {rng.uniform(0.5, 30):.2f}s")
    short = "\n".join(f"FAILED tests/test_x.py::test_{i} - AssertionError" for i in range(failed))
    return f"{body}\n{short}\n{'=' * 20} {summary} {'=' * 20}"


REPORT = """## Summary

I fixed the off-by-one in `paginate()` and tidied the {w} handling.

### Changes
- `src/pager.py`: the last page now includes the trailing partial page.
- `src/{w}.py`: renamed a helper; behaviour unchanged.
- Added a regression test for the empty-input case.

### Verification
| check | result |
|---|---|
| `pytest -q` | ✅ {n} passed |
| `ruff check .` | ✅ clean |
| mypy | ⚠️ not run |

I ran the full test suite after the change: all {n} tests pass. I could not run mypy here.
The remaining warning in `legacy.py` is pre-existing and unrelated.
"""


def make_transcript(rng: random.Random, calls: int) -> Sample:
    messages: list[dict] = [{"role": "user", "content": "Fix the pagination bug. " * 20}]
    n_pass = rng.randint(20, 400)
    for i in range(calls):
        tid = f"toolu_{i}"
        kind = rng.random()
        if kind < 0.35:
            name, inp = "str_replace_based_edit_tool", {"command": "view",
                                                        "path": f"src/{rng.choice(WORDS)}.py"}
            out = _code(rng, rng.randint(80, 400))
        elif kind < 0.55:
            name, inp = "str_replace_based_edit_tool", {
                "command": "str_replace", "path": f"src/{rng.choice(WORDS)}.py",
                "old_str": _code(rng, 5), "new_str": _code(rng, 6)}
            out = "The file has been edited."
        elif kind < 0.85:
            failed = rng.choice((0, 0, 1, 2, 5))
            cmd = rng.choice(("python -m pytest -q", "pytest -x -q tests/",
                              "cd /work && pytest -k page"))
            name, inp = "bash", {"command": cmd}
            out = _pytest_output(rng, failed, n_pass, rng.randint(20, 120), rng.random() < 0.3)
        else:
            name, inp = "bash", {"command": f"grep -rn {rng.choice(WORDS)} src/ | head -200"}
            out = "\n".join(f"src/{rng.choice(WORDS)}.py:{j}: {rng.choice(WORDS)}()"
                            for j in range(rng.randint(50, 200)))
        messages.append({"role": "assistant", "content": [
            {"type": "text", "text": f"Let me look at step {i}."},
            {"type": "tool_use", "id": tid, "name": name, "input": inp}]})
        messages.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": tid, "content": out}]})
    messages.append({"role": "assistant", "content": [{"type": "text", "text": "x"}]})
    # the last test run decides what the report says, as in a real session
    report = REPORT.format(w=rng.choice(WORDS), n=n_pass)
    messages.append({"role": "user", "content": "pytest -q\n" + _pytest_output(
        rng, 0, n_pass, 0, False)})
    return Sample(
        sample_id=f"bench-{rng.random():.8f}", run_id="bench", task_id="t", suite="bench",
        outcome_class="solvable", variant="v", model="m", epoch=0, status="ok",
        final_report=report, messages=tuple(messages),
        outcome=Outcome(passed=rng.random() < 0.7, exit_code=0,
                        counts=TestCounts(passed=n_pass, source="summary")),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--calls", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    samples = [make_transcript(rng, args.calls) for _ in range(args.n)]
    sizes = [len(json.dumps(list(s.messages))) for s in samples]
    print(f"{args.n} transcripts, {args.calls} tool calls each, size median "
          f"{statistics.median(sizes) / 1024:.0f} KB (min {min(sizes) / 1024:.0f}, "
          f"max {max(sizes) / 1024:.0f})")

    grade_sample(samples[0])  # warm the regex caches
    t0, c0 = time.perf_counter(), time.process_time()
    for s in samples:
        grade_sample(s)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"grade_sample: {args.n / cpu:.0f} transcripts/s of CPU time ({cpu / args.n * 1000:.1f} "
          f"ms each, {sum(sizes) / cpu / 2**20:.0f} MB/s), one core; wall clock "
          f"{args.n / dt:.0f}/s (differs when the machine is busy)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        with path.open("w") as fh:
            for s in samples:
                fh.write(json.dumps({"id": s.sample_id, "messages": list(s.messages),
                                     "final_report": s.final_report,
                                     "outcome": {"passed": s.outcome.passed}}) + "\n")
        c0 = time.process_time()
        n = sum(1 for s in read_transcripts(path) if isinstance(s, Sample) and grade_sample(s))
        cpu = time.process_time() - c0
        print(f"import + grade (JSONL): {n / cpu:.0f} transcripts/s of CPU time "
              f"({cpu / n * 1000:.1f} ms each)")


if __name__ == "__main__":
    main()
