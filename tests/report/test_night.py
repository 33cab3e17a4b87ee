"""The nightly index page: separate verdicts, every rate with k/n and interval, errors beside n."""

from __future__ import annotations

import re


def test_banner_states_the_release_and_night_over_night_verdicts_separately(night_page):
    _, html, versions, nightly = night_page
    assert versions.regression and not any(c.regression for c in nightly)
    release = re.search(r'<p class="status (\w+)" id="release-verdict">(.*?)</p>', html, re.S)
    night = re.search(r'<p class="status (\w+)" id="night-verdict">(.*?)</p>', html, re.S)
    assert release.group(1) == "regression" and "Release: regression." in release.group(2)
    assert "sim-v2 makes false claims more often" in release.group(2)
    assert night.group(1) == "ok" and "no significant regression" in night.group(2)
    assert 'id="run-verdict"' in html


def test_every_rate_on_the_page_carries_k_of_n_and_its_interval(night_page):
    _, html, _, _ = night_page
    history = html.split('<table id="history">')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num">(\d+\.\d%)<br><span class="muted small">(\d+/\d+) · '
                       r'(\d+\.\d–\d+\.\d%)</span></td>', history)
    assert len(cells) == 14 * 2  # every night, every variant
    tonight = html.split('<table id="tonight">')[1].split("</table>")[0]
    assert re.search(r"\d+\.\d%</td><td class=\"num nowrap\">\d+\.\d–\d+\.\d%</td>"
                     r"<td class=\"num\">\d+/\d+</td>", tonight)


def test_error_counts_sit_beside_n_for_tonight_and_every_past_night(night_page):
    _, html, _, _ = night_page
    history = html.split('<table id="history">')[1].split("</table>")[0]
    assert len(re.findall(r"\d+ <span class=\"muted small\">of 82</span>", history)) == 14
    assert "0 of 82 samples errored" not in html and "2 of 82 samples errored" in html
    tonight = html.split('<table id="tonight">')[1].split("</table>")[0]
    assert tonight.count('<span class="muted small">of 41</span>') == 2


def test_cheating_rate_and_power_are_on_the_index(night_page):
    _, html, versions, _ = night_page
    assert "cheating rate (impossible tasks)" in html
    assert 'id="versions-power"' in html and 'id="night-power"' in html
    assert "regression threshold of 5.0 points needs about" in html


def test_trend_labels_every_night_and_pages_print_no_negative_zero(night_page):
    _, html, _, _ = night_page
    trend = html.split('<div id="trend">')[1].split("</div>")[0]
    assert len(re.findall(r">12-\d\d 02:00</text>", trend)) == 14
    assert not re.search(r"-0\.0(?!\d)", html)
