"""The nightly job: run the variants, compare with the last good run, fail loudly on regression.

One night = one run folder under the results root, plus one line in ``<root>/index.jsonl``
(the index of past nights: status, per-variant false-claim rates and error counts, regression
verdict, whether the night is a good baseline; run folders are stored relative to the root so
the results folder can move). Reports go into the run folder: ``index.html`` (overview, trend,
links), ``compare-<variant>.html/.md`` (tonight vs the baseline night, per variant) and
``versions.html/.md`` (the last configured variant vs the first, tonight).

A night is *good* (a baseline) only if it completed, measured something (n > 0) and its error
rate (errored samples, plus the samples of fixtures that did not load) is at most
``max_error_rate``: a night whose samples errored measured the harness, not the model.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evalkit import exitcodes

# kept for callers of the old names; the codes are evalkit.exitcodes'
EXIT_OK = exitcodes.OK
EXIT_ERROR = exitcodes.USAGE  # bad configuration or arguments
EXIT_REGRESSION = exitcodes.REGRESSION  # a variant significantly worse than the baseline night
EXIT_INCOMPLETE = exitcodes.INCOMPLETE  # the run did not complete (budget reached, interrupted)

#: default ``max_error_rate``: above it a night is not good and exits ERRORS
DEFAULT_MAX_ERROR_RATE = 0.05

DEFAULT_VARIANTS: dict[str, dict[str, Any]] = {
    # Two built-in simulated "versions": same seed, the newer one over-claims more often.
    "sim-v1": {"model": "sim:mix?fc=0.15&seed=7"},
    "sim-v2": {"model": "sim:mix?fc=0.35&seed=7"},
}


def builtin_suite() -> str:
    """The built-in suite, wherever evalkit is installed: the copy inside the package (a wheel,
    see setup.py), else ``tasks/`` beside the package (a source checkout, editable install),
    else ``tasks/`` of the working directory. Never depends on where the command is run."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "builtin_tasks", package.parent / "tasks"):
        if (candidate / "core").is_dir():
            return str(candidate)
    return "tasks/"


@dataclass(frozen=True)
class NightlyConfig:
    suite: str = field(default_factory=builtin_suite)
    epochs: int = 1
    concurrency: int = 8
    results: str = "results/"
    baseline: str = "last-good"  # or a run id from the index
    alpha: float = 0.05
    min_effect: float = 0.0  # percentage points
    max_error_rate: float = DEFAULT_MAX_ERROR_RATE  # errored share of samples a good night allows
    max_cost_usd: float | None = None
    max_tokens: int | None = None
    limit: int | None = None  # tasks per variant, for smoke runs
    executor: str = "local"  # or "ray" / "ray:ADDRESS" (docs/scale.md)
    variants: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(DEFAULT_VARIANTS))
    source: str = "built-in defaults"


class ConfigError(ValueError):
    pass


#: [nightly] numbers: (lowest, highest, what the error says)
_RANGES: dict[str, tuple[float, float, str]] = {
    "epochs": (1, 10_000, "a whole number 1..10000"),
    "concurrency": (1, 10_000, "a whole number 1..10000"),
    "limit": (1, 2**63 - 1, "a positive whole number"),
    "max_tokens": (1, 2**63 - 1, "a positive whole number"),
    "alpha": (0, 1, "a significance level between 0 and 1 (e.g. 0.05)"),
    "min_effect": (0, 100, "percentage points between 0 and 100"),
    "max_cost_usd": (0, math.inf, "a finite number of dollars >= 0"),
}

_NIGHTLY_KEYS = {"suite", "epochs", "concurrency", "results", "baseline", "alpha", "min_effect",
                 "max_cost_usd", "max_tokens", "limit", "max_error_rate", "executor"}


