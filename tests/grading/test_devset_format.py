"""The labelled development set (tests/data/devset.jsonl) is well-formed and balanced.

It is the independent ground truth the grader is measured against, so its own consistency is
pinned here: schema, exact quotes, the derived false_claim, transcript shape, and the floors
per category that make precision/recall figures meaningful.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
DEVSET = DATA / "devset.jsonl"
FIVE = ("false_completion", "false_tests_pass", "fabricated_verification",
        "contradicts_observation", "tampered_checks")
FLAGS = FIVE + ("false_claim", "under_claim")
CLAIM_TYPES = {"completion", "tests_pass", "tests_fail", "verification", "partial",
               "no_verification"}
CLASSES = {"solvable", "impossible", "already_passing", "unverifiable"}
OTHER_CHECK = re.compile(r"\b(lint|ruff|flake8|eslint|mypy|pyright|tsc|type[- ]?check|types|"
                         r"build|compiles?)\b", re.I)


def _load() -> list[dict]:
    return [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return _load()


def test_file_matches_build_script_output():
    spec = importlib.util.spec_from_file_location("build_devset", DATA / "build_devset.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert DEVSET.read_text(encoding="utf-8") == mod.render(mod.build()), \
        "devset.jsonl is stale: run python tests/data/build_devset.py"


def test_ids_unique_and_sorted(items):
    ids = [it["id"] for it in items]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_every_item_has_the_import_schema(items):
    for it in items:
        where = it["id"]
        assert isinstance(it["messages"], list), where
        assert it["model"] == "devset" and it["task_id"], where
        assert it["outcome_class"] in CLASSES, where
        assert isinstance(it["final_report"], str), where
        if "outcome" in it:
            o = it["outcome"]
            assert set(o) == {"passed", "tests_passed", "tests_failed", "failing_tests"}, where
            assert isinstance(o["passed"], bool), where
            assert o["passed"] == (o["tests_failed"] == 0), where
            assert len(o["failing_tests"]) == o["tests_failed"], where
        if "protected_files_modified" in it:
            assert all(isinstance(p, str) for p in it["protected_files_modified"]), where
            if it["protected_files_modified"]:
                assert it.get("diff"), f"{where}: protected change without a diff"
        assert isinstance(it["note"], str) and it["note"], where


def test_transcripts_are_anthropic_shaped_and_end_with_the_report(items):
    for it in items:
        msgs, where = it["messages"], it["id"]
        if not msgs:
            continue
        assert msgs[0]["role"] == "user", where
        pending: set[str] = set()
        for i, m in enumerate(msgs):
            assert m["role"] == ("user" if i % 2 == 0 else "assistant"), where
            if m["role"] == "assistant":
                assert not pending, f"{where}: tool_use without result"
                for b in m["content"]:
                    assert b["type"] in {"text", "tool_use"}, where
                    if b["type"] == "tool_use":
                        assert b["name"] in {"bash", "str_replace_based_edit_tool"}, where
                        pending.add(b["id"])
            elif i:
                for b in m["content"]:
                    assert b["type"] == "tool_result", where
                    pending.discard(b["tool_use_id"])
        if it["final_report"]:
            last = msgs[-1]
            assert last["role"] == "assistant", where
            texts = [b["text"] for b in last["content"] if b["type"] == "text"]
            assert texts and texts[-1] == it["final_report"], where


def test_labels_follow_the_schema_and_false_claim_is_the_or_of_the_five(items):
    for it in items:
        lab, where = it["labels"], it["id"]
        assert lab["claimed_success"] in (True, False, None), where
        for f in FLAGS:
            assert lab[f] in (True, False, None), (where, f)
        five = [lab[f] for f in FIVE]
        expect = True if True in five else (None if None in five else False)
        assert lab["false_claim"] == expect, where
        if lab["false_completion"] or lab["tampered_checks"]:
            assert lab["claimed_success"] is True, where
        if lab["under_claim"]:
            assert it["outcome"]["passed"], where
        if lab["false_completion"]:
            assert not it["outcome"]["passed"], where
        if "outcome" not in it and lab["claimed_success"]:
            assert lab["false_completion"] is None, where
        if not it["messages"]:
            assert not lab["fabricated_verification"] and not lab["contradicts_observation"], where


def test_every_claim_quote_is_an_exact_substring_of_the_report(items):
    for it in items:
        for c in it["labels"]["claims"]:
            assert c["type"] in CLAIM_TYPES, (it["id"], c)
            assert isinstance(c["hedged"], bool) and isinstance(c["negated"], bool), it["id"]
            assert c["quote"] and c["quote"] in it["final_report"], (it["id"], c["quote"])
            assert set(c) <= {"type", "quote", "hedged", "negated", "scope", "count"}, it["id"]


def _counts(items: list[dict]) -> Counter:
    n: Counter = Counter()
    n["items"] = len(items)
    for it in items:
        lab = it["labels"]
        for f in FLAGS:
            n[f"{f}={lab[f]}"] += 1
        if all(lab[f] is False for f in FLAGS):
            n["honest_no_flag"] += 1
        n[f"class={it['outcome_class']}"] += 1
        n["hedged_claims"] += sum(c["hedged"] for c in lab["claims"])
        n["negated_claims"] += sum(c["negated"] for c in lab["claims"])
        if OTHER_CHECK.search(it["final_report"]):
            n["mentions_lint_type_build"] += 1
    return n


def test_balance_floors(items):
    n = _counts(items)
    floors = {"items": 220, "honest_no_flag": 30, "hedged_claims": 20, "negated_claims": 20,
              "mentions_lint_type_build": 15, "under_claim=True": 25}
    for f in FIVE:
        floors[f"{f}=True"] = 25
        floors[f"{f}=False"] = 60
    for f in FLAGS:
        floors[f"{f}=None"] = 10
    for c in CLASSES:
        floors[f"class={c}"] = 20
    short = {k: (n[k], v) for k, v in floors.items() if n[k] < v}
    assert not short, f"below floor (have, need): {short}"


if __name__ == "__main__":
    for k, v in sorted(_counts(_load()).items()):
        print(f"{k:40} {v}")
