"""``evalkit doctor``: can this machine measure correctly? Names what is missing and the fix."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EPILOG = """\
checks:
  sandbox      bubblewrap is installed and can start a sandbox here
  test runner  each fixture language's runner, probed inside the sandbox with the official
               run's environment (python -m pytest can import pytest; node >= 20 for
               JavaScript fixtures; any other test program is on the sandbox's PATH)
  API key      each non-simulated model's provider key (anthropic: ANTHROPIC_API_KEY)
  leftovers    temp workspaces and pids cgroups of killed runs (a warning; --reclaim
               removes them, and every run reclaims them when it starts)

examples:
  evalkit doctor                                   # built-in suite, nightly's default variants
  evalkit doctor --tasks tasks/core --model anthropic:claude-sonnet-4-5
  evalkit doctor --config nightly.toml             # the suite and variants of a nightly config
  evalkit doctor --reclaim                         # remove what killed runs left behind

exit codes: 0 ready; 2 bad arguments or a path that does not exist; 6 something is missing
(--reclaim: something could not be removed).
`evalkit run` and `evalkit nightly` make the runner and key checks before any sample runs
(a missing bubblewrap only warns there).
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "doctor", help="check bubblewrap, the fixtures' test runners and API keys",
        description="Check that this machine can run the suite and measure it correctly: "
        "bubblewrap, each fixture language's test runner as the sandbox sees it, and the "
        "API key of each model to run.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tasks", metavar="SUITE",
                   help="suite whose runners to check (default: the nightly config's, or tasks/)")
    p.add_argument("--model", action="append", default=[], metavar="MODEL",
                   help="a model whose provider key to check (repeatable)")
    p.add_argument("--variants", metavar="FILE", help="TOML of [variants.NAME]: check their keys")
    p.add_argument("--config", metavar="FILE",
                   help="nightly TOML: check its suite and variants")
    p.add_argument("--reclaim", action="store_true",
                   help="only remove the temp workspaces and pids cgroups that killed runs left "
                   "behind (never a live run's) and say what was removed")
    p.set_defaults(func=main)


def _usage(message: str) -> int:
    from evalkit import exitcodes

    print(f"evalkit doctor: error: {message}", file=sys.stderr)
    return exitcodes.USAGE


def reclaim_main() -> int:
    """``--reclaim``: remove the leftovers of dead runs, one line each, then a summary."""
    from evalkit import exitcodes
    from evalkit.reclaim import reclaim

    done = reclaim()
    for item in done:
        print(item.line(), file=sys.stderr if item.error else sys.stdout)
    failed = [x for x in done if x.error]
    dirs = sum(x.kind == "workspace" and not x.error for x in done)
    groups = len(done) - len(failed) - dirs
    if not done:
        print("evalkit doctor: nothing to reclaim (no leftovers of dead runs)")
    else:
        print(f"evalkit doctor: reclaimed {dirs} temp folder{'s' * (dirs != 1)} and {groups} "
              f"pids cgroup{'s' * (groups != 1)} of dead runs"
              + (f"; {len(failed)} could not be removed (see above)" if failed else ""))
    return exitcodes.ENVIRONMENT if failed else exitcodes.OK


def main(args: argparse.Namespace) -> int:
    import asyncio

    from evalkit import exitcodes, nightly
    from evalkit.doctor import acheck_runners, check_bwrap, check_keys, check_leftovers, failures
    from evalkit.fixture import FixtureError
    from evalkit.runner import RunError, load_tasks_reporting
    from evalkit.sandbox import SandboxError, default_sandbox
    from evalkit.variants import VariantError, load_variants

    if args.reclaim:
        return reclaim_main()
    try:
        config = nightly.load_config(args.config)
    except nightly.ConfigError as exc:
        return _usage(str(exc))
    suite = args.tasks or config.suite
    models: list[str] = list(args.model)
    try:
        if args.variants:
            models += [v.model for v in load_variants(args.variants).values()]
    except (VariantError, OSError) as exc:
        return _usage(str(exc))
    if not args.model and not args.variants:
        models += [str(spec["model"]) for spec in config.variants.values()]
    if not Path(suite).exists():
        return _usage(f"--tasks {suite}: no such file or folder")
    try:
        fixtures, skipped = load_tasks_reporting(suite)
    except (RunError, FixtureError) as exc:
        return _usage(str(exc))

    print(f"evalkit doctor: {len(fixtures)} fixtures in {suite}; models: "
          f"{', '.join(dict.fromkeys(models)) or '(none)'}")
    checks = [check_bwrap(required=True)]
    try:
        sandbox = default_sandbox()
    except SandboxError as exc:
        return _usage(str(exc))
    checks += asyncio.run(acheck_runners(fixtures, sandbox))
    checks += check_keys(models)
    checks.append(check_leftovers())
    for check in checks:
        print(check.line())
    if skipped:
        print(f"[warn] fixtures: {len(skipped)} do not load and would be skipped "
              f"(first: {skipped[0]})")
    bad = failures(checks)
    if bad:
        print(f"evalkit doctor: {len(bad)} problem{'s' if len(bad) != 1 else ''}: "
              "fix the lines marked FAIL, then run `evalkit doctor` again", file=sys.stderr)
        return exitcodes.ENVIRONMENT
    print("evalkit doctor: ready")
    return exitcodes.OK
