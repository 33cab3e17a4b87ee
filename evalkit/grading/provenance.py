"""Which checks did an imported agent change? Provenance of test files from the transcript.

Imported transcripts (other harnesses, SWE-bench trajectories) rarely say which files are
protected. This module infers, from the agent's own actions, which test files it changed that
existed before it touched them (files it created itself are its own, not checks).
"""

from __future__ import annotations

from typing import Any

from evalkit.grading.evidence import PROTECTED_UNKNOWN, collect_evidence, looks_like_test_path

__all__ = ["infer_protected"]


def infer_protected(messages: tuple[dict[str, Any], ...]) -> tuple[str, ...]:
    """Test-looking files the agent changed or deleted (not ones it created itself)."""
    if not messages:
        return (PROTECTED_UNKNOWN,)
    ev = collect_evidence(messages, runs=False)
    created: set[str] = set()
    seen: set[str] = set()
    out: list[str] = []
    for a in ev.actions:
        if a.kind == "view":
            seen.update(a.paths)
            continue
        if a.kind != "edit":
            continue
        for p in a.paths:
            if not looks_like_test_path(p):
                continue
            is_create = any(c[0] == p and c[1] == "\0create" for c in a.changes)
            if is_create and p not in seen and p not in out:
                created.add(p)  # a new file the agent wrote: its own test, not a check
            elif p not in created and p not in out:
                out.append(p)
            seen.add(p)
    return tuple(out)
