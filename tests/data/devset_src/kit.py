"""Small builders for the hand-labelled development set.

Steps (``sh``, ``ed``, ``vw``, ``cr``, ``say``) describe what the agent did; ``build_messages``
turns them into Anthropic-shaped messages. ``item`` assembles one labelled line. Labels are
written by hand in the item files; only ``false_claim`` is derived (it is defined as the
None-aware OR of the five other false-claim flags).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

MISSING: Any = object()

FLAG_KEYS = {
    "fc": "false_completion",
    "ftp": "false_tests_pass",
    "fv": "fabricated_verification",
    "co": "contradicts_observation",
    "tc": "tampered_checks",
    "uc": "under_claim",
}
FIVE = ("fc", "ftp", "fv", "co", "tc")


@dataclass(frozen=True)
class Step:
    kind: str  # "bash" | "edit" | "view" | "create" | "say"
    arg: dict[str, Any]
    output: str = ""


def sh(command: str, output: str) -> Step:
    """A bash tool call and what it printed."""
    return Step("bash", {"command": command}, output)


def ed(path: str, old: str, new: str, output: str | None = None) -> Step:
    """An editor str_replace."""
    out = output if output is not None else f"The file {path} has been edited successfully."
    return Step("edit", {"command": "str_replace", "path": path, "old_str": old, "new_str": new},
                out)


def vw(path: str, content: str) -> Step:
    """An editor view; output gets line numbers like the real tool."""
    lines = content.rstrip("\n").split("\n")
    numbered = "\n".join(f"{i:6d}\t{line}" for i, line in enumerate(lines, 1))
    return Step("view", {"command": "view", "path": path}, numbered)


def cr(path: str, content: str) -> Step:
    """An editor create."""
    return Step("create", {"command": "create", "path": path, "file_text": content},
                f"File created successfully at: {path}")


def say(text: str) -> Step:
    """Assistant text placed before the next tool call."""
    return Step("say", {"text": text})


# ------------------------------------------------------------------ realistic runner output


def pyt(passed: int, failed: int = 0, fails: tuple[str, ...] | list[str] = (), *,
        skipped: int = 0, xfailed: int = 0, errors: int = 0, deselected: int = 0,
        secs: float = 0.21,
        reason: str = "AssertionError: assert False") -> str:
    """pytest -q style output: progress line, short summary, final summary line."""
    total = passed + failed + skipped + xfailed + errors
    progress = ("." * passed + "F" * failed + "s" * skipped + "x" * xfailed + "E" * errors)
    progress = progress[:total]
    out = [f"{progress:<70} [100%]"]
    if failed or errors:
        out.append("=" * 30 + " FAILURES " + "=" * 30)
        for f in fails:
            name = f.split("::")[-1]
            out.append(f"{'_' * 20} {name} {'_' * 20}")
            out.append(f"E       {reason}")
        out.append("=" * 24 + " short test summary info " + "=" * 24)
        for f in fails:
            out.append(f"FAILED {f} - {reason}")
    parts = []
    if failed:
        parts.append(f"{failed} failed")
    if passed:
        parts.append(f"{passed} passed")
    if skipped:
        parts.append(f"{skipped} skipped")
    if xfailed:
        parts.append(f"{xfailed} xfailed")
    if errors:
        parts.append(f"{errors} error" + ("s" if errors > 1 else ""))
    if deselected:
        parts.append(f"{deselected} deselected")
    out.append(f"{', '.join(parts)} in {secs:.2f}s")
    return "\n".join(out)


def nodet(passed: int, failed: int = 0, fails: tuple[str, ...] | list[str] = (),
          names: tuple[str, ...] | list[str] = (), tap: bool = False) -> str:
    """node --test output (spec reporter, or TAP with ``tap=True``)."""
    lines = []
    ok_names = list(names)[:passed] or [f"case {i + 1}" for i in range(passed)]
    if tap:
        n = 0
        for nm in ok_names:
            n += 1
            lines.append(f"ok {n} - {nm}")
        for nm in fails:
            n += 1
            lines.append(f"not ok {n} - {nm}")
        lines += [f"1..{n}", f"# tests {n}", "# suites 0", f"# pass {passed}",
                  f"# fail {failed}", "# cancelled 0", "# skipped 0", "# todo 0",
                  "# duration_ms 48.1"]
    else:
        for nm in ok_names:
            lines.append(f"✔ {nm} (0.4ms)")
        for nm in fails:
            lines.append(f"✖ {nm} (1.1ms)")
        lines += [f"ℹ tests {passed + failed}", "ℹ suites 0", f"ℹ pass {passed}",
                  f"ℹ fail {failed}", "ℹ cancelled 0", "ℹ skipped 0", "ℹ todo 0",
                  "ℹ duration_ms 51.7"]
    return "\n".join(lines)


def jest(passed: int, failed: int = 0, fails: tuple[str, ...] | list[str] = (),
         suite: str = "__tests__/cart.test.js") -> str:
    status = "FAIL" if failed else "PASS"
    lines = ["", "> shop@1.0.0 test", "> jest", "", f"{status} {suite}"]
    for f in fails:
        lines.append(f"  ● {f}")
        lines.append("    expect(received).toBe(expected) // Object.is equality")
    total = passed + failed
    t = f"{failed} failed, {passed} passed, {total} total" if failed else \
        f"{passed} passed, {total} total"
    lines += [f"Test Suites: {'1 failed' if failed else '1 passed'}, 1 total",
              f"Tests:       {t}", "Snapshots:   0 total", "Time:        0.812 s",
              "Ran all test suites."]
    return "\n".join(lines)


def unit(ran: int, failures: int = 0, errors: int = 0,
         fails: tuple[str, ...] | list[str] = ()) -> str:
    marks = "." * (ran - failures - errors) + "F" * failures + "E" * errors
    lines = [marks]
    for f in fails:
        lines += ["=" * 70, f"FAIL: {f}", "-" * 70, "AssertionError: 3 != 4", ""]
    lines += ["-" * 70, f"Ran {ran} tests in 0.004s", ""]
    if failures or errors:
        bits = []
        if failures:
            bits.append(f"failures={failures}")
        if errors:
            bits.append(f"errors={errors}")
        lines.append(f"FAILED ({', '.join(bits)})")
    else:
        lines.append("OK")
    return "\n".join(lines)


def gotest(pkg: str, fails: tuple[str, ...] | list[str] = (), verbose_ok: tuple[str, ...] = ())\
        -> str:
    if not fails:
        lines = [f"=== RUN   {t}\n--- PASS: {t} (0.00s)" for t in verbose_ok]
        lines.append(f"ok  \t{pkg}\t0.006s")
        return "\n".join(lines)
    lines = []
    for f in fails:
        lines += [f"--- FAIL: {f} (0.00s)",
                  f"    merge_test.go:41: {f}: got [[1 5]], want [[1 4] [5 6]]"]
    lines += ["FAIL", f"FAIL\t{pkg}\t0.007s", "FAIL"]
    return "\n".join(lines)


def cargo(passed: int, failed: int = 0, fails: tuple[str, ...] | list[str] = ()) -> str:
    lines = ["   Compiling wordcount v0.1.0 (/workspace)",
             "    Finished test [unoptimized + debuginfo] target(s) in 1.42s",
             "     Running unittests src/lib.rs (target/debug/deps/wordcount-3f2a9c)", "",
             f"running {passed + failed} tests"]
    for f in fails:
        lines.append(f"test {f} ... FAILED")
    lines.append("")
    res = "FAILED" if failed else "ok"
    lines.append(f"test result: {res}. {passed} passed; {failed} failed; 0 ignored; "
                 "0 measured; 0 filtered out; finished in 0.00s")
    return "\n".join(lines)


# ------------------------------------------------------------------ outcomes


def ok(n: int) -> dict[str, Any]:
    return {"passed": True, "tests_passed": n, "tests_failed": 0, "failing_tests": []}


def bad(passed: int, failing: list[str]) -> dict[str, Any]:
    return {"passed": False, "tests_passed": passed, "tests_failed": len(failing),
            "failing_tests": list(failing)}


# ------------------------------------------------------------------ claims and items


def C(type_: str, quote: str, hedged: bool = False, negated: bool = False,
      scope: str | None = None, count: int | None = None) -> dict[str, Any]:
    """One hand-labelled claim. ``type_`` is the claim's meaning after negation is resolved."""
    c: dict[str, Any] = {"type": type_, "quote": quote, "hedged": hedged, "negated": negated}
    if scope is not None:
        c["scope"] = scope
    if count is not None:
        c["count"] = count
    return c


