"""Bounded JSON reading for every evalkit reader of untrusted lines (imports, results, grades).

Why: the stdlib parser recurses once per nesting level (a line of 10,000 ``[`` raises
RecursionError and used to kill a whole file), accepts ``NaN``/``Infinity`` and escaped lone
surrogates (``"\\ud800"``, which later crash any UTF-8 write), and a reader iterating a file
line by line holds a multi-GB line whole. This module turns each of those into a
:class:`JSONError` that names the line's field, so the caller reports that one record and reads on.

API (small on purpose; importers should use it rather than ``json.loads``)::

    from evalkit import safejson

    for lineno, obj, err in safejson.iter_jsonl(path):      # bounded lines, bounded depth
        if err is not None:
            report(f"{path}:{lineno}: {err}")              # err names the field
            continue
        ...

    obj = safejson.loads(text)          # one document: depth, NaN/Infinity, lone surrogates
    safejson.check(obj)                 # same checks on an already-parsed object
    safejson.identifier(v, "id")        # non-empty str/int without NUL or control characters
    safejson.number(v, "usage.input_tokens", lo=0, integer=True)   # finite and in range
    safejson.dumps_line(obj)            # one output line that always encodes as UTF-8

Decisions (documented in README's "bad input" section): a lone surrogate anywhere in a record
rejects that record naming the field (it cannot be written back as UTF-8 and would be mangled
on output); a NUL is allowed inside text (it is escaped as ``\\u0000`` on output) but rejected in
identifiers (ids, task ids, models, paths), which end up as keys, file names and terminal
output. Raw NUL bytes in a line are invalid JSON already.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["MAX_DEPTH", "MAX_LINE_BYTES", "JSONError", "check", "dumps_line", "identifier",
           "iter_jsonl", "loads", "number"]

#: Deepest nesting accepted (real transcripts stay under 12: message > content > block > input).
MAX_DEPTH = 64
#: Longest line read whole (a transcript line of a long agent session is a few MB).
MAX_LINE_BYTES = 256 * 1024 * 1024

_CHUNK = 1 << 20


class JSONError(ValueError):
    """One JSON document (line) is unusable: ``field`` names where (a long path is cut in the
    message), the message says what was expected."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        shown = field if field is None or len(field) <= 80 else field[:80] + "…"
        super().__init__(f"field '{shown}': {message}" if field else message)


