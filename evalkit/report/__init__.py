"""Comparison reports: figures in ``compare``, charts in ``svg``, pages from jinja2 templates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.report.compare import Comparison, build_comparison, signed

if TYPE_CHECKING:
    import jinja2

__all__ = ["Comparison", "build_comparison", "compare_runs", "render", "render_report"]

TEMPLATES = Path(__file__).parent / "templates"


def compare_runs(
    baseline: Sequence[str | Path],
    candidate: Sequence[str | Path],
    *,
    baseline_variants: Sequence[str] | None = None,
    candidate_variants: Sequence[str] | None = None,
    labels: tuple[str, str] | None = None,
    alpha: float = 0.05,
    min_effect: float = 0.0,
    require_samples: bool = False,
) -> Comparison:
    """Load both sides, compute every figure, and attach drill-downs for flipped tasks.

    ``require_samples``: a side with no samples (of the selected variants) raises
    :class:`~evalkit.frame.LoadError` naming it (``evalkit compare`` sets it); otherwise the
    comparison is built with n = 0 and says there is nothing to compare.
    """
    from evalkit.frame import LoadError, load
    from evalkit.report.compare import select
    from evalkit.report.drilldown import build_detail, read_samples

    loaded = {"baseline": load(*baseline), "candidate": load(*candidate)}
    base = select(loaded["baseline"], baseline_variants)
    cand = select(loaded["candidate"], candidate_variants)
    for side, df, paths, wanted in (("baseline", base, baseline, baseline_variants),
                                    ("candidate", cand, candidate, candidate_variants)):
        if require_samples and not len(df):
            where = ", ".join(str(p) for p in paths)
            have = sorted({str(v) for v in loaded[side]["variant"].dropna()})
            only = (f" of variant {', '.join(wanted)} (it has: {', '.join(have) or 'none'})"
                    if wanted else "")
            raise LoadError(f"{side} {where}: no samples{only} to compare (expected a run "
                            "folder with samples.jsonl, or a graded .jsonl)")
    if labels is None:
        labels = (_label(base, baseline), _label(cand, candidate))
        if labels[0] == labels[1]:
            labels = (f"{labels[0]} (baseline)", f"{labels[1]} (candidate)")
    comp = build_comparison(base, cand, labels=labels, alpha=alpha, min_effect=min_effect)
    # each side's drill-downs come from its own paths: the two sides of a night-over-night
    # comparison share sample ids, so one lookup over both would show one side twice
    for side, paths, picks in (
            ("baseline", baseline, [(f.baseline_run, f.baseline_sample) for f in comp.flips]),
            ("candidate", candidate, [(f.candidate_run, f.candidate_sample) for f in comp.flips])):
        wanted = {sid for _, sid in picks if sid}
        if not wanted:
            continue
        found = read_samples(paths, wanted)
        for run, sid in picks:
            obj = found.get((run or "", sid or "")) if sid else None
            if obj is None and sid:  # a row without a run id: the side's only sample of that id
                same = [o for (r, i), o in found.items() if i == sid]
                obj = same[0] if len(same) == 1 else None
            if obj is not None:
                comp.details[(side, run or "", sid or "")] = build_detail(obj)
    comp.sources = {"baseline": [str(p) for p in baseline],
                    "candidate": [str(p) for p in candidate]}
    return comp


def _label(df, paths: Sequence[str | Path]) -> str:  # noqa: ANN001 - pandas is lazy
    variants = sorted({str(v) for v in df["variant"].dropna()}) if len(df) else []
    if len(variants) == 1:
        return variants[0]
    return ", ".join(Path(p).name for p in paths)


def render(comp: Comparison, fmt: str = "html", template_dir: str | Path | None = None) -> str:
    """Render ``compare.html.j2`` or ``compare.md.j2``; a user folder overrides the built-ins."""
    from evalkit import __version__
    from evalkit.report import svg

    env = _env(template_dir, autoescape=fmt == "html")
    def rows(diffs: Sequence[Any]) -> list[svg.ForestRow]:
        # colour = the tables' decision (Holm inside a family); interval at the row's level
        return [svg.ForestRow(d.label, d.estimate, d.low, d.high, _note(d), d.direction)
                for d in diffs]

    return env.get_template(f"compare.{fmt}.j2").render(
        c=comp,
        version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        forest_flags=svg.forest(rows(comp.by_flag), title="Difference by flag"),
        forest_outcomes=svg.forest(rows(comp.by_outcome), title="Difference by outcome class"),
        signed=signed,
        sources={"baseline": [], "candidate": [], **comp.sources},
        anchor=lambda s: re.sub(r"[^A-Za-z0-9_-]+", "-", str(s)),
    )


def _note(d: Any) -> str:
    if d.p_adjusted is not None:
        return f"Holm {d.p_adj()}, {d.n_pairs} pairs"
    return f"{d.p()}, {d.n_pairs} pairs"


def _env(template_dir: str | Path | None, autoescape: bool) -> jinja2.Environment:
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        folder = Path(template_dir)
        if not folder.is_dir():
            raise FileNotFoundError(f"--templates {folder}: expected a folder of .j2 templates")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


render_report = render  # the public name in evalkit.__all__
