"""The ``evalkit`` command line: a thin dispatcher over ``evalkit.commands.*``.

Each command module defines ``register(subparsers)``, which adds its parser and sets
``func=<callable(args) -> int>``. Command modules must import nothing heavy at module level so
that ``evalkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

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


class _SurvivingStream:
    """stdout/stderr that outlive their reader: once the pipe breaks (``evalkit run | head``),
    further output goes to /dev/null and the work goes on, so a run is never left half done
    with its manifest saying "running" because nobody was reading its progress."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.broken = False

    def _switch(self) -> None:
        import os

        self.broken = True
        self._stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives on

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (BrokenPipeError, ValueError):  # ValueError: the stream was closed
            self._switch()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (BrokenPipeError, ValueError):
            self._switch()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _guard_streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _SurvivingStream):
            setattr(sys, name, _SurvivingStream(stream))


def main(argv: list[str] | None = None) -> int:
    _guard_streams()
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
    except BrokenPipeError:  # a pipe not written through sys.stdout/stderr: the work stopped
        print("evalkit: output pipe closed before the command finished", file=sys.stderr)
        return exitcodes.INCOMPLETE
    except Exception as exc:  # a bug or an unforeseen failure: one line, not a traceback
        import os
        import traceback

        if os.environ.get("EVALKIT_DEBUG"):
            traceback.print_exc()
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
        print(f"evalkit {args.command}: stopped by an unexpected error: "
              f"{type(exc).__name__}: {exc}{at}. Work already written is kept. "
              "Set EVALKIT_DEBUG=1 for the traceback, and please report it.", file=sys.stderr)
        return exitcodes.INCOMPLETE if args.command in ("run", "nightly") else exitcodes.FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
