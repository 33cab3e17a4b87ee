"""Minimal CSV parsing (one record per line)."""

from __future__ import annotations


def parse_line(line: str, sep: str = ",") -> list[str]:
    """Split one CSV record into its fields."""
    line = line.rstrip("\r\n")
    return line.split(sep)


def parse_text(text: str, sep: str = ",") -> list[list[str]]:
    """Parse every non-empty line of ``text``."""
    return [parse_line(line, sep) for line in text.splitlines() if line.strip()]
