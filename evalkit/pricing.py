"""Token prices and the cost of a model call.

The built-in table lives in ``evalkit/data/prices.toml`` (USD per million tokens, with the date
it was read). Prices change, so a user TOML of the same shape can override or extend it:
``load_prices(path)`` merges it over the built-in table, and the ``EVALKIT_PRICES`` environment
variable names such a file for every run. An unknown model costs 0.0 and warns once, so a new
model name never stops a run; the report then shows a cost that is visibly too low.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from evalkit.records import Usage

__all__ = ["Price", "PriceTable", "load_prices", "default_prices", "price_for", "cost_usd"]

log = logging.getLogger(__name__)

#: What may follow a table key in a real model id: "-0", a date snapshot ("-20250929",
#: "@20250514" on Vertex), "-latest", a Bedrock version suffix ("-v1:0"), a "[1m]" context tag.
#: OpenAI's snapshots are dated with dashes ("gpt-4o-2024-08-06").
_SUFFIX = re.compile(
    r"^(?:-0)?(?:[-@]\d{8}|-\d{4}-\d{2}-\d{2})?(?:-latest)?(?:-v\d+(?::\d+)?)?(?:\[1m\])?$")

_FIELDS = ("input", "output", "cache_write", "cache_write_1h", "cache_read")


@dataclass(frozen=True)
class Price:
    """USD per million tokens for one model."""

    input: float
    output: float
    cache_write: float  # 5-minute cache write
    cache_read: float
    cache_write_1h: float | None = None  # None -> 2x input, Anthropic's published multiplier

    def cost(self, usage: Usage, *, cache_write_1h_tokens: int = 0) -> float:
        """Cost of ``usage``; ``cache_write_1h_tokens`` of the cache writes are billed at 1h."""
        w1h = min(max(cache_write_1h_tokens, 0), usage.cache_creation_input_tokens)
        w5m = usage.cache_creation_input_tokens - w1h
        rate_1h = self.cache_write_1h if self.cache_write_1h is not None else 2.0 * self.input
        total = (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + w5m * self.cache_write
            + w1h * rate_1h
            + usage.cache_read_input_tokens * self.cache_read
        )
        return total / 1_000_000


class PriceTable:
    """Model name -> Price, matched by the longest table key (or alias) the name starts with."""

    def __init__(self, rows: dict[str, Price], aliases: dict[str, str] | None = None) -> None:
        self.rows = dict(rows)
        self.aliases = dict(aliases or {})
        self._warned: set[str] = set()

    def lookup(self, model: str) -> tuple[str, Price] | None:
        """The (table key, Price) for ``model``, or None when no row matches."""
        name = _normalise(model)
        best: tuple[int, str] | None = None
        candidates = [(k, k) for k in self.rows] + list(self.aliases.items())
        for prefix, key in candidates:
            if name.startswith(prefix) and _SUFFIX.match(name[len(prefix) :]):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), key)
        if best is None or best[1] not in self.rows:
            return None
        return best[1], self.rows[best[1]]

    def price_for(self, model: str) -> Price | None:
        hit = self.lookup(model)
        return hit[1] if hit else None

    def cost(self, model: str, usage: Usage, *, cache_write_1h_tokens: int = 0) -> float:
        """USD for ``usage`` on ``model``; 0.0 and a one-time warning when the model is unknown."""
        price = self.price_for(model)
        if price is None:
            if model not in self._warned:
                self._warned.add(model)
                msg = (
                    f"evalkit: no price for model {model!r}; its cost is counted as $0. "
                    "Add it to a prices TOML and point EVALKIT_PRICES at it."
                )
                warnings.warn(msg, RuntimeWarning, stacklevel=2)
                log.warning(msg)
            return 0.0
        return price.cost(usage, cache_write_1h_tokens=cache_write_1h_tokens)


def _normalise(model: str) -> str:
    """Drop provider prefixes ("anthropic:", "openai:", Bedrock "us.anthropic.") and lower-case."""
    name = model.strip().lower()
    for prefix in ("anthropic:", "openai:"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    i = name.find("claude-")
    return name[i:] if i > 0 else name


def _parse(data: dict[str, Any], source: str) -> tuple[dict[str, Price], dict[str, str]]:
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise ValueError(f"{source}: [models] must be a table of model tables")
    rows: dict[str, Price] = {}
    aliases: dict[str, str] = {}
    for key, spec in models.items():
        if not isinstance(spec, dict):
            raise ValueError(f"{source}: models.{key} must be a table")
        unknown = set(spec) - set(_FIELDS) - {"aliases", "note"}
        if unknown:
            raise ValueError(
                f"{source}: models.{key}: unknown field(s) {sorted(unknown)}; "
                f"expected {', '.join(_FIELDS)}, aliases"
            )
        missing = [f for f in ("input", "output") if f not in spec]
        if missing:
            raise ValueError(f"{source}: models.{key}: missing {', '.join(missing)}")
        try:
            inp = float(spec["input"])
            rows[key.lower()] = Price(
                input=inp,
                output=float(spec["output"]),
                cache_write=float(spec.get("cache_write", 1.25 * inp)),
                cache_read=float(spec.get("cache_read", 0.1 * inp)),
                cache_write_1h=(
                    float(spec["cache_write_1h"]) if "cache_write_1h" in spec else None
                ),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: models.{key}: prices must be numbers ({exc})") from None
        for alias in spec.get("aliases", []):
            aliases[str(alias).lower()] = key.lower()
    return rows, aliases


@lru_cache(maxsize=1)
def _builtin() -> tuple[dict[str, Price], dict[str, str]]:
    text = resources.files("evalkit").joinpath("data/prices.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text), "evalkit/data/prices.toml")


def load_prices(path: Path | str | None = None) -> PriceTable:
    """The built-in table with ``path`` (or else ``$EVALKIT_PRICES``) merged over it.

    A user row replaces the built-in row of the same key; new keys are added. Missing cache
    rates default to Anthropic's multipliers (write 1.25x, read 0.1x input).
    """
    rows, aliases = _builtin()
    rows, aliases = dict(rows), dict(aliases)
    if path is None:
        env = os.environ.get("EVALKIT_PRICES")
        path = Path(env) if env else None
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"{path}: cannot read prices file ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
        user_rows, user_aliases = _parse(data, str(path))
        rows.update(user_rows)
        aliases.update(user_aliases)
    return PriceTable(rows, aliases)


_default: PriceTable | None = None


def default_prices() -> PriceTable:
    """The process-wide table (built-in + $EVALKIT_PRICES), loaded once."""
    global _default
    if _default is None:
        _default = load_prices()
    return _default


def price_for(model: str) -> Price | None:
    return default_prices().price_for(model)


def cost_usd(model: str, usage: Usage, *, cache_write_1h_tokens: int = 0) -> float:
    """USD for one call's ``usage`` on ``model`` using the default table."""
    return default_prices().cost(model, usage, cache_write_1h_tokens=cache_write_1h_tokens)