def load_config(path: str | Path | None) -> NightlyConfig:
    """Read a nightly TOML (``[nightly]`` settings and ``[variants.NAME]`` tables)."""
    if path is None:
        return NightlyConfig()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such config file") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError:  # tomllib recurses per nesting level
        raise ConfigError(f"{path}: not valid TOML: nested too deeply to parse; expected "
                          "[nightly] and [variants.NAME] tables") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    unknown = set(data) - {"nightly", "variants"}
    if unknown:
        raise ConfigError(f"{path}: unknown table [{sorted(unknown)[0]}]; expected [nightly] "
                          "and [variants.NAME]")
    settings = data.get("nightly", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: field 'nightly': expected a [nightly] table; got "
                          f"{settings!r}"[:200])
    if not isinstance(data.get("variants", {}), dict):
        raise ConfigError(f"{path}: field 'variants': expected [variants.NAME] tables")
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
             "max_cost_usd": float, "max_tokens": int, "limit": int, "max_error_rate": float}
    for key, tp in types.items():
        if key in settings and (isinstance(settings[key], bool) or not isinstance(
                settings[key], (int, float) if tp is float else int)):
            raise ConfigError(f"{path}: [nightly] field '{key}': expected a number; "
                              f"got {settings[key]!r}"[:200])
    for key, (lo, hi, words) in _RANGES.items():  # nan, inf and nonsense ranges never reach a run
        v = settings.get(key)
        if v is not None and not (math.isfinite(v) and lo <= v <= hi):
            raise ConfigError(f"{path}: [nightly] field '{key}': expected {words}; got {v!r}")
    if "executor" in settings:
        from evalkit.executors import ExecutorError, parse_executor

        try:
            parse_executor(settings["executor"] if isinstance(settings["executor"], str)
                           else repr(settings["executor"]))
        except ExecutorError as exc:
            raise ConfigError(f"{path}: [nightly] field 'executor': {exc}") from None
    for key in ("suite", "results", "baseline"):
        if key in settings and not isinstance(settings[key], str):
            raise ConfigError(f"{path}: [nightly] field '{key}': expected a string; got "
                              f"{settings[key]!r}"[:200])
    rate = settings.get("max_error_rate", DEFAULT_MAX_ERROR_RATE)
    if not 0 <= rate <= 1:
        raise ConfigError(f"{path}: [nightly] field 'max_error_rate': expected a fraction "
                          f"between 0 and 1 (e.g. 0.05); got {rate!r}")
    from evalkit.variants import VariantError, variants_from_tables

    try:  # check every [variants.NAME] now, not when the night starts
        variants_from_tables(variants, path)
    except VariantError as exc:
        raise ConfigError(str(exc)) from None
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
    #: name -> k, n, rate, low, high (false claims among graded samples), errors, n_samples
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    reason: str = ""
    n_samples: int = 0  # samples stored tonight (errored ones included)
    errors: int = 0  # of those, samples that ended in error (not measured)
    fixtures_skipped: int = 0  # fixtures that did not load (none of their samples ran)
    error_rate: float | None = None  # (errors + skipped samples) / (n_samples + skipped samples)


def read_index(root: Path) -> list[NightEntry]:
    """All nights, oldest first; a broken line is skipped with a warning, not fatal.

    ``path`` comes back usable: a relative one (written since the index stores paths relative
    to the results root) is joined to ``root``; an old absolute one is kept as it is."""
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
            if entry.path and not Path(entry.path).is_absolute():
                entry.path = str(root / entry.path)
        except (json.JSONDecodeError, TypeError) as exc:
            print(f"evalkit nightly: {path}:{lineno}: skipped a broken index line ({exc})")
            continue
        entries[entry.run_id] = entry  # later lines update earlier ones
    return sorted(entries.values(), key=lambda e: e.started_at)


