"""The rule grader against the hand-labelled development set (tests/data/devset.jsonl).

Per flag (and claimed_success): precision and recall of the True class, and Cohen's kappa over
the three values True / False / None (a None where the label says False is a disagreement).
Run with ``-s`` to see the table; ``python -m tests.grading.test_devset_quality`` prints it too.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from evalkit.grading import grade_sample
from evalkit.grading.importers import sample_from_dict

DEVSET = Path(__file__).resolve().parents[1] / "data" / "devset.jsonl"
FIELDS = ("claimed_success", "false_completion", "false_tests_pass", "fabricated_verification",
          "contradicts_observation", "tampered_checks", "false_claim", "under_claim")

#: Floors set from measurement (see the table this test prints); a drop below fails the suite.
FLOORS = {"precision": 0.95, "recall": 0.95, "kappa": 0.95}


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two raters over categorical values (None is a category)."""
    n = len(a)
    if n == 0:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(map(repr, a)), Counter(map(repr, b))
    pe = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def precision_recall(labels: Sequence[Any], preds: Sequence[Any]) -> tuple[float, float, int]:
    tp = sum(1 for y, p in zip(labels, preds, strict=True) if y is True and p is True)
    fp = sum(1 for y, p in zip(labels, preds, strict=True) if y is not True and p is True)
    fn = sum(1 for y, p in zip(labels, preds, strict=True) if y is True and p is not True)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    return prec, rec, tp + fn


def measure(path: Path = DEVSET, *, infer_protected: bool = False,
            ) -> tuple[dict[str, dict[str, float]], list[tuple[str, str, Any, Any]]]:
    """Grade every item. The devset's labelling guide leaves tampering unknown when a line has
    no ``protected_files_modified`` (rule 9); evalkit's import default infers it from edits to
    test files, so the measurement uses the devset's convention (``infer_protected=False``)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    labels: dict[str, list[Any]] = {f: [] for f in FIELDS}
    preds: dict[str, list[Any]] = {f: [] for f in FIELDS}
    misses: list[tuple[str, str, Any, Any]] = []
    for it in items:
        g = grade_sample(sample_from_dict(it, infer_protected=infer_protected))
        for f in FIELDS:
            y, p = it["labels"].get(f), getattr(g, f)
            labels[f].append(y)
            preds[f].append(p)
            if y != p:
                misses.append((it["id"], f, y, p))
    table = {}
    # claim level (informational): per item, the multiset of claim types found vs labelled
    # and the same with the negation bit, (type, negated) pairs (flags.md, Negation)
    tp = fp = fn = ntp = nfp = nfn = 0
    for it in items:
        found = grade_sample(sample_from_dict(it, infer_protected=infer_protected)).claims
        got = Counter(c.type for c in found)
        want = Counter(c["type"] for c in it["labels"].get("claims", []))
        tp += sum((got & want).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
        ngot = Counter((c.type, c.negated) for c in found)
        nwant = Counter((c["type"], c["negated"]) for c in it["labels"].get("claims", []))
        ntp += sum((ngot & nwant).values())
        nfp += sum((ngot - nwant).values())
        nfn += sum((nwant - ngot).values())
    claim_types = {"precision": tp / (tp + fp) if tp + fp else 1.0,
                   "recall": tp / (tp + fn) if tp + fn else 1.0,
                   "neg_precision": ntp / (ntp + nfp) if ntp + nfp else 1.0,
                   "neg_recall": ntp / (ntp + nfn) if ntp + nfn else 1.0}
    for f in FIELDS:
        prec, rec, support = precision_recall(labels[f], preds[f])
        agree = sum(y == p for y, p in zip(labels[f], preds[f], strict=True)) / len(items)
        table[f] = {"precision": prec, "recall": rec, "kappa": cohen_kappa(labels[f], preds[f]),
                    "agreement": agree, "support": support, "n": len(items)}
    table["_claim_types"] = claim_types
    return table, misses


def format_table(table: dict[str, dict[str, float]]) -> str:
    rows = [f"{'field':<26}{'n':>5}{'pos':>5}{'prec':>8}{'recall':>8}{'kappa':>8}{'agree':>8}"]
    for f, m in table.items():
        if f == "_claim_types":
            rows.append(f"claim types (per item, multiset): precision {m['precision']:.3f}, "
                        f"recall {m['recall']:.3f}")
            rows.append(f"claim (type, negated) pairs:       precision {m['neg_precision']:.3f}, "
                        f"recall {m['neg_recall']:.3f}")
            continue
        rows.append(f"{f:<26}{m['n']:>5}{m['support']:>5}{m['precision']:>8.3f}"
                    f"{m['recall']:>8.3f}{m['kappa']:>8.3f}{m['agreement']:>8.3f}")
    return "\n".join(rows)


@pytest.mark.skipif(not DEVSET.exists(), reason="tests/data/devset.jsonl is absent (the "
                    "labelled development set is written separately)")
def test_grader_meets_floors_on_devset() -> None:
    table, misses = measure()
    print("\n" + format_table(table))
    for item_id, field, y, p in misses[:40]:
        print(f"  miss {item_id} {field}: label={y} grader={p}")
    low = [f"{f} {k}={m[k]:.3f} < {floor}" for f, m in table.items() if f in FIELDS
           for k, floor in FLOORS.items() if m[k] < floor]
    assert not low, "below floor: " + "; ".join(low)


def test_kappa_and_precision_recall_helpers() -> None:
    assert cohen_kappa([True, False, None, True], [True, False, None, True]) == 1.0
    assert cohen_kappa([True, False], [False, True]) < 0
    assert precision_recall([True, True, False, None], [True, False, True, None]) == (
        0.5, 0.5, 2)


if __name__ == "__main__":  # pragma: no cover
    t, m = measure()
    print(format_table(t))
    for row in m:
        print("miss", *row)
