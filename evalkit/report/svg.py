"""Inline SVG charts for reports: no JavaScript, no network, readable when printed.

Each function returns an ``<svg>`` string sized in CSS pixels. Values are proportions in [0, 1]
(or differences in [-1, 1]); labels are escaped here so callers can pass raw text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WORSE = "#c0392b"
BETTER = "#1e8449"
NEUTRAL = "#555"
BASE = "#7f8c8d"
CAND = "#2471a3"
PALETTE = ("#2471a3", "#c0392b", "#1e8449", "#8e44ad", "#d68910", "#17a589", "#7f8c8d")


@dataclass(frozen=True)
class ForestRow:
    label: str
    estimate: float | None  # None: nothing to plot (e.g. no pairs)
    low: float | None
    high: float | None
    note: str = ""  # shown at the right, e.g. "n=40, p=0.03"
    direction: str = "none"  # "worse" | "better" | "none": the report's decision, not redone here


def forest(rows: Sequence[ForestRow], *, title: str = "", width: int = 720) -> str:
    """Differences with intervals around a zero line; right of zero = candidate worse.

    Colours come from each row's ``direction`` (the same decision as the tables), never from
    re-reading the interval here.
    """
    row_h, top, left, right = 26, 34 if title else 14, 210, 170
    height = top + row_h * max(len(rows), 1) + 30
    plot_w = width - left - right
    finite = [abs(v) for r in rows for v in (r.low, r.high, r.estimate) if v is not None]
    span = _nice_span(max(finite, default=0.1))

    def x(v: float) -> float:
        return left + (v + span) / (2 * span) * plot_w

    out = [_open(width, height, title or "forest plot")]
    if title:
        out.append(_text(8, 20, title, weight="600"))
    zero = x(0.0)
    bottom = top + row_h * len(rows)
    out.append(f'<line x1="{zero:.1f}" y1="{top - 6}" x2="{zero:.1f}" y2="{bottom}" '
               'stroke="#999" stroke-dasharray="3,3"/>')
    for tick in (-span, -span / 2, 0.0, span / 2, span):
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{bottom}" x2="{tx:.1f}" y2="{bottom + 4}" '
                   'stroke="#999"/>')
        out.append(_text(tx, bottom + 16, f"{tick * 100:+.0f}" if tick else "0", anchor="middle",
                         size=11, fill="#666"))
    out.append(_text(left + plot_w / 2, height - 2, "difference, percentage points "
                     "(candidate − baseline)", anchor="middle", size=11, fill="#666"))
    for i, row in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        out.append(_text(8, cy + 4, row.label, size=12))
        if row.note:
            out.append(_text(width - right + 8, cy + 4, row.note, size=11, fill="#666"))
        if row.estimate is None:
            out.append(_text(zero, cy + 4, "no data", anchor="middle", size=11, fill="#999"))
            continue
        lo = row.low if row.low is not None else row.estimate
        hi = row.high if row.high is not None else row.estimate
        color = {"worse": WORSE, "better": BETTER}.get(row.direction, NEUTRAL)
        out.append(f'<line x1="{x(_clip(lo, span)):.1f}" y1="{cy:.1f}" '
                   f'x2="{x(_clip(hi, span)):.1f}" y2="{cy:.1f}" stroke="{color}" '
                   'stroke-width="2"/>')
        out.append(f'<rect x="{x(_clip(row.estimate, span)) - 4:.1f}" y="{cy - 4:.1f}" '
                   f'width="8" height="8" fill="{color}"><title>{escape(row.label)}: '
                   f'{_signed(row.estimate * 100)} points ({_signed(lo * 100)} to '
                   f'{_signed(hi * 100)})</title></rect>')
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class TrendPoint:
    label: str  # x-axis label, e.g. a date
    rate: float | None
    low: float | None = None
    high: float | None = None


def trend(series: dict[str, Sequence[TrendPoint]], *, title: str = "", width: int = 1000,
          height: int = 300) -> str:
    """One line per variant over runs, every night labelled, 95% intervals as capped whiskers.

    The SVG scales to its container (full width of the page); with many nights the labels
    turn 40 degrees, and every night keeps its label up to 40 nights.
    """
    labels: list[str] = []
    for points in series.values():
        for p in points:
            if p.label not in labels:
                labels.append(p.label)
    slanted = len(labels) > 8
    left, right, top = 52, 170, 34 if title else 14
    bottom = 78 if slanted else 40
    plot_w, plot_h = width - left - right, height - top - bottom
    highs = [p.high if p.high is not None else p.rate for pts in series.values() for p in pts
             if p.rate is not None]
    ymax = _nice_span(max([h for h in highs if h is not None], default=0.1))
    slot = plot_w / max(len(labels), 1)
    offset = {name: (k - (len(series) - 1) / 2) * min(6.0, slot / (2 * max(len(series), 1)))
              for k, name in enumerate(series)}  # overlapping whiskers side by side

    def x(i: int) -> float:
        return left + slot * (i + 0.5)

    def y(v: float) -> float:
        return top + plot_h - min(max(v, 0.0), ymax) / ymax * plot_h

    out = [_open(width, height, title or "trend", fluid=True)]
    if title:
        out.append(_text(8, 20, title, weight="600"))
    tick = {0.05: 0.01, 0.1: 0.02, 0.2: 0.05, 0.25: 0.05, 0.5: 0.1}.get(ymax, 0.2)
    for j in range(round(ymax / tick) + 1):  # whole-percent gridlines: 0, 10, 20 ...
        gy = y(j * tick)
        out.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" '
                   'stroke="#e3e6ea"/>')
        out.append(_text(left - 6, gy + 4, f"{j * tick * 100:.0f}%", anchor="end", size=11,
                         fill="#555"))
    step = max(1, math.ceil(len(labels) / 40))
    for i, lab in enumerate(labels):
        if i % step and i != len(labels) - 1:
            continue
        lx, ly = x(i), top + plot_h + 16
        if slanted:
            out.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" font-size="10" '
                       f'fill="#444" transform="rotate(-40 {lx:.1f} {ly:.1f})">'
                       f'{escape(lab)}</text>')
        else:
            out.append(_text(lx, ly, lab, anchor="middle", size=11, fill="#444"))
    for k, (name, points) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        dx = offset[name]
        coords = [(x(labels.index(p.label)) + dx, p) for p in points if p.rate is not None]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{y(p.rate):.1f}" for cx, p in coords)  # type: ignore[arg-type]
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                       'stroke-width="2"/>')
        for cx, p in coords:
            if p.low is not None and p.high is not None:
                y0, y1 = y(p.low), y(p.high)
                out.append(f'<path d="M{cx:.1f},{y0:.1f}V{y1:.1f}M{cx - 4:.1f},{y0:.1f}'
                           f'H{cx + 4:.1f}M{cx - 4:.1f},{y1:.1f}H{cx + 4:.1f}" '
                           f'stroke="{color}" stroke-width="1.6" fill="none"/>')
            ci = ("" if p.low is None or p.high is None else
                  f" (95% CI {p.low * 100:.1f}–{p.high * 100:.1f}%)")
            out.append(f'<circle cx="{cx:.1f}" cy="{y(p.rate):.1f}" r="4" fill="{color}">'  # type: ignore[arg-type]
                       f'<title>{escape(name)} {escape(p.label)}: {p.rate * 100:.1f}%'  # type: ignore[operator]
                       f'{ci}</title></circle>')
        out.append(f'<rect x="{width - right + 14}" y="{top + 18 * k}" width="12" height="12" '
                   f'fill="{color}"/>')
        out.append(_text(width - right + 32, top + 18 * k + 10, name, size=12))
    out.append(_text(width - right + 14, top + 18 * len(series) + 14,
                     "whiskers: 95% CI", size=11, fill="#555"))
    out.append("</svg>")
    return "\n".join(out)


def _nice_span(value: float) -> float:
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if value <= step:
            return step
    return 1.0


def _clip(v: float, span: float) -> float:
    return max(-span, min(span, v))


def _signed(x: float) -> str:
    text = f"{x:+.1f}"
    return text[1:] if float(text) == 0 else text


def _open(width: int, height: int, label: str, fluid: bool = False) -> str:
    """Sized in CSS pixels but free to shrink with its container (no horizontal scroll);
    ``fluid`` charts fill the container's width."""
    style = "width:100%;height:auto" if fluid else "max-width:100%;height:auto"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'style="{style}" font-family="system-ui, sans-serif">')


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12,
          fill: str = "#222", weight: str = "400") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')
