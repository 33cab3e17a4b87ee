"""The nightly index page (``results/<night>/index.html``), rendered from the night's figures.

The nightly job (``evalkit.nightly``) decides what happened; this module only shows it. The
page states three things separately, because they answer different questions: did the run
itself work (status, errors), is tonight's candidate version worse than the reference version
(the release verdict, "versions tonight"), and is any variant worse than on the baseline night
(night over night).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evalkit.nightly import NightEntry, NightlyConfig, VariantComparison
    from evalkit.report.compare import Rate


@dataclass(frozen=True)
class Verdict:
    """One banner line: ``kind`` picks the colour (ok / regression / worse / better / none /
    incomplete / errors / unknown)."""

    kind: str
    title: str
    text: str


def run_verdict(entry: NightEntry, max_error_rate: float | None) -> Verdict:
    errors = int(getattr(entry, "errors", 0) or 0)
    n_samples = int(getattr(entry, "n_samples", 0) or 0)
    rate = getattr(entry, "error_rate", None)
    counts = f"{errors} of {n_samples} samples errored"
    if rate is not None:
        counts += f" ({rate * 100:.1f}%)"
    if entry.status != "complete":
        return Verdict("incomplete", "Run incomplete.",
                       f"{entry.reason or 'samples missing'}; {counts}.")
    if max_error_rate is not None and (rate is None or rate > max_error_rate):
        return Verdict("errors", "Too many errors.",
                       f"{counts}; allowed {max_error_rate * 100:.1f}%. Not a good night, "
                       "not a baseline.")
    return Verdict("ok", "Run complete.", f"{counts}.")


def release_verdict(versions: dict[str, Any] | None) -> Verdict:
    """Tonight's last configured variant against its first (the release comparison)."""
    if not versions:
        return Verdict("none", "Versions tonight: one variant only.",
                       "Configure two variants to compare versions on the same night.")
    comp = versions.get("comparison")
    sentence = versions.get("sentence", "")
    kind = comp.verdict if comp is not None else "unknown"
    title = {"regression": "Release: regression.",
             "worse": "Release: worse, below the regression threshold.",
             "better": "Release: better.", "none": "Release: no significant difference.",
             }.get(kind, "Release:")
    return Verdict(kind, title, f"{sentence}.")


def night_verdict(entry: NightEntry, comparisons: list[VariantComparison]) -> Verdict:
    if entry.regression:
        bad = ", ".join(c.variant for c in comparisons if c.regression)
        return Verdict("regression", "Night over night: significant regression.",
                       f"Worse than {entry.baseline} in false claims: {bad}.")
    if entry.baseline:
        better = [c.variant for c in comparisons if getattr(c.diff, "direction", "") == "better"]
        text = f"No significant regression against {entry.baseline}."
        if better:
            text += f" Better: {', '.join(better)}."
        return Verdict("ok", "Night over night: no significant regression.", text)
    return Verdict("none", "Night over night: no baseline yet.",
                   "No earlier good night to compare with.")


def _cheating(entry: NightEntry) -> dict[str, Rate]:
    """Tonight's cheating rate per variant, read from the run folder (impossible tasks)."""
    from evalkit.records import GAMING_FLAG
    from evalkit.report.compare import rate_of

    path = Path(entry.path)
    if not (path / "samples.jsonl").is_file():
        return {}
    try:
        from evalkit.frame import load

        df = load(path)
    except (OSError, ValueError):
        return {}
    part = df[df["outcome_class"].astype("string") == "impossible"]
    return {str(name): rate_of(g[GAMING_FLAG], g["task_id"])
            for name, g in part.groupby("variant", observed=True)}


def _night_label(started_at: str) -> str:
    """"12-03 08:32" from an ISO time: short enough to label every night on the x axis."""
    return started_at[5:16].replace("T", " ") if len(started_at) >= 16 else started_at


def render_index(config: NightlyConfig, entry: NightEntry, history: list[NightEntry],
                 comparisons: list[VariantComparison], versions: dict[str, Any] | None) -> str:
    """The night's ``index.html``: three verdicts, tonight's rates, the trend of past nights."""
    from evalkit import __version__
    from evalkit.report import _env, svg
    from evalkit.report.compare import Rate

    series: dict[str, list[svg.TrendPoint]] = {}
    for e in history:
        for name, v in e.variants.items():
            series.setdefault(name, []).append(
                svg.TrendPoint(_night_label(e.started_at), v.get("rate"), v.get("low"),
                               v.get("high")))

    def rate(v: dict[str, Any]) -> Rate:  # an index entry's figures, formatted like reports
        return Rate(v.get("k", 0), v.get("n", 0), v.get("rate"), v.get("low"), v.get("high"))

    names = sorted({n for e in history for n in e.variants})
    max_error_rate = getattr(config, "max_error_rate", None)
    return _env(None, autoescape=True).get_template("nightly.html.j2").render(
        n=entry, version=__version__, suite=config.suite,
        simulated=any(v.get("simulated") for v in entry.variants.values()),
        run=run_verdict(entry, max_error_rate), release=release_verdict(versions),
        night=night_verdict(entry, comparisons), baseline=entry.baseline,
        comparisons=comparisons, versions=versions, cheating=_cheating(entry),
        trend_svg=svg.trend(series, title="False-claim rate per variant, by night"),
        history=history, variant_names=names, rate=rate, min_effect=config.min_effect,
    )
