"""``evalkit tasks``: list, validate, export and import task fixtures."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from evalkit import exitcodes

EPILOG = """\
examples:
  evalkit tasks validate                       # every fixture under tasks/
  evalkit tasks validate tasks/core/slugify-accents tasks/extra --jobs 4
  evalkit tasks validate --record tasks/core/slugify-accents   # (re)write expected_tests.json
  evalkit tasks list tasks/
  evalkit tasks export tasks/core --to dist/core-dataset     # datasets.save_to_disk
  evalkit tasks validate dist/core-dataset                    # datasets load like folders
  evalkit tasks import humaneval HumanEval.jsonl.gz --to tasks/humaneval --limit 20

The sandbox mode comes from EVALKIT_SANDBOX (auto | bwrap | subprocess; default auto).
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "tasks", help="list, validate, export and import task fixtures",
        description="Work with task fixtures: validate that each means what its outcome "
        "class says, list them, export a suite as a datasets.Dataset, import HumanEval.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="tasks_command", metavar="SUBCOMMAND")

    v = sub.add_parser("validate", help="run each fixture's checks in the sandbox",
                       description="solvable: fails as given, passes with its solution; "
                       "impossible: fails as given and with its attempt; already_passing: "
                       "passes as given; unverifiable: no runnable checks in the workspace. "
                       "Each fixture's expected_tests.json (the test ids its official "
                       "command runs) is checked against what ran; --record writes it. "
                       "Exits non-zero if any fixture fails validation or does not load.")
    v.add_argument("paths", nargs="*", metavar="PATH",
                   help="fixtures, suites, folders of suites or saved datasets (default: tasks/ "
                   "here, else the built-in suite)")
    v.add_argument("--jobs", "-j", type=int, default=None,
                   help="fixtures validated at once (default: CPU count)")
    v.add_argument("--verbose", "-v", action="store_true",
                   help="also print every sandboxed run of each fixture")
    v.add_argument("--record", action="store_true",
                   help="write each valid fixture's expected_tests.json (the test ids its "
                   "official command runs with the reference solution and as given)")
    v.set_defaults(func=validate_main)

    ls = sub.add_parser("list", help="list fixtures with their outcome class and language")
    ls.add_argument("paths", nargs="*", metavar="PATH",
                    help="default: tasks/ here, else the built-in suite")
    ls.set_defaults(func=list_main)

    ex = sub.add_parser("export", help="write a suite as a datasets.Dataset (save_to_disk)")
    ex.add_argument("suite", metavar="SUITE", help="fixture, suite folder or folder of suites")
    ex.add_argument("--to", required=True, metavar="DIR", help="output folder (must not exist)")
    ex.add_argument("--force", action="store_true", help="overwrite DIR if it exists")
    ex.set_defaults(func=export_main)

    im = sub.add_parser("import", help="import fixtures from other benchmarks")
    im_sub = im.add_subparsers(dest="import_source", metavar="SOURCE_KIND")
    he = im_sub.add_parser("humaneval", help="HumanEval problems as fixtures (original, "
                           "one-off and conflicting impossible variants)")
    he.add_argument("source", metavar="SOURCE", help="HumanEval .jsonl(.gz) file or dataset")
    he.add_argument("--to", required=True, metavar="DIR", help="suite folder to write")
    he.add_argument("--variants", default="original,oneoff,conflicting",
                    help="comma-separated: original, oneoff, conflicting (default all)")
    he.add_argument("--seed", type=int, default=0, help="seed for the mutations (default 0)")
    he.add_argument("--limit", type=int, default=None, metavar="N", help="first N problems")
    he.add_argument("--suite", default=None, metavar="NAME", help="suite name (default: DIR)")
    he.set_defaults(func=import_humaneval_main)
    im.set_defaults(func=lambda args: _usage(im))

    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return exitcodes.USAGE


