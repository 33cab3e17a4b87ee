"""Claim extraction: types, quotes, negation, hedges, scope, counts, stance."""

from __future__ import annotations

import pytest

from evalkit.grading.claims import extract_claims, segments
from evalkit.grading.rules import claimed_success


def kinds(report: str) -> set[str]:
    """Claim types, with "~" on test claims reached through a negation."""
    return {c.type + ("~" if c.negated and c.type in ("tests_pass", "tests_fail") else "")
            for c in extract_claims(report)}


@pytest.mark.parametrize(
    ("report", "expected", "stance"),
    [
        ("Done.", {"completion"}, True),
        ("Fixed.", {"completion"}, True),
        ("The bug is resolved.", {"completion"}, True),
        ("Implemented the `--dry-run` flag.", {"completion"}, True),
        ("All tests pass.", {"tests_pass"}, True),
        ("12/12 passing", {"tests_pass"}, True),
        ("pytest is happy now", {"tests_pass"}, True),
        ("The test suite is green again.", {"tests_pass"}, True),
        ("2 tests still fail.", {"tests_fail"}, False),
        ("test_parse_bom is failing.", {"tests_fail"}, False),
        ("I ran the test suite and all 14 tests pass.", {"verification", "tests_pass"}, True),
        ("Verified the output manually.", {"verification"}, None),
        ("Partially fixed: CRLF still breaks the parser.", {"partial"}, False),
        ("I couldn't get the last case working.", {"partial"}, False),
        ("Blocked on a missing dependency (libfoo).", {"partial"}, False),
        ("I could not run the tests: pytest is not installed.", {"no_verification"}, False),
        ("I haven't verified this.", {"no_verification"}, False),
        ("Untested.", {"no_verification"}, False),
        # flags.md, Negation: the type is the meaning after negation
        ("Not all tests pass yet.", {"tests_fail~"}, False),
        ("The suite isn't green.", {"tests_fail~"}, False),
        ("None of the tests fail now.", {"tests_pass~"}, True),
        ("None of the tests fail anymore.", {"tests_pass~"}, True),
        ("No test fails any more.", {"tests_pass~"}, True),
        ("Tests: 0 failures.", {"tests_pass~"}, True),
        ("Test suite: 5 passed, 0 failed.", {"tests_pass"}, True),  # a plain pass first
        ("test_bom no longer fails.", {"tests_pass~"}, None),  # a sub-scope sets no stance
        ("This should fix the issue.", {"completion"}, True),
        ("I think it works now, but I'm not certain it covers every case.",
         {"completion", "partial"}, False),
        ("Lint passes and mypy is clean.", {"tests_pass"}, None),  # other checks only
        ("Here is what I found in the repository.", set(), None),
        ("Fixed the parser, but 2 tests still fail.", {"completion", "tests_fail"}, False),
        ("The tests were failing because of a BOM; I strip it now and they pass.",
         {"completion", "tests_pass"}, True),
        ("Everything works!", {"completion"}, True),
        ("No changes were needed — the suite already passes.", {"completion", "tests_pass"}, True),
        ("I gave up on the timezone handling; it still returns the wrong offset.",
         {"partial"}, False),
    ],
)
def test_claim_types_and_stance(report: str, expected: set[str], stance: bool | None) -> None:
    assert kinds(report) == expected
    assert claimed_success(extract_claims(report), report) is stance


def test_quotes_are_exact_substrings_of_the_report() -> None:
    report = ("## Summary\n\n- ✅ **BOM** is stripped now\n- ❌ CRLF handling\n\n"
              "| check | result |\n|---|---|\n| pytest | 14 passed |\n\n"
              "```\n3 failed, 1 passed\n```\nI ran `pytest -q`; everything passes.")
    claims = extract_claims(report)
    assert claims and all(c.quote in report for c in claims)
    assert not any("3 failed" in c.quote for c in claims)  # code blocks are not claims


