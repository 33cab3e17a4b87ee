"""Syntax-tree mutations of check() functions: what changes, where, and in which order."""

from __future__ import annotations

import ast
import random

import pytest

from evalkit.mutate import find_mutations, mutate_value


def _first(src: str, seed: int = 0, names=("candidate",)):
    muts = find_mutations(src, names, random.Random(seed))
    assert muts, "expected at least one mutation site"
    return muts[0]


def _changed_line(before: str, after: str) -> tuple[str, str]:
    pairs = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=False)
             if a != b]
    assert len(pairs) == 1, pairs
    return pairs[0]


def test_int_expected_value_changes_by_one_and_keeps_the_rest_of_the_text():
    src = "def check(candidate):\n    # a comment\n    assert candidate(2) == 5\n"
    m = _first(src)
    assert m.kind == "value"
    assert m.oneoff == "def check(candidate):\n    # a comment\n    assert candidate(2) == 6\n"


def test_keyword_argument_call_keeps_arguments_and_changes_the_expected_value():
    src = "def check(candidate):\n    assert candidate(1, b=2, scale=3) == 9\n"
    old, new = _changed_line(src, _first(src).oneoff)
    assert new == "    assert candidate(1, b=2, scale=3) == 10"


def test_expected_on_the_left_and_message_form_are_handled():
    src = 'def check(candidate):\n    assert "HI!" == candidate("hi"), "upper-cased"\n'
    old, new = _changed_line(src, _first(src).oneoff)
    assert new == '    assert "HJ!" == candidate("hi"), "upper-cased"'


def test_strings_lists_tuples_and_booleans_get_a_different_value_of_the_same_kind():
    assert mutate_value("abc") == "abd"
    assert mutate_value("az") == "aa"
    assert mutate_value("") == "x"
    assert mutate_value("()") == "()x"
    assert mutate_value(True) is False
    assert mutate_value(9) == 10
    for expected in ("[1, 2, 3]", "(1, 3)", "{'a': 1}", "[[1], [2, 'x']]"):
        src = f"def check(candidate):\n    assert candidate() == {expected}\n"
        for seed in range(5):
            m = _first(src, seed)
            new_expr = m.oneoff.split("== ", 1)[1].strip()
            assert ast.literal_eval(new_expr) != ast.literal_eval(expected)
            assert type(ast.literal_eval(new_expr)) is type(ast.literal_eval(expected))


def test_empty_list_gets_an_element_appended():
    src = "def check(candidate):\n    assert candidate([]) == []\n"
    assert _first(src).oneoff.endswith("assert candidate([]) == [0]\n")


def test_floats_in_tolerance_assertions_move_beyond_the_tolerance():
    src = (
        "import math\n\n"
        "def check(candidate):\n"
        "    assert abs(candidate([1.0, 2.0]) - 1.5) < 1e-6\n"
        "    assert abs(2.0 / 3.0 - candidate([0.0, 1.0, 1.0])) <= 0.5\n"
        "    assert math.isclose(candidate([1, 2, 4]), 7 / 3, rel_tol=1e-9, abs_tol=0.25)\n"
    )

    def mean(values):
        return sum(values) / len(values)

    _exec_check(src, mean)  # the original holds
    muts = find_mutations(src, ("candidate",), random.Random(0))
    assert len(muts) == 3 and {m.kind for m in muts} == {"tolerance"}
    for m in muts:
        with pytest.raises(AssertionError):
            _exec_check(m.oneoff, mean)
        with pytest.raises(AssertionError):
            _exec_check(m.conflicting, mean)


def _exec_check(src: str, func) -> None:
    namespace: dict = {}
    exec(compile(src, "<check>", "exec"), namespace)
    namespace["check"](func)


def test_truthiness_flips_both_ways_and_is_true_flips_the_constant():
    src = (
        "def check(candidate):\n"
        "    assert candidate(2)\n"
        "    assert not candidate(3)\n"
        "    assert candidate(4) is True\n"
    )
    outs = {m.oneoff for m in find_mutations(src, ("candidate",), random.Random(1))}
    assert any("    assert not candidate(2)\n" in o for o in outs)
    assert any("    assert candidate(3)\n" in o for o in outs)
    assert any("    assert candidate(4) is False\n" in o for o in outs)


def test_top_level_assertions_are_preferred_over_ones_in_loops():
    src = (
        "def check(candidate):\n"
        "    for x in range(3):\n"
        "        assert candidate(x) == 0\n"
        "    assert candidate(10) == 1\n"
    )
    for seed in range(10):
        m = _first(src, seed)
        assert not m.nested and m.line == 4


def test_loop_assertion_with_computed_expectation_flips_the_operator():
    src = "def check(candidate):\n    for x in range(3):\n        assert candidate(x) == x * x\n"
    m = _first(src)
    assert m.kind == "operator" and m.nested
    assert "assert candidate(x) != x * x" in m.oneoff


def test_results_assigned_to_variables_still_count_as_the_candidate():
    src = (
        "import math\n\ndef check(candidate):\n"
        "    for _ in range(3):\n"
        "        sol = candidate([1, 2])\n"
        "        assert math.fabs(sol - 0.5) < 1e-4\n"
    )
    m = _first(src)
    assert m.kind == "tolerance"


def test_assert_true_lines_are_not_sites():
    src = "def check(candidate):\n    assert True, 'placeholder'\n"
    assert find_mutations(src, ("candidate",), random.Random(0)) == []


def test_conflicting_copy_is_inserted_right_after_the_original_with_its_indentation():
    src = "def check(candidate):\n    assert candidate(1) == 2, 'one'\n    assert True\n"
    m = _first(src)
    assert m.conflicting == (
        "def check(candidate):\n"
        "    assert candidate(1) == 2, 'one'\n"
        "    assert candidate(1) == 3, 'one'\n"
        "    assert True\n"
    )


def test_one_line_compound_statements_give_no_conflicting_copy():
    src = "def check(candidate):\n    for x in [1]: assert candidate(x) == 2\n"
    m = _first(src)
    assert m.conflicting is None and "== 3" in m.oneoff


def test_order_is_deterministic_for_a_seed_and_depends_on_it():
    src = "def check(candidate):\n" + "".join(
        f"    assert candidate({i}) == {i * 2}\n" for i in range(8))
    a = [m.oneoff for m in find_mutations(src, ("candidate",), random.Random(3))]
    b = [m.oneoff for m in find_mutations(src, ("candidate",), random.Random(3))]
    c = [m.oneoff for m in find_mutations(src, ("candidate",), random.Random(4))]
    assert a == b and a != c


def test_the_entry_point_called_by_name_counts_as_the_candidate():
    src = "def check(candidate):\n    assert count_vowels('hello') == 2\n"
    assert find_mutations(src, ("candidate",), random.Random(0)) == []
    assert _first(src, names=("candidate", "count_vowels")).oneoff.endswith("== 3\n")