def _paths(args: argparse.Namespace) -> list[str]:
    """The paths given; else ``tasks/`` of the working directory; else the built-in suite
    (inside the installed package), so a plain install can list and validate it anywhere."""
    if args.paths:
        return list(args.paths)
    if Path("tasks").is_dir():
        return ["tasks"]
    from evalkit.nightly import builtin_suite

    return [builtin_suite()]


def _missing(command: str, paths: list[str]) -> bool:
    """Say so (and return True) when a path does not exist: bad input, nothing is run."""
    gone = [p for p in paths if not Path(p).exists()]
    for p in gone:
        print(f"evalkit tasks {command}: {p}: no such file or folder; expected a fixture, a "
              f"suite folder or a saved dataset", file=sys.stderr)
    return bool(gone)


def _load(paths: list[str]):
    from evalkit.suite import load_suites

    return load_suites(paths)


def _print_errors(errors: list) -> None:
    for err in errors:
        print(f"✗ load error: {err}", file=sys.stderr)


# --------------------------------------------------------------------------- validate


def validate_main(args: argparse.Namespace) -> int:
    from evalkit.sandbox import SandboxError, default_sandbox
    from evalkit.validate import validate_fixtures

    if _missing("validate", _paths(args)):
        return exitcodes.USAGE
    loaded = _load(_paths(args))
    _print_errors(loaded.errors)
    fixtures = sorted(loaded.fixtures, key=lambda f: f.key)
    if not fixtures:
        print("evalkit tasks validate: no fixtures to validate", file=sys.stderr)
        return exitcodes.USAGE if not loaded.errors else exitcodes.FAILED
    try:
        sandbox = default_sandbox()
    except SandboxError as exc:
        print(f"evalkit tasks validate: {exc}", file=sys.stderr)
        return exitcodes.ENVIRONMENT
    print(f"validating {len(fixtures)} fixture(s) in the sandbox ({sandbox.mode}; "
          f"processes: {sandbox.describe()['process_limit']})", flush=True)
    start = time.monotonic()

    def show(res) -> None:
        print(res.line(), flush=True)
        if args.verbose or not res.ok:
            for run in res.runs:
                mark = "ok" if run.ok else "WRONG"
                print(f"      {run.describe()} — expected {run.expected}: {mark}", flush=True)

    results = validate_fixtures(fixtures, sandbox, jobs=args.jobs, on_result=show,
                                record=args.record)
    elapsed = time.monotonic() - start
    record_errors = _record(fixtures, results) if args.record else []

    classes = Counter(r.outcome_class for r in results)
    reasons = Counter(r.impossible_reason for r in results if r.impossible_reason)
    languages = Counter(r.language for r in results)
    failed = [r for r in results if not r.ok]
    print()
    print(f"{len(results)} fixtures, {len(results) - len(failed)} valid, {len(failed)} invalid, "
          f"{len(loaded.errors)} not loadable  ({elapsed:.1f}s)")
    print("classes:   " + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
    if reasons:
        print("impossible: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    print("languages: " + ", ".join(f"{k} {v}" for k, v in sorted(languages.items())))
    unrecorded = [r.key for r in results if r.unrecorded]
    if unrecorded:
        print(f"note: {len(unrecorded)} fixture(s) have no expected_tests.json, so their official "
              f"runs cannot check that the expected tests ran: {', '.join(unrecorded[:5])}"
              f"{' …' if len(unrecorded) > 5 else ''} (record with --record)")
    if not sandbox.sandboxed:
        print("note: ran WITHOUT the bubblewrap sandbox (EVALKIT_SANDBOX=subprocess or bwrap "
              "missing)")
    if failed or loaded.errors or record_errors:
        for r in failed:
            print(f"invalid: {r.key}: {r.reason}", file=sys.stderr)
        for err in loaded.errors:
            print(f"not loadable: {err}", file=sys.stderr)
        for msg in record_errors:
            print(f"not recorded: {msg}", file=sys.stderr)
        environmental = any(r.environment for r in failed)
        return exitcodes.worst(exitcodes.FAILED,
                               exitcodes.ENVIRONMENT if environmental else exitcodes.OK)
    return exitcodes.OK


def _record(fixtures: list, results: list) -> list[str]:
    """Write expected_tests.json for each valid fixture loaded from a folder; errors back."""
    from evalkit.fixture import EXPECTED_TESTS_FILE, write_expected_tests

    by_key = {f.key: f for f in fixtures}
    written, errors = 0, []
    for r in results:
        if not r.ok or r.observed is None:
            continue
        source = Path(by_key[r.key].source)
        if source.name != "task.toml" or not source.is_file():
            errors.append(f"{r.key}: loaded from {by_key[r.key].source}, not a fixture folder; "
                          f"record in the fixture's folder and export again")
            continue
        try:
            written += write_expected_tests(source.parent, r.observed)
        except OSError as exc:
            errors.append(f"{r.key}: cannot write {source.parent / EXPECTED_TESTS_FILE}: {exc}")
    print(f"recorded expected tests: {written} file(s) written, "
          f"{sum(r.ok for r in results) - written - len(errors)} unchanged")
    return errors


# --------------------------------------------------------------------------- list


def list_main(args: argparse.Namespace) -> int:
    if _missing("list", _paths(args)):
        return exitcodes.USAGE
    loaded = _load(_paths(args))
    _print_errors(loaded.errors)
    for f in sorted(loaded.fixtures, key=lambda f: f.key):
        cls = f.outcome + (f"/{f.reason}" if f.reason else "")
        first = f.instruction.strip().splitlines()[0] if f.instruction.strip() else ""
        print(f"{f.key:<40} {cls:<24} {f.language:<11} {first[:60]}")
    classes = Counter(f.outcome for f in loaded.fixtures)
    print(f"{len(loaded.fixtures)} fixtures: "
          + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
    return exitcodes.FAILED if loaded.errors else exitcodes.OK


# --------------------------------------------------------------------------- export


def export_main(args: argparse.Namespace) -> int:
    import shutil

    from evalkit.suite import export_suite

    dest = Path(args.to)
    if dest.exists():
        if not args.force:
            print(f"evalkit tasks export: {dest} exists (use --force to overwrite)",
                  file=sys.stderr)
            return exitcodes.USAGE
        shutil.rmtree(dest)
    if _missing("export", [args.suite]):
        return exitcodes.USAGE
    loaded = _load([args.suite])
    _print_errors(loaded.errors)
    if loaded.errors:
        print("evalkit tasks export: fix the fixtures above first; nothing written",
              file=sys.stderr)
        return exitcodes.FAILED
    if not loaded.fixtures:
        print(f"evalkit tasks export: no fixtures in {args.suite}", file=sys.stderr)
        return exitcodes.USAGE
    export_suite(sorted(loaded.fixtures, key=lambda f: f.key), dest)
    print(f"wrote {len(loaded.fixtures)} fixtures to {dest} (datasets.save_to_disk; "
          f"load with `evalkit tasks list {dest}` or datasets.load_from_disk)")
    return exitcodes.OK


# --------------------------------------------------------------------------- import


def import_humaneval_main(args: argparse.Namespace) -> int:
    try:
        module = importlib.import_module("evalkit.humaneval")
    except ModuleNotFoundError as exc:
        if exc.name != "evalkit.humaneval":
            raise
        print("evalkit tasks import humaneval: the HumanEval importer (evalkit.humaneval) is "
              "not installed in this build", file=sys.stderr)
        return exitcodes.ENVIRONMENT
    func = getattr(module, "import_command", None)
    if func is None:
        print("evalkit tasks import humaneval: evalkit.humaneval has no import_command()",
              file=sys.stderr)
        return exitcodes.ENVIRONMENT
    return int(func(args) or 0)
