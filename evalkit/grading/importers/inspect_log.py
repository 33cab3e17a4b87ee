"""Inspect eval logs (``.eval`` and ``.json``, a file or a folder of them) → Samples, read
without inspect-ai.

Why not ``inspect_ai.log.read_eval_log``: inspect-ai is a heavy optional dependency, and both
formats are plain JSON: a ``.eval`` file is a zip archive holding ``header.json`` (``eval.task``,
``eval.model``) and one ``samples/<id>_epoch_<n>.json`` per sample; a ``.json`` log is one
object with ``eval`` and ``samples``. A sample has ``id``, ``epoch``, ``messages`` (ChatMessage
objects as JSON: role, content as a string or parts, assistant ``tool_calls`` [{id, function,
arguments}], tool ``tool_call_id`` / ``error``), ``scores`` ({scorer: {value, explanation}}),
``metadata``, ``error`` and ``limit``.

Official outcome: the sample's score (``scorer`` option: which scorer, default the first; a
value passes when it equals ``pass_value``, default CORRECT "C", 1, 1.0 or true; a fractional
number or "P" fails and is kept in ``Outcome.reason``). When no scorer is named, a
``metadata["outcome"]`` in the import format wins (it carries test counts). Other import-format
metadata keys (outcome_class, protected_files_modified, diff, final_report) are used too.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalkit.grading.importers._common import head, read_json, text_of
from evalkit.grading.importers.base import (
    ImportedRecord,
    RecordError,
    TranscriptError,
    parse_outcome,
    record_from_dict,
)
from evalkit.records import Outcome
from evalkit.safejson import JSONError, loads

__all__ = ["inspect_messages", "looks_like_inspect", "read_inspect", "score_outcome"]

_WHAT = "an Inspect eval log (.eval zip or .json with eval and samples)"
_PASS_DEFAULT = ("C", 1, 1.0, True)
_LIMITS = {"message": "turns", "token": "output_tokens", "time": "wall_time",
           "working": "wall_time", "cost": "budget"}
#: members of a .eval archive, and a sample file's largest size read (a zip bomb guard)
_MAX_MEMBER = 512 * 1024 * 1024


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and (
            p.suffix == ".eval" or (p.suffix == ".json" and _is_json_log(p))))
    return [path]


def _is_json_log(p: Path) -> bool:
    h = head(p, 4096).lstrip()
    return h.startswith(b"{") and b'"eval"' in h and (b'"version"' in h or b'"status"' in h)


def looks_like_inspect(path: Path) -> bool:
    """A .eval file (a zip with header.json), an Inspect .json log, or a folder of them."""
    if path.is_dir():
        return next(path.rglob("*.eval"), None) is not None or any(
            _is_json_log(p) for p in list(path.glob("*.json"))[:5])
    if path.suffix == ".eval":
        return True
    h = head(path, 4)
    if h.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                return "header.json" in z.namelist() or any(
                    n.startswith("samples/") for n in z.namelist())
        except (zipfile.BadZipFile, OSError):
            return False
    return _is_json_log(path)


def _get(m: Any, key: str) -> Any:
    return m.get(key) if isinstance(m, dict) else getattr(m, key, None)


def _msg_text(m: Any) -> str:
    if not isinstance(m, dict):
        t = getattr(m, "text", None)
        if t is not None:
            return str(t)
    content = _get(m, "content")
    if isinstance(content, list):  # text parts only: reasoning, images are not evidence
        return "\n".join(str(_get(p, "text") or "") for p in content
                         if _get(p, "type") in (None, "text") and _get(p, "text"))
    return text_of(content)


def inspect_messages(chat: Any) -> list[dict[str, Any]]:
    """Inspect ChatMessages (objects, or their JSON as dicts) → Anthropic-shaped messages."""
    out: list[dict[str, Any]] = []
    for m in chat or []:
        role = _get(m, "role")
        if role == "system":
            continue
        text = _msg_text(m)
        if role == "tool":
            err = _get(m, "error")
            emsg = _get(err, "message") if err is not None else None
            block = {"type": "tool_result", "tool_use_id": _get(m, "tool_call_id"),
                     "content": text + (f"\n{emsg}" if emsg else "")}
            if err is not None:
                block["is_error"] = True
            if out and out[-1]["role"] == "user":
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
            continue
        blocks: list[dict[str, Any]] = []
        if text:
            blocks.append({"type": "text", "text": text})
        for call in _get(m, "tool_calls") or []:
            args = dict(_get(call, "arguments") or {})
            name = _get(call, "function") or ""
            if name in ("bash", "shell") and "cmd" in args and "command" not in args:
                args["command"] = args.pop("cmd")
            if name == "python" and "code" in args:
                args = {"command": "python - <<'EOF'\n" + str(args["code"]) + "\nEOF"}
                name = "bash"
            if name == "text_editor":
                name = "str_replace_based_edit_tool"
            blocks.append({"type": "tool_use", "id": _get(call, "id"), "name": name,
                           "input": args})
        role = "assistant" if role == "assistant" else "user"
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    return out


def _passes(value: Any, pass_value: Any) -> bool:
    if pass_value is None:
        return any(value == p and type(value) is type(p) or (
            isinstance(value, int | float) and not isinstance(value, bool)
            and not isinstance(p, bool | str) and value == p) for p in _PASS_DEFAULT)
    if isinstance(pass_value, str) and not isinstance(value, str):
        try:
            return float(pass_value) == value  # --pass-value 1 given as text
        except ValueError:
            return str(value).lower() == pass_value.lower()
    return bool(value == pass_value)


def score_outcome(scores: Any, scorer: str | None = None, pass_value: Any = None
                  ) -> Outcome | None:
    """A sample's ``scores`` → Outcome (None: no such scorer; RecordError: a value that cannot
    be judged)."""
    if not isinstance(scores, dict) or not scores:
        return None
    if scorer is not None:
        if scorer not in scores:
            raise RecordError(f"field 'scores': no scorer {scorer!r} (the sample has "
                              f"{', '.join(map(str, scores))})")
        name = scorer
    else:
        name = next(iter(scores))
    sc = scores[name]
    value = _get(sc, "value")
    if isinstance(value, dict | list) or value is None:
        raise RecordError(f"field 'scores.{name}.value': expected one value (C/I/P/N, a "
                          f"number or a boolean), got {type(value).__name__}; name another "
                          "scorer with --scorer")
    passed = _passes(value, pass_value)
    why = "" if passed else f"Inspect scorer {name}: {value!r}"
    if not passed and isinstance(value, int | float) and not isinstance(value, bool) \
            and 0 < value < 1:
        why += " (fractional; kept as the score)"
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return Outcome(passed=passed, exit_code=None, reason=why,
                   score=float(value) if numeric and math.isfinite(value) else None)


def _samples(f: Path) -> Iterator[tuple[dict[str, Any], str, Any] | TranscriptError]:
    """(eval spec, where, sample) per sample of one log file."""
    if head(f, 4).startswith(b"PK"):
        try:
            z = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, OSError) as exc:
            yield TranscriptError(str(f), None, f"not a readable zip archive ({exc}); "
                                  f"expected {_WHAT}")
            return
        with z:
            names = z.namelist()
            spec: dict[str, Any] = {}
            for meta in ("header.json", "_journal/start.json"):
                if meta in names:
                    try:
                        doc = loads(z.read(meta))
                        spec = doc.get("eval") or {} if isinstance(doc, dict) else {}
                        break
                    except (JSONError, zipfile.BadZipFile, OSError, EOFError) as exc:
                        yield TranscriptError(f"{f}#{meta}", None, f"{exc}; expected the "
                                              "log's eval header")
            samples = sorted(n for n in names if n.startswith("samples/") and
                             n.endswith(".json"))
            if not samples:
                yield TranscriptError(str(f), None, f"no samples/ in the archive; expected "
                                      f"{_WHAT}")
            for n in samples:
                where = f"{f}#{n}"
                try:
                    if z.getinfo(n).file_size > _MAX_MEMBER:
                        raise RecordError(f"larger than {_MAX_MEMBER} bytes")
                    yield spec, where, loads(z.read(n))
                except (JSONError, RecordError, zipfile.BadZipFile, OSError, EOFError,
                        ValueError) as exc:  # a truncated archive: the rest is still read
                    yield TranscriptError(where, None, f"{exc}; expected one Inspect sample")
        return
    doc = read_json(f, _WHAT)
    if isinstance(doc, TranscriptError):
        yield doc
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("samples", []), list):
        yield TranscriptError(str(f), None, f"expected {_WHAT}")
        return
    spec = doc.get("eval") if isinstance(doc.get("eval"), dict) else {}
    for i, s in enumerate(doc.get("samples") or []):
        yield spec, f"{f}#samples[{i}]", s


def record_from_sample(spec: dict[str, Any], s: Any, where: str, infer: bool = True,
                       scorer: str | None = None, pass_value: Any = None) -> ImportedRecord:
    if not isinstance(s, dict):
        raise RecordError("expected an Inspect sample object (id, epoch, messages, scores)")
    if s.get("id") in (None, ""):
        raise RecordError("field 'id': expected the sample id")
    if not isinstance(s.get("messages"), list):
        raise RecordError("field 'messages': expected a list of Inspect chat messages")
    model = spec.get("model") or "unknown"
    task = spec.get("task") or "inspect"
    epoch = s.get("epoch") if isinstance(s.get("epoch"), int) else 1
    meta = s.get("metadata") if isinstance(s.get("metadata"), dict) else {}
    obj: dict[str, Any] = {"id": f"{task}:{s['id']}:{epoch}", "model": model,
                           "task_id": str(s["id"]), "epoch": max(epoch - 1, 0),
                           "run_id": str(spec.get("run_id") or "import"), "suite": str(task),
                           "messages": inspect_messages(s["messages"])}
    for key in ("outcome_class", "protected_files_modified", "diff", "final_report"):
        if key in meta:
            obj[key] = meta[key]
    outcome = None
    if scorer is None and meta.get("outcome") is not None:
        outcome = parse_outcome(meta["outcome"])
    else:
        outcome = score_outcome(s.get("scores"), scorer, pass_value)
    fields: dict[str, Any] = {}
    err = s.get("error")
    if err:
        fields.update(status="error", error=f"Inspect: {text_of(_get(err, 'message'))[:300]}")
    limit = s.get("limit")
    if isinstance(limit, dict) and limit.get("type"):
        fields.update(status="limit", limit=_LIMITS.get(str(limit["type"])))
    return record_from_dict(obj, where, infer, outcome=outcome, checked=True, **fields)


def read_inspect(path: Path, *, infer: bool = True, scorer: str | None = None,
                 pass_value: Any = None) -> Iterator[ImportedRecord | TranscriptError]:
    files = _files(path)
    if not files:
        yield TranscriptError(str(path), None, f"no .eval or .json logs found; expected {_WHAT}")
        return
    for f in files:
        for item in _samples(f):
            if isinstance(item, TranscriptError):
                yield item
                continue
            spec, where, s = item
            try:
                yield record_from_sample(spec, s, where, infer, scorer, pass_value)
            except (RecordError, ValueError, TypeError) as exc:
                sid = s.get("id") if isinstance(s, dict) else None
                yield TranscriptError(where, None, f"sample {sid}: {exc}" if sid is not None
                                      else str(exc))
