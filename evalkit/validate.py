"""Prove that each fixture means what its outcome class says, by running it in the sandbox.

* ``solvable``: fails as given, passes with its reference solution.
* ``impossible``: fails as given (tests run and fail), and still fails with its honest attempt
  (solution/) when there is one.
* ``already_passing``: passes as given.
* ``unverifiable``: the test command on repo/ alone finds no tests or cannot run (pytest exit 5,
  node with 0 tests, command not found); when checks/ and solution/ exist, solution + checks
  pass (the hidden official checks are real).

"Passes" is the official-run rule (``workspace.outcome_from_result``): exit 0, no timeout, no
failed or errored test, and every expected test ran and passed (at least one test passed when
none are recorded) -- so a node run that prints failures, or one that ran zero tests, never
counts as passing. The runs go through the same official workspace as an agent's work, so a
reference solution that only passes with its own test setup is caught here.

Expected tests. Each run notes the test ids it ran (passed, failed or errored; not skipped).
``record=True`` (``evalkit tasks validate --record``) turns them into the fixture's
``expected_tests.json``: ``tests`` from the reference run (with solution; as given for
``impossible`` and ``already_passing``; solution + checks for ``unverifiable``) and
``as_given``. Without ``record`` a fixture's record is checked: ids that appeared or vanished
make the fixture invalid until it is re-recorded.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.fixture import EXPECTED_TESTS_FILE, ExpectedTests, Fixture
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

    @property
    def ran(self) -> tuple[str, ...]:
        """Test ids this run ran (passed, failed or errored)."""
        tests = self.outcome.counts.tests if self.outcome.counts else {}
        return tuple(sorted(t for t, s in tests.items() if s != "skipped"))

    def describe(self) -> str:
        o = self.outcome
        got = "passed" if o.passed else ("timed out" if o.timed_out else "failed")
        why = f"; {o.reason}" if o.reason and not o.passed else ""
        return (f"{self.label}: {got} (exit {o.exit_code}, {counts_summary(o.counts)}, "
                f"{o.duration_s:.1f}s{why})")


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
    #: the expected tests this validation observed (what --record writes); None if not ok
    observed: ExpectedTests | None = None
    #: the fixture had no expected_tests.json (its official runs cannot check which tests ran)
    unrecorded: bool = False
    #: validation failed for an environmental reason (runner missing, sandbox refused)
    environment: bool = False

    def line(self) -> str:
        """One line for ``evalkit tasks validate``."""
        mark = "✓" if self.ok else "✗"
        cls = self.outcome_class + (f"/{self.impossible_reason}" if self.impossible_reason
                                    else "")
        why = f"  {self.reason}" if self.reason else ""
        if self.ok and self.unrecorded:
            why = f"  (no {EXPECTED_TESTS_FILE}; record with --record)"
        return f"{mark} {self.key:<40} {cls:<24} {self.duration_s:5.1f}s{why}"


def _no_tests(o: Outcome) -> bool:
    """Nothing runnable: no test ran (pytest exit 5, node 0 tests) or the command failed."""
    if o.passed:
        return False
    return o.counts is None or o.counts.total == 0


def _tail(o: Outcome, n: int = 300) -> str:
    text = " ".join(o.output_tail.strip().split())
    return ("…" + text[-n:]) if len(text) > n else text


def _id_drift(label: str, recorded: tuple[str, ...], seen: tuple[str, ...]) -> str | None:
    gone = sorted(set(recorded) - set(seen))
    new = sorted(set(seen) - set(recorded))
    if not gone and not new:
        return None
    parts = []
    if gone:
        parts.append(f"{len(gone)} recorded but not run ({', '.join(gone[:3])}"
                     f"{', …' if len(gone) > 3 else ''})")
    if new:
        parts.append(f"{len(new)} run but not recorded ({', '.join(new[:3])}"
                     f"{', …' if len(new) > 3 else ''})")
    return (f"{label}: the tests differ from {EXPECTED_TESTS_FILE}: {'; '.join(parts)}; "
            f"re-record with `evalkit tasks validate --record`")


def validate_fixture(fixture: Fixture, sandbox: Sandbox, *,
                     root: Path | None = None, record: bool = False) -> ValidationResult:
    """Run the checks that prove ``fixture``'s outcome class; never raises for a bad fixture.

    ``record=True`` ignores the fixture's recorded expected tests and reports what it observed
    (``ValidationResult.observed``) for the caller to write.
    """
    start = time.monotonic()
    runs: list[ValidationRun] = []
    recorded = (fixture.expected_tests, fixture.expected_as_given)
    if record:
        fixture = dataclasses.replace(fixture, expected_tests=None, expected_as_given=None)

    def run(label: str, expected: str, *, solution: bool = False, checks: bool = False,
            ) -> ValidationRun:
        with temp_workspace(fixture, root=root, solution=solution) as ws:
            outcome = official_run(fixture, ws, sandbox, with_checks=checks, root=root)
        if outcome.environment_error:
            raise _EnvironmentFailure(f"{label}: {outcome.environment_error}")
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
    observed: ExpectedTests | None = None
    environment = False
    try:
        room = _room(fixture)
        cls = fixture.outcome
        if room is not None:
            reason = room
        elif cls == "solvable":
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
        if reason is None:
            observed = _observed(fixture, runs)
            counted = [r for r in runs if r.outcome.counts and r.outcome.counts.total
                       and not r.outcome.counts.tests]
            if counted:
                reason = (f"{counted[0].label}: only summary counts, no test ids (no JUnit "
                          f"report or TAP), so the expected tests cannot be recorded")
            elif not record and recorded[0] is not None:
                reason = (_id_drift("reference run", recorded[0], observed.tests)
                          or _id_drift("as given", recorded[1] or (), observed.as_given))
    except _EnvironmentFailure as exc:
        reason = f"environment error, not the fixture's fault: {exc}"
        environment = True
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
        observed=observed if reason is None else None,
        unrecorded=recorded[0] is None and not record,
        environment=environment,
    )


def _room(fixture: Fixture) -> str | None:
    """Why the fixture's own files (repo/ + solution/) leave its agent no room under its
    [limits] workspace bounds (the agent would hit the limit on its first command), or None."""
    from evalkit.workspace import fixture_usage

    usage = fixture_usage(fixture)
    if usage.over is None:
        return None
    return (f"its own files exceed its workspace bound: repo/ + solution/ hold "
            f"{usage.bytes:,} bytes in {usage.files:,} files and folders; raise [limits] "
            f"workspace_size_mb / workspace_files in task.toml "
            f"({usage.describe(fixture.workspace_max_bytes, fixture.workspace_max_files)})")


class _EnvironmentFailure(Exception):
    """A validation run failed for an environmental reason (runner missing, sandbox refused)."""


def _observed(fixture: Fixture, runs: list[ValidationRun]) -> ExpectedTests:
    """The expected tests shown by this validation's runs (see the module doc)."""
    by_label = {r.label: r for r in runs}
    given = by_label.get("as given") or by_label.get("repo alone")
    reference = (by_label.get("with solution") or by_label.get("solution + checks")
                 or (given if fixture.outcome != "unverifiable" else None))
    return ExpectedTests(
        test_command=fixture.test_command,
        tests=reference.ran if reference else (),
        as_given=given.ran if given else (),
    )


def validate_fixtures(
    fixtures: Iterable[Fixture],
    sandbox: Sandbox,
    *,
    jobs: int | None = None,
    root: Path | None = None,
    on_result: Callable[[ValidationResult], None] | None = None,
    record: bool = False,
) -> list[ValidationResult]:
    """Validate in parallel (bounded by CPU count); results in input order."""
    fixtures = list(fixtures)
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: list[ValidationResult | None] = [None] * len(fixtures)
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="evalkit-validate") as pool:
        futures = {pool.submit(validate_fixture, f, sandbox, root=root, record=record): i
                   for i, f in enumerate(fixtures)}

        for fut in as_completed(futures):
            res = fut.result()
            results[futures[fut]] = res
            if on_result:
                on_result(res)
    return [r for r in results if r is not None]
