"""The comparison report as a person sees it: rendered by headless Chromium, links clicked."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from evalkit.report import render

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import webdriver  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not webdriver.available(), reason="chromium/chromedriver absent")]

SHOTS = Path(os.environ.get("EVALKIT_SCREENSHOTS", Path(__file__).parent / "screenshots"))


def test_report_renders_in_chromium_and_drilldown_links_work(comp, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render(comp, "html"), encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with webdriver.Browser() as b:
        b.get(page.as_uri())
        sentence = b.text(b.find_all("#sentence")[0])
        assert "makes false claims more often" in sentence
        assert b.script("return document.querySelectorAll('svg rect').length") > 5
        b.screenshot(SHOTS / "compare-top.png")
        links = b.find_all("a.drill-link")
        assert len(links) == len(comp.flips)
        b.click(links[0])
        target = b.url.split("#", 1)[1]
        assert target.startswith("task-")
        top = b.script(f"return document.getElementById('{target}').getBoundingClientRect().top")
        assert -5 <= top < 200, "the drill-down is scrolled into view"
        marks = b.script(f"return document.querySelectorAll('#{target} mark.claim').length")
        assert marks >= 1
        b.screenshot(SHOTS / "compare-drilldown.png")
    assert (SHOTS / "compare-top.png").stat().st_size > 10_000
