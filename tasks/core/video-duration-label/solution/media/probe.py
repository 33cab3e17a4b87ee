"""Video metadata via ffprobe (part of FFmpeg)."""

from __future__ import annotations

import json
import subprocess


def probe(path: str) -> dict:
    """ffprobe's JSON description of the file's format and streams."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        check=True, capture_output=True, text=True, timeout=10,
    ).stdout
    return json.loads(out)


def duration_seconds(path: str) -> float:
    return float(probe(path)["format"]["duration"])


def duration_label(path: str) -> str:
    """"M:SS" below an hour, "H:MM:SS" from an hour on."""
    total = round(duration_seconds(path))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"