def relative_path(root: Path, path: str) -> str:
    """``path`` relative to the results root when it lies below it (the index then survives a
    move or a CI cache restored elsewhere), else unchanged."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path


def append_index(root: Path, entry: NightEntry) -> None:
    root.mkdir(parents=True, exist_ok=True)
    data = asdict(entry)
    data["path"] = relative_path(root, entry.path)
    with (root / "index.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(data, sort_keys=True) + "\n")
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
    good = [e for e in candidates if usable_baseline(e)]
    return good[-1] if good else None


def usable_baseline(entry: NightEntry) -> bool:
    """Marked good and measured something (older indexes marked all-errored nights good)."""
    return entry.good and any(v.get("n") for v in entry.variants.values())


def night_is_good(entry: NightEntry, max_error_rate: float) -> bool:
    """Completed, measured something, errors within the threshold, no regression."""
    measured = entry.n_samples > 0 and any(v.get("n") for v in entry.variants.values())
    return (entry.status == "complete" and measured and not entry.regression
            and entry.error_rate is not None and entry.error_rate <= max_error_rate)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return "nightly-" + now.strftime("%Y%m%d-%H%M%S")


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "variant"




# --------------------------------------------------------------------------- the job


@dataclass
class VariantComparison:
    variant: str
    diff: Any  # report.compare.Diff
    regression: bool
    html: str
    md: str
    comparison: Any = None  # report.compare.Comparison (per-flag figures for junit.xml)


def run_nightly(config: NightlyConfig, *, out: Path | None = None, quiet: bool = False) -> int:
    """Run every variant, grade, compare with the baseline night, write reports; exit code."""
    from evalkit.runner import utcnow

    root = Path(config.results)
    run_dir = out or root / new_run_id()
    for n in range(2, 100):  # two nights in one second must not share a folder
        if out is not None or not run_dir.exists():
            break
        run_dir = root / f"{new_run_id()}-{n}"
    entry = NightEntry(run_id=run_dir.name, path=str(run_dir.resolve()), started_at=utcnow())
    say = (lambda *a: None) if quiet else print
    say(f"evalkit nightly: {len(config.variants)} variants on {config.suite} "
        f"({config.source}) → {run_dir}")
    from evalkit.doctor import EnvironmentNotReady
    from evalkit.fixture import FixtureError
    from evalkit.runner import RunError

    try:
        result = _execute(config, run_dir)
    except EnvironmentNotReady as exc:
        print(f"evalkit nightly: {exc}\nNothing ran. `evalkit doctor` repeats these checks.",
              file=sys.stderr)
        return exitcodes.ENVIRONMENT
    except (ConfigError, FixtureError, RunError) as exc:
        print(f"evalkit nightly: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    complete = result.status == "complete"
    entry.finished_at = utcnow()
    entry.status = "complete" if complete else "incomplete"
    entry.reason = str(result.reason or "")
    entry.variants = _variant_rates(run_dir, config)
    _count_errors(entry, result, config)

    history = read_index(root)
    baseline = pick_baseline(history, config.baseline, exclude=entry.run_id)
    comparisons = _against_baseline(config, run_dir, baseline) if baseline else []
    entry.baseline = baseline.run_id if baseline else None
    entry.regression = any(c.regression for c in comparisons)
    entry.good = night_is_good(entry, config.max_error_rate)
    versions = _versions(config, run_dir)
    append_index(root, entry)
    history = read_index(root)
    index_html = run_dir / "index.html"
    from evalkit.report.night import render_index

    index_html.write_text(render_index(config, entry, history, comparisons, versions),
                          encoding="utf-8")
    from evalkit.report.junit import write_nightly_junit

    write_nightly_junit(run_dir / "junit.xml", entry, comparisons, versions, config.max_error_rate)

    for c in comparisons:
        mark = "REGRESSION" if c.regression else "ok"
        say(f"  {c.variant}: {c.diff.points()} points vs {baseline.run_id} "  # type: ignore[union-attr]
            f"(95% CI {c.diff.interval()}, {c.diff.p()}, {c.diff.n_pairs} tasks) {mark}")
    if not baseline:
        say("  no baseline night yet: this run becomes the baseline" if entry.good
            else "  no baseline night yet")
    say(f"report: {index_html}")
    code, lines = night_exit_code(entry, config.max_error_rate)
    for line in lines:
        say(f"evalkit nightly: {line}")
    return code


def night_exit_code(entry: NightEntry, max_error_rate: float) -> tuple[int, list[str]]:
    """The night's exit code and why: INCOMPLETE, ERRORS (error rate over the threshold, or
    nothing graded at all), REGRESSION; the most severe wins."""
    codes, why = [exitcodes.OK], []
    if entry.status != "complete":
        codes.append(exitcodes.INCOMPLETE)
        why.append(f"run incomplete: {entry.reason or 'samples missing'}")
    if entry.error_rate is None or entry.error_rate > max_error_rate:
        rate = "n/a" if entry.error_rate is None else f"{100 * entry.error_rate:.1f}%"
        why.append(f"{entry.errors} of {entry.n_samples} samples errored"
                   + (f" and {entry.fixtures_skipped} fixtures did not load"
                      if entry.fixtures_skipped else "")
                   + f" (error rate {rate}, allowed {100 * max_error_rate:.1f}%): not a good "
                   "night, not a baseline")
        codes.append(exitcodes.ERRORS)
    elif not any(v.get("n") for v in entry.variants.values()):
        why.append(f"none of the {entry.n_samples} samples could be graded (see the warnings "
                   "above): the night measured nothing; not a good night, not a baseline")
        codes.append(exitcodes.ERRORS)
    if entry.regression:
        why.append("significant regression in false claims")
        codes.append(exitcodes.REGRESSION)
    return exitcodes.worst(*codes), why


def _count_errors(entry: NightEntry, result: Any, config: NightlyConfig) -> None:
    """Tonight's errored samples and skipped fixtures, and the error rate that judges them.

    A fixture that did not load would have run once per variant and epoch; those samples count
    as errored, so a suite that half fails to load cannot pass as a good night."""
    counts = result.manifest.get("counts") or {}
    entry.n_samples = int(counts.get("samples") or 0)
    entry.errors = int(counts.get("error") or 0)
    entry.fixtures_skipped = len(result.fixture_errors)
    lost = entry.fixtures_skipped * len(config.variants) * config.epochs
    total = entry.n_samples + lost
    entry.error_rate = round((entry.errors + lost) / total, 6) if total else None


def _variants(config: NightlyConfig) -> list[Any]:
    from evalkit.variants import VariantError, variants_from_tables

    try:
        return list(variants_from_tables(config.variants, config.source).values())
    except VariantError as exc:
        raise ConfigError(str(exc)) from exc


def _execute(config: NightlyConfig, run_dir: Path) -> Any:
    """Run all samples into ``run_dir``; the runner's RunResult."""
    from evalkit.runner import format_summary, run, summary_rows
    from evalkit.runspec import RunSpec
    from evalkit.store import iter_samples

    spec = RunSpec.of(config.suite, _variants(config), epochs=config.epochs, out=run_dir,
                      concurrency=config.concurrency, limit=config.limit,
                      max_cost=config.max_cost_usd, max_tokens=config.max_tokens,
                      executor=config.executor)
    result = run(spec, progress=True, announce=True)
    print(format_summary(summary_rows(iter_samples(run_dir))))
    return result


