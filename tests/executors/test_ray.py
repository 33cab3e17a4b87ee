"""The Ray executor on a real local Ray cluster: the same samples as in-process, a lost worker
neither loses nor duplicates a sample, a sample lost on every attempt is an error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from evalkit import exitcodes
from evalkit.runner import RunError, run
from evalkit.runspec import RunSpec
from tests.runsuite import make_suite

ray = pytest.importorskip("ray", reason="the ray executor's tests need ray (dev extra)")
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FAST = "echo 2 passed"


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    """One local Ray cluster for the module (starting one costs seconds)."""
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    # Workers of every job on this cluster (the subprocess drivers' too) import evalkit from
    # this checkout, however (or whether) it is installed: they inherit the raylet's env.
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), saved or "") if p)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


def _lines(run_dir: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(x) for x in (run_dir / "samples.jsonl").read_text().splitlines() if x]


def _summary(run_dir: Path) -> dict[str, tuple]:  # type: ignore[type-arg]
    out = {}
    for o in _lines(run_dir):
        g = o.get("grade") or {}
        out[o["sample_id"]] = (o["status"], (o.get("outcome") or {}).get("passed"),
                               g.get("claimed_success"), g.get("false_claim"),
                               g.get("false_completion"), o.get("final_report"))
    return out


def test_ray_gives_the_same_samples_and_grades_as_in_process(cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, test_command=FAST)
    model = "sim:mix?fc=0.4&seed=11"
    local = run(RunSpec.of(str(suite), [model], epochs=3, out=tmp_path / "local"),
                progress=False)
    remote = run(RunSpec.of(str(suite), [model], epochs=3, out=tmp_path / "ray",
                            executor="ray"), progress=False)
    assert local.status == remote.status == "complete"
    a, b = _summary(tmp_path / "local"), _summary(tmp_path / "ray")
    assert sorted(a) == sorted(b) and len(a) == 12
    assert a == b
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["executor"].startswith("ray") and manifest["executor_name"] == "ray"


def _kill_a_worker_running_samples(stop: threading.Event, killed: list[int]) -> None:
    """SIGKILL the first Ray worker seen executing a sample (its title names the task)."""
    while not stop.is_set() and not killed:
        found = subprocess.run(["pgrep", "-f", "ray::_run_remote"], capture_output=True,
                               text=True).stdout.split()
        if found:
            pid = int(found[0])
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        time.sleep(0.05)


def test_a_worker_killed_mid_sample_loses_and_duplicates_nothing(cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable", "impossible"), test_command=FAST)
    spec = RunSpec.of(str(suite), ["sim:honest?latency=0.2"], epochs=4, out=tmp_path / "r",
                      concurrency=4, executor="ray")
    stop, killed = threading.Event(), []  # type: ignore[var-annotated]
    killer = threading.Thread(target=_kill_a_worker_running_samples, args=(stop, killed))
    killer.start()
    try:
        result = run(spec, progress=False)
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was caught running a sample"
    ids = [o["sample_id"] for o in _lines(tmp_path / "r")]
    assert len(ids) == len(set(ids)) == 8
    assert result.status == "complete"
    assert all(o["status"] == "ok" for o in _lines(tmp_path / "r")), "Ray retried the lost one"


def test_a_sample_lost_on_every_attempt_is_an_error_naming_why(cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from evalkit.executors.ray import RayExecutor
    from evalkit.runner import run_samples

    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    stop, killed = threading.Event(), []  # type: ignore[var-annotated]
    killer = threading.Thread(target=_kill_a_worker_running_samples, args=(stop, killed))
    killer.start()
    try:
        result = run_samples(str(suite), ["sim:honest?latency=0.3"], epochs=1,
                             out=tmp_path / "r", progress=False,
                             executor=RayExecutor(max_retries=0))
    finally:
        stop.set()
        killer.join()
    assert killed
    (line,) = _lines(tmp_path / "r")
    assert line["status"] == "error" and "lost on all 1 attempts" in line["error"]
    assert result.exit_code == exitcodes.ERRORS


def test_an_unknown_executor_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, which=("solvable",), test_command=FAST)
    with pytest.raises(RunError, match="unknown executor 'rayy'"):
        run(RunSpec.of(str(suite), ["sim:honest"], out=tmp_path / "r", executor="rayy"),
            progress=False)
    assert not (tmp_path / "r").exists()


def test_evalkit_run_executor_ray_end_to_end(tmp_path: Path) -> None:
    """The CLI starts its own local cluster (no RAY_ADDRESS) and shuts it down."""
    suite = make_suite(tmp_path, which=("solvable", "impossible"), test_command=FAST)
    env = dict(os.environ, PYTHONPATH=str(ROOT), RAY_AUTH_MODE="disabled")
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.run([sys.executable, "-m", "evalkit", "run", "--executor", "ray",
                           "--model", "sim:mix?fc=0.3&seed=7", "--tasks", str(suite),
                           "--out", str(tmp_path / "r"), "--no-progress"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == exitcodes.OK, proc.stderr[-2000:]
    assert len(_lines(tmp_path / "r")) == 2


def test_a_nightly_with_a_ray_executor_config_runs_on_the_cluster(cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from evalkit.cli import main

    suite = make_suite(tmp_path, which=("solvable", "impossible"), test_command=FAST)
    cfg = tmp_path / "nightly.toml"
    cfg.write_text(f'[nightly]\nsuite = "{suite}"\nresults = "{tmp_path / "results"}"\n'
                   'executor = "ray"\nepochs = 2\n\n'
                   '[variants.v1]\nmodel = "sim:mix?fc=0.1&seed=3"\n\n'
                   '[variants.v2]\nmodel = "sim:mix?fc=0.6&seed=3"\n')
    code = main(["nightly", "--config", str(cfg)])
    assert code in (exitcodes.OK, exitcodes.REGRESSION)
    (manifest,) = (tmp_path / "results").rglob("manifest.json")
    data = json.loads(manifest.read_text())
    assert data["status"] == "complete" and data["executor"].startswith("ray")
    assert len(_lines(manifest.parent)) == 8


def test_a_nightly_config_with_an_unknown_executor_names_the_field(tmp_path: Path) -> None:
    from evalkit.nightly import ConfigError, load_config

    cfg = tmp_path / "n.toml"
    cfg.write_text('[nightly]\nexecutor = "slurm"\n')
    with pytest.raises(ConfigError, match=r"\[nightly\] field 'executor': unknown executor"):
        load_config(cfg)
    cfg.write_text('[nightly]\nexecutor = "ray:10.0.0.5:6379"\n')
    assert load_config(cfg).executor == "ray:10.0.0.5:6379"


def test_a_killed_driver_resumes_against_the_same_cluster_without_duplicates(
        cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    suite = make_suite(tmp_path, which=("solvable", "impossible"), test_command=FAST)
    address = ray.get_runtime_context().gcs_address
    out = tmp_path / "r"
    env = dict(os.environ, PYTHONPATH=str(ROOT), RAY_AUTH_MODE="disabled")
    args = [sys.executable, "-m", "evalkit", "run", "--executor", f"ray:{address}",
            "--model", "sim:honest?latency=0.2", "--tasks", str(suite), "--epochs", "6",
            "--concurrency", "2", "--out", str(out), "--no-progress"]
    driver = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
            (out / "samples.jsonl").exists() and (out / "samples.jsonl").read_bytes()):
        time.sleep(0.05)
    driver.kill()  # SIGKILL: no chance to tidy up
    driver.wait(timeout=60)
    before = len(_lines(out))
    assert 0 < before < 12
    again = subprocess.run([sys.executable, "-m", "evalkit", "run", "--resume", "--out",
                            str(out), "--no-progress"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == exitcodes.OK, again.stderr[-2000:]
    ids = [o["sample_id"] for o in _lines(out)]
    assert len(ids) == len(set(ids)) == 12
    assert json.loads((out / "manifest.json").read_text())["executor"].startswith("ray:")


def test_a_ray_task_error_is_described_by_what_the_task_raised_not_its_banner() -> None:
    from evalkit.executors.ray import _describe

    banner = RuntimeError("\x1b[36mray::_run_remote()\x1b[39m (pid=17443, ip=192.0.2.2)\n"
                          "Traceback (most recent call last):\n  File \"x.py\", line 1\n"
                          "ModuleNotFoundError: No module named 'evalkit'")
    assert _describe(banner, 3) == (
        "ray: RuntimeError: ModuleNotFoundError: No module named 'evalkit'")
    wrapped = RuntimeError("ray::_run_remote() (pid=1)")
    wrapped.cause = ValueError("bad fixture")  # type: ignore[attr-defined]
    assert _describe(wrapped, 3) == "ray: ValueError: bad fixture"
