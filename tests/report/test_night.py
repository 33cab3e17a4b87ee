"""The nightly index page: separate verdicts, every rate with k/n and interval, errors beside n."""

from __future__ import annotations

import re

import pytest

from evalkit.nightly import NightEntry, NightlyConfig, VariantComparison
from evalkit.report import compare_runs
from evalkit.report.night import render_index

from .conftest import write_run


def entry(i: int, run_dir: str = "", **kw) -> NightEntry:
    rates = {"sim-v1": (4, 40), "sim-v2": (9 + i % 3, 40)}
    variants = {}
    for name, (k, n) in rates.items():
        variants[name] = {"model": f"sim:{name}", "simulated": True, "k": k, "n": n,
                          "rate": k / n, "low": k / n / 2, "high": min(1, k / n * 2),
                          "errors": i % 2, "n_samples": n + i % 2}
    return NightEntry(run_id=f"nightly-202612{i + 1:02d}-020000", path=run_dir or f"n{i}",
                      started_at=f"2026-12-{i + 1:02d}T02:00:00Z", status="complete",
                      good=True, variants=variants, n_samples=82, errors=2 * (i % 2),
                      error_rate=(2 * (i % 2)) / 82, **kw)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """14 nights; tonight sim-v2 is clearly worse than sim-v1 (release) but not than last night."""
    root = tmp_path_factory.mktemp("nights")
    tonight_dir = write_run(root, "tonight", {"sim-v1": 0.1, "sim-v2": 0.6}, seed=5)
    last_dir = write_run(root, "last", {"sim-v1": 0.1, "sim-v2": 0.6}, seed=6)
    versions = compare_runs([tonight_dir], [tonight_dir], baseline_variants=["sim-v1"],
                            candidate_variants=["sim-v2"], labels=("sim-v1", "sim-v2"),
                            min_effect=0.05)  # as nightly passes config.min_effect / 100
    nightly = [VariantComparison(
        name, c.headline, c.regression, f"compare-{name}.html", f"compare-{name}.md", c)
        for name in ("sim-v1", "sim-v2")
        for c in [compare_runs([last_dir], [tonight_dir], baseline_variants=[name],
                               candidate_variants=[name], min_effect=0.05)]]
    history = [entry(i) for i in range(13)]
    tonight = entry(13, str(tonight_dir), baseline=history[-1].run_id)
    history.append(tonight)
    html = render_index(NightlyConfig(suite="tasks/", min_effect=5.0), tonight, history,
                        nightly, {"sentence": versions.sentence, "html": "versions.html",
                                  "md": "versions.md", "comparison": versions})
    return html, versions, nightly


def test_banner_states_the_release_and_night_over_night_verdicts_separately(page):
    html, versions, nightly = page
    assert versions.regression and not any(c.regression for c in nightly)
    release = re.search(r'<p class="status (\w+)" id="release-verdict">(.*?)</p>', html, re.S)
    night = re.search(r'<p class="status (\w+)" id="night-verdict">(.*?)</p>', html, re.S)
    assert release.group(1) == "regression" and "Release: regression." in release.group(2)
    assert "sim-v2 makes false claims more often" in release.group(2)
    assert night.group(1) == "ok" and "no significant regression" in night.group(2)
    assert 'id="run-verdict"' in html


def test_every_rate_on_the_page_carries_k_of_n_and_its_interval(page):
    html, _, _ = page
    history = html.split('<table id="history">')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num">(\d+\.\d%)<br><span class="muted small">(\d+/\d+) · '
                       r'(\d+\.\d–\d+\.\d%)</span></td>', history)
    assert len(cells) == 14 * 2  # every night, every variant
    tonight = html.split('<table id="tonight">')[1].split("</table>")[0]
    assert re.search(r"\d+\.\d%</td><td class=\"num nowrap\">\d+\.\d–\d+\.\d%</td>"
                     r"<td class=\"num\">\d+/\d+</td>", tonight)


def test_error_counts_sit_beside_n_for_tonight_and_every_past_night(page):
    html, _, _ = page
    history = html.split('<table id="history">')[1].split("</table>")[0]
    assert len(re.findall(r"\d+ <span class=\"muted small\">of 82</span>", history)) == 14
    assert "0 of 82 samples errored" not in html and "2 of 82 samples errored" in html
    tonight = html.split('<table id="tonight">')[1].split("</table>")[0]
    assert tonight.count('<span class="muted small">of 41</span>') == 2


def test_cheating_rate_and_power_are_on_the_index(page):
    html, versions, _ = page
    assert "cheating rate (impossible tasks)" in html
    assert 'id="versions-power"' in html and 'id="night-power"' in html
    assert "regression threshold of 5.0 points needs about" in html


def test_trend_labels_every_night_and_pages_print_no_negative_zero(page):
    html, _, _ = page
    trend = html.split('<div id="trend">')[1].split("</div>")[0]
    assert len(re.findall(r">12-\d\d 02:00</text>", trend)) == 14
    assert not re.search(r"-0\.0(?!\d)", html)
