"""Run model-written code in a workspace without letting it touch anything else.

With bubblewrap (``bwrap``) a command runs in fresh mount, PID, network, IPC and UTS namespaces:

* the root file system is an empty tmpfs; only ``/usr``, ``/etc``, the ``/bin``-style links, the
  Python interpreter's prefix (and site-packages) and node's install dir are bound read-only;
  ``$HOME``, ``/root``, ``/home``, ``/work``, ``/run``, ``/mnt`` … simply do not exist inside;
* the workspace is the only writable host path; ``/tmp`` is a private tmpfs;
* no network (a fresh network namespace has only a down loopback);
* the environment is built from an allow-list (``SAFE_ENV``) plus explicit caller extras;
  nothing else from ``os.environ`` (API keys, tokens) gets through.

Limits: wall time (the whole process tree is killed: bwrap's PID namespace dies with it, the
process group and the pids cgroup are killed too; partial output is kept), CPU (RLIMIT_CPU),
memory (RLIMIT_AS), file size (RLIMIT_FSIZE), output size (head and tail kept, the cut marked),
and the number of processes.

Process limit (fork bombs). RLIMIT_NPROC is not enforced for root, and a user namespace that
maps the sandbox to uid 0 keeps the kernel uid 0, so it would not help either. What we do:

* harness running as root: bwrap is started without a user namespace and the sandboxed command
  is started through ``setpriv`` as a per-run unprivileged uid (200000+) with no capabilities,
  an empty bounding set and no_new_privs; RLIMIT_NPROC is then enforced by the kernel, and the
  per-run uid means concurrent samples do not share the budget. The workspace is chowned to that
  uid for the run. Where a pids cgroup is writable (cgroup v1 ``pids`` hierarchy, or a cgroup v2
  tree with the pids controller), each run also gets its own cgroup with ``pids.max``, which
  is exact and lets the harness kill every process of the run.
* harness not root: bwrap creates an unprivileged user namespace; RLIMIT_NPROC is set inside the
  namespace, where the kernel counts only that namespace's processes.

Without bwrap (``mode="subprocess"``) the same rlimits, timeout, privilege drop and environment
allow-list apply, but there is no file-system or network isolation; a loud warning says so.

How a command starts (no ``preexec_fn``, so CPython spawns with vfork and nothing runs between
fork and exec in the harness): as root, ``dash -c 'echo $$ > <cgroup>/cgroup.procs && ulimit
...; exec "$@"' bwrap ... -- setpriv --reuid=<fresh uid> ... -- bash -c COMMAND``; otherwise the
sandbox's first ``bash`` sets the rlimits and execs ``bash -c COMMAND``. ``arun`` never blocks the
event loop: set-up and spawn run in a small thread pool, output and exit (a pidfd) are watched by
the loop itself. The bwrap argv is built once per workspace; pids cgroups are pooled and reused
only when empty and uncharged.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import itertools
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from evalkit.records import ExecResult

log = logging.getLogger(__name__)

Mode = Literal["auto", "bwrap", "subprocess"]
MODES: tuple[str, ...] = ("auto", "bwrap", "subprocess")

MiB = 1024 * 1024
GiB = 1024 * MiB

#: A check run while a command runs (e.g. the workspace's size): a reason stops the command.
Watch = Callable[[], "str | None"]
#: Least time between two watch checks; a slow check is spaced to ten times its own cost.
WATCH_INTERVAL_S = 0.5

WARNING_TEXT = (
    "evalkit: WARNING: bubblewrap not found; running model-written code WITHOUT a sandbox"
)

#: Host paths bound read-only into the sandbox when they exist (everything else is absent).
SYSTEM_RO_PATHS: tuple[str, ...] = ("/usr", "/etc", "/opt/node", "/usr/local")
#: Top-level names that are symlinks into /usr on merged-/usr systems, or directories elsewhere.
SYSTEM_LINKS: tuple[str, ...] = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

#: Environment variables set inside the sandbox (PATH is computed); nothing else is inherited.
SAFE_ENV: dict[str, str] = {
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TERM": "dumb",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "NO_COLOR": "1",
    "CI": "1",
    # Third-party pytest plugins of the harness's environment are not the fixture's: loading
    # them cost ~2.3 s per test run here. A fixture that needs one can pass `-p NAME`.
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
}

#: Idle pids cgroups kept for reuse (at most; the rest are removed). A used one cools ~2 s
#: before its charge is back to 0, so a busy run holds about 2 s worth of commands.
POOL_MAX = 1024
#: Workspaces whose bwrap argv is kept (a run has one per sample in flight, plus official runs).
PREFIX_CACHE_MAX = 512

_BASE_UID = 200_000
_UID_SPAN = 50_000
_counter = itertools.count()
_warned = False
_warn_lock = threading.Lock()


class SandboxError(RuntimeError):
    """The sandbox cannot run as configured (e.g. mode='bwrap' without bubblewrap)."""


@dataclass(frozen=True)
class SandboxLimits:
    """Per-command limits. ``None`` disables a limit (not recommended for untrusted code)."""

    wall_time_s: float = 120.0
    cpu_time_s: float | None = 120.0
    memory_bytes: int | None = 4 * GiB  # RLIMIT_AS (virtual); node needs ~1 GiB of address space
    max_processes: int | None = 256  # tasks (processes + threads) of this run
    max_output_bytes: int = 1 * MiB  # head and tail halves kept
    max_file_size: int | None = 256 * MiB  # RLIMIT_FSIZE

    def replace(self, **changes: object) -> SandboxLimits:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- output capture


class _OutputBuffer:
    """Keeps the first and last ``limit/2`` bytes of a stream; memory stays bounded."""

    def __init__(self, limit: int) -> None:
        self.limit = max(int(limit), 2)
        self.head_limit = self.limit // 2
        self.tail_limit = self.limit - self.head_limit
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_len = 0
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if not data:
            return
        if len(data) >= self.tail_limit:
            self.tail.clear()
            data = data[-self.tail_limit:]
            self.tail_len = 0
        self.tail.append(data)
        self.tail_len += len(data)
        while self.tail_len - len(self.tail[0]) >= self.tail_limit:
            self.tail_len -= len(self.tail.popleft())

    @property
    def truncated(self) -> bool:
        return self.total > self.limit

    def text(self) -> str:
        tail = b"".join(self.tail)
        if not self.truncated:
            return (bytes(self.head) + tail).decode("utf-8", errors="replace")
        tail = tail[-self.tail_limit:]
        cut = self.total - len(self.head) - len(tail)
        head_s = bytes(self.head).decode("utf-8", errors="replace")
        tail_s = tail.decode("utf-8", errors="replace")
        sep = "" if head_s.endswith("\n") else "\n"
        return f"{head_s}{sep}[... evalkit: {cut} bytes cut ...]\n{tail_s}"


# --------------------------------------------------------------------------- pids cgroup


class _PidsCgroup:
    """A per-run cgroup with ``pids.max``: exact fork-bomb containment and kill-all."""

    _base: Path | None | bool = False  # False = not probed yet
    _lock = threading.Lock()
    _idle: deque[_PidsCgroup] = deque()  # empty cgroups, oldest first
    _atexit = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.max_pids: int | None = None

    @classmethod
    def base(cls) -> Path | None:
        with cls._lock:
            if cls._base is False:
                cls._base = cls._probe()
            return cls._base  # type: ignore[return-value]

    @classmethod
    def _probe(cls) -> Path | None:
        if os.environ.get("EVALKIT_SANDBOX_CGROUP", "1") == "0":
            return None
        for base in cls._candidates():
            probe = base / f"evalkit-probe-{os.getpid()}"
            try:
                probe.mkdir()
            except OSError:
                continue
            try:
                if (probe / "pids.max").exists():
                    return base
            finally:
                with contextlib.suppress(OSError):
                    probe.rmdir()
        return None

    @staticmethod
    def _candidates() -> list[Path]:
        out: list[Path] = []
        try:
            own = Path("/proc/self/cgroup").read_text().splitlines()
            mounts = Path("/proc/self/mounts").read_text().splitlines()
        except OSError:
            return out
        rel_v1 = rel_v2 = None
        for line in own:
            num, controllers, rel = line.split(":", 2)
            if num == "0":
                rel_v2 = rel
            elif "pids" in controllers.split(","):
                rel_v1 = rel
        for m in mounts:
            parts = m.split()
            if len(parts) < 4:
                continue
            where, fstype, opts = parts[1], parts[2], parts[3].split(",")
            if fstype == "cgroup" and "pids" in opts and rel_v1 is not None:
                out.append(Path(where) / rel_v1.lstrip("/"))
            elif fstype == "cgroup2" and rel_v2 is not None:
                base = Path(where) / rel_v2.lstrip("/")
                try:
                    if "pids" in (base / "cgroup.subtree_control").read_text().split():
                        out.append(base)
                except OSError:
                    pass
        return out

    @classmethod
    def create(cls, max_pids: int) -> _PidsCgroup | None:
        base = cls.base()
        if base is None:
            return None
        path = base / f"evalkit-{os.getpid()}-{next(_counter)}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(max_pids))
        except OSError as exc:
            log.debug("pids cgroup unavailable: %s", exc)
            with contextlib.suppress(OSError):
                path.rmdir()
            return None
        group = cls(path)
        group.max_pids = max_pids
        return group

    @classmethod
    def acquire(cls, max_pids: int) -> _PidsCgroup | None:
        """An empty cgroup with ``pids.max`` = max_pids, from the pool when one is idle.

        Reused because mkdir/rmdir of a cgroup and moving a process into a *fresh* one cost
        milliseconds each (RCU waits) on every command. A pooled cgroup is taken only once
        it has no task and nothing charged (``pids.current`` 0: a pid namespace's tasks are
        uncharged a few seconds after they are gone), so each command starts from zero."""
        if cls.base() is None:
            return None
        group = None
        with cls._lock:
            if not cls._atexit:
                cls._atexit = True
                import atexit

                atexit.register(cls.drain_pool)
            for _ in range(min(len(cls._idle), 4)):  # oldest first: the likeliest to be done
                candidate = cls._idle.popleft()
                if candidate.charged() == 0:
                    group = candidate
                    break
                cls._idle.append(candidate)
        if group is None:
            return cls.create(max_pids)
        if group.max_pids != max_pids:
            try:
                (group.path / "pids.max").write_text(str(max_pids))
                group.max_pids = max_pids
            except OSError:
                group.remove()
                return cls.create(max_pids)
        return group

    def charged(self) -> int:
        """``pids.current`` (-1 when unreadable)."""
        try:
            return int((self.path / "pids.current").read_text())
        except (OSError, ValueError):
            return -1

    def release(self) -> None:
        """Kill what is left in it; back to the pool once empty, else remove it."""
        self.kill()
        if not self.recycle():
            self.remove()

    def recycle(self) -> bool:
        """Back to the pool if no process is left in it (one read, no waiting; the path after
        a command ended normally). False: the caller must ``release`` it (which may wait)."""
        try:
            if (self.path / "cgroup.procs").read_text().split():
                return False
        except OSError:
            return False
        with self._lock:
            if len(self._idle) >= POOL_MAX:
                return False
            self._idle.append(self)
        return True

    @classmethod
    def drain_pool(cls) -> None:
        """Remove the idle cgroups (at exit; reclaim takes them if the process is killed)."""
        with cls._lock:
            idle, cls._idle = cls._idle, deque()
        for group in idle:
            group.remove()

    def procs_file(self) -> str:
        return str(self.path / "cgroup.procs")

    def kill(self) -> None:
        kill_file = self.path / "cgroup.kill"
        if kill_file.exists():
            with contextlib.suppress(OSError):
                kill_file.write_text("1")
        for i in range(200):  # pids.max bounds the tree, so this converges
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                return
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            # short first waits: a task of a just-ended sandbox is usually gone within 3 ms
            time.sleep(min(0.005, 0.0002 * 2 ** i))

    def signal_all(self) -> None:
        """SIGKILL every process listed now (one pass, no waiting)."""
        try:
            pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    return
                self.kill()
                time.sleep(0.01)


# --------------------------------------------------------------------------- helpers


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _warn_unsandboxed() -> None:
    global _warned
    with _warn_lock:
        if _warned:
            return
        _warned = True
    text = WARNING_TEXT if bwrap_path() is None else (
        "evalkit: WARNING: sandbox mode 'subprocess' chosen; running model-written code "
        "WITHOUT a sandbox")
    if log.hasHandlers():  # otherwise logging's last-resort handler would print it twice
        log.warning(text)
    print(text, file=sys.stderr, flush=True)


def _count_uid_tasks(uid: int) -> int:
    """Tasks (threads included, as RLIMIT_NPROC counts them) owned by ``uid``."""
    n = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            st = os.stat(entry.path)
            if st.st_uid == uid:
                n += len(os.listdir(f"{entry.path}/task"))
        except OSError:
            continue
    return n


def _python_ro_paths() -> list[str]:
    """The interpreter's prefixes and site-packages (so ``python -m pytest`` works inside)."""
    import site
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"],
             sysconfig.get_paths()["platlib"], os.path.dirname(os.path.realpath(sys.executable))}
    with contextlib.suppress(Exception):
        paths.update(site.getsitepackages())
    with contextlib.suppress(Exception):
        paths.add(site.getusersitepackages())
    real = {os.path.realpath(p) for p in paths if p and os.path.isdir(p)}
    return _minimal_roots(real)


