"""Query-string helpers for the link shortener."""

from __future__ import annotations

from urllib.parse import unquote_plus


def parse_query(qs: str) -> dict[str, str | list[str]]:
    """Parse ``a=1&b=2`` into a dict.

    Repeated keys give a list of values in order; a key without ``=`` maps to "".
    ``+`` means a space and ``%XX`` escapes are decoded as UTF-8.
    """
    result: dict[str, str | list[str]] = {}
    if qs.startswith("?"):
        qs = qs[1:]
    for part in qs.split("&"):
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        key, value = unquote_plus(raw_key), unquote_plus(raw_value)
        if key in result:
            existing = result[key]
            if isinstance(existing, list):
                existing.append(value)
            else:
                result[key] = [existing, value]
        else:
            result[key] = value
    return result


def build_query(params: dict[str, str]) -> str:
    """Inverse of parse_query for simple string values (used by the redirect page)."""
    return "&".join(f"{k}={v}" for k, v in params.items())
