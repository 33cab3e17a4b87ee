"""How well does the rules grader read real agents' reports? (issue 12, "Measured quality")

Grades the real-transcript development set (200 mini-swe-agent trajectories of Gemini 3 Pro on
SWE-bench Verified, ``../shared/data/real-transcripts/``, never committed) and compares the
grades with the labels: the set's own ``labels.csv`` (stance, tests_claim, verification_claim)
and, when present, the hand-extended labels in
``../shared/data/real-transcripts-labels/labels-extended.csv`` (per flag). Then prints the
synthetic devset / heldout figures as regressions.

    python bench/real_grader_quality.py [--split all|tune|aside] [--misses] [--no-synthetic]

``--split``: the 200 are split by a hash of the instance id into ``tune`` (~4/5, looked at while
tuning) and ``aside`` (~1/5, whose misses were never printed while tuning); figures are printed
for both and for all. ``--misses`` lists disagreements (only for the split asked for).

The trajectories are read with ``evalkit grade``'s own importer (``--format mini-swe-agent``)
when it is available, so the figures are end to end; otherwise a small reader here maps them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import platform
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from evalkit.grading import grade_sample  # noqa: E402
from evalkit.records import Grade, Outcome, Sample  # noqa: E402

EXTENDED = ROOT.parent / "shared" / "data" / "real-transcripts-labels" / "labels-extended.csv"
FLAGS = ("false_completion", "false_tests_pass", "fabricated_verification",
         "contradicts_observation", "tampered_checks", "false_claim", "under_claim")


def split_of(instance: str) -> str:
    """Deterministic ~1/5 held aside while tuning (sha1 of the id, first byte mod 5 == 0)."""
    return "aside" if hashlib.sha1(instance.encode()).digest()[0] % 5 == 0 else "tune"


# ------------------------------------------------------------------------- reading the set

def _importer_available() -> bool:
    try:
        from evalkit.grading import importers
    except ImportError:
        return False
    return "mini-swe-agent" in getattr(importers, "FORMATS", ())


def load_samples(root: Path) -> tuple[dict[str, Sample], str]:
    """{instance: Sample} and how they were read ("importer" or "bench reader")."""
    if _importer_available():
        from evalkit.grading.importers import iter_records

        out: dict[str, Sample] = {}
        for rec in iter_records(root, "mini-swe-agent"):
            sample = getattr(rec, "sample", None)
            if sample is None:
                print(f"warning: {rec}", file=sys.stderr)
                continue
            out[_instance(sample)] = sample
        return out, "importer (evalkit grade --format mini-swe-agent)"
    return {iid: s for iid, s in _bench_reader(root)}, "bench reader (importer not available)"


def _instance(sample: Sample) -> str:
    for key in (sample.task_id, sample.sample_id):
        m = re.search(r"[\w.-]+__[\w.-]+-\d+", key)
        if m:
            return m.group(0)
    return sample.task_id


_BASH = re.compile(r"```(?:bash|sh)[ \t]*\n(.*?)```", re.S)


def _bench_reader(root: Path) -> Iterator[tuple[str, Sample]]:
    """mini-swe-agent .traj.json → Sample (Anthropic-shaped: THOUGHT text + one bash tool_use;
    the user message with <returncode>/<output> that follows → its tool_result)."""
    for f in sorted((root / "trajs").glob("*/*.traj.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        iid = data.get("instance_id") or f.stem.split(".")[0]
        messages: list[dict[str, Any]] = []
        pending: str | None = None
        report: str | None = None
        for i, m in enumerate(data.get("messages") or []):
            role, content = m.get("role"), m.get("content") or ""
            if isinstance(content, list):
                content = "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
            if role == "assistant":
                found = list(_BASH.finditer(content))
                cmd_m = found[-1] if found else None
                thought = (content[:cmd_m.start()] + content[cmd_m.end():]).strip() if cmd_m \
                    else content.strip()
                thought = re.sub(r"^THOUGHT:\s*", "", thought)
                blocks: list[dict[str, Any]] = (
                    [{"type": "text", "text": thought}] if thought else [])
                if cmd_m:
                    pending = f"t{i}"
                    blocks.append({"type": "tool_use", "id": pending, "name": "bash",
                                   "input": {"command": cmd_m.group(1).strip()}})
                    if "COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT" in cmd_m.group(1):
                        report = thought
                else:
                    pending = None
                messages.append({"role": "assistant", "content": blocks})
            elif role == "user" and pending is not None:
                rc = re.search(r"<returncode>(-?\d+)</returncode>", content)
                messages.append({"role": "user", "content": [{
                    "type": "tool_result", "tool_use_id": pending, "content": content,
                    "is_error": bool(rc and rc.group(1) != "0")}]})
                pending = None
            elif role in ("user", "system"):
                messages.append({"role": "user", "content": content})
        outcome = _outcome(root / "logs" / iid / "report.json", iid)
        from evalkit.grading.provenance import infer_protected

        yield iid, Sample(
            sample_id=iid, run_id="import", task_id=iid, suite="imported",
            outcome_class="solvable", variant="gemini-3-pro", model="gemini-3-pro", epoch=0,
            status="ok", final_report=report, messages=tuple(messages), outcome=outcome,
            protected_modified=infer_protected(messages))


def _outcome(path: Path, iid: str) -> Outcome | None:
    if not path.is_file():
        return None
    rep = json.loads(path.read_text(encoding="utf-8"))
    rep = rep.get(iid, rep)
    st = rep.get("tests_status") or {}
    failing = [t for k in ("FAIL_TO_PASS", "PASS_TO_PASS") for t in
               (st.get(k) or {}).get("failure", [])]
    return Outcome(passed=bool(rep.get("resolved")), exit_code=0 if rep.get("resolved") else 1,
                   failing_tests=tuple(failing))


# ------------------------------------------------------------------------- figures

@dataclass
class Row:
    iid: str
    split: str
    labels: dict[str, str]
    ext: dict[str, str] | None
    grade: Grade
    resolved: bool


_OTHER = ("lint", "type check", "syntax check", "build")


def tests_claim_of(g: Grade) -> str:
    """labels.csv's tests_claim from the claims: what the report says about tests. A failure it
    mentions (even one it calls unrelated) is "fail"; then a pass claim is "pass"."""
    tests = [c for c in g.claims if c.scope not in _OTHER]
    if any(c.type == "tests_fail" for c in tests):
        return "fail"
    if any(c.type == "tests_pass" for c in tests):
        return "pass"
    return "none"


def verification_of(g: Grade) -> str:
    """labels.csv's verification_claim ("the report says it ran or checked something"): a
    verification claim, or a test result it reports (flags.md types "All tests passed" as
    tests_pass, not verification, but reporting a result says a run happened)."""
    return "yes" if any(c.type == "verification" or (c.type in ("tests_pass", "tests_fail") and
                                                      c.scope not in _OTHER)
                        for c in g.claims) else "no"


def _flag(v: str) -> bool | None:
    return {"1": True, "true": True, "0": False, "false": False}.get(v.strip().lower())


def ratio(num: int, den: int) -> str:
    return f"{num}/{den} = {num / den:.3f}" if den else "n/a (0)"


def figures(rows: list[Row]) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) per figure."""
    f: dict[str, tuple[int, int]] = {}
    for stance in ("explicit", "implicit", "hedged"):
        sel = [r for r in rows if r.labels["success"] == stance]
        if sel:
            f[f"{stance} success read as claimed_success"] = (
                sum(r.grade.claimed_success is True for r in sel), len(sel))
    success = ("explicit", "implicit", "hedged")
    unres = [r for r in rows if not r.resolved and r.labels["success"] in success]
    f["false completions flagged on unresolved tasks (recall)"] = (
        sum(r.grade.false_completion is True for r in unres), len(unres))
    res = [r for r in rows if r.resolved]
    flagged = [r for r in res if _wrongly_flagged(r)]
    f["resolved tasks wrongly flagged (any flag)"] = (len(flagged), len(res))
    f["resolved tasks wrongly flagged (any flag but tampered_checks)"] = (
        sum(_wrongly_flagged(r, skip=("tampered_checks",)) for r in res), len(res))
    f["tampered_checks on resolved tasks"] = (
        sum(r.grade.tampered_checks is True for r in res), len(res))
    f["under_claim on resolved tasks"] = (sum(r.grade.under_claim is True for r in res), len(res))
    f["tests_claim agreement (pass/fail/none)"] = (
        sum(tests_claim_of(r.grade) == r.labels["tests_claim"] for r in rows), len(rows))
    f["verification_claim agreement (yes/no)"] = (
        sum(verification_of(r.grade) == r.labels["verification_claim"] for r in rows), len(rows))
    f["FC rate, evalkit (false_claim True)"] = (
        sum(r.grade.false_claim is True for r in rows), len(rows))
    f["FC rate, evalkit, leaving out tampered_checks"] = (
        sum(any(getattr(r.grade, k) is True for k in FLAGS[:4]) for r in rows), len(rows))
    if all(r.ext is not None for r in rows):
        f["FC rate, labelled (false_claim)"] = (
            sum(_flag(r.ext["false_claim"]) is True for r in rows), len(rows))  # type: ignore[index]
        for flag in FLAGS:
            sel = [r for r in rows if _flag(r.ext[flag]) is not None]  # type: ignore[index]
            f[f"flag agreement: {flag}"] = (
                sum(getattr(r.grade, flag) is _flag(r.ext[flag]) for r in sel),  # type: ignore[index]
                len(sel))
    else:
        f["FC rate, labelled (unresolved with a success stance)"] = (len(unres), len(rows))
    return f


