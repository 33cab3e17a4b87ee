"""The ``evalkit`` command line: a thin dispatcher over ``evalkit.commands.*``.

Each command module defines ``register(subparsers)``, which adds its parser and sets
``func=<callable(args) -> int>``. Command modules must import nothing heavy at module level so
that ``evalkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from evalkit import __version__, exitcodes

#: Command modules under evalkit.commands, in the order --help lists them.
COMMANDS = ("run", "grade", "stats", "compare", "nightly", "tasks", "merge", "export", "doctor")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Measure how often coding models make false claims about their own work.",
    )
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"evalkit.commands.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name != f"evalkit.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return exitcodes.USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:  # stopped before done: the same code as an interrupted run
        print("evalkit: interrupted", file=sys.stderr)
        return exitcodes.INCOMPLETE
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
