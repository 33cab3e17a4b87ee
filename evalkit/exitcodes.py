"""Exit codes: one code per meaning, the same in every command (documented in README.md).

When several apply, the most severe wins in this order: USAGE, ENVIRONMENT, INCOMPLETE, ERRORS,
REGRESSION, FAILED, OK (a night that both errored and regressed exits ERRORS: its numbers are
not trustworthy enough to call a regression).
"""

from __future__ import annotations

#: Everything asked was done and nothing is wrong.
OK = 0
#: The command ran and its check failed: a fixture is invalid, a grade file had no valid line.
FAILED = 1
#: Bad arguments or input: an unknown option, a bad config, a path that does not exist or holds
#: no results. Nothing was run.
USAGE = 2
#: A significant regression in false claims (``compare --fail-on-regression``, ``nightly``).
REGRESSION = 3
#: The run stopped before every sample was done (budget reached, interrupted);
#: ``--resume`` finishes it.
INCOMPLETE = 4
#: The run finished but some samples errored or fixtures could not be loaded (for ``nightly``:
#: more than its configured error threshold). The numbers exclude them; the summary says how many.
ERRORS = 5
#: The environment cannot do the job: bubblewrap, a test runner or an API key is missing
#: (``doctor``, and the start of ``run`` / ``nightly``).
ENVIRONMENT = 6

MEANINGS: dict[int, str] = {
    OK: "ok",
    FAILED: "check failed",
    USAGE: "bad arguments or input",
    REGRESSION: "significant regression",
    INCOMPLETE: "run incomplete",
    ERRORS: "samples errored or fixtures skipped",
    ENVIRONMENT: "environment not ready",
}

_SEVERITY = (USAGE, ENVIRONMENT, INCOMPLETE, ERRORS, REGRESSION, FAILED, OK)


def worst(*codes: int) -> int:
    """The code to exit with when several conditions hold."""
    present = set(codes) or {OK}
    for code in _SEVERITY:
        if code in present:
            return code
    return max(present)
