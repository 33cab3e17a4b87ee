"""Build hook: the built-in fixture suite ships inside the wheel.

``tasks/`` at the repository root is the suite's source (fixtures are edited and validated
there); a wheel carries a copy as ``evalkit/builtin_tasks/`` so that ``evalkit nightly`` works
after a plain ``pip install .`` from any working directory. An editable install reads
``tasks/`` beside the package instead (``evalkit.nightly.builtin_suite``). Metadata lives in
pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SUITE = Path(__file__).resolve().parent / "tasks"


class BuildPyWithSuite(build_py):
    def run(self) -> None:
        super().run()
        if not SUITE.is_dir():
            return
        target = Path(self.build_lib) / "evalkit" / "builtin_tasks"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(SUITE, target, ignore=shutil.ignore_patterns(
            "__pycache__", "*.pyc", ".pytest_cache", "node_modules"))


setup(cmdclass={"build_py": BuildPyWithSuite})
