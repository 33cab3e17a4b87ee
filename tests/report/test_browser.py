"""The pages as a person sees them: headless Chromium at 1280 and 800 px, links clicked.

Screenshots go to $TMPDIR/evalkit-screenshots/ (``EVALKIT_SCREENSHOTS`` moves them) so
a reviewer can look at them; the assertions check what a reader would notice: no sideways
scrolling, one verdict, working drill-down links, no network resources.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from evalkit.report import compare_runs, render

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import webdriver  # noqa: E402

from .conftest import write_run  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not webdriver.available(), reason="chromium/chromedriver absent")]

SHOTS = webdriver.SCREENSHOTS
WIDTHS = (1280, 800)


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with webdriver.Browser() as b:
        yield b


def no_sideways_scroll(b: webdriver.Browser, shot: str) -> None:
    for width in WIDTHS:
        b.resize(width, 1300)
        b.script("window.scrollTo(0, 0)")
        b.screenshot(SHOTS / f"{shot}-{width}.png")
        o = b.overflow()
        assert o["scrollWidth"] <= o["clientWidth"], (width, o)


def test_report_renders_in_chromium_and_drilldown_links_work(browser, comp, tmp_path):
    b = browser
    page = tmp_path / "report.html"
    page.write_text(render(comp, "html"), encoding="utf-8")
    b.resize(1280, 1300)
    b.get(page.as_uri())
    sentence = b.text(b.find_all("#sentence")[0])
    assert "makes false claims more often" in sentence
    assert b.script("return document.querySelectorAll('svg rect').length") > 5
    no_sideways_scroll(b, "compare")
    b.resize(1280, 1300)
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
    assert (SHOTS / "compare-1280.png").stat().st_size > 10_000


def test_nightly_style_compare_page_with_long_labels_fits_both_widths(browser, tmp_path):
    base = write_run(tmp_path, "nightly-20261202-020000", {"sim-v2": 0.2}, seed=8, epochs=3)
    cand = write_run(tmp_path, "nightly-20261203-020000", {"sim-v2": 0.45}, seed=9, epochs=3)
    comp = compare_runs([base], [cand], labels=("sim-v2 @ nightly-20261202-020000",
                                                "sim-v2 @ nightly-20261203-020000"))
    page = tmp_path / "compare-sim-v2.html"
    page.write_text(render(comp, "html"), encoding="utf-8")
    browser.get(page.as_uri())
    no_sideways_scroll(browser, "compare-nightly")
    # the verdict banner, the stars and the forest's red markers tell one story
    verdict = browser.script("return document.getElementById('verdict').className")
    stars = browser.script("return document.querySelectorAll('.diff-table .star').length")
    red = browser.script("return document.querySelectorAll('svg rect[fill=\"#c0392b\"]').length")
    assert stars == red == sum(r.significant for r in (*comp.by_flag, *comp.by_outcome))
    assert verdict.split()[-1] == comp.verdict


def test_nightly_index_fits_both_widths_and_states_both_verdicts(browser, night_page):
    path, html, versions, _ = night_page
    assert not re.search(r'(src|href)="(https?:)?//', html), "no network resources"
    assert "<script" not in html
    browser.get(path.as_uri())
    no_sideways_scroll(browser, "index")
    release = browser.text(browser.find_all("#release-verdict")[0])
    night = browser.text(browser.find_all("#night-verdict")[0])
    assert release.startswith("Release: regression.") and "more often" in release
    assert night.startswith("Night over night: no significant regression.")
    width = browser.script("return document.querySelector('#trend svg')"
                           ".getBoundingClientRect().width")
    main = browser.script("return document.querySelector('main').clientWidth")
    assert width >= main - 60, "the trend chart spans the page"
