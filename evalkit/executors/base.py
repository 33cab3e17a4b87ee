"""The executor seam: what the runner asks of whatever executes its samples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from evalkit.fixture import Fixture
    from evalkit.records import Sample
    from evalkit.runner import PlannedSample
    from evalkit.variants import Variant


class ExecutorError(RuntimeError):
    """An executor that cannot start (unknown name, Ray missing, cluster unreachable)."""


class Executor(Protocol):
    """Runs planned samples somewhere and hands back finished ones; never stores them.

    ``execute`` never raises for a failure of the sample itself (that is an ``error`` sample
    with the reason), only on cancellation."""

    description: str

    async def start(self, fixtures: Sequence[Fixture], variants: Sequence[Variant]) -> None: ...

    async def execute(self, planned: PlannedSample, run_id: str) -> Sample: ...

    async def close(self) -> None: ...
