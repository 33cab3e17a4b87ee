"""A small INI reader: sections, key = value, comments."""

from __future__ import annotations

import re


class ConfigError(ValueError):
    """A line that cannot be parsed; the message carries the line number."""


_INLINE_COMMENT = re.compile(r"\s[;#]")


def _value(raw: str, lineno: int) -> str:
    """Strip an inline comment; a double-quoted value is taken literally."""
    raw = raw.strip()
    if raw.startswith('"'):
        end = raw.find('"', 1)
        if end < 0:
            raise ConfigError(f"line {lineno}: unterminated quoted value")
        rest = raw[end + 1 :].strip()
        if rest and rest[0] not in ";#":
            raise ConfigError(f"line {lineno}: unexpected text after quoted value")
        return raw[1:end]
    m = _INLINE_COMMENT.search(raw)
    return (raw[: m.start()] if m else raw).strip()


def load(text: str) -> dict[str, dict[str, str]]:
    """Parse ``text`` into {section: {key: value}}; keys before any section go in "DEFAULT".

    Section and key names are case-insensitive (stored lower-case, except "DEFAULT").
    """
    config: dict[str, dict[str, str]] = {}
    section = "DEFAULT"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            config.setdefault(section, {})
            continue
        if "=" not in line:
            raise ConfigError(f"line {lineno}: expected 'key = value', got {raw!r}")
        key, _, value = line.partition("=")
        config.setdefault(section, {})[key.strip().lower()] = _value(value, lineno)
    return config