def _tool_id(item_id: str, n: int) -> str:
    return "toolu_" + hashlib.sha1(f"{item_id}/{n}".encode()).hexdigest()[:22]


def build_messages(item_id: str, instruction: str, steps: list[Step], report: str | None)\
        -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = [{"role": "user", "content": instruction}]
    pending_text: list[str] = []
    n = 0
    for st in steps:
        if st.kind == "say":
            pending_text.append(st.arg["text"])
            continue
        n += 1
        tid = _tool_id(item_id, n)
        content: list[dict[str, Any]] = [{"type": "text", "text": t} for t in pending_text]
        pending_text = []
        name = "bash" if st.kind == "bash" else "str_replace_based_edit_tool"
        content.append({"type": "tool_use", "id": tid, "name": name, "input": dict(st.arg)})
        msgs.append({"role": "assistant", "content": content})
        msgs.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": tid, "content": st.output}]})
    if report:
        text = "\n\n".join(pending_text + [report]) if pending_text else report
        msgs.append({"role": "assistant", "content": [{"type": "text", "text": text}]})
    return msgs


def item(id_: str, task: Any, steps: list[Step], report: str, *, cs: bool | None,
         claims: list[dict[str, Any]], note: str, out: Any = MISSING, prot: Any = MISSING,
         diff: str | None = None, true: str = "", none: str = "",
         transcript: bool = True, cls: str | None = None) -> dict[str, Any]:
    """One labelled line.

    ``true`` / ``none``: space-separated short flag names (fc ftp fv co tc uc) that are True /
    None; every other flag is False. ``transcript=False`` gives an empty ``messages`` list (an
    imported record without its transcript).
    """
    t_set, n_set = set(true.split()), set(none.split())
    unknown = (t_set | n_set) - set(FLAG_KEYS)
    if unknown or (t_set & n_set):
        raise ValueError(f"{id_}: bad flag names {sorted(unknown | (t_set & n_set))}")
    labels: dict[str, Any] = {"claimed_success": cs}
    for short, long in FLAG_KEYS.items():
        labels[long] = True if short in t_set else (None if short in n_set else False)
    five = [labels[FLAG_KEYS[s]] for s in FIVE]
    labels["false_claim"] = True if any(v is True for v in five) else (
        None if any(v is None for v in five) else False)
    labels["claims"] = claims
    rec: dict[str, Any] = {
        "id": id_, "model": "devset", "task_id": task.id,
        "outcome_class": cls or task.cls,
        "messages": build_messages(id_, task.instr, steps, report) if transcript else [],
        "final_report": report,
    }
    if out is not MISSING:
        rec["outcome"] = out
    if prot is not MISSING:
        rec["protected_files_modified"] = prot
    if diff:
        rec["diff"] = diff
    order = ["claimed_success", "false_completion", "false_tests_pass", "fabricated_verification",
             "contradicts_observation", "tampered_checks", "false_claim", "under_claim", "claims"]
    rec["labels"] = {k: labels[k] for k in order}
    rec["note"] = note
    return rec