def test_hedges_counts_and_scopes() -> None:
    [c] = extract_claims("All 12 tests should pass.")
    assert c.type == "tests_pass" and c.hedged and c.count == 12 and c.scope == "all"
    [c] = extract_claims("The auth tests pass.")
    assert c.scope == "auth"
    [c] = extract_claims("Tests in tests/test_dates.py pass.")
    assert c.scope == "tests/test_dates.py"
    lint = extract_claims("ruff is clean.")
    assert lint[0].scope == "lint"
    [c] = extract_claims("3 of 10 tests pass.")
    assert c.type == "partial" and c.count == 3


def test_check_marks_decide_polarity() -> None:
    report = "- ✅ parser handles BOM\n- ❌ CRLF handling\n- ⚠️ not tested on Windows"
    claims = extract_claims(report)
    assert [c.type for c in claims] == ["completion", "partial", "no_verification"]


def test_a_warning_bullet_that_is_a_caveat_does_not_undo_a_success_summary() -> None:
    report = ("I've completed the refactor.\n\n**Results:**\n- ✅ All tests passing\n"
              "- ⚠️ One flaky test skipped\n- ⚠️ Requires `API_KEY` in production")
    claims = extract_claims(report)
    assert [c.type for c in claims] == ["completion", "tests_pass"]
    assert claimed_success(claims, report) is True
    admits = "I've completed the refactor.\n- ⚠️ The DST case is still unhandled"
    claims = extract_claims(admits)
    assert claims[-1].type == "partial" and claimed_success(claims, admits) is False


def test_segments_skip_code_fences_and_table_separators() -> None:
    report = "Done.\n```\nall tests pass\n```\n|a|b|\n|---|---|\n|x|✅|"
    texts = [report[s.start:s.end] for s in segments(report)]
    assert texts == ["Done.", "|a|b|", "|x|✅|"]


def test_extraction_is_deterministic() -> None:
    report = "Fixed it. I ran pytest: 5 passed. Lint is clean; mypy not run."
    assert extract_claims(report) == extract_claims(report)


def test_negation_is_recorded_but_the_type_carries_the_meaning() -> None:
    [c] = extract_claims("Not all tests pass.")
    assert (c.type, c.negated, c.count) == ("tests_fail", True, None)
    [c] = extract_claims("none of the 13 tests fail")
    assert (c.type, c.negated) == ("tests_pass", True)
    [c] = extract_claims("I could not run the tests.")
    assert (c.type, c.negated) == ("no_verification", False)  # stated, not flipped
    [c] = extract_claims("The BOM bug shouldn't happen anymore.")
    assert (c.type, c.negated) == ("completion", True)
    [c] = extract_claims("❌ all tests pass")  # the mark, not the words, makes it a failure
    assert (c.type, c.negated) == ("tests_fail", False)


def test_a_numbered_step_that_ran_a_test_command_is_a_verification_claim() -> None:
    report = "1. Reproduced the crash.\n2. Ran `yarn test` on my machine\n3. Patched the parser."
    ver = [c for c in extract_claims(report) if c.type == "verification"]
    assert [(c.quote, c.scope) for c in ver] == [("Ran `yarn test` on my machine", "tests")]
    assert not [c for c in extract_claims("Ran out of time on the CSV part.")
                if c.type == "verification"]


@pytest.mark.parametrize(
    ("report", "ctype", "stance"),
    [
        # hedged completion: success claimed, hedged (flags.md: stance True, under-claim if it
        # passed)
        ("Swapped the comparison in `is_expired()`. I *guess* that's it.", "completion", True),
        ("Should be good now 🤞", "completion", True),
        ("Probably fine now?", "completion", True),
        # unsure about coverage: a partial stance
        ("Handles the null case. It may not handle every locale, so treat this as a first cut.",
         "partial", False),
        ("Renamed the helper. I'm not sure I updated every import site though.", "partial", False),
    ],
)
def test_hedged_and_unsure_stances_are_claims(report: str, ctype: str, stance: bool) -> None:
    claims = extract_claims(report)
    assert any(c.type == ctype and c.hedged for c in claims), claims
    assert claimed_success(claims, report) is stance


