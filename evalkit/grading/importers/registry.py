"""The import formats by name: how to read each, and how to recognise one when ``--format`` is
not given. Adding a format is one ``Format`` entry here and one reader module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evalkit.grading.importers.base import ImportedRecord, ImportFormatError, TranscriptError

__all__ = ["FORMATS", "REGISTRY", "Format", "detect_format", "reader"]

Reader = Callable[..., Iterator[ImportedRecord | TranscriptError]]


@dataclass(frozen=True)
class Format:
    name: str
    module: str  # evalkit.grading.importers.<module>
    reader: str  # its read function, called as reader(path, infer=...)
    #: recognises the format from the path/content (checked in registry order); None: never
    detect: Callable[[Path], bool] | None
    why: str  # said when the format was detected


def _mini(path: Path) -> bool:
    from evalkit.grading.importers.mini_swe_agent import looks_like_trajectory

    return looks_like_trajectory(path)


def _claude(path: Path) -> bool:
    from evalkit.grading.importers.claude_code import looks_like_claude_code

    return looks_like_claude_code(path)


def _inspect(path: Path) -> bool:
    if path.is_dir():
        return next(path.rglob("*.eval"), None) is not None
    return path.suffix == ".eval"


REGISTRY: dict[str, Format] = {f.name: f for f in (
    Format("jsonl", "jsonl", "read_jsonl", None, "is read as the JSONL import format"),
    Format("mini-swe-agent", "mini_swe_agent", "read_mini_swe_agent", _mini,
           "looks like mini-swe-agent trajectories"),
    Format("claude-code", "claude_code", "read_claude_code", _claude,
           "looks like a Claude Code log"),
    Format("inspect", "inspect_log", "read_inspect", _inspect, "looks like an Inspect log"),
)}
FORMATS: tuple[str, ...] = tuple(REGISTRY)


def reader(name: str) -> Reader:
    """The read function of format ``name`` (ImportFormatError naming the known ones)."""
    import importlib

    fmt = REGISTRY.get(name)
    if fmt is None:
        raise ImportFormatError(f"unknown format {name!r}: expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"evalkit.grading.importers.{fmt.module}")
    fn: Reader = getattr(module, fmt.reader)
    return fn


def detect_format(path: str | Path) -> tuple[str, str | None]:
    """(format, why) for input given without --format: the first format that recognises it,
    else the JSONL import format (``why`` None: the default, nothing to say)."""
    p = Path(path)
    for fmt in REGISTRY.values():
        if fmt.detect is not None and fmt.detect(p):
            return fmt.name, fmt.why
    return "jsonl", None
