"""Is this machine ready to measure? Checks shared by ``evalkit doctor`` and the start of runs.

Why: on a fresh install a missing test runner does not crash anything; it silently turns every
official run red and the night reports the model as failing. So before any sample runs (and on
demand with ``evalkit doctor``) each fixture language's test runner is probed *inside the
sandbox*, with the environment the official run gets, and each model's provider key is looked
up. Missing bubblewrap is reported too (``doctor`` fails on it; runs only warn, as the sandbox
falls back to a plain subprocess).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

#: The Node major version the JavaScript fixtures need (``node --test`` with its reporters).
MIN_NODE = 20

#: provider prefix -> (environment variables, any one of which is a key; how to set one)
PROVIDER_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "anthropic": (("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
                  "export ANTHROPIC_API_KEY=sk-ant-... (or ANTHROPIC_AUTH_TOKEN); a proxy or "
                  "local server also needs ANTHROPIC_BASE_URL"),
}
#: provider prefix -> the Python package its client needs
PROVIDER_PACKAGES: dict[str, str] = {"anthropic": "anthropic"}

_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=.*")
_MODULE = re.compile(r"[A-Za-z_][\w.]*")
_PYTHON = re.compile(r"python[\d.]*")


@dataclass(frozen=True)
class Check:
    """One thing the job needs, and whether this machine has it."""

    name: str
    ok: bool
    detail: str  # what was found (or what failed)
    fix: str = ""  # how to fix it, when not ok
    severity: Literal["error", "warning"] = "error"

    def line(self) -> str:
        mark = "ok  " if self.ok else ("FAIL" if self.severity == "error" else "warn")
        text = f"[{mark}] {self.name}: {self.detail}"
        if not self.ok and self.fix:
            text += f"\n       fix: {self.fix}"
        return text


class EnvironmentNotReady(RuntimeError):
    """A check failed before any sample ran (the command exits ENVIRONMENT)."""

    def __init__(self, checks: Sequence[Check]) -> None:
        self.checks = tuple(checks)
        super().__init__("the environment cannot do this job:\n"
                         + "\n".join(c.line() for c in checks))


# --------------------------------------------------------------------------- test runners


@dataclass(frozen=True)
class Requirement:
    """What a test command needs from the sandbox, and the shell probe that checks it."""

    what: str  # e.g. "python can import pytest"
    probe: str  # a shell command: exit 0 when the requirement holds
    fix: str


def _import_check(python: str, module: str) -> str:
    """``python`` imports ``module``; on failure one line (no traceback) says why."""
    code = (f"import sys\ntry:\n    import {module}\nexcept Exception as exc:\n"
            "    sys.exit(f'{type(exc).__name__}: {exc}')")
    return f"{shlex.quote(python)} -c {shlex.quote(code)}"


def _command_tokens(test_command: str) -> list[str]:
    try:
        tokens = shlex.split(test_command)
    except ValueError:
        tokens = test_command.split()
    while tokens and (_ASSIGNMENT.fullmatch(tokens[0]) or tokens[0] == "env"):
        tokens.pop(0)
    return tokens


def requirements(test_command: str, language: str | None = None) -> list[Requirement]:
    """The runner requirements of one fixture's official test command.

    ``python -m MOD`` needs the sandbox's ``python`` to import MOD; a command mentioning pytest
    needs pytest importable; JavaScript fixtures need node >= MIN_NODE; any other program must
    be on the sandbox's PATH.
    """
    tokens = _command_tokens(test_command)
    out: list[Requirement] = []
    if not tokens:
        return out
    prog = tokens[0]
    q = shlex.quote
    found = f"command -v {q(prog)} || {{ echo {q(prog + ': command not found')}; exit 127; }}"
    name = os.path.basename(prog)
    pip = f"{q(sys.executable)} -m pip install"
    if _PYTHON.fullmatch(name):
        module = tokens[2] if len(tokens) > 2 and tokens[1] == "-m" else None
        if module and _MODULE.fullmatch(module):
            out.append(Requirement(f"`{prog}` can import {module}",
                                   f"{found} && {_import_check(prog, module)}",
                                   f"{pip} {module.split('.')[0]} (the interpreter the "
                                   "sandbox runs is the one evalkit runs under)"))
        else:
            out.append(Requirement(f"`{prog}` is on the sandbox's PATH", found,
                                   f"install {prog}"))
    elif name == "pytest":
        out.append(Requirement("`pytest` is on the sandbox's PATH", f"{found} && pytest --version",
                               f"{pip} pytest"))
    elif name not in ("node", "npm", "npx", "yarn", "pnpm"):
        out.append(Requirement(f"`{prog}` is on the sandbox's PATH", found,
                               f"install {prog}, or change the fixture's test_command"))
    if "pytest" in test_command and not any("pytest" in r.what for r in out):
        out.append(Requirement("`python` can import pytest",
                               f"command -v python && {_import_check('python', 'pytest')}",
                               f"{pip} pytest"))
    if language == "javascript" or name in ("node", "npm", "npx", "yarn", "pnpm"):
        check = (f"process.exit(Number(process.versions.node.split('.')[0]) >= {MIN_NODE} "
                 "? 0 : 3)")
        out.append(Requirement(
            f"node >= {MIN_NODE}",
            f"command -v node || {{ echo 'node: command not found'; exit 127; }}; "
            f"node --version && node -e {q(check)}",
            f"install Node.js {MIN_NODE} or newer (e.g. from nodejs.org or NodeSource)"))
        if name in ("npm", "npx", "yarn", "pnpm"):
            out.append(Requirement(f"`{prog}` is on the sandbox's PATH", found,
                                   f"install {prog}"))
    return out


def _official_env() -> dict[str, str]:
    """The extra environment of the official run, so the probe sees what the tests will see."""
    try:
        from evalkit.workspace import OFFICIAL_ENV
    except ImportError:  # an older workspace module
        return {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONNOUSERSITE": "1"}
    return dict(OFFICIAL_ENV)


async def _probe(sandbox: Any, req: Requirement) -> tuple[bool, str]:
    folder = tempfile.mkdtemp(prefix="evalkit-doctor-")
    try:
        result = await sandbox.arun(req.probe, Path(folder), timeout=60, env=_official_env())
    except Exception as exc:  # the sandbox itself refusing is also "not ready"
        return False, f"the sandbox could not run the check: {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    output = " ".join((result.output or "").split())
    if result.exit_code == 0 and not result.timed_out:
        return True, output[-200:]
    why = "timed out" if result.timed_out else f"exit {result.exit_code}"
    return False, f"{why}: {output[-300:] or 'no output'}"


async def acheck_runners(fixtures: Iterable[Any], sandbox: Any) -> list[Check]:
    """Probe each distinct runner requirement of the fixtures once, inside ``sandbox``."""
    wanted: dict[str, tuple[Requirement, list[str]]] = {}
    for fx in fixtures:
        for req in requirements(fx.test_command, getattr(fx, "language", None)):
            wanted.setdefault(req.probe, (req, []))[1].append(str(getattr(fx, "id", "?")))
    items = list(wanted.values())
    results = await asyncio.gather(*(_probe(sandbox, req) for req, _ in items))
    checks = []
    for (req, ids), (ok, detail) in zip(items, results, strict=True):
        users = f"{len(ids)} fixture{'s' if len(ids) != 1 else ''}"
        example = f", e.g. {ids[0]}" if ids else ""
        name = f"test runner: {req.what} ({users}{example})"
        if ok:
            checks.append(Check(name, True, f"found ({detail})" if detail else "found"))
        else:
            checks.append(Check(name, False, f"not in the sandbox: {detail}", req.fix))
    return checks


# --------------------------------------------------------------------------- keys, sandbox


def check_keys(models: Iterable[str], *, given: Iterable[str] = ()) -> list[Check]:
    """One check per provider that needs a key (simulated and unknown providers need none).

    ``given``: models whose provider object the caller supplies (nothing to look up)."""
    skip = set(given)
    by_prefix: dict[str, list[str]] = {}
    for model in models:
        if model in skip:
            continue
        prefix = model.partition(":")[0]
        if prefix in PROVIDER_KEYS:
            by_prefix.setdefault(prefix, []).append(model)
    checks = []
    for prefix, names in sorted(by_prefix.items()):
        env_names, fix = PROVIDER_KEYS[prefix]
        label = f"{prefix} key (for {', '.join(sorted(set(names)))})"
        package = PROVIDER_PACKAGES.get(prefix)
        if package and importlib.util.find_spec(package) is None:
            checks.append(Check(f"{prefix} client", False,
                                f"the Python package {package!r} is not installed",
                                f"{sys.executable} -m pip install {package}"))
        present = [n for n in env_names if os.environ.get(n, "").strip()]
        if present:
            checks.append(Check(label, True, f"{present[0]} is set"))
        else:
            checks.append(Check(label, False, f"none of {', '.join(env_names)} is set", fix))
    return checks


def check_bwrap(*, required: bool = True) -> Check:
    """bubblewrap present and able to start a sandbox here (user namespaces may be off)."""
    from evalkit.sandbox import Sandbox, SandboxError, bwrap_path

    severity: Literal["error", "warning"] = "error" if required else "warning"
    fix = ("apt-get install bubblewrap (Debian/Ubuntu) or dnf install bubblewrap; without it "
           "model-written code runs in a plain subprocess")
    path = bwrap_path()
    if path is None:
        return Check("sandbox: bubblewrap", False, "bwrap is not on PATH", fix, severity)
    folder = tempfile.mkdtemp(prefix="evalkit-doctor-")
    try:
        result = Sandbox(mode="bwrap").run("true", Path(folder), timeout=30)
    except (SandboxError, OSError) as exc:
        return Check("sandbox: bubblewrap", False, f"{path} cannot start: {exc}", fix, severity)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.exit_code != 0:
        tail = " ".join(result.output.split())[-200:]
        return Check("sandbox: bubblewrap", False, f"{path} fails to start a sandbox ({tail}); "
                     "unprivileged user namespaces may be disabled",
                     "sysctl -w kernel.unprivileged_userns_clone=1 (or run as root), or "
                     "EVALKIT_SANDBOX=subprocess to accept running unsandboxed", severity)
    return Check("sandbox: bubblewrap", True, f"{path} works")


# --------------------------------------------------------------------------- together


async def apreflight(fixtures: Sequence[Any], variants: Sequence[Any], sandbox: Any, *,
                     given_providers: Iterable[str] = ()) -> list[Check]:
    """The checks the start of ``run`` / ``nightly`` makes: keys first (cheap), then runners.

    ``given_providers``: names of variants whose provider object the caller supplied."""
    given = set(given_providers)
    own_key = {v.name for v in variants
               if any((getattr(v, "options", None) or {}).get(k) not in (None, "", "<redacted>")
                      for k in ("api_key", "auth_token"))}
    checks = check_keys([v.model for v in variants if v.name not in given | own_key])
    checks += await acheck_runners(fixtures, sandbox)
    return checks


def check_leftovers() -> Check:
    """Temp folders and pids cgroups of dead (killed) runs. Only a warning: they cost disk and
    cgroup slots, not correctness, and every run reclaims them at its start anyway."""
    from evalkit.reclaim import find_leftovers

    try:
        found = find_leftovers()
    except Exception as exc:  # noqa: BLE001 - a housekeeping check never breaks doctor
        return Check("leftovers of dead runs", True, f"not checked ({exc})", severity="warning")
    if not found:
        return Check("leftovers of dead runs", True, "none")
    dirs = sum(x.kind == "workspace" for x in found)
    groups = len(found) - dirs
    return Check("leftovers of dead runs", False,
                 f"{dirs} temp folder{'s' * (dirs != 1)}, {groups} pids cgroup"
                 f"{'s' * (groups != 1)} of killed runs",
                 "evalkit doctor --reclaim (every run also reclaims them when it starts)",
                 severity="warning")


def failures(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if not c.ok and c.severity == "error"]


__all__ = ["Check", "EnvironmentNotReady", "MIN_NODE", "Requirement", "acheck_runners",
           "apreflight", "check_bwrap", "check_keys", "check_leftovers", "failures",
           "requirements"]
