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


def forest(rows: Sequence[ForestRow], *, title: str = "", width: int = 640) -> str:
    """Differences with intervals around a zero line; right of zero = candidate worse."""
    row_h, top, left, right = 26, 34 if title else 14, 190, 150
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
        color = WORSE if lo > 0 else BETTER if hi < 0 else NEUTRAL
        out.append(f'<line x1="{x(_clip(lo, span)):.1f}" y1="{cy:.1f}" '
                   f'x2="{x(_clip(hi, span)):.1f}" y2="{cy:.1f}" stroke="{color}" '
                   'stroke-width="2"/>')
        out.append(f'<rect x="{x(_clip(row.estimate, span)) - 4:.1f}" y="{cy - 4:.1f}" '
                   f'width="8" height="8" fill="{color}"><title>{escape(row.label)}: '
                   f'{row.estimate * 100:+.1f} points ({lo * 100:+.1f} to {hi * 100:+.1f})'
                   '</title></rect>')
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class TrendPoint:
    label: str  # x-axis label, e.g. a date
    rate: float | None
    low: float | None = None
    high: float | None = None


def trend(series: dict[str, Sequence[TrendPoint]], *, title: str = "", width: int = 640,
          height: int = 220) -> str:
    """One line per variant over runs, with interval whiskers; y is a rate in percent."""
    left, right, top, bottom = 46, 150, 30 if title else 12, 40
    labels: list[str] = []
    for points in series.values():
        for p in points:
            if p.label not in labels:
                labels.append(p.label)
    plot_w, plot_h = width - left - right, height - top - bottom
    highs = [p.high if p.high is not None else p.rate for pts in series.values() for p in pts
             if p.rate is not None]
    ymax = _nice_span(max([h for h in highs if h is not None], default=0.1))

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(labels) == 1 else i * plot_w / (len(labels) - 1))

    def y(v: float) -> float:
        return top + plot_h - min(v, ymax) / ymax * plot_h

    out = [_open(width, height, title or "trend")]
    if title:
        out.append(_text(8, 18, title, weight="600"))
    for frac in (0, 0.5, 1):
        gy = y(ymax * frac)
        out.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" '
                   'stroke="#eee"/>')
        out.append(_text(left - 6, gy + 4, f"{ymax * frac * 100:.0f}%", anchor="end", size=11,
                         fill="#666"))
    step = max(1, math.ceil(len(labels) / 8))
    for i, lab in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            out.append(_text(x(i), top + plot_h + 16, lab, anchor="middle", size=10, fill="#666"))
    for k, (name, points) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        coords = [(x(labels.index(p.label)), p) for p in points if p.rate is not None]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{y(p.rate):.1f}" for cx, p in coords)  # type: ignore[arg-type]
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                       'stroke-width="2"/>')
        for cx, p in coords:
            if p.low is not None and p.high is not None:
                out.append(f'<line x1="{cx:.1f}" y1="{y(p.low):.1f}" x2="{cx:.1f}" '
                           f'y2="{y(p.high):.1f}" stroke="{color}" stroke-opacity="0.5"/>')
            out.append(f'<circle cx="{cx:.1f}" cy="{y(p.rate):.1f}" r="3.5" fill="{color}">'  # type: ignore[arg-type]
                       f'<title>{escape(name)} {escape(p.label)}: {p.rate * 100:.1f}%</title>'  # type: ignore[operator]
                       '</circle>')
        out.append(f'<rect x="{width - right + 10}" y="{top + 16 * k}" width="10" height="10" '
                   f'fill="{color}"/>')
        out.append(_text(width - right + 26, top + 16 * k + 9, name, size=11))
    out.append("</svg>")
    return "\n".join(out)


def _nice_span(value: float) -> float:
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if value <= step:
            return step
    return 1.0


def _clip(v: float, span: float) -> float:
    return max(-span, min(span, v))


def _open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            'font-family="system-ui, sans-serif">')


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12,
          fill: str = "#222", weight: str = "400") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')
