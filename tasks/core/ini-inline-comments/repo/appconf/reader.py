"""A small INI reader: sections, key = value, comments."""

from __future__ import annotations


class ConfigError(ValueError):
    """A line that cannot be parsed; the message carries the line number."""


def load(text: str) -> dict[str, dict[str, str]]:
    """Parse ``text`` into {section: {key: value}}; keys before any section go in "DEFAULT"."""
    config: dict[str, dict[str, str]] = {}
    section = "DEFAULT"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            config.setdefault(section, {})
            continue
        if "=" not in line:
            raise ConfigError(f"line {lineno}: expected 'key = value', got {raw!r}")
        key, _, value = line.partition("=")
        config.setdefault(section, {})[key.strip()] = value.strip()
    return config
