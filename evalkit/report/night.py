"""The nightly index page (``results/<night>/index.html``), rendered from the night's figures.

The nightly job (``evalkit.nightly``) decides what happened; this module only shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evalkit.nightly import NightEntry, NightlyConfig, VariantComparison


def render_index(config: NightlyConfig, entry: NightEntry, history: list[NightEntry],
                 comparisons: list[VariantComparison], versions: dict[str, str] | None) -> str:
    """The night's ``index.html``: verdicts, tonight's rates, the trend of past nights."""
    from evalkit import __version__
    from evalkit.report import _env, svg
    from evalkit.report.compare import Rate

    series: dict[str, list[svg.TrendPoint]] = {}
    for e in history:
        for name, v in e.variants.items():
            series.setdefault(name, []).append(
                svg.TrendPoint(e.started_at[:16].replace("T", " "), v.get("rate"), v.get("low"),
                               v.get("high")))
    if entry.status != "complete":
        verdict, text = "incomplete", f"Run incomplete: {entry.reason or 'samples missing'}."
    elif entry.regression:
        bad = ", ".join(c.variant for c in comparisons if c.regression)
        verdict, text = "regression", f"Significant regression in false claims: {bad}."
    elif entry.baseline:
        verdict, text = "ok", f"No significant regression against {entry.baseline}."
    else:
        verdict, text = "ok", "Run complete. No baseline night to compare with yet."

    def rate(v: dict[str, Any]) -> Rate:  # an index entry's figures, formatted like reports
        return Rate(v.get("k", 0), v.get("n", 0), v.get("rate"), v.get("low"), v.get("high"))

    names = sorted({n for e in history for n in e.variants})
    return _env(None, autoescape=True).get_template("nightly.html.j2").render(
        n=entry, version=__version__, suite=config.suite,
        simulated=any(v.get("simulated") for v in entry.variants.values()),
        verdict=verdict, verdict_text=text, baseline=entry.baseline, comparisons=comparisons,
        versions=versions, trend_svg=svg.trend(series, title="False-claim rate per variant"),
        history=history, variant_names=names, rate=rate,
    )
