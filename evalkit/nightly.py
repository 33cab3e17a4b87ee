"""The nightly job: run the variants, compare with the last good run, fail loudly on regression.

One night = one run folder under the results root, plus one line in ``<root>/index.jsonl``
(the index of past nights: status, per-variant false-claim rates, regression verdict, whether
the night is a good baseline). Reports go into the run folder: ``index.html`` (overview, trend,
links), ``compare-<variant>.html/.md`` (tonight vs the baseline night, per variant) and
``versions.html/.md`` (the last configured variant vs the first, tonight).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_ERROR = 2  # bad configuration or arguments
EXIT_REGRESSION = 3  # a variant is significantly worse than the baseline night
EXIT_INCOMPLETE = 4  # the run did not complete (budget reached, samples missing)

DEFAULT_VARIANTS: dict[str, dict[str, Any]] = {
    # Two built-in simulated "versions": same seed, the newer one over-claims more often.
    "sim-v1": {"model": "sim:mix?fc=0.15&seed=7"},
    "sim-v2": {"model": "sim:mix?fc=0.35&seed=7"},
}


@dataclass(frozen=True)
class NightlyConfig:
    suite: str = "tasks/"
    epochs: int = 1
    concurrency: int = 8
    results: str = "results/"
    baseline: str = "last-good"  # or a run id from the index
    alpha: float = 0.05
    min_effect: float = 0.0  # percentage points
    max_cost_usd: float | None = None
    max_tokens: int | None = None
    limit: int | None = None  # tasks per variant, for smoke runs
    variants: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(DEFAULT_VARIANTS))
    source: str = "built-in defaults"


class ConfigError(ValueError):
    pass


_NIGHTLY_KEYS = {"suite", "epochs", "concurrency", "results", "baseline", "alpha", "min_effect",
                 "max_cost_usd", "max_tokens", "limit"}


def load_config(path: str | Path | None) -> NightlyConfig:
    """Read a nightly TOML (``[nightly]`` settings and ``[variants.NAME]`` tables)."""
    if path is None:
        return NightlyConfig()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such config file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"nightly", "variants"}
    if unknown:
        raise ConfigError(f"{path}: unknown table [{sorted(unknown)[0]}]; expected [nightly] "
                          "and [variants.NAME]")
    settings = data.get("nightly", {})
    bad = set(settings) - _NIGHTLY_KEYS
    if bad:
        raise ConfigError(f"{path}: [nightly] unknown key '{sorted(bad)[0]}'; allowed: "
                          f"{', '.join(sorted(_NIGHTLY_KEYS))}")
    variants = data.get("variants") or dict(DEFAULT_VARIANTS)
    for name, spec in variants.items():
        if not isinstance(spec, dict) or "model" not in spec:
            raise ConfigError(f"{path}: [variants.{name}] field 'model': missing; expected e.g. "
                              "model = \"anthropic:claude-sonnet-4-5\"")
    types = {"epochs": int, "concurrency": int, "alpha": float, "min_effect": float,
             "max_cost_usd": float, "max_tokens": int, "limit": int}
    for key, tp in types.items():
        if key in settings and not isinstance(settings[key], (int, float) if tp is float else int):
            raise ConfigError(f"{path}: [nightly] field '{key}': expected a number; "
                              f"got {settings[key]!r}")
    base = Path(path).parent
    for key in ("suite", "results"):  # relative paths are relative to the config file
        if key in settings and not Path(settings[key]).is_absolute():
            settings[key] = str(base / settings[key])
    return NightlyConfig(**settings, variants=variants, source=str(path))


# --------------------------------------------------------------------------- index of nights


@dataclass
class NightEntry:
    run_id: str
    path: str
    started_at: str
    finished_at: str = ""
    status: str = "running"  # running | complete | incomplete
    good: bool = False  # usable as a baseline
    baseline: str | None = None
    regression: bool = False
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> k, n, rate, ...
    reason: str = ""


def read_index(root: Path) -> list[NightEntry]:
    """All nights, oldest first; a broken line is skipped with a warning, not fatal."""
    path = root / "index.jsonl"
    entries: dict[str, NightEntry] = {}
    if not path.is_file():
        return []
    fields = set(NightEntry.__dataclass_fields__)
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            entry = NightEntry(**{k: v for k, v in obj.items() if k in fields})
        except (json.JSONDecodeError, TypeError) as exc:
            print(f"evalkit nightly: {path}:{lineno}: skipped a broken index line ({exc})")
            continue
        entries[entry.run_id] = entry  # later lines update earlier ones
    return sorted(entries.values(), key=lambda e: e.started_at)


def append_index(root: Path, entry: NightEntry) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "index.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def pick_baseline(entries: list[NightEntry], wanted: str, exclude: str) -> NightEntry | None:
    """The last night marked good, or the named one; never tonight's."""
    candidates = [e for e in entries if e.run_id != exclude]
    if wanted != "last-good":
        for e in candidates:
            if e.run_id == wanted:
                return e
        raise ConfigError(f"baseline {wanted!r} is not in the index of nights")
    good = [e for e in candidates if e.good]
    return good[-1] if good else None


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return "nightly-" + now.strftime("%Y%m%d-%H%M%S")


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "variant"


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