def _node_ro_paths() -> list[str]:
    node = shutil.which("node")
    if not node:
        return []
    real = os.path.realpath(node)
    prefix = os.path.dirname(os.path.dirname(real))  # .../bin/node -> ...
    return [prefix] if os.path.isdir(prefix) else []


def _others_can_run(path: str) -> bool:
    """Can a uid other than ours traverse to and execute ``path``?"""
    p = Path(os.path.realpath(path))
    try:
        if not os.stat(p).st_mode & 0o001:
            return False
        return all(os.stat(parent).st_mode & 0o001 for parent in p.parents)
    except OSError:
        return False


def _minimal_roots(paths: set[str]) -> list[str]:
    out: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p == q or p.startswith(q.rstrip("/") + "/") for q in out):
            out.append(p)
    return out


def _covered(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.lchown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in itertools.chain(dirnames, filenames):
            with contextlib.suppress(OSError):
                os.lchown(os.path.join(dirpath, name), uid, gid)


# --------------------------------------------------------------------------- the sandbox


@dataclass
class _Prepared:
    argv: list[str]
    env: dict[str, str]
    cwd: str
    cgroup: _PidsCgroup | None
    private_home: str | None
    sandboxed: bool
    user: int | None = None  # ids Popen switches to (subprocess mode as root without setpriv)


class Sandbox:
    """Runs ``bash -c COMMAND`` in a workspace under limits. Thread- and asyncio-safe."""

    def __init__(
        self,
        limits: SandboxLimits | None = None,
        mode: Mode = "auto",
        *,
        extra_ro_paths: tuple[str, ...] = (),
        drop_privileges: bool | None = None,
    ) -> None:
        if mode not in MODES:
            raise SandboxError(f"sandbox mode must be one of {', '.join(MODES)}; got {mode!r}")
        self.limits = limits or SandboxLimits()
        bwrap = bwrap_path()
        if mode == "bwrap" and not bwrap:
            raise SandboxError("mode='bwrap' but bubblewrap (bwrap) is not installed; "
                               "install it (apt-get install bubblewrap) or use mode='subprocess'")
        self.mode: Literal["bwrap", "subprocess"] = (
            "bwrap" if (mode != "subprocess" and bwrap) else "subprocess"
        )
        self.bwrap = bwrap
        self.is_root = os.geteuid() == 0
        self.drop_privileges = self.is_root if drop_privileges is None else drop_privileges
        self.setpriv = shutil.which("setpriv")
        self.dash = shutil.which("dash")
        if self.drop_privileges and not self.is_root:
            self.drop_privileges = False
        if self.drop_privileges and self.mode == "subprocess" and drop_privileges is None \
                and not _others_can_run(sys.executable):
            # no bwrap to re-bind the interpreter: an unprivileged uid could not even start it
            # (e.g. Python under /root, mode 0700); keep root, rely on the pids cgroup
            self.drop_privileges = False
        self.extra_ro_paths = tuple(extra_ro_paths)
        self._ro_paths: list[str] | None = None
        # built once per sandbox / per workspace instead of per command
        self._base_env: dict[str, str] | None = None
        self._ulimit_cache: dict[object, str] = {}
        self._prefix_cache: OrderedDict[str, list[str]] = OrderedDict()
        self._cache_lock = threading.Lock()
        if self.mode == "subprocess":
            _warn_unsandboxed()

    # ------------------------------------------------------------------ description

    @property
    def sandboxed(self) -> bool:
        return self.mode == "bwrap"

    def describe(self) -> dict[str, object]:
        """How this sandbox isolates and limits (for reports and the benchmark)."""
        return {
            "mode": self.mode,
            "bwrap": self.bwrap,
            "process_limit": self._process_mechanism(),
            "limits": dataclasses.asdict(self.limits),
        }

    def _process_mechanism(self) -> str:
        parts = []
        if _PidsCgroup.base() is not None:
            parts.append(f"pids cgroup ({_PidsCgroup.base()})")
        if self.drop_privileges:
            parts.append("per-run uid + RLIMIT_NPROC")
        elif self.mode == "bwrap":
            parts.append("RLIMIT_NPROC inside a user namespace")
        elif not self.is_root:
            parts.append("RLIMIT_NPROC (counted over the whole uid)")
        return " + ".join(parts) or "none (root without cgroup or privilege drop)"

    # ------------------------------------------------------------------ building the command

    def _ro_bind_paths(self) -> list[str]:
        if self._ro_paths is None:
            roots = [p for p in SYSTEM_RO_PATHS if os.path.isdir(p)]
            extra = set(_python_ro_paths()) | set(_node_ro_paths())
            extra |= {os.path.realpath(p) for p in self.extra_ro_paths if os.path.exists(p)}
            self._ro_paths = roots + [p for p in _minimal_roots(extra) if not _covered(p, roots)]
        return self._ro_paths

    def _env(self, home: str, extra: dict[str, str] | None) -> dict[str, str]:
        if self._base_env is None:  # PATH lookups once per sandbox, not per command
            pydir = os.path.dirname(os.path.abspath(sys.executable))
            path = [pydir]
            node = shutil.which("node")
            if node:
                path.append(os.path.dirname(os.path.realpath(node)))
            path += ["/usr/local/bin", "/usr/bin", "/bin"]
            base = dict(SAFE_ENV)
            base["PATH"] = ":".join(dict.fromkeys(path))
            self._base_env = base
        env = dict(self._base_env)
        env["HOME"] = home
        env["TMPDIR"] = "/tmp" if self.mode == "bwrap" else home
        for key, value in (extra or {}).items():
            env[str(key)] = str(value)
        return env

    def _uid(self) -> int:
        return _BASE_UID + (os.getpid() * 7919 + next(_counter)) % _UID_SPAN

    def _cpu_steps(self) -> list[str]:
        """The CPU limit, soft then hard (SIGXCPU first, then KILL): the same in bash and dash."""
        if self.limits.cpu_time_s is None:
            return []
        cpu = max(1, int(self.limits.cpu_time_s + 0.999))
        return [f"ulimit -S -t {cpu}", f"ulimit -H -t {cpu + 1}"]

    def _ulimits(self, nproc: int | None) -> str:
        """The shell prefix that sets the rlimits (after the uid switch, before the command).

        Set by the sandbox's first shell rather than in a ``preexec_fn``: a Python hook
        between fork and exec forces a full fork of the harness on the event loop's thread.
        The values are fixed per sandbox; only the process count varies (non-root runs)."""
        key = nproc
        cached = self._ulimit_cache.get(key)
        if cached is not None:
            return cached
        limits = self.limits
        steps = self._cpu_steps()
        both = ["-c 0"]
        if limits.memory_bytes is not None:
            both.append(f"-v {max(1, limits.memory_bytes // 1024)}")  # KiB
        if limits.max_file_size is not None:
            both.append(f"-f {max(1, limits.max_file_size // 1024)}")  # KiB, rounded down
        if nproc is not None:
            both.append(f"-u {int(nproc)}")
        steps.append("ulimit " + " ".join(both))
        text = " && ".join(steps) + " || exit 125; "
        self._ulimit_cache[key] = text
        return text

    def _dash_ulimits(self, nproc: int | None) -> str:
        """The rlimits in dash's ``ulimit`` (its own flags and units: -f counts 512-byte
        blocks, -p is the process count), for the wrapper that runs as root before bwrap and
        setpriv, where the old ``preexec_fn`` set them. One shell fewer per command."""
        key = ("dash", nproc)
        cached = self._ulimit_cache.get(key)
        if cached is not None:
            return cached
        limits = self.limits
        steps = self._cpu_steps()
        if limits.memory_bytes is not None:
            steps.append(f"ulimit -v {max(1, limits.memory_bytes // 1024)}")  # KiB
        if limits.max_file_size is not None:
            steps.append(f"ulimit -f {max(1, limits.max_file_size // 512)}")  # 512 B blocks
        steps.append("ulimit -c 0")
        if nproc is not None:
            steps.append(f"ulimit -p {int(nproc)}")
        text = " && ".join(steps)
        self._ulimit_cache[key] = text
        return text

    def _bwrap_prefix(self, ws: Path) -> list[str]:
        """bwrap's argv for this workspace (up to ``--``), built once per workspace."""
        key = str(ws)
        with self._cache_lock:
            hit = self._prefix_cache.get(key)
            if hit is not None:
                self._prefix_cache.move_to_end(key)
                return hit
        argv = [self.bwrap or "bwrap"]
        if self.drop_privileges:
            # No user namespace: the command runs as a real unprivileged uid (see module doc).
            argv += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                     "--unshare-cgroup-try"]
        else:
            argv += ["--unshare-all", "--unshare-user"]
        argv += ["--die-with-parent", "--new-session", "--tmpfs", "/"]
        # /tmp first: an interpreter or venv that lives under /tmp is bound on top of it
        argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
                 "--perms", "1777", "--dir", "/var/tmp"]
        made: set[str] = {"/tmp", "/var/tmp"}
        ro = self._ro_bind_paths()
        for p in ro:
            # parents bwrap would create are root-only; make them traversable
            for parent in reversed(Path(p).parents):
                ps = str(parent)
                if ps != "/" and ps not in made and not _covered(ps, ro):
                    made.add(ps)
                    argv += ["--perms", "0755", "--dir", ps]
            argv += ["--ro-bind", p, p]
        for link in SYSTEM_LINKS:
            if os.path.islink(link):
                argv += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link) and not _covered(link, ro):
                argv += ["--ro-bind", link, link]
        for parent in reversed(ws.parents):  # bwrap copies host modes (0700) otherwise
            ps = str(parent)
            if ps not in ("/", "/tmp", "/var", "/var/tmp") and ps not in made \
                    and not _covered(ps, ro):
                made.add(ps)
                argv += ["--perms", "0755", "--dir", ps]
        argv += ["--bind", str(ws), str(ws), "--chdir", str(ws), "--remount-ro", "/"]
        with self._cache_lock:
            self._prefix_cache[key] = argv
            while len(self._prefix_cache) > PREFIX_CACHE_MAX:
                self._prefix_cache.popitem(last=False)
        return argv

    def _prepare(self, command: str, cwd: Path, env: dict | None) -> _Prepared:
        ws = Path(cwd).resolve()
        if not ws.is_dir():
            raise SandboxError(f"workspace {ws} is not a directory")
        nproc = self.limits.max_processes
        uid = self._uid() if self.drop_privileges else None
        if uid is not None:
            _chown_tree(ws, uid, uid)
        shell_nproc: int | None = None
        if nproc is not None:
            if self.mode == "bwrap" or uid is not None:
                # after the uid switch (fresh uid: its count starts at 0) or inside the user
                # namespace, where the kernel counts only that namespace's processes
                shell_nproc = nproc
            elif not self.is_root:
                shell_nproc = _count_uid_tasks(os.getuid()) + nproc

        private_home = None
        if self.mode == "bwrap":
            home = "/tmp"
        else:
            private_home = tempfile.mkdtemp(prefix=f"evalkit-home-{os.getpid()}-")
            if uid is not None:
                os.chown(private_home, uid, uid)
            home = private_home
        full_env = self._env(home, env)
        # The workspace root is importable however tests are started (bare `pytest` does not
        # put the working directory on sys.path; `python -m pytest` does): agents and the
        # official run must see the same imports.
        full_env.setdefault("PYTHONPATH", str(ws))

        # As root (a uid switch follows) the rlimits are set by a dash wrapper on the host
        # before bwrap and setpriv, as the old preexec_fn did (root is exempt from the process
        # count; the fresh uid's count starts at 0). Otherwise the sandbox's first bash sets
        # them, inside the user namespace or after the switch.
        outer_limits = uid is not None and self.dash is not None
        if outer_limits:
            inner = ["/bin/bash", "-c", command]
        else:
            inner = ["/bin/bash", "-c", self._ulimits(shell_nproc) + 'exec /bin/bash -c "$1"',
                     "evalkit-sandbox", command]
        popen_user: int | None = None
        if uid is not None:
            if self.setpriv:
                inner = [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                         "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--",
                         *inner]
            elif self.mode == "bwrap":
                inner = ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}",
                         "--clear-groups", "--bounding-set=-all", "--inh-caps=-all",
                         "--no-new-privs", "--", *inner]
            else:
                popen_user = uid  # no setpriv: Popen switches ids (a plain fork, still no hook)
        argv = [*self._bwrap_prefix(ws), "--", *inner] if self.mode == "bwrap" else inner

        cgroup = None
        if nproc is not None:
            cgroup = _PidsCgroup.acquire(nproc)
        if cgroup is not None or outer_limits:
            # the first process joins the pids cgroup itself, before bwrap or the command can
            # fork: everything of the run is counted and can be killed together
            steps = ['echo $$ > "$0"'] if cgroup is not None else []
            if outer_limits:
                steps.append(self._dash_ulimits(shell_nproc))
            argv = [self.dash or "/bin/sh", "-c",
                    " && ".join(steps) + ' || exit 125; exec "$@"',
                    cgroup.procs_file() if cgroup is not None else "evalkit-sandbox", *argv]
        return _Prepared(argv, full_env, str(ws), cgroup, private_home,
                         self.mode == "bwrap", popen_user)

    def _spawn(self, prep: _Prepared) -> subprocess.Popen:
        """Start the prepared command. No ``preexec_fn``: CPython then uses vfork+exec."""
        kw: dict[str, object] = {}
        if prep.user is not None:
            kw = {"user": prep.user, "group": prep.user, "extra_groups": []}
        try:
            return subprocess.Popen(
                prep.argv, cwd=prep.cwd, env=prep.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                close_fds=True, **kw)  # type: ignore[call-overload]
        except BaseException:
            self._release(prep)
            raise

    def _prepare_and_spawn(self, command: str, cwd: Path, env: dict | None,
                           ) -> tuple[_Prepared, subprocess.Popen, float]:
        """Both in one worker-thread hop (chown touches the disk, spawning waits for exec)."""
        prep = self._prepare(command, cwd, env)
        start = time.monotonic()
        return prep, self._spawn(prep), start

    def _release(self, prep: _Prepared) -> None:
        if prep.cgroup is not None:
            prep.cgroup.release()
            prep.cgroup = None
        if prep.private_home:
            shutil.rmtree(prep.private_home, ignore_errors=True)
            prep.private_home = None

    def _cleanup(self, prep: _Prepared, pid: int) -> None:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        self._release(prep)

    def _kill(self, prep: _Prepared, pid: int) -> None:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        if prep.cgroup is not None:
            prep.cgroup.kill()

    # ------------------------------------------------------------------ running

    def run(
        self,
        command: str,
        cwd: Path,
        *,
        timeout: float | None = None,
        env: dict | None = None,
        watch: Watch | None = None,
    ) -> ExecResult:
        """Run ``command`` with bash in ``cwd``; never raises for anything the command does.

        ``watch`` is called about every WATCH_INTERVAL_S while the command runs; when it returns
        a reason the whole process tree is killed (the caller's watch knows why), so a bound a
        single command could blow through (the workspace's size) holds during the command too.
        """
        wall = self.limits.wall_time_s if timeout is None else timeout
        prep = self._prepare(command, Path(cwd), env)
        buf = _OutputBuffer(self.limits.max_output_bytes)
        start = time.monotonic()
        deadline = start + wall
        timed_out = False
        pacer = _Pacer(watch, start)
        proc = self._spawn(prep)
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        exited_at: float | None = None
        stopped = False
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    timed_out = True
                    self._kill(prep, proc.pid)
                    break
                if exited_at is None and proc.poll() is not None:
                    exited_at = now
                if exited_at is not None and now - exited_at > 0.5:
                    break  # a leftover background process holds the pipe open
                if exited_at is None and pacer.check(now):
                    self._kill(prep, proc.pid)
                    stopped = True
                    break
                wait = min(deadline - now, 0.1 if exited_at is not None else 0.25,
                           pacer.wait(now))
                events = sel.select(wait)
                if not events:
                    continue
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    break
                buf.feed(chunk)
            if timed_out or stopped:  # drain what is already in the pipe, briefly
                drain_end = time.monotonic() + 0.5
                while time.monotonic() < drain_end and sel.select(0.05):
                    try:
                        chunk = os.read(fd, 1 << 16)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        break
                    buf.feed(chunk)
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill(prep, proc.pid)
                code = proc.wait()
        finally:
            sel.close()
            proc.stdout.close()
            self._cleanup(prep, proc.pid)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return ExecResult(
            exit_code=None if timed_out else _exit_code(code),
            duration_s=round(time.monotonic() - start, 6),
            output=buf.text(),
            timed_out=timed_out,
            truncated=buf.truncated,
            sandboxed=prep.sandboxed,
        )

    async def arun(
        self,
        command: str,
        cwd: Path,
        *,
        timeout: float | None = None,
        env: dict | None = None,
        watch: Watch | None = None,
    ) -> ExecResult:
        """Async ``run``: the event loop keeps serving other samples while this one runs.

        Nothing here blocks the loop: preparing (chown, cgroup) and spawning happen in one
        worker-thread hop, the output pipe and the child's exit (a pidfd) are watched by the
        loop itself (no thread per child), and cleanup that may wait runs in a thread.
        ``watch`` as in ``run``; it is called in a worker thread (it may touch the disk).
        """
        wall = self.limits.wall_time_s if timeout is None else timeout
        loop = asyncio.get_running_loop()
        spawning = loop.run_in_executor(
            _spawn_pool(), self._prepare_and_spawn, command, Path(cwd), env)
        try:
            prep, proc, start = await asyncio.shield(spawning)
        except asyncio.CancelledError:
            spawning.add_done_callback(self._abandon)  # the spawn may still complete
            raise
        child = _AsyncChild(loop, proc, _OutputBuffer(self.limits.max_output_bytes))
        deadline = start + wall
        timed_out = stopped = False
        pacer = _Pacer(watch, start)
        code: int | None = None
        try:
            while not child.eof.done():
                now = time.monotonic()
                if now >= deadline:
                    timed_out = True
                    break
                if not child.exited.done() and pacer.due(now):
                    if await loop.run_in_executor(None, pacer.check, time.monotonic()):
                        stopped = True
                        break
                    continue
                wait = min(deadline - now, pacer.wait(now))
                if child.exited.done():
                    # exited: read what is left, but do not wait on leftover background jobs
                    wait = min(wait, child.exited_at + 0.5 - now)
                    if wait <= 0:
                        break
                    await asyncio.wait({child.eof}, timeout=wait)
                else:
                    await asyncio.wait({child.eof, child.exited}, timeout=wait,
                                       return_when=asyncio.FIRST_COMPLETED)
            if timed_out or stopped:
                await self._akill(loop, prep, proc.pid)
                # drain what is already in the pipe, briefly
                await asyncio.wait({child.eof}, timeout=0.3)
            if not child.exited.done():
                await asyncio.wait({child.exited}, timeout=5)
                if not child.exited.done():
                    await self._akill(loop, prep, proc.pid)
                    await child.exited
        except BaseException:
            self._kill_group(proc.pid)
            raise
        finally:
            child.close()
            code = await self._afinish(loop, prep, proc)
        return ExecResult(
            exit_code=None if timed_out else _exit_code(code),
            duration_s=round(time.monotonic() - start, 6),
            output=child.buf.text(),
            timed_out=timed_out,
            truncated=child.buf.truncated,
            sandboxed=prep.sandboxed,
        )

    def _abandon(self, spawning: asyncio.Future) -> None:
        """A spawn finished after its caller was cancelled: kill and clean it up."""
        if spawning.cancelled() or spawning.exception() is not None:
            return
        prep, proc, _ = spawning.result()
        self._kill_group(proc.pid)

        def reap() -> None:
            self._kill(prep, proc.pid)
            proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
            self._release(prep)

        threading.Thread(target=reap, name="evalkit-sandbox-reap", daemon=True).start()

    @staticmethod
    def _kill_group(pid: int) -> None:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)

    async def _akill(self, loop: asyncio.AbstractEventLoop, prep: _Prepared, pid: int) -> None:
        """Kill the process group now; the cgroup (which may take retries) in a thread."""
        self._kill_group(pid)
        if prep.cgroup is not None:
            await loop.run_in_executor(None, prep.cgroup.kill)

    async def _afinish(self, loop: asyncio.AbstractEventLoop, prep: _Prepared,
                       proc: subprocess.Popen) -> int | None:
        """Kill leftovers, reap, give the cgroup back. The common case (the command exited,
        its cgroup is empty, no private home) is a few syscalls on the loop; anything that
        may wait goes to a thread."""
        exited = _has_exited(proc.pid)
        # the child is still unreaped here, so its pid (the group id) cannot have been reused
        self._kill_group(proc.pid)
        if exited and prep.private_home is None:
            code = proc.wait()
            for delay in (0.0, 0.001, 0.002, 0.004):
                # a task of a just-ended bwrap may still be exiting for a few ms: wait on the
                # loop (not in a thread), SIGKILLing whatever is listed meanwhile
                if delay:
                    await asyncio.sleep(delay)
                if prep.cgroup is None or prep.cgroup.recycle():
                    prep.cgroup = None
                    return code
                prep.cgroup.signal_all()

        def slow() -> int | None:
            if prep.cgroup is not None:
                prep.cgroup.kill()
            code = proc.wait()
            self._release(prep)
            return code

        return await loop.run_in_executor(None, slow)


