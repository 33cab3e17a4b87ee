"""What describes a run, as one frozen value: which tasks, which variants, how many epochs,
which shard, what budget, where the results go and what executes the samples.

How the run is carried out in this process (the sandbox, pre-made providers, a progress bar,
signal handling) stays out of it: those are arguments of ``evalkit.runner.run``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evalkit.fixture import Fixture
    from evalkit.variants import Variant

DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class RunSpec:
    #: a suite path (fixture, suite folder, folder of suites, saved dataset) or fixtures
    tasks: str | Path | tuple[Fixture, ...]
    #: variants, or model strings for ad-hoc variants ("sim:honest", "anthropic:…")
    variants: tuple[Variant | str, ...]
    epochs: int = 1
    #: run folder; None: ``results_root/<new run id>``
    out: str | Path | None = None
    run_id: str | None = None
    results_root: str | Path = "results"
    #: samples in flight at once (across the whole cluster with the ray executor)
    concurrency: int = DEFAULT_CONCURRENCY
    #: "i/N": only the samples whose id falls in shard i of N
    shard: str | tuple[int, int] | None = None
    #: only the first N tasks
    limit: int | None = None
    #: stop starting samples once this much was spent (USD / tokens)
    max_cost: float | None = None
    max_tokens: int | None = None
    #: run again the samples stored as errors (resume)
    retry_errors: bool = False
    #: "local" (this process), "ray" or "ray:ADDRESS"
    executor: str = "local"
    #: the command line that asked for it, recorded in the manifest
    argv: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, tasks: str | Path | Sequence[Fixture],
           variants: Sequence[Variant | str] | Variant | str, **settings: object) -> RunSpec:
        """Build one from lists (tuples are what a frozen value holds)."""
        if isinstance(variants, str) or not isinstance(variants, Sequence):
            variants = (variants,)  # type: ignore[assignment]
        if not isinstance(tasks, str | Path):
            tasks = tuple(tasks)
        argv = settings.pop("argv", ()) or ()
        return cls(tasks=tasks, variants=tuple(variants),  # type: ignore[arg-type]
                   argv=tuple(argv), **settings)  # type: ignore[arg-type]
