"""A dependency-free progress bar on stderr: done/total, errors, tokens, cost, ETA.

On a terminal it redraws one line with ``\\r`` (at most ten times a second); otherwise (CI logs,
pipes) it prints a plain line every ``interval`` seconds and one at the end, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def _fmt_tokens(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 10_000:
        return f"{n / 1e3:.0f}k"
    if n >= 1000:
        return f"{n / 1e3:.1f}k"
    return str(n)


def _fmt_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(max(seconds, 0))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    def __init__(self, total: int, *, label: str = "", stream: TextIO | None = None,
                 tty: bool | None = None, interval: float = 10.0, width: int = 24,
                 enabled: bool = True) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = interval
        self.width = width
        self.enabled = enabled
        self.done = 0
        self.errors = 0
        self.limits = 0
        self.tokens = 0
        self.cost = 0.0
        self.start = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False
        #: optional callable giving extra text, e.g. API retries so far ("retries 3")
        self.extra: Callable[[], str] | None = None

    def update(self, *, status: str = "ok", tokens: int = 0, cost: float = 0.0) -> None:
        self.done += 1
        self.errors += status == "error"
        self.limits += status == "limit"
        self.tokens += tokens
        self.cost += cost
        self.draw()

    def eta(self) -> float | None:
        if self.done == 0 or self.done >= self.total:
            return None if self.done == 0 else 0.0
        elapsed = time.monotonic() - self.start
        return elapsed / self.done * (self.total - self.done)

    def line(self) -> str:
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.start
        parts = [
            f"{self.label} " if self.label else "",
            f"[{bar}] {self.done}/{self.total}",
            f" | errors {self.errors}",
            f" | limits {self.limits}" if self.limits else "",
            f" | tokens {_fmt_tokens(self.tokens)}",
            f" | ${self.cost:.2f}",
            f" | {elapsed:.0f}s",
            f" | ETA {_fmt_eta(self.eta())}",
        ]
        if self.extra is not None:
            try:
                more = self.extra()
            except Exception:  # a display helper must never break the run
                more = ""
            if more:
                parts.append(f" | {more}")
        return "".join(parts)

    def draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if force or now - self._last_draw >= 0.1 or self.done >= self.total:
                self.stream.write("\r\x1b[K" + self.line())
                self.stream.flush()
                self._last_draw = now
                self._drawn = True
        elif force or now - self._last_draw >= self.interval:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._last_draw = now

    def close(self) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.draw(force=True)
            self.stream.write("\n")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