class _AsyncChild:
    """A spawned command's output and exit, watched by the event loop itself.

    The pipe is read with ``add_reader`` straight into the bounded buffer; the exit is seen
    through a pidfd (also an ``add_reader``), so there is no watcher thread per child and the
    child stays unreaped (its pid cannot be reused) until ``Sandbox._afinish`` kills its group
    and reaps it. Without pidfd support a 20 ms timer polls ``waitid(WNOWAIT)`` instead."""

    POLL_S = 0.02

    def __init__(self, loop: asyncio.AbstractEventLoop, proc: subprocess.Popen,
                 buf: _OutputBuffer) -> None:
        self.loop = loop
        self.proc = proc
        self.buf = buf
        self.eof: asyncio.Future[None] = loop.create_future()
        self.exited: asyncio.Future[None] = loop.create_future()
        self.exited_at = 0.0
        assert proc.stdout is not None
        self.fd: int | None = proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        loop.add_reader(self.fd, self._on_output)
        self.pidfd: int | None = None
        self.timer: asyncio.TimerHandle | None = None
        try:
            self.pidfd = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):
            self.timer = loop.call_later(self.POLL_S, self._poll)
        else:
            loop.add_reader(self.pidfd, self._on_exit)

    def _on_output(self) -> None:
        assert self.fd is not None
        try:
            chunk = os.read(self.fd, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if chunk:
            self.buf.feed(chunk)
            return
        self.loop.remove_reader(self.fd)
        if not self.eof.done():
            self.eof.set_result(None)

    def _on_exit(self) -> None:
        if self.pidfd is not None:
            self.loop.remove_reader(self.pidfd)
        if not self.exited.done():
            self.exited_at = time.monotonic()
            self.exited.set_result(None)

    def _poll(self) -> None:
        self.timer = None
        if _has_exited(self.proc.pid):
            self._on_exit()
        else:
            self.timer = self.loop.call_later(self.POLL_S, self._poll)

    def close(self) -> None:
        if self.fd is not None:
            self.loop.remove_reader(self.fd)
            self.fd = None
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        if self.pidfd is not None:
            self.loop.remove_reader(self.pidfd)
            os.close(self.pidfd)
            self.pidfd = None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def _has_exited(pid: int) -> bool:
    """Has the (unreaped) child ``pid`` exited? Does not reap it."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


_spawn_executor: ThreadPoolExecutor | None = None
_spawn_lock = threading.Lock()


def _after_fork_in_child() -> None:
    """A forked harness (multiprocessing, an executor) must not share the parent's idle
    cgroups (a kill in one would hit the other's command) nor its dead spawn threads."""
    global _spawn_executor
    _spawn_executor = None
    _PidsCgroup._idle = deque()
    _PidsCgroup._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _spawn_pool() -> ThreadPoolExecutor:
    """Two threads that prepare and spawn commands, apart from the loop's default executor
    (which does the runner's file work): a spawn never queues behind a workspace copy."""
    global _spawn_executor
    with _spawn_lock:
        if _spawn_executor is None:
            _spawn_executor = ThreadPoolExecutor(max_workers=2,
                                                 thread_name_prefix="evalkit-spawn")
        return _spawn_executor


class _Pacer:
    """Calls a watch at most every WATCH_INTERVAL_S (or ten times its own cost, if slower)."""

    def __init__(self, watch: Watch | None, start: float) -> None:
        self.watch = watch
        self.next = start + WATCH_INTERVAL_S
        self.reason: str | None = None

    def due(self, now: float) -> bool:
        return self.watch is not None and self.reason is None and now >= self.next

    def wait(self, now: float) -> float:
        """Seconds until the next check (a large number when there is no watch)."""
        return max(self.next - now, 0.0) if self.watch is not None else 3600.0

    def check(self, now: float) -> bool:
        """Run the watch if due; True when it asks to stop the command."""
        if not self.due(now):
            return False
        t = time.monotonic()
        try:
            self.reason = self.watch() if self.watch is not None else None
        except Exception as exc:  # a broken watch must not leave the command unwatched
            self.reason = f"watch failed: {type(exc).__name__}: {exc}"
        cost = time.monotonic() - t
        self.next = time.monotonic() + max(WATCH_INTERVAL_S, 10 * cost)
        return self.reason is not None


def _exit_code(code: int | None) -> int | None:
    """Shell convention: killed by signal N -> 128 + N."""
    if code is None:
        return None
    return 128 - code if code < 0 else code


def default_sandbox(limits: SandboxLimits | None = None) -> Sandbox:
    """A Sandbox whose mode comes from ``EVALKIT_SANDBOX`` (auto | bwrap | subprocess)."""
    mode = os.environ.get("EVALKIT_SANDBOX", "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise SandboxError(f"EVALKIT_SANDBOX must be one of {', '.join(MODES)}; got {mode!r}")
    return Sandbox(limits=limits, mode=mode)  # type: ignore[arg-type]