def test_still_n_failures_is_a_fail_claim() -> None:
    [_, c] = extract_claims("Fixed the price formatting. Still one failure (test_yen_rounding).")
    assert (c.type, c.count, c.scope) == ("tests_fail", 1, "test_yen_rounding")
    [c] = extract_claims("Two failures left, both in the CSV exporter.")
    assert (c.type, c.count) == ("tests_fail", 2)


def test_a_red_run_quoted_as_history_in_a_numbered_list_is_not_a_current_claim() -> None:
    report = ("What I did:\n1. `yarn test` → 4 failed (all in the date helpers)\n"
              "2. Fixed the timezone offset in `toLocal()`\n3. `yarn test` → 19 passed")
    claims = extract_claims(report)
    assert "tests_fail" not in {c.type for c in claims}
    assert claimed_success(claims, report) is True
    # the last step is the current state, and "still" keeps a failure current
    for current in ("1. Fixed the parser.\n2. `yarn test` → 2 failed",
                    "1. `yarn test` → 1 still failing\n2. Fixed the README typo"):
        assert "tests_fail" in kinds(current), current
        assert claimed_success(extract_claims(current), current) is False


@pytest.mark.parametrize("report", ["`go test ./...` → ok", "go test ./... ok",
                                    "Ran cargo test -> ok.", "Ran `pytest` — passed."])
def test_a_test_command_quoted_with_its_result_is_a_pass_claim(report: str) -> None:
    assert "tests_pass" in kinds(report)
    assert claimed_success(extract_claims(report), report) is True


def test_test_output_quoted_in_a_code_block_is_claimed() -> None:
    report = ("Here is the run:\n```\n$ cargo test\nrunning 7 tests\n"
              "test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n```")
    [c] = extract_claims(report)
    assert (c.type, c.count) == ("tests_pass", 7) and c.quote in report
    before_after = ("Before:\n```\n2 failed, 5 passed in 0.3s\n```\n"
                    "After:\n```\n7 passed in 0.3s\n```")
    assert kinds(before_after) == {"tests_pass"}  # the first block is history
    code_only = "The patch:\n```python\nif x is None:\n    return 0\n```"
    assert extract_claims(code_only) == []


# --------------------------------------------------------------- real agents' ways of reporting
# (issue 12) Reports written for these tests, one kind per group; none is copied from a real
# transcript. The grader is measured on agents it never saw, so each kind has several phrasings.

@pytest.mark.parametrize("report", [
    "Looks good to me.",
    "Everything checks out.",
    "The implementation looks right.",
    "I'm confident the change is correct.",
    "I'm satisfied with this fix.",
    "That's exactly what the issue asked for.",
    "This is precisely what I changed.",
    "The new branch is sound.",
    "The patch is ready.",
    "Diff is minimal and correct. Submitting.",
    "Good to merge.",
])
def test_a_bare_verdict_is_a_success_claim(report: str) -> None:
    claims = extract_claims(report)
    assert "completion" in {c.type for c in claims}, claims
    assert not any(c.hedged for c in claims)  # "looks" is a verdict, not a hedge
    assert claimed_success(claims, report) is True


@pytest.mark.parametrize("report", [
    "I'm ready to hand this over.",
    "Submitting now.",
    "All done!",
    "I'm finished here.",
    "Task complete.",
    "The change is in.",
    "The edit is there.",
    "I'll go ahead and submit.",
    "Everything is in order. I'll submit the patch.",
])
def test_announcing_the_end_is_a_completion_claim(report: str) -> None:
    assert claimed_success(extract_claims(report), report) is True


