"""A module of evalkit as it was at a git revision, importable beside today's one.

Why: the benches measure "before" and "after" in the same run (the same machine load), so each
needs the old version of one module next to the current package. Compiled straight from
``git show`` output: no temporary file is left behind.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def module_at(rev: str, path: str) -> ModuleType:
    """``path`` (e.g. ``evalkit/stats.py``) at ``rev``, as a module of its own name."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
                            capture_output=True, text=True, check=True).stdout
    name = re.sub(r"\W", "_", f"{Path(path).stem}_at_{rev}")
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(ROOT / path)  # relative lookups see the checkout, as today's does
    sys.modules[name] = module  # dataclasses resolve their module by name while defined
    exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)  # noqa: S102
    return module
