"""Charts: the trend labels every night, fills the width, and shows its intervals."""

from __future__ import annotations

import re

from evalkit.report import svg


def nights(k: int) -> dict[str, list[svg.TrendPoint]]:
    return {name: [svg.TrendPoint(f"12-{d + 1:02d} 02:00", 0.1 + 0.01 * d + off, 0.05 + off,
                                  0.3 + off) for d in range(k)]
            for name, off in (("v1", 0.0), ("v2", 0.1))}


def test_trend_fills_the_page_width_and_labels_every_night():
    out = svg.trend(nights(14), title="trend")
    assert 'style="width:100%;height:auto"' in out and 'viewBox="0 0 1000 ' in out
    labels = re.findall(r">(12-\d\d 02:00)</text>", out)
    assert labels == [f"12-{d + 1:02d} 02:00" for d in range(14)]
    assert 'transform="rotate(-40' in out  # many nights: slanted so they do not collide


def test_trend_intervals_are_visible_capped_whiskers_with_their_numbers():
    out = svg.trend(nights(3))
    whiskers = re.findall(r'<path d="M[^"]+V[^"]+H[^"]+H[^"]+" stroke="[^"]+" '
                          r'stroke-width="([\d.]+)"', out)
    assert len(whiskers) == 6 and all(float(w) >= 1.5 for w in whiskers)
    assert "stroke-opacity" not in out
    assert "(95% CI 5.0–30.0%)" in out and "whiskers: 95% CI" in out


def test_trend_gridlines_are_whole_percentages():
    out = svg.trend(nights(2))
    ticks = re.findall(r'text-anchor="end" font-size="11" fill="#555"[^>]*>(\d+)%</text>', out)
    assert ticks == ["0", "10", "20", "30", "40", "50"]


def test_forest_colour_is_the_callers_decision_not_the_raw_interval():
    rows = [svg.ForestRow("raw excludes 0, Holm says no", 0.1, 0.02, 0.2, direction="none"),
            svg.ForestRow("significant", 0.1, 0.02, 0.2, direction="worse")]
    out = svg.forest(rows)
    fills = re.findall(r'width="8" height="8" fill="([^"]+)"', out)
    assert fills == [svg.NEUTRAL, svg.WORSE]
    assert "-0.0" not in svg.forest([svg.ForestRow("tiny", -0.0001, -0.0004, 0.1)])
