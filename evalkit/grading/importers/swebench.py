"""The official outcome of a SWE-bench instance, read from the harness's ``report.json``.

Two layouts are read: the flat one (``{"resolved": …, "tests_status": {…}}``, as stored beside
published trajectories) and the harness's own (``{instance_id: {…}}`` under
``logs/run_evaluation/<run>/<model>/<instance>/report.json``). ``resolved`` is the verdict;
FAIL_TO_PASS / PASS_TO_PASS failures are the failing tests; their successes and failures are the
counts. FAIL_TO_FAIL / PASS_TO_FAIL are not part of the verdict and are not counted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit.grading.importers.base import RecordError
from evalkit.records import Outcome, TestCounts

__all__ = ["ReportIndex", "outcome_from_report", "read_report"]

_VERDICT_KEYS = ("FAIL_TO_PASS", "PASS_TO_PASS")


def outcome_from_report(rep: Any, instance: str) -> Outcome:
    """One instance's report object (either layout) → Outcome; RecordError names the field."""
    if not isinstance(rep, dict):
        raise RecordError("expected a JSON object (SWE-bench report.json)")
    if "resolved" not in rep and isinstance(rep.get(instance), dict):
        rep = rep[instance]
    elif "resolved" not in rep and len(rep) == 1 and isinstance(next(iter(rep.values())), dict):
        key, inner = next(iter(rep.items()))
        if "resolved" in inner:
            raise RecordError(f"report is for instance {key!r}, not {instance!r}")
    if not isinstance(rep.get("resolved"), bool):
        raise RecordError("field 'resolved': expected true or false (SWE-bench report.json, "
                          f"flat or {{{instance!r}: {{…}}}})")
    status = rep.get("tests_status")
    status = {} if status is None else status
    if not isinstance(status, dict):
        raise RecordError("field 'tests_status': expected an object of FAIL_TO_PASS / "
                          "PASS_TO_PASS results")
    tests: dict[str, str] = {}
    failing: list[str] = []
    n_pass = n_fail = 0
    f2p_fail = p2p_fail = f2p_total = 0
    for key in _VERDICT_KEYS:
        part = status.get(key) or {}
        if not isinstance(part, dict):
            raise RecordError(f"field 'tests_status.{key}': expected {{success: [...], "
                              "failure: [...]}}")
        for outcome_key, state in (("success", "passed"), ("failure", "failed")):
            ids = part.get(outcome_key) or []
            if not isinstance(ids, list) or not all(isinstance(t, str) for t in ids):
                raise RecordError(f"field 'tests_status.{key}.{outcome_key}': expected a list "
                                  "of test ids")
            for t in ids:
                tests[t] = state
            if state == "passed":
                n_pass += len(ids)
            else:
                n_fail += len(ids)
                failing.extend(ids)
                if key == "FAIL_TO_PASS":
                    f2p_fail = len(ids)
                else:
                    p2p_fail = len(ids)
            if key == "FAIL_TO_PASS":
                f2p_total += len(ids)
    resolved = rep["resolved"]
    reason = ""
    if not resolved:
        if rep.get("patch_is_None") or rep.get("patch_exists") is False:
            reason = "SWE-bench: no patch submitted"
        elif rep.get("patch_successfully_applied") is False:
            reason = "SWE-bench: the patch did not apply"
        else:
            bits = []
            if f2p_fail:
                bits.append(f"{f2p_fail} of {f2p_total} FAIL_TO_PASS tests still fail")
            if p2p_fail:
                bits.append(f"{p2p_fail} PASS_TO_PASS tests broke")
            reason = "SWE-bench: " + ("; ".join(bits) if bits else "not resolved")
    counts = TestCounts(passed=n_pass, failed=n_fail, tests=tests, source="summary") \
        if tests else None
    return Outcome(passed=resolved, exit_code=None, counts=counts,
                   failing_tests=tuple(dict.fromkeys(failing)), reason=reason)


def read_report(path: Path, instance: str) -> Outcome:
    """report.json → Outcome; RecordError (invalid JSON, wrong shape) names what was expected."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise RecordError(f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise RecordError(f"not valid JSON ({exc}); expected a SWE-bench report.json") from None
    return outcome_from_report(data, instance)


class ReportIndex:
    """Where each instance's report.json is, for trajectories read from one input path.

    Looked for, in order: ``report.json`` beside the trajectory; ``logs/<instance>/report.json``
    and ``logs/run_evaluation/<run>/<model>/<instance>/report.json`` under the folder given, its
    parent, and the trajectory's own folder and the two above it.
    """

    def __init__(self, given: Path) -> None:
        base = given if given.is_dir() else given.parent
        self._bases = list(dict.fromkeys([base, base.parent]))
        self._harness: dict[Path, dict[str, Path]] = {}

    def _harness_reports(self, root: Path) -> dict[str, Path]:
        if root not in self._harness:
            found: dict[str, Path] = {}
            rdir = root / "logs" / "run_evaluation"
            if rdir.is_dir():
                for p in sorted(rdir.glob("*/*/*/report.json")):
                    found.setdefault(p.parent.name, p)
            self._harness[root] = found
        return self._harness[root]

    def find(self, traj: Path, instance: str) -> Path | None:
        beside = traj.parent / "report.json"
        if beside.is_file():
            return beside
        bases = self._bases + [traj.parent, traj.parent.parent, traj.parent.parent.parent]
        for root in dict.fromkeys(bases):
            flat = root / "logs" / instance / "report.json"
            if flat.is_file():
                return flat
            hit = self._harness_reports(root).get(instance)
            if hit is not None:
                return hit
        return None
