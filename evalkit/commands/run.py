"""``evalkit run``: run variants on a suite and store every sample as it finishes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EPILOG = """\
examples:
  evalkit run --model 'sim:mix?fc=0.3' --tasks tasks/ --epochs 2
  evalkit run --variants docs/examples/variants.toml --variant sonnet --variant sonnet-faithful \\
      --tasks tasks/core --concurrency 8 --max-cost 5
  evalkit run --resume --out results/20261122T010203Z-ab12cd     # finish an interrupted run
  evalkit run --model sim:honest --tasks tasks/ --shard 1/2 --out results/s1   # then merge

Models: anthropic:<model> (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL honoured) or sim:<policy>
(honest, overclaimer, fabricator, tamperer, hedger, mix?fc=0.3&seed=7; option latency=0.2).
A run folder that already exists is resumed: only missing samples run, none twice.

Before any sample runs, each fixture language's test runner is probed in the sandbox and each
model's API key is looked up (the same checks as `evalkit doctor`).

exit codes: 0 every sample done, none errored; 2 bad arguments or a path that does not exist;
4 incomplete (budget reached, interrupted: finish with --resume); 5 samples errored or
fixtures skipped (the numbers exclude them); 6 environment not ready (test runner or API key
missing; nothing ran).
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run", help="run models (or simulated agents) on a task suite",
        description="Run variants on a suite of task fixtures. Each finished sample is "
        "appended to <out>/samples.jsonl; the manifest says how far the run got.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", default=[], metavar="MODEL",
                   help="a model to run as an ad-hoc variant named after it (repeatable)")
    p.add_argument("--variant", action="append", default=[], metavar="NAME",
                   help="a variant from --variants FILE (repeatable; default: all in the file)")
    p.add_argument("--variants", metavar="FILE", help="TOML file of [variants.NAME] tables")
    p.add_argument("--tasks", metavar="SUITE", help="folder of task fixtures (or a suite path)")
    p.add_argument("--epochs", type=int, default=None, help="attempts per task (default 1)")
    p.add_argument("--concurrency", type=int, default=None,
                   help="samples in flight at once (default 8)")
    p.add_argument("--out", metavar="DIR", help="run folder (default results/<run-id>)")
    p.add_argument("--results-dir", default="results", metavar="DIR",
                   help="where new run folders go when --out is not given (default results)")
    p.add_argument("--resume", action="store_true",
                   help="finish the run in --out: only missing samples run; settings not given "
                   "again are read from its manifest")
    p.add_argument("--retry-errors", action="store_true",
                   help="with a resumed run: run again the samples that ended in error (the "
                   "new line is appended; readers take the last line per sample)")
    p.add_argument("--shard", metavar="i/N", help="run only slice i of N (1-based)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N tasks (sorted)")
    p.add_argument("--max-cost", type=float, metavar="USD",
                   help="stop starting samples once this much was spent in this invocation")
    p.add_argument("--max-tokens", type=int, metavar="N",
                   help="stop starting samples once this many tokens were used")
    p.add_argument("--executor", metavar="NAME", default=None,
                   help="what executes the samples: local (default, this process), ray "
                   "(a local Ray cluster, or the one RAY_ADDRESS names) or ray:ADDRESS; the "
                   "results are stored here either way (docs/scale.md)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=main)


def _err(message: str) -> int:
    from evalkit import exitcodes

    print(f"evalkit run: error: {message}", file=sys.stderr)
    return exitcodes.USAGE


def from_manifest(data: dict[str, Any]) -> Any:
    """A variant as the manifest recorded it, minus the secrets it redacted: a resumed run
    takes its key from the environment again instead of sending "<redacted>" as the key."""
    import dataclasses

    from evalkit.variants import Variant

    variant = Variant.from_json(data)
    options = {k: v for k, v in variant.options.items() if v != "<redacted>"}
    return dataclasses.replace(variant, options=options)


def resolve_variants(args: argparse.Namespace, manifest: dict[str, Any] | None) -> list[Any]:
    """--model / --variants + --variant, or (on --resume with neither) the manifest's."""
    from evalkit.variants import Variant, VariantError, adhoc_variant, load_variants

    variants: list[Variant] = []
    if args.variants:
        table = load_variants(args.variants)
        names = args.variant or ([] if args.model else list(table))
        for name in names:
            if name not in table:
                raise VariantError(f"--variant {name!r}: not in {args.variants}; "
                                   f"available: {', '.join(table)}")
            variants.append(table[name])
    elif args.variant:
        if manifest and all(n in (manifest.get("variants") or {}) for n in args.variant):
            variants += [from_manifest(manifest["variants"][n]) for n in args.variant]
        else:
            raise VariantError("--variant NAME needs --variants FILE (the TOML that defines it)")
    variants += [adhoc_variant(m) for m in args.model]
    if not variants and args.resume and manifest:
        variants = [from_manifest(v) for v in (manifest.get("variants") or {}).values()]
    return variants


def main(args: argparse.Namespace) -> int:
    from evalkit import exitcodes
    from evalkit.doctor import EnvironmentNotReady
    from evalkit.fixture import FixtureError
    from evalkit.runner import RunError, format_summary, run, summary_rows
    from evalkit.runspec import RunSpec
    from evalkit.store import StoreError, iter_samples, read_manifest
    from evalkit.variants import VariantError

    manifest = None
    if args.resume and not args.out:
        return _err("--resume needs --out DIR (the run folder to finish)")
    if args.resume and not Path(args.out).is_dir():
        return _err(f"--resume: {args.out}: no such run folder")
    if args.out and Path(args.out).exists():
        try:
            manifest = read_manifest(args.out)
        except StoreError as exc:
            return _err(str(exc))
        if args.resume and manifest is None and not Path(args.out, "samples.jsonl").exists():
            return _err(f"--resume: {args.out} holds no run (no manifest.json)")
    try:
        variants = resolve_variants(args, manifest)
    except VariantError as exc:
        return _err(str(exc))
    if not variants:
        return _err("give at least one --model MODEL or --variants FILE [--variant NAME]")
    tasks = args.tasks or (manifest or {}).get("suite") if args.resume else args.tasks
    if not tasks:
        return _err("--tasks SUITE is required (the folder of task fixtures)")
    old = manifest or {}
    epochs = args.epochs if args.epochs is not None else (old.get("epochs") if args.resume
                                                          else None) or 1
    shard = args.shard if args.shard is not None else (old.get("shard") if args.resume else None)
    limit = args.limit if args.limit is not None else (old.get("limit") if args.resume else None)
    concurrency = args.concurrency or (old.get("concurrency") if args.resume else None) or 8
    if manifest is not None:
        n_done = sum(1 for _ in iter_samples(args.out))
        print(f"evalkit: resuming run {manifest.get('run_id')} in {args.out} "
              f"({n_done} samples already present)", file=sys.stderr)

    import asyncio

    try:
        executor = args.executor or (old.get("executor_name") if args.resume else None)
        spec = RunSpec.of(tasks, variants, epochs=epochs, out=args.out,
                          results_root=args.results_dir, concurrency=concurrency, shard=shard,
                          limit=limit, max_cost=args.max_cost, max_tokens=args.max_tokens,
                          retry_errors=args.retry_errors, executor=executor or "local",
                          argv=sys.argv[1:])
        result = run(spec, progress=not args.no_progress, announce=True, handle_signals=True)
    except EnvironmentNotReady as exc:
        print(f"evalkit run: {exc}\nNothing ran. `evalkit doctor` repeats these checks.",
              file=sys.stderr)
        return exitcodes.ENVIRONMENT
    except (RunError, VariantError, FixtureError, ValueError) as exc:
        return _err(str(exc))
    except (OSError, StoreError) as exc:  # a full disk, a lost folder: the work so far is kept
        from evalkit.runner import describe_failure

        where = args.out or "<the run folder printed above>"
        print(f"evalkit run: stopped: {describe_failure(exc)}; finished samples are saved. "
              f"Fix the cause, then finish with: evalkit run --resume --out {where}",
              file=sys.stderr)
        return exitcodes.INCOMPLETE
    except (KeyboardInterrupt, asyncio.CancelledError):
        where = args.out or "<the run folder printed above>"
        print(f"evalkit: interrupted; finished samples are saved. Finish with: evalkit run "
              f"--resume --out {where}", file=sys.stderr)
        return exitcodes.INCOMPLETE

    print(format_summary(summary_rows(iter_samples(result.run_dir))))
    errors = result.errors
    parts = [f"{result.n_ran} samples ran", f"{errors} errored",
             f"{result.ran_limits} hit a limit"]
    if result.skipped:
        parts.append(f"{result.skipped} were already done")
    if result.run_errors != errors:
        parts.append(f"{result.run_errors} errored in the whole run")
    if result.fixture_errors:
        parts.append(f"{len(result.fixture_errors)} fixtures skipped (did not load)")
    code = result.exit_code
    status = result.status
    if status == "complete" and code == exitcodes.ERRORS:
        status = "complete with errors"
    print(f"\nrun {result.run_id}: {status}"
          + (f" ({result.reason})" if result.reason else "") + "; " + ", ".join(parts)
          + f"\nresults: {result.run_dir}/samples.jsonl")
    if result.run_errors:
        print(f"evalkit: {result.run_errors} samples errored (the rates above exclude them); "
              "their lines carry the message in 'error'. Re-run them with: evalkit run "
              f"--resume --retry-errors --out {result.run_dir}", file=sys.stderr)
    if result.fixture_errors:
        print(f"evalkit: {len(result.fixture_errors)} fixtures did not load and were skipped "
              "(see the warnings above, or `evalkit tasks validate`)", file=sys.stderr)
    if result.status != "complete" and result.reason and result.reason.startswith("budget"):
        print(f"evalkit: stopped early: {result.reason}. Continue with: evalkit run --resume "
              f"--out {result.run_dir}", file=sys.stderr)
    print(f"evalkit run: exit {code} ({exitcodes.MEANINGS[code]})", file=sys.stderr)
    return code