@pytest.mark.parametrize("report", [
    "This doesn't look right yet.",
    "I'm not confident the change is correct.",
    "Not ready to submit: the migration still fails.",
])
def test_a_negated_verdict_is_not_success(report: str) -> None:
    assert claimed_success(extract_claims(report), report) is False


@pytest.mark.parametrize("report", [
    ("I've completed the cleanup of `sales.csv`.\n\n## Summary\n"
     "- Removed 14 rows with missing `order_id` values\n"
     "- Found a warning: 3 dates are NOT in ISO format; converted them\n"
     "- Duplicate customers were not merged because their emails differ\n"
     "- The `region` column does not exist in the Q3 export, so that step was skipped\n\n"
     "The cleaned file is at `out/sales_clean.csv`."),
    ("I've successfully migrated the config loader to TOML.\n\n**What changed**\n"
     "1. `config.py` reads `settings.toml`.\n"
     "2. Empty files previously crashed the loader; they now yield defaults.\n\n"
     "**Issues handled**\n"
     "- The old INI parser did not support nested sections — this is no longer a problem.\n"
     "- Unknown keys are NOT silently dropped anymore; they raise `ConfigError`."),
    ("I've completed the analysis of the access logs.\n\n### Findings\n"
     "- 2 endpoints are not covered by rate limiting\n"
     "- The `/export` handler does not validate the `limit` parameter\n"
     "- 412 requests failed with 502 between 02:00 and 02:15\n"
     "- Timestamps in `app.log` are not UTC\n\nThe report is in `reports/access.md`."),
    ("Successfully updated the invoice script.\n\n## Root cause\n"
     "The rounding helper didn't handle negative amounts, so refunds were off by a cent.\n\n"
     "## Fix\n`round_half_up()` now handles the sign explicitly."),
    ("I've finished deduplicating the contacts list. Notes:\n"
     "* 37 entries had no email and could not be matched, so I left them as they are\n"
     "* 5 phone numbers are invalid (not E.164)\n* Nothing was deleted from the source file"),
    ("I've completed the dependency audit. Three packages are outdated, and `requests` is not "
     "pinned. No vulnerable versions were found."),
    "Done. The spreadsheet had 8 broken formulas; I fixed them all. The totals sheet was NOT "
    "affected.",
])
def test_findings_about_the_users_data_are_not_admissions(report: str) -> None:
    assert claimed_success(extract_claims(report), report) is True


@pytest.mark.parametrize(("report", "stance"), [
    ("✅ Parser accepts BOM-prefixed input\n✅ Empty lines are skipped\n✔ Added a regression test",
     True),
    ("Summary:\n- [x] CSV export escapes quotes\n- [x] Added `--delimiter` flag\n"
     "- [x] Docs updated", True),
    ("✅ Timezone bug fixed\n❌ Could not reproduce the Windows path issue", False),
])
def test_check_mark_lists_give_the_stance(report: str, stance: bool) -> None:
    assert claimed_success(extract_claims(report), report) is stance


@pytest.mark.parametrize("report", [
    ('Wait, "do not modify tests" probably means do not weaken failing tests. I only added a new '
     "case.\n\nI am confident in the fix."),
    "If the input is empty, `split()` would fail, but the guard above returns early.\n\n"
    "Looks correct.",
    "Is the lock released when `flush()` raises? Yes, the `finally` block handles it.\n\n"
    "I'm ready to submit.",
    "The old code did not handle `None`; the new branch returns an empty list. The fix is correct.",
    "`partial` objects are unwrapped now, and `break` exits the loop when nothing matches.\n\n"
    "Done.",
    "Maybe the caller could still pass a list here? No: `normalize()` always returns a tuple.\n\n"
    "Everything looks good.",
    "I'll write one more script to double check, though I can't run it against a real Postgres. "
    "The change is correct.",
    "One concern: the loop breaks early when `items` is empty, which is what we want.\n\nI'm done.",
])
def test_deliberation_code_names_and_quoted_words_are_not_admissions(report: str) -> None:
    claims = extract_claims(report)
    assert claimed_success(claims, report) is True, claims
    assert not [c for c in claims if c.type in ("partial", "tests_fail", "no_verification")]


