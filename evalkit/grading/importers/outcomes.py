"""Official outcomes from a SWE-bench evaluation, joined to imported transcripts by instance id
(``evalkit grade PATH --outcomes report.json|results.json|logs/``).

Why separate from the readers: most published submissions keep the trajectories in one folder
and the harness's evaluation output in another; any importer's samples can take their official
outcome from either. Read:

- a harness ``report.json``: flat for one instance (``{"resolved": …}``, its instance named by
  its folder), or ``{instance_id: {…}}`` for one or many instances;
- a harness summary (``<model>.<run_id>.json``: ``resolved_ids`` / ``unresolved_ids`` /
  ``empty_patch_ids`` / ``error_ids``);
- the older ``results.json`` of the SWE-bench experiments repository (``resolved``,
  ``applied``, ``no_apply``, ``no_generation`` … lists of ids);
- a ``logs/`` folder: every ``report.json`` under it (``logs/<id>/report.json``,
  ``logs/run_evaluation/<run>/<model>/<id>/report.json``).

An instance the harness could not evaluate (``error_ids``) gets no outcome: a harness error is
not a model failure. Per-instance reports carry the test lists; summaries carry only the verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit.grading.importers._common import read_json
from evalkit.grading.importers.base import RecordError, TranscriptError
from evalkit.grading.importers.swebench import outcome_from_report
from evalkit.records import Outcome

__all__ = ["Outcomes", "load_outcomes"]

#: results.json lists (SWE-bench experiments) that mean "evaluated, not resolved"
_NOT_RESOLVED = {"no_generation": "no patch generated", "no_apply": "the patch did not apply",
                 "install_fail": "installation failed", "reset_failed": "repository reset failed",
                 "test_errored": "the tests errored", "test_timeout": "the tests timed out",
                 "applied": "not resolved", "generated": "not resolved",
                 "with_logs": "not resolved"}


class Outcomes(dict[str, Outcome]):
    """instance id -> Outcome, plus where they came from and what could not be read."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.errors: list[TranscriptError] = []
        self.harness_errors: set[str] = set()  # evaluated with an error: no outcome

    def for_sample(self, task_id: str, sample_id: str) -> Outcome | None:
        return self.get(task_id) if task_id in self else self.get(sample_id)


def _summary(data: dict[str, Any], out: Outcomes) -> None:
    ids = {k: data.get(k) for k in ("resolved_ids", "unresolved_ids", "empty_patch_ids",
                                     "error_ids")}
    for key, v in ids.items():
        if v is not None and (not isinstance(v, list) or not all(isinstance(i, str) for i in v)):
            raise RecordError(f"field '{key}': expected a list of instance ids")
    for iid in ids["unresolved_ids"] or []:
        out[iid] = Outcome(passed=False, exit_code=None, reason="SWE-bench: not resolved")
    for iid in ids["empty_patch_ids"] or []:
        out[iid] = Outcome(passed=False, exit_code=None, reason="SWE-bench: no patch submitted")
    for iid in ids["resolved_ids"] or []:
        out[iid] = Outcome(passed=True, exit_code=None)
    for iid in ids["error_ids"] or []:
        out.pop(iid, None)
        out.harness_errors.add(iid)


def _results(data: dict[str, Any], out: Outcomes) -> None:
    for key, why in _NOT_RESOLVED.items():
        v = data.get(key) or []
        if not isinstance(v, list) or not all(isinstance(i, str) for i in v):
            raise RecordError(f"field '{key}': expected a list of instance ids")
        for iid in v:
            if iid not in out or key not in ("applied", "generated", "with_logs"):
                out[iid] = Outcome(passed=False, exit_code=None, reason=f"SWE-bench: {why}")
    resolved = data.get("resolved") or []
    if not isinstance(resolved, list) or not all(isinstance(i, str) for i in resolved):
        raise RecordError("field 'resolved': expected a list of instance ids")
    for iid in resolved:
        out[iid] = Outcome(passed=True, exit_code=None)


def _document(data: Any, path: Path, out: Outcomes) -> None:
    """One JSON file of any of the shapes above (RecordError naming what was expected)."""
    if not isinstance(data, dict):
        raise RecordError("expected a JSON object (a SWE-bench report.json, summary or "
                          "results.json)")
    if "resolved_ids" in data or "unresolved_ids" in data:
        _summary(data, out)
    elif isinstance(data.get("resolved"), list):
        _results(data, out)
    elif isinstance(data.get("resolved"), bool):  # flat: the instance is the folder's name
        out[path.parent.name] = outcome_from_report(data, path.parent.name)
    elif data and all(isinstance(v, dict) for v in data.values()):
        for iid, rep in data.items():
            try:
                out[iid] = outcome_from_report(rep, iid)
            except RecordError as exc:
                out.errors.append(TranscriptError(str(path), None, f"instance {iid}: {exc}"))
    else:
        raise RecordError("expected a SWE-bench report.json ({instance_id: {resolved, "
                          "tests_status}}), a summary (resolved_ids / unresolved_ids) or a "
                          "results.json (resolved: [ids])")


def load_outcomes(path: str | Path) -> Outcomes:
    """Every outcome under ``path``; unreadable files are in ``.errors`` (the rest is kept)."""
    p = Path(path)
    out = Outcomes(str(p))
    files = sorted(p.rglob("report.json")) if p.is_dir() else [p]
    if p.is_dir() and not files:
        files = sorted(f for f in p.glob("*.json") if f.is_file())
    if not files:
        out.errors.append(TranscriptError(str(p), None, "no report.json found (expected a "
                                          "SWE-bench report.json, summary, results.json or a "
                                          "logs/ folder holding report.json files)"))
    for f in files:
        data = read_json(f, "a SWE-bench report.json, summary or results.json")
        if isinstance(data, TranscriptError):
            out.errors.append(data)
            continue
        try:
            _document(data, f, out)
        except RecordError as exc:
            out.errors.append(TranscriptError(str(f), None, str(exc)))
    return out
