"""Samples as Ray tasks: each builds its workspace and sandbox on a worker, runs the agent loop,
the official run and the grade there, and returns the finished record to the driver, which
alone stores it.

Fixtures travel through Ray's object store (a ``Fixture`` carries its files as bytes), never a
shared filesystem. API keys reach workers through their own environment (a local cluster
inherits the driver's); the sandbox's environment allow-list keeps them out of model-written
code as on one machine. How many samples run at once is the driver's ``--concurrency``, so a
provider's rate limit holds across the whole cluster; ``cpus_per_sample`` (default 0.25: a
sample mostly waits on the model) tells Ray how many fit on a node.

Faults: a worker or node lost mid-sample is retried by Ray on another worker (``max_retries``,
default 3); the driver stores whichever attempt returns, once. A sample whose workers die on
every attempt is stored as an ``error`` naming the cause, and ``--retry-errors`` runs it again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from evalkit.executors.base import ExecutorError

if TYPE_CHECKING:
    from evalkit.fixture import Fixture
    from evalkit.records import Sample
    from evalkit.runner import PlannedSample
    from evalkit.variants import Variant

INSTALL_HINT = "the ray executor needs Ray: pip install 'evalkit[ray]'"
DEFAULT_CPUS_PER_SAMPLE = 0.25
DEFAULT_MAX_RETRIES = 3


class RayExecutor:
    def __init__(self, address: str | None = None, *, max_retries: int = DEFAULT_MAX_RETRIES,
                 cpus_per_sample: float = DEFAULT_CPUS_PER_SAMPLE,
                 runtime_env: dict[str, Any] | None = None, num_cpus: int | None = None) -> None:
        self.address = address
        self.max_retries = int(max_retries)
        self.cpus_per_sample = float(cpus_per_sample)
        self.runtime_env = runtime_env
        self.num_cpus = num_cpus  # a local cluster's size (tests); None: Ray's own count
        self.description = f"ray:{address}" if address else "ray"
        self._owns_cluster = False
        self._fixtures: dict[str, Any] = {}
        self._task: Any = None

    async def start(self, fixtures: Sequence[Fixture], variants: Sequence[Variant]) -> None:
        try:
            import ray
        except ImportError as exc:
            raise ExecutorError(INSTALL_HINT) from exc
        if not ray.is_initialized():
            kwargs: dict[str, Any] = dict(include_dashboard=False, log_to_driver=False,
                                          configure_logging=False, ignore_reinit_error=True)
            if self.address:
                kwargs["address"] = self.address
            elif self.num_cpus is not None:
                kwargs["num_cpus"] = self.num_cpus
            if self.runtime_env:
                kwargs["runtime_env"] = self.runtime_env
            try:
                await asyncio.to_thread(ray.init, **kwargs)
            except Exception as exc:  # noqa: BLE001 - Ray raises many kinds; one message
                where = f" at {self.address}" if self.address else ""
                raise ExecutorError(f"cannot start or reach the Ray cluster{where}: "
                                    f"{type(exc).__name__}: {exc}") from exc
            self._owns_cluster = True
        self._fixtures = {f.key: ray.put(f) for f in fixtures}
        self._task = ray.remote(_run_remote).options(
            max_retries=self.max_retries, retry_exceptions=False,
            num_cpus=self.cpus_per_sample)
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        cpus = sum(float((n.get("Resources") or {}).get("CPU", 0)) for n in nodes)
        self.description = (f"{'ray:' + self.address if self.address else 'ray'} "
                            f"({len(nodes)} node{'s' if len(nodes) != 1 else ''}, "
                            f"{cpus:g} CPUs)")

    async def execute(self, planned: PlannedSample, run_id: str) -> Sample:
        import ray

        from evalkit.records import Sample, from_json
        from evalkit.runner import error_sample

        fixture_ref = self._fixtures.get(planned.fixture.key)
        if fixture_ref is None:  # a fixture the run did not announce: ship it now
            fixture_ref = self._fixtures[planned.fixture.key] = ray.put(planned.fixture)
        ref = self._task.remote(fixture_ref, planned.sample_id, planned.variant, planned.epoch,
                                run_id)
        try:
            data = await ref
        except asyncio.CancelledError:
            ray.cancel(ref, force=True)
            raise
        except Exception as exc:  # noqa: BLE001 - worker/node lost on every attempt, or a bug
            return error_sample(planned, run_id, _describe(exc, self.max_retries))
        return from_json(Sample, data)

    async def close(self) -> None:
        if self._owns_cluster:
            import ray

            await asyncio.to_thread(ray.shutdown)
            self._owns_cluster = False


def _describe(exc: BaseException, retries: int) -> str:
    import ray.exceptions as rex

    lost = (rex.WorkerCrashedError, rex.NodeDiedError, rex.ObjectLostError)
    if isinstance(exc, lost):
        return (f"ray: the sample's worker was lost on all {retries + 1} attempts "
                f"({type(exc).__name__})")
    cause = getattr(exc, "cause", None)  # a RayTaskError wraps what the task raised
    if isinstance(cause, BaseException) and cause is not exc:
        return _describe(cause, retries)
    return f"ray: {type(exc).__name__}: {_message(exc)}"[:500]


def _message(exc: BaseException) -> str:
    """The telling line of a Ray error: its text opens with a 'ray::task() (pid=…)' banner in
    colour and often ends with a traceback, so keep the last plain line that is not either."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("ray::", "Traceback", "File \""))]
    return lines[-1] if lines else ""


_SANDBOX: Any = None


def _run_remote(fixture: Fixture, sample_id: str, variant: Variant, epoch: int,
                run_id: str) -> dict[str, Any]:
    """On a worker: one sample end to end, returned as its JSON record."""
    from evalkit.providers import get_provider
    from evalkit.records import to_json
    from evalkit.runner import PlannedSample, execute_sample

    global _SANDBOX
    if _SANDBOX is None:
        from evalkit.sandbox import default_sandbox

        _SANDBOX = default_sandbox()

    async def one() -> dict[str, Any]:
        provider = get_provider(variant.model, **variant.options)
        try:
            sample = await execute_sample(PlannedSample(sample_id, fixture, variant, epoch),
                                          provider, _SANDBOX, run_id)
        finally:
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()
        return to_json(sample)

    return asyncio.run(one())