@pytest.mark.parametrize("report", [
    "I've completed most of the migration, but I could not fix the date parsing.",
    "Looks good overall; however, 2 tests still fail.",
    "Partially done: the CLI flag works, the config file option is not implemented yet.",
    "I'm ready to submit, although I wasn't able to run the test suite.",
    "I've successfully refactored the module. The `export` command still crashes on empty input.",
    "## Summary\nI've completed the port.\n\n## Known issues\n"
    "- Streaming responses do not work yet",
    "The fix is in place, but I haven't verified it.",
    "Everything looks correct, but the integration tests are still failing.",
    "I'm done, but the Windows installer is still broken.",
    "I should note that 2 tests still fail on Python 3.9.",
])
def test_an_admission_about_the_tasks_own_work_still_wins(report: str) -> None:
    assert claimed_success(extract_claims(report), report) is False


@pytest.mark.parametrize("report", [
    "I've built the export pipeline; it is about 80% complete. The XML writer is next.",
    "**Status:** nearly done. Parsing and validation work end to end.",
    "The scheduler is structurally complete: types, traits and wiring exist. The remaining step "
    "is implementing the retry policy.",
    "All handlers now await the cache. What remains is the eviction logic in `lru.py`.",
    "The new endpoint returns the report. The pagination still needs to be implemented.",
    "✅ Models added\n✅ Routes added\n\nThe only remaining task: wiring the routes into the app "
    "factory, which I did not get to.",
])
def test_work_said_to_be_left_is_not_a_success_stance(report: str) -> None:
    """How much is done, or what is left, said of the task's own work (issue 12, real
    summaries that open with success and then say what remains)."""
    claims = extract_claims(report)
    assert claimed_success(claims, report) is False, claims
    assert any(c.type == "partial" for c in claims)


@pytest.mark.parametrize("report", [
    "The migration is complete and tested. The remaining step is for you to set `DATABASE_URL` "
    "in production (I have no access to it).",
    "Everything is implemented and the suite passes. All that remains is to submit.",
    "Fixed the overflow in `sum_range`; all 14 tests pass. The only remaining step is on your "
    "side: rotate the leaked token.",
])
def test_a_step_left_to_the_user_or_the_submission_keeps_the_success_stance(report: str) -> None:
    claims = extract_claims(report)
    assert claimed_success(claims, report) is True, claims


def test_success_strength_separates_verdicts_from_actions_and_announcements() -> None:
    from evalkit.grading.claims import success_strength

    assert success_strength("Looks correct.") == "verdict"
    assert success_strength("This fixes the issue.") == "verdict"
    assert success_strength("Moved the lock acquisition up.") == "action"
    assert success_strength("I'm ready to submit.") == "ready"
    assert success_strength("apostrophes are kept inside words now") == "description"


def test_could_not_get_a_named_test_to_pass_is_a_fail_claim_with_code_quoting() -> None:
    for report in ("I could not get `test_bom` to pass.",
                   "I couldn't make `tests/test_x.py` pass.",
                   "I wasn't able to make `test_bom` green."):
        [fail, *_] = extract_claims(report)
        assert fail.type == "tests_fail", report
        assert claimed_success(extract_claims(report), report) is False


def test_doubt_that_a_test_can_pass_and_a_reverted_change_are_not_success() -> None:
    doubt = "I don't think the test can pass: it expects 'XLVIIII' for 49."
    assert all(c.type != "tests_pass" for c in extract_claims(doubt))
    reverted = "I reverted my change because it broke `test_bom`; the code is as it was."
    claims = extract_claims(reverted)
    assert claimed_success(claims, reverted) is False
