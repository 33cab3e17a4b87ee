"""How samples execute: in this process (the default) or on a Ray cluster.

An executor runs one planned sample end to end — workspace, agent loop, official run, grade —
and returns the finished ``Sample``. The run store stays in the driver: executors never write
results, so resume, shards, merge, budgets and the progress bar work the same whatever
executes the samples. Names: ``local``; ``ray`` or ``ray:ADDRESS`` (``ray:auto`` joins the
cluster this machine belongs to; plain ``ray`` starts a local one when there is none).
"""

from __future__ import annotations

from evalkit.executors.base import Executor, ExecutorError

__all__ = ["EXECUTORS", "Executor", "ExecutorError", "get_executor", "parse_executor"]

EXECUTORS = ("local", "ray")


def parse_executor(text: str | None) -> tuple[str, str | None]:
    """``"ray:10.0.0.5:6379"`` → ``("ray", "10.0.0.5:6379")``; raises ExecutorError."""
    name, _, address = (text or "local").partition(":")
    if name not in EXECUTORS:
        raise ExecutorError(f"unknown executor {text!r}: expected 'local', 'ray' or "
                            "'ray:ADDRESS'")
    if name == "local" and address:
        raise ExecutorError(f"executor {text!r}: 'local' takes no address")
    return name, address or None


def get_executor(text: str | None, **options: object) -> Executor | None:
    """The executor named by ``text``; None for ``local`` (the runner's in-process path)."""
    name, address = parse_executor(text)
    if name == "local":
        return None
    from evalkit.executors.ray import RayExecutor

    return RayExecutor(address, **options)  # type: ignore[arg-type]
