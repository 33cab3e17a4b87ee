import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

#: what running Python and pytest leave in any checkout, not a test's output
_RUNTIME_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


def _checkout_state() -> dict[str, float]:
    """Every file in the checkout (tests must never write into it), with the built-in suite's
    modification times (tests must not change a fixture either)."""
    state: dict[str, float] = {}
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames
                       if d not in _RUNTIME_DIRS and not d.endswith(".egg-info")]
        rel = Path(dirpath).relative_to(ROOT)
        in_tasks = rel.parts[:1] == ("tasks",)
        for name in filenames:
            path = Path(dirpath) / name
            try:
                state[str(rel / name)] = path.stat().st_mtime if in_tasks else 0.0
            except OSError:  # removed meanwhile
                continue
    return state


@pytest.fixture(scope="session", autouse=True)
def _tests_never_write_into_the_checkout():  # type: ignore[no-untyped-def]
    before = _checkout_state()
    yield
    after = _checkout_state()
    changed = sorted(set(before) ^ set(after)
                     | {k for k in before.keys() & after.keys() if before[k] != after[k]})
    assert not changed, f"tests wrote into the checkout: {changed[:10]}"
