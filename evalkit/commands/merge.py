"""``evalkit merge RUN... --out DIR``: combine shards (or partial runs) into one run folder.

Samples are deduplicated by sample id. Two lines with the same id that differ in substance
(anything but run id and timings) are reported as conflicts; the first one (in argument order)
is kept. The merged manifest lists its sources; its status is ``complete`` only when every
source is complete and, for shards, every shard 1..N is present.

Exit codes: 0 merged, complete, nothing errored; 2 a source that does not exist or holds no
samples (nothing is written); 4 the merged run is incomplete (a shard or source missing
samples); 5 merged samples errored or a source skipped fixtures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

_VOLATILE = ("run_id", "started_at", "finished_at", "duration_s")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "merge", help="combine shards or partial runs into one run folder",
        description="Combine run folders (e.g. --shard 1/4 ... 4/4) into one, deduplicating "
        "samples by id and reporting conflicting duplicates. Exit codes: 0 ok; 2 a source "
        "missing or holding no samples; 4 merged run incomplete; 5 samples errored or "
        "fixtures skipped.")
    p.add_argument("runs", nargs="+", metavar="RUN", help="run folders to merge")
    p.add_argument("--out", required=True, metavar="DIR", help="the merged run folder (new)")
    p.add_argument("--force", action="store_true", help="replace samples in an existing --out")
    p.set_defaults(func=main)


def _substance(obj: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in obj.items() if k not in _VOLATILE}, sort_keys=True)


def merge_runs(runs: list[str | Path], out: str | Path, *, force: bool = False,
               ) -> dict[str, Any]:
    """Merge run folders into ``out``; returns the merged manifest (with a ``conflicts`` list)."""
    from evalkit import __version__
    from evalkit.records import SCHEMA_VERSION
    from evalkit.runner import RunError, latest, new_run_id, utcnow
    from evalkit.store import SAMPLES, RunStore, read_manifest, read_samples

    out = Path(out)
    if (out / SAMPLES).exists() and (out / SAMPLES).stat().st_size and not force:
        raise RunError(f"{out}: already holds samples; choose a new --out (or --force)")
    manifests = []
    for run in runs:
        if not Path(run).exists():
            raise RunError(f"{run}: no such folder")
        if not Path(run).is_dir():
            raise RunError(f"{run}: not a run folder (expected a folder holding samples.jsonl)")
        manifest = read_manifest(run)
        if manifest is None and not read_samples(run):
            raise RunError(f"{run}: holds no run (no manifest.json and no samples in {SAMPLES})")
        manifests.append(manifest or {})
    run_id = f"merged-{new_run_id()}"
    kept: dict[str, dict[str, Any]] = {}
    conflicts: list[dict[str, Any]] = []
    duplicates = 0
    for run in runs:
        for obj in latest(read_samples(run)):
            sid = obj["sample_id"]
            if sid in kept:
                duplicates += 1
                if _substance({k: v for k, v in kept[sid].items() if k != "_source"}) \
                        != _substance(obj):
                    conflicts.append({"sample_id": sid, "kept_from": kept[sid]["_source"],
                                      "dropped_from": str(run)})
                continue
            kept[sid] = dict(obj, _source=str(run))
    if not kept:
        raise RunError(f"no samples in {', '.join(map(str, runs))}; nothing to merge")
    variants: dict[str, Any] = {}
    for m, run in zip(manifests, runs, strict=True):
        for name, v in (m.get("variants") or {}).items():
            if name in variants and variants[name].get("config_hash") != v.get("config_hash"):
                raise RunError(f"{run}: variant {name!r} has a different configuration than in "
                               "an earlier run; these runs do not belong together")
            variants.setdefault(name, v)
    shards = [m.get("shard") for m in manifests]
    status = "complete" if all(m.get("status") == "complete" for m in manifests) else "incomplete"
    reason = None if status == "complete" else "a source run is incomplete"
    if any(shards):
        ns = {s.split("/")[1] for s in shards if s}
        present = {int(s.split("/")[0]) for s in shards if s}
        if len(ns) != 1 or None in shards:
            status, reason = "incomplete", "sources mix different shardings"
        elif present != set(range(1, int(next(iter(ns))) + 1)):
            missing = sorted(set(range(1, int(next(iter(ns))) + 1)) - present)
            status, reason = "incomplete", f"shards missing: {missing}"
    counts = {"samples": len(kept), "ok": 0, "limit": 0, "error": 0}
    for obj in kept.values():
        if obj.get("status") in counts:
            counts[obj["status"]] += 1
    first = manifests[0] if manifests else {}
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "status": status,
        "reason": reason,
        "evalkit_version": __version__,
        "git_commit": first.get("git_commit"),
        "created_at": utcnow(),
        "started_at": min((m.get("started_at") or "" for m in manifests), default=None),
        "finished_at": max((m.get("finished_at") or "" for m in manifests), default=None),
        "suite": first.get("suite"),
        "suites": sorted({s for m in manifests for s in m.get("suites") or []}),
        "n_tasks": max((m.get("n_tasks") or 0 for m in manifests), default=0),
        "epochs": max((m.get("epochs") or 0 for m in manifests), default=0),
        "limit": first.get("limit"),
        "shard": None,
        "variants": variants,
        "simulated": any(v.get("simulated") for v in variants.values()),
        "planned": sum(m.get("planned") or 0 for m in manifests),
        "counts": counts,
        "fixtures_skipped": max((int(m.get("fixtures_skipped") or 0) for m in manifests),
                                default=0),
        "merged_from": [{"dir": str(r), "run_id": m.get("run_id"), "shard": m.get("shard"),
                         "status": m.get("status")} for r, m in zip(runs, manifests, strict=True)],
        "duplicates": duplicates,
        "conflicts": conflicts,
    }
    with RunStore(out) as store:
        if force:
            store.samples_path.write_bytes(b"")
        for obj in sorted(kept.values(), key=lambda o: o["sample_id"]):
            obj.pop("_source", None)
            obj["run_id"] = run_id
            store.append(obj)
        store.write_manifest(manifest)
    return manifest


def exit_code(manifest: dict[str, Any]) -> int:
    """The merged run's code: the same meanings as ``evalkit run``'s."""
    from evalkit import exitcodes

    if manifest.get("status") != "complete":
        return exitcodes.INCOMPLETE
    if (manifest.get("counts") or {}).get("error") or manifest.get("fixtures_skipped"):
        return exitcodes.ERRORS
    return exitcodes.OK


def main(args: argparse.Namespace) -> int:
    from evalkit import exitcodes
    from evalkit.runner import RunError
    from evalkit.store import StoreError

    try:
        manifest = merge_runs(args.runs, args.out, force=args.force)
    except (RunError, StoreError) as exc:
        print(f"evalkit merge: error: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    c = manifest["counts"]
    print(f"merged {len(args.runs)} runs into {args.out}: {c['samples']} samples "
          f"({c['ok']} ok, {c['limit']} limit, {c['error']} error); "
          f"{manifest['duplicates']} duplicates dropped; status {manifest['status']}"
          + (f" ({manifest['reason']})" if manifest["reason"] else ""))
    for conflict in manifest["conflicts"][:20]:
        print(f"evalkit merge: conflict: sample {conflict['sample_id']} differs between "
              f"{conflict['kept_from']} (kept) and {conflict['dropped_from']}", file=sys.stderr)
    if len(manifest["conflicts"]) > 20:
        print(f"evalkit merge: ... {len(manifest['conflicts']) - 20} more conflicts",
              file=sys.stderr)
    return exit_code(manifest)