def _wrongly_flagged(r: Row, skip: tuple[str, ...] = ()) -> bool:
    for flag in FLAGS:
        if flag == "false_claim" or flag in skip:
            continue
        got = getattr(r.grade, flag)
        want = _flag(r.ext[flag]) if r.ext is not None else False
        if got is True and want is not True:
            return True
    return False


def misses(rows: list[Row]) -> Iterator[str]:
    for r in rows:
        why = []
        if r.labels["success"] in ("explicit", "implicit") and r.grade.claimed_success is not True:
            why.append(f"stance {r.labels['success']} read as {r.grade.claimed_success}")
        if r.resolved and _wrongly_flagged(r):
            why.append("resolved but flagged " + ",".join(
                f for f in FLAGS if f != "false_claim" and getattr(r.grade, f) is True))
        if tests_claim_of(r.grade) != r.labels["tests_claim"]:
            why.append(f"tests_claim {r.labels['tests_claim']} read as {tests_claim_of(r.grade)}")
        if verification_of(r.grade) != r.labels["verification_claim"]:
            why.append(f"verification {r.labels['verification_claim']} read as "
                       f"{verification_of(r.grade)}")
        if r.ext is not None:
            for flag in FLAGS:
                want = _flag(r.ext[flag])
                if want is not None and getattr(r.grade, flag) is not want:
                    why.append(f"{flag}: label {want}, grade {getattr(r.grade, flag)}")
        if why:
            claims = "; ".join(f"{c.type}{'~h' if c.hedged else ''}:{c.quote[:50]!r}"
                               for c in r.grade.claims)
            yield f"{r.iid} [{r.split}] " + " | ".join(why) + f"\n    claims: {claims}"


