"""Locate the real-transcript development set in ../shared/ (never committed to this repo).

``dev_set()`` returns the unpacked ``mini-swe-agent-gemini-3-pro-dev/`` folder, unpacking the
tarball once into a cache under the system temp dir when only the ``.tar.gz`` is present, or
None when the data is absent (tests then skip; benchmarks say so and exit).

Search order: ``$EVALKIT_REAL_TRANSCRIPTS`` (a folder holding the tarball or the unpacked set),
then ``../shared/data/real-transcripts/`` beside the repository.
"""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

NAME = "mini-swe-agent-gemini-3-pro-dev"
REPO = Path(__file__).resolve().parent.parent


def _roots() -> list[Path]:
    roots = []
    if os.environ.get("EVALKIT_REAL_TRANSCRIPTS"):
        roots.append(Path(os.environ["EVALKIT_REAL_TRANSCRIPTS"]))
    roots.append(REPO.parent / "shared" / "data" / "real-transcripts")
    return roots


def dev_set() -> Path | None:
    """The unpacked development set, or None when it is not on this machine."""
    for root in _roots():
        unpacked = root / NAME
        if (unpacked / "labels.csv").is_file():
            return unpacked
        tarball = root / f"{NAME}.tar.gz"
        if tarball.is_file():
            return _unpack(tarball)
    return None


def _unpack(tarball: Path) -> Path:
    st = tarball.stat()
    cache = Path(tempfile.gettempdir()) / f"evalkit-real-{st.st_size}-{int(st.st_mtime)}"
    target = cache / NAME
    if (target / "labels.csv").is_file():
        return target
    tmp = Path(tempfile.mkdtemp(prefix="unpack-", dir=cache.parent))
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp, filter="data")
    cache.mkdir(parents=True, exist_ok=True)
    try:
        (tmp / NAME).rename(target)
    except OSError:  # another process unpacked it first
        pass
    return target


def labels() -> dict[str, dict[str, str]] | None:
    """labels.csv as {instance id: row}, or None when the set is absent."""
    import csv

    root = dev_set()
    if root is None:
        return None
    with (root / "labels.csv").open(encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}