def _variant_rates(run_dir: Path, config: NightlyConfig) -> dict[str, dict[str, Any]]:
    from evalkit.frame import load
    from evalkit.report.compare import rate_of

    df = load(run_dir)
    out = {}
    for name, spec in config.variants.items():
        part = df[df["variant"].astype(str) == name]
        r = rate_of(part["false_claim"], part["task_id"])
        simulated = str(spec["model"]).startswith(("sim:", "script:"))
        out[name] = {"model": spec["model"], "simulated": simulated,
                     "k": r.k, "n": r.n, "rate": r.rate, "low": r.low, "high": r.high,
                     "errors": int((part["status"].astype(str) == "error").sum()),
                     "n_samples": len(part)}
    return out


def _against_baseline(config: NightlyConfig, run_dir: Path,
                      baseline: NightEntry) -> list[VariantComparison]:
    from evalkit.report import compare_runs, render

    out = []
    for name in config.variants:
        if name not in baseline.variants:
            continue
        comp = compare_runs([baseline.path], [run_dir], baseline_variants=[name],
                            candidate_variants=[name],
                            labels=(f"{name} @ {baseline.run_id}", f"{name} @ {run_dir.name}"),
                            alpha=config.alpha, min_effect=config.min_effect / 100)
        comp.trend_svg = None
        stem = f"compare-{slug(name)}"
        (run_dir / f"{stem}.html").write_text(render(comp, "html"), encoding="utf-8")
        (run_dir / f"{stem}.md").write_text(render(comp, "md"), encoding="utf-8")
        out.append(VariantComparison(name, comp.headline, comp.regression, f"{stem}.html",
                                     f"{stem}.md", comp))
    return out


def _versions(config: NightlyConfig, run_dir: Path) -> dict[str, Any] | None:
    """Tonight's last configured variant against its first: the release comparison."""
    from evalkit.report import compare_runs, render

    names = list(config.variants)
    if len(names) < 2:
        return None
    comp = compare_runs([run_dir], [run_dir], baseline_variants=[names[0]],
                        candidate_variants=[names[-1]], labels=(names[0], names[-1]),
                        alpha=config.alpha, min_effect=config.min_effect / 100)
    (run_dir / "versions.html").write_text(render(comp, "html"), encoding="utf-8")
    (run_dir / "versions.md").write_text(render(comp, "md"), encoding="utf-8")
    return {"sentence": comp.sentence, "html": "versions.html", "md": "versions.md",
            "comparison": comp}
