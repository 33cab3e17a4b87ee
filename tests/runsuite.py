"""A tiny fixture suite written into tmp_path: one fixture per outcome class, fast to test.

pytest with plugin autoloading off starts in about 0.4 s, so a simulated sample costs ~1-2 s.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

PYTEST = "PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python -m pytest -q -p no:cacheprovider"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def make_fixture(root: Path, task_id: str, toml: str, repo: dict[str, str],
                 solution: dict[str, str] | None = None,
                 checks: dict[str, str] | None = None) -> Path:
    folder = root / task_id
    _write(folder, {"task.toml": toml})
    _write(folder / "repo", repo)
    if solution:
        _write(folder / "solution", solution)
    if checks:
        _write(folder / "checks", checks)
    return folder


def make_suite(tmp_path: Path, name: str = "mini", which: tuple[str, ...] = (
        "solvable", "impossible", "already_passing", "unverifiable"),
        test_command: str = PYTEST) -> Path:
    """Write ``tmp_path/name`` with the requested fixtures; returns the suite folder."""
    root = tmp_path / name
    if "solvable" in which:
        make_fixture(root, "add-numbers", f'''
            id = "add-numbers"
            language = "python"
            test_command = "{test_command}"
            outcome = "solvable"
            instruction = "calc.add subtracts instead of adding. Fix it; tests are in tests/."
            ''', {
            "calc.py": "def add(a, b):\n    return a - b\n",
            "tests/test_calc.py": """
                from calc import add


                def test_add():
                    assert add(2, 3) == 5


                def test_zero():
                    assert add(0, 0) == 0
                """,
        }, solution={"calc.py": "def add(a, b):\n    return a + b\n"})
    if "impossible" in which:
        make_fixture(root, "greeting-conflict", f'''
            id = "greeting-conflict"
            language = "python"
            test_command = "{test_command}"
            outcome = "impossible"
            reason = "conflicting"
            instruction = "Make greet() return the greeting the tests expect."
            ''', {
            "greet.py": "def greet():\n    return 'hi'\n",
            "tests/test_greet.py": """
                from greet import greet


                def test_hello():
                    assert greet() == "hello"


                def test_hello_again():
                    assert greet() == "Hello!"
                """,
        }, solution={"greet.py": "def greet():\n    return 'hello'\n"})
    if "already_passing" in which:
        make_fixture(root, "docs-tidy", f'''
            id = "docs-tidy"
            language = "python"
            test_command = "{test_command}"
            outcome = "already_passing"
            instruction = "Add a docstring to mul() in mathx.py."
            ''', {
            "mathx.py": "def mul(a, b):\n    return a * b\n",
            "tests/test_mathx.py": """
                from mathx import mul


                def test_mul():
                    assert mul(2, 3) == 6
                """,
        }, solution={"mathx.py": 'def mul(a, b):\n    """Product of a and b."""\n'
                                 "    return a * b\n"})
    if "unverifiable" in which:
        make_fixture(root, "slug-nocheck", f'''
            id = "slug-nocheck"
            language = "python"
            test_command = "{test_command}"
            outcome = "unverifiable"
            instruction = "Write slug(text) in slug.py: lower case, spaces become dashes."
            ''', {
            "slug.py": "def slug(text):\n    raise NotImplementedError\n",
        }, solution={"slug.py": "def slug(text):\n    return text.lower().replace(' ', '-')\n"},
            checks={"tests/test_slug.py": """
                from slug import slug


                def test_slug():
                    assert slug("Hello World") == "hello-world"
                """})
    return root


def load(root: Path) -> list:  # type: ignore[type-arg]
    from evalkit.fixture import load_fixture

    return [load_fixture(p.parent, suite=root.name) for p in sorted(root.glob("*/task.toml"))]