def _path(parent: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _has_surrogate(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check(obj: Any, *, max_depth: int = MAX_DEPTH, surrogates: bool = True,
          finite: bool = True) -> None:
    """Raise JSONError naming the first field nested deeper than ``max_depth``, holding a lone
    surrogate (in a key or a string), or a non-finite float. Iterative: never recurses."""
    stack: list[tuple[Any, str, int]] = [(obj, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if surrogates and _has_surrogate(value):
                raise JSONError("holds a lone surrogate (\\ud800-\\udfff escape); expected "
                                "valid Unicode text", where or None)
        elif isinstance(value, float):
            if finite and not math.isfinite(value):
                raise JSONError(f"expected a finite number, got {value!r}", where or None)
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                raise JSONError(f"nested deeper than {max_depth} levels; expected a flatter "
                                "structure", where or None)
            if isinstance(value, dict):
                for k, v in value.items():
                    if surrogates and isinstance(k, str) and _has_surrogate(k):
                        raise JSONError("a key holds a lone surrogate; expected valid Unicode "
                                        "text", where or None)
                    stack.append((v, _path(where, k), depth + 1))
            else:
                for i, v in enumerate(value):
                    stack.append((v, _path(where, i), depth + 1))


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON document with the checks of :func:`check` (JSONError on any problem).

    Cheap on clean input: the tree is only walked when the raw text could break a rule
    (enough brackets to be deep, a ``\\ud8``–``\\udf`` escape)."""
    if isinstance(text, bytes | bytearray):
        # invalid UTF-8 becomes U+FFFD, as the readers always did: the record stays readable
        text = bytes(text).decode("utf-8", errors="replace")
    nonfinite = False

    def parse_float(s: str) -> float:
        nonlocal nonfinite
        f = float(s)
        if not math.isfinite(f):  # 1e999
            nonfinite = True
        return f

    def parse_constant(name: str) -> float:  # NaN, Infinity: found and named by check()
        nonlocal nonfinite
        nonfinite = True
        return float(name.lower().replace("infinity", "inf"))

    try:
        obj = json.loads(text, parse_constant=parse_constant, parse_float=parse_float)
    except RecursionError:
        raise JSONError(f"nested too deeply to parse; expected at most {max_depth} levels"
                        ) from None
    except JSONError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    deep = text.count("[") + text.count("{") > max_depth
    sur = False
    if "\\u" in text or "\\U" in text:
        lower = text.lower()
        sur = any(f"\\ud{c}" in lower for c in "89abcdef")
    if deep or sur or nonfinite:
        check(obj, max_depth=max_depth, surrogates=sur, finite=nonfinite)
    return obj


def _read_line(fh: BinaryIO, max_bytes: int) -> tuple[bytes | None, bool]:
    """(line, too_long); a too-long line is skipped to its newline without being held."""
    raw = fh.readline(max_bytes + 1)
    if not raw:
        return None, False
    if len(raw) <= max_bytes or raw.endswith(b"\n"):
        return raw, False
    while True:  # drain the rest of the over-long line in bounded chunks
        rest = fh.readline(_CHUNK)
        if not rest or rest.endswith(b"\n"):
            return b"", True


def iter_jsonl(path: str | Path, *, max_depth: int = MAX_DEPTH,
               max_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, Any, JSONError | None]]:
    """(line number, object, None) per good non-blank line, (line number, None, error) per bad
    one. An unopenable file raises OSError (the caller names the file)."""
    with open(path, "rb") as fh:
        lineno = 0
        while True:
            raw, too_long = _read_line(fh, max_bytes)
            if raw is None:
                return
            lineno += 1
            if too_long:
                yield lineno, None, JSONError(f"line longer than {max_bytes} bytes; skipped")
                continue
            if not raw.strip():
                continue
            try:
                yield lineno, loads(raw, max_depth=max_depth), None
            except JSONError as exc:
                yield lineno, None, exc


def identifier(value: Any, field: str) -> str:
    """An id-like field as a string: a non-empty str (or int), no NUL/control characters and
    no lone surrogate (it becomes a key, a file name, a terminal line)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise JSONError(f"expected a non-empty string, got {_show(value)}", field)
    s = str(value)
    if any(ord(c) < 32 or ord(c) == 127 for c in s):
        raise JSONError("holds a NUL or control character; expected printable text", field)
    if _has_surrogate(s):
        raise JSONError("holds a lone surrogate; expected valid Unicode text", field)
    return s


def number(value: Any, field: str, *, lo: float | None = None, hi: float | None = None,
           integer: bool = False) -> float | int:
    """A finite number (int when ``integer``) in [lo, hi]; bools are not numbers."""
    kind = "an integer" if integer else "a number"
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok:
        raise JSONError(f"expected {kind}, got {_show(value)}", field)
    if isinstance(value, float) and not math.isfinite(value):
        raise JSONError(f"expected a finite number, got {value!r}", field)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        rng = f"{'-inf' if lo is None else lo:g}..{'inf' if hi is None else hi:g}"
        raise JSONError(f"expected {kind} in {rng}, got {_show(value)}", field)
    return value


def _show(value: Any) -> str:
    r = repr(value)
    return (r[:60] + "…") if len(r) > 60 else r


def dumps_line(obj: Any) -> str:
    """``obj`` as one JSON line (newline included) that always encodes as UTF-8: readable
    non-ASCII text when possible, ``\\uXXXX`` escapes when a lone surrogate slipped through."""
    s = json.dumps(obj, ensure_ascii=False)
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            s = json.dumps(obj, ensure_ascii=True)
    return s + "\n"
