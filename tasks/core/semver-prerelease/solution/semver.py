"""Semantic version parsing and ordering for the release tool."""

from __future__ import annotations

import re
from typing import NamedTuple

_RE = re.compile(
    r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$"
)


class Version(NamedTuple):
    major: int
    minor: int
    patch: int
    prerelease: str = ""
    build: str = ""


def parse(text: str) -> Version:
    """Parse ``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]``; raises ValueError otherwise."""
    m = _RE.match(text.strip().removeprefix("v"))
    if not m:
        raise ValueError(f"not a semantic version: {text!r}")
    major, minor, patch, pre, build = m.groups()
    return Version(int(major), int(minor), int(patch), pre or "", build or "")


def _pre_key(pre: str) -> tuple:
    """Sort key for a pre-release tag; no tag sorts above any tag (semver.org rule 11)."""
    if not pre:
        return (1,)
    idents = []
    for part in pre.split("."):
        # numeric identifiers sort before alphanumeric ones, and numerically
        idents.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return (0, tuple(idents))


def compare(a: str, b: str) -> int:
    """Return -1, 0 or 1 as ``a`` is lower than, equal to or higher than ``b``."""
    va, vb = parse(a), parse(b)
    ka = (va.major, va.minor, va.patch, _pre_key(va.prerelease))
    kb = (vb.major, vb.minor, vb.patch, _pre_key(vb.prerelease))
    return (ka > kb) - (ka < kb)


def latest(versions: list[str]) -> str:
    """The highest version in ``versions``."""
    best = versions[0]
    for v in versions[1:]:
        if compare(v, best) > 0:
            best = v
    return best
