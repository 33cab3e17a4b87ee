"""Leftovers of dead runs are reclaimed, a live run's never (issue 15): a real ``evalkit run``
subprocess SIGKILLed mid-sample leaves its workspace (and its command's pids cgroup); the next
run, or ``evalkit doctor --reclaim``, removes them while another run's stay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalkit import exitcodes, reclaim
from evalkit.cli import main
from tests.runsuite import make_suite

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ws_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "wsroot"
    root.mkdir()
    monkeypatch.setenv("EVALKIT_WORKSPACE_ROOT", str(root))
    return root


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait()


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def mine(root: Path, pid: int) -> list[Path]:
    return sorted(root.glob(f"evalkit-ws-{pid}-*"))


def cgroups_of(pid: int) -> list[Path]:
    base = reclaim.cgroup_base()
    return sorted(base.glob(f"evalkit-{pid}-*")) if base else []


def start_sleeping_run(tmp_path: Path, name: str, procs: list[subprocess.Popen]
                       ) -> subprocess.Popen:
    """``evalkit run`` in a subprocess whose agent runs ``sleep 60`` in its sandbox."""
    suite = make_suite(tmp_path / name, which=("already_passing",))
    script = tmp_path / f"{name}.toml"
    script.write_text('final_report = "done"\n\n[[steps]]\nbash = "sleep 60"\n')
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalkit", "run", "--model", f"script:{script}", "--tasks",
         str(suite), "--out", str(tmp_path / name / "run"), "--no-progress"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(proc)
    return proc


def wait_in_sample(root: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    """Until the run is inside its sample's sleep: its workspace exists (and, where pids
    cgroups work, the command's cgroup)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, "the run ended before it was killed"
        found = mine(root, proc.pid)
        if found and (reclaim.cgroup_base() is None or cgroups_of(proc.pid)):
            return found[0]
        time.sleep(0.1)
    raise AssertionError("the run never reached its sample")


def test_a_killed_run_leaves_a_workspace_the_next_run_reclaims_and_a_live_one_keeps(
        tmp_path: Path, ws_root: Path, procs: list[subprocess.Popen], capsys) -> None:
    killed = start_sleeping_run(tmp_path, "killed", procs)
    live = start_sleeping_run(tmp_path, "live", procs)
    killed_ws = wait_in_sample(ws_root, killed)
    live_ws = wait_in_sample(ws_root, live)
    killed_groups = cgroups_of(killed.pid)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed_ws.is_dir(), "a SIGKILLed run leaves its workspace (what issue 15 saw)"

    suite = make_suite(tmp_path / "next", which=("already_passing",))
    code = main(["run", "--model", "sim:honest", "--tasks", str(suite), "--out",
                 str(tmp_path / "next" / "run"), "--no-progress"])
    assert code == exitcodes.OK, capsys.readouterr().err
    assert not killed_ws.exists(), "the next run reclaims the dead run's workspace"
    assert not any(g.exists() for g in killed_groups), "and its pids cgroup"
    assert live_ws.is_dir() and (live_ws / "repo").is_dir(), "a live run's is left alone"
    assert live.poll() is None

    # the doctor reclaims too, and says what it removed
    live.send_signal(signal.SIGKILL)
    live.wait()
    capsys.readouterr()
    assert main(["doctor", "--reclaim"]) == exitcodes.OK
    out = capsys.readouterr().out
    assert f"reclaimed workspace {live_ws} (owner pid {live.pid} is gone)" in out
    assert "evalkit doctor: reclaimed" in out and not live_ws.exists()
    assert main(["doctor", "--reclaim"]) == exitcodes.OK
    assert mine(ws_root, live.pid) == []


def test_reclaim_takes_only_certainly_dead_owners_and_never_follows_symlinks(
        tmp_path: Path, ws_root: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    gone = dead_pid()

    dead = ws_root / f"evalkit-ws-{gone}-dead"
    (dead / "repo" / "locked").mkdir(parents=True)
    (dead / "repo" / "escape").symlink_to(outside)  # a link an agent made to outside
    (dead / "repo" / "locked" / "f").write_text("x")
    os.chmod(dead / "repo" / "locked", 0)
    link = ws_root / f"evalkit-official-{gone}-link"
    link.symlink_to(outside, target_is_directory=True)  # a leftover name that is a symlink
    alive = ws_root / f"evalkit-ws-{os.getpid()}-alive"
    alive.mkdir()
    legacy = ws_root / "evalkit-ws-abc123"  # made before names carried a pid: owner unknown
    legacy.mkdir()
    other = ws_root / f"unrelated-{gone}-x"
    other.mkdir()

    zombie = subprocess.Popen(["true"])  # exited, never reaped: a killed, unreaped harness
    time.sleep(0.3)
    undead = ws_root / f"evalkit-ws-{zombie.pid}-zombie"
    undead.mkdir()
    younger = subprocess.Popen(["sleep", "30"])  # its pid is alive, but it started after
    reused = ws_root / f"evalkit-home-{younger.pid}-reused"
    reused.mkdir()
    hour_ago = time.time() - 3600
    os.utime(reused, (hour_ago, hour_ago))
    try:
        found = {Path(x.path).name for x in reclaim.find_leftovers([ws_root], cgroups=False)}
        assert found == {dead.name, undead.name, reused.name}
        done = reclaim.reclaim([ws_root], cgroups=False)
        assert all(x.error is None for x in done), done
    finally:
        zombie.wait()
        younger.kill()
        younger.wait()
    assert not dead.exists() and not undead.exists() and not reused.exists()
    assert (outside / "precious.txt").read_text() == "keep me"
    assert link.is_symlink() and alive.is_dir() and legacy.is_dir() and other.is_dir()


def test_a_dead_runs_pids_cgroup_is_emptied_and_removed(tmp_path: Path) -> None:
    base = reclaim.cgroup_base()
    if base is None:
        pytest.skip("no writable pids cgroup here (cgroup v1 pids or v2 with the pids "
                    "controller, writable by this user): the sandbox makes none to leave")
    gone = dead_pid()
    group = base / f"evalkit-{gone}-1"
    ours = base / f"evalkit-{os.getpid()}-999999"
    group.mkdir()
    ours.mkdir()
    runaway = subprocess.Popen(["sleep", "60"])  # a command the dead run left running
    try:
        (group / "cgroup.procs").write_text(str(runaway.pid))
        done = reclaim.reclaim([tmp_path], cgroups=base)
        # other dead harnesses' idle pooled cgroups may be reclaimed in the same sweep
        assert ("cgroup", str(group), None) in [(x.kind, x.path, x.error) for x in done]
        assert str(ours) not in [x.path for x in done]
        assert runaway.wait(timeout=5) == -signal.SIGKILL
        assert not group.exists() and ours.is_dir()
    finally:
        if runaway.poll() is None:
            runaway.kill()
        runaway.wait()
        for g in (group, ours):
            if g.exists():
                g.rmdir()
