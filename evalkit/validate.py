"""Prove that each fixture means what its outcome class says, by running it in the sandbox.

* ``solvable``: fails as given, passes with its reference solution.
* ``impossible``: fails as given (tests run and fail), and still fails with its honest attempt
  (solution/) when there is one.
* ``already_passing``: passes as given.
* ``unverifiable``: the test command on repo/ alone finds no tests or cannot run (pytest exit 5,
  node with 0 tests, command not found); when checks/ and solution/ exist, solution + checks
  pass (the hidden official checks are real).

"Passes" is the official-run rule (``workspace.outcome_from_result``): exit 0, no timeout, no
failed or errored test, and at least one test actually passed -- so a node run that prints
failures, or one that ran zero tests, never counts as passing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.fixture import Fixture
from evalkit.records import Outcome
from evalkit.sandbox import Sandbox
from evalkit.workspace import counts_summary, official_run, temp_workspace


@dataclass(frozen=True)
class ValidationRun:
    """One sandboxed run made while validating."""

    label: str  # "as given", "with solution", "repo alone", "solution + checks"
    expected: str  # "pass" | "fail" | "no tests"
    outcome: Outcome
    ok: bool

    def describe(self) -> str:
        o = self.outcome
        got = "passed" if o.passed else ("timed out" if o.timed_out else "failed")
        return (f"{self.label}: {got} (exit {o.exit_code}, {counts_summary(o.counts)}, "
                f"{o.duration_s:.1f}s)")


@dataclass(frozen=True)
class ValidationResult:
    key: str
    outcome_class: str
    ok: bool
    reason: str | None = None  # why validation failed; None when ok
    runs: tuple[ValidationRun, ...] = field(default_factory=tuple)
    duration_s: float = 0.0
    language: str = ""
    impossible_reason: str | None = None
    sandboxed: bool = True

    def line(self) -> str:
        """One line for ``evalkit tasks validate``."""
        mark = "✓" if self.ok else "✗"
        cls = self.outcome_class + (f"/{self.impossible_reason}" if self.impossible_reason
                                    else "")
        why = f"  {self.reason}" if self.reason else ""
        return f"{mark} {self.key:<40} {cls:<24} {self.duration_s:5.1f}s{why}"


def _no_tests(o: Outcome) -> bool:
    """Nothing runnable: no test ran (pytest exit 5, node 0 tests) or the command failed."""
    if o.passed:
        return False
    return o.counts is None or o.counts.total == 0


def _tail(o: Outcome, n: int = 300) -> str:
    text = " ".join(o.output_tail.strip().split())
    return ("…" + text[-n:]) if len(text) > n else text


def validate_fixture(fixture: Fixture, sandbox: Sandbox, *,
                     root: Path | None = None) -> ValidationResult:
    """Run the checks that prove ``fixture``'s outcome class; never raises for a bad fixture."""
    start = time.monotonic()
    runs: list[ValidationRun] = []

    def run(label: str, expected: str, *, solution: bool = False, checks: bool = False,
            ) -> ValidationRun:
        with temp_workspace(fixture, root=root, solution=solution) as ws:
            outcome = official_run(fixture, ws, sandbox, with_checks=checks)
        if expected == "pass":
            ok = outcome.passed
        elif expected == "fail":
            ok = not outcome.passed
        else:
            ok = _no_tests(outcome)
        r = ValidationRun(label, expected, outcome, ok)
        runs.append(r)
        return r

    reason: str | None = None
    try:
        cls = fixture.outcome
        if cls == "solvable":
            given = run("as given", "fail", checks=True)
            if not given.ok:
                reason = "solvable but the checks already pass as given"
            else:
                sol = run("with solution", "pass", solution=True, checks=True)
                if not sol.ok:
                    reason = (f"solvable but the reference solution does not pass: "
                              f"{sol.describe()}; {_tail(sol.outcome)}")
        elif cls == "impossible":
            given = run("as given", "fail", checks=True)
            if not given.ok:
                reason = "impossible but the checks pass as given"
            elif fixture.reason != "environment" and (given.outcome.counts is None
                                                      or given.outcome.counts.total == 0):
                reason = (f"impossible ({fixture.reason}) but no test ran as given, so the "
                          f"failure proves nothing: {given.describe()}; {_tail(given.outcome)}")
            elif fixture.solution:
                att = run("with attempt", "fail", solution=True, checks=True)
                if not att.ok:
                    reason = "impossible but its attempt (solution/) passes the checks"
        elif cls == "already_passing":
            given = run("as given", "pass", checks=True)
            if not given.ok:
                reason = (f"already_passing but the checks fail as given: {given.describe()}; "
                          f"{_tail(given.outcome)}")
        elif cls == "unverifiable":
            alone = run("repo alone", "no tests")
            if not alone.ok:
                got = "pass" if alone.outcome.passed else "run and fail"
                reason = (f"unverifiable but the workspace has runnable checks (they {got}): "
                          f"{alone.describe()}")
            elif fixture.checks and fixture.solution:
                hidden = run("solution + checks", "pass", solution=True, checks=True)
                if not hidden.ok:
                    reason = (f"unverifiable: the hidden checks do not pass with the solution: "
                              f"{hidden.describe()}; {_tail(hidden.outcome)}")
        else:  # pragma: no cover - load_fixture refuses unknown classes
            reason = f"unknown outcome class {cls!r}"
    except Exception as exc:  # noqa: BLE001 - a broken fixture must not stop the others
        reason = f"validation crashed: {type(exc).__name__}: {exc}"
    return ValidationResult(
        key=fixture.key,
        outcome_class=fixture.outcome,
        ok=reason is None,
        reason=reason,
        runs=tuple(runs),
        duration_s=time.monotonic() - start,
        language=fixture.language,
        impossible_reason=fixture.reason,
        sandboxed=sandbox.sandboxed,
    )


def validate_fixtures(
    fixtures: Iterable[Fixture],
    sandbox: Sandbox,
    *,
    jobs: int | None = None,
    root: Path | None = None,
    on_result: Callable[[ValidationResult], None] | None = None,
) -> list[ValidationResult]:
    """Validate in parallel (bounded by CPU count); results in input order."""
    fixtures = list(fixtures)
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: list[ValidationResult | None] = [None] * len(fixtures)
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="evalkit-validate") as pool:
        futures = {pool.submit(validate_fixture, f, sandbox, root=root): i
                   for i, f in enumerate(fixtures)}

        for fut in as_completed(futures):
            res = fut.result()
            results[futures[fut]] = res
            if on_result:
                on_result(res)
    return [r for r in results if r is not None]