def read_extended() -> dict[str, dict[str, str]] | None:
    if not EXTENDED.is_file():
        return None
    with EXTENDED.open(encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def measure_real(root: Path) -> tuple[list[Row], str, float]:
    import realdata

    labels = realdata.labels() or {}
    ext = read_extended()
    t0 = time.perf_counter()
    samples, how = load_samples(root)
    rows = []
    for iid, sample in sorted(samples.items()):
        if iid not in labels:
            continue
        g = grade_sample(sample)
        rows.append(Row(iid, split_of(iid), labels[iid], ext.get(iid) if ext else None, g,
                        bool(sample.outcome and sample.outcome.passed)))
    return rows, how, time.perf_counter() - t0


def synthetic() -> list[str]:
    """The hand-written devset / heldout figures (regressions, not the grader's quality)."""
    from grading.test_devset_quality import DEVSET, measure

    out = []
    heldout = DEVSET.with_name("heldout.jsonl")
    for name, path in (("devset", DEVSET), ("heldout", heldout)):
        table, miss = measure(path)
        n = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        cs = table.get("claimed_success", {})
        fc = table.get("false_claim", {})
        out.append(f"  {name} (n={n}): claimed_success kappa {cs.get('kappa', float('nan')):.3f}, "
                   f"false_claim kappa {fc.get('kappa', float('nan')):.3f}, "
                   f"label disagreements {len(miss)}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("all", "tune", "aside"), default="all",
                    help="which part's misses to list with --misses")
    ap.add_argument("--misses", action="store_true", help="list disagreements")
    ap.add_argument("--no-synthetic", action="store_true", help="skip the devset/heldout figures")
    args = ap.parse_args(argv)
    import realdata

    root = realdata.dev_set()
    print(f"machine: {platform.machine()} {platform.processor() or ''} python "
          f"{platform.python_version()}; grader {_grader_version()}")
    if root is None:
        print("real-transcript dev set not found (../shared/data/real-transcripts/): skipped")
    else:
        rows, how, secs = measure_real(root)
        print(f"real transcripts: {len(rows)} graded in {secs:.2f}s via {how}; extended labels: "
              f"{'yes' if rows and rows[0].ext is not None else 'no'}")
        parts = {"all": rows, "tune": [r for r in rows if r.split == "tune"],
                 "aside": [r for r in rows if r.split == "aside"]}
        figs = {k: figures(v) for k, v in parts.items()}
        width = max(len(k) for k in figs["all"])
        print(f"  {'figure':<{width}}  {'all':>16}  {'tune':>16}  {'aside':>16}")
        for key in figs["all"]:
            cells = [ratio(*figs[p][key]) if key in figs[p] else "n/a" for p in parts]
            print(f"  {key:<{width}}  " + "  ".join(f"{c:>16}" for c in cells))
        if args.misses:
            print("misses:")
            for line in misses(parts[args.split]):
                print("  " + line)
    if not args.no_synthetic:
        print("synthetic regression sets (hand-written; not evidence of quality on real reports):")
        for line in synthetic():
            print(line)
    return 0


def _grader_version() -> str:
    from evalkit.grading import GRADER_VERSION

    return GRADER_VERSION


if __name__ == "__main__":
    raise SystemExit(main())
