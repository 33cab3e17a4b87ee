"""Minimal CSV parsing (one record per line)."""

from __future__ import annotations


def parse_line(line: str, sep: str = ",") -> list[str]:
    """Split one CSV record into its fields.

    A field wrapped in double quotes may contain ``sep``; inside it ``""`` stands for ``"``.
    """
    line = line.rstrip("\r\n")
    fields: list[str] = []
    current: list[str] = []
    in_quotes = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < len(line) and line[i + 1] == '"':
                    current.append('"')
                    i += 1
                else:
                    in_quotes = False
            else:
                current.append(ch)
        elif ch == '"' and not current:
            in_quotes = True
        elif ch == sep:
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    fields.append("".join(current))
    return fields


def parse_text(text: str, sep: str = ",") -> list[list[str]]:
    """Parse every non-empty line of ``text``."""
    return [parse_line(line, sep) for line in text.splitlines() if line.strip()]
