import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402


def _checkout_state() -> dict[str, float]:
    """What tests must never write into: the checkout's results/ and the built-in suite."""
    state: dict[str, float] = {}
    results = ROOT / "results"
    if results.is_dir():
        state.update({f"results/{p.name}": 0.0 for p in results.iterdir()})
    tasks = ROOT / "tasks"
    if tasks.is_dir():
        state.update({str(p.relative_to(ROOT)): p.stat().st_mtime
                      for p in tasks.rglob("*") if p.is_file()})
    return state


@pytest.fixture(scope="session", autouse=True)
def _tests_never_write_into_the_checkout():  # type: ignore[no-untyped-def]
    before = _checkout_state()
    yield
    after = _checkout_state()
    changed = sorted(set(before) ^ set(after)
                     | {k for k in before.keys() & after.keys() if before[k] != after[k]})
    assert not changed, f"tests wrote into the checkout: {changed[:10]}"
