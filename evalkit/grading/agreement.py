"""Agreement between two graders on the same samples: Cohen's κ per flag, and where they differ.

A judge is only worth trusting (or the rules only worth keeping) as far as the two read the same
reports the same way, so ``evalkit grade --compare-graders rules,llm:<model>`` grades one input
with both and reports, per field, raw agreement (with its Wilson interval), Cohen's κ (with the
Fleiss-Cohen-Everitt asymptotic interval) and n, then lists every disagreeing sample.

Decisions:

- A flag has three values, True, False and None (unknown), and κ is computed over those three
  categories: a grader that says "unknown" where the other says "False" disagrees with it.
- κ is undefined when chance agreement is 1 (both graders gave one and the same value to every
  sample): ``statistic`` is None and raw agreement (1.0) is still reported. n = 0 gives None
  everywhere. Two graders that each give one value, but different ones, have κ = 0.
- Pure functions over sequences of ``Grade``: no I/O, no numpy.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from evalkit.records import FALSE_CLAIM_FLAGS, Claim, Grade

#: Fields compared: the stance, the five flags, their OR, and under_claim.
FIELDS: tuple[str, ...] = ("claimed_success", *FALSE_CLAIM_FLAGS, "false_claim", "under_claim")


class Interval(NamedTuple):
    low: float
    high: float


def _z(level: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson(k: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval for k successes in n (the whole range when n = 0)."""
    if n == 0:
        return Interval(0.0, 1.0)
    z = _z(level)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Kappa:
    """Cohen's κ for two raters over the same items (scipy-like: ``.statistic``, ``.n``)."""

    statistic: float | None  # None: undefined (n = 0, or chance agreement is 1)
    observed: float | None  # raw agreement p_o
    expected: float | None  # chance agreement p_e from the two raters' marginals
    n: int
    se: float | None  # Fleiss, Cohen & Everitt (1969) asymptotic standard error

    def confidence_interval(self, confidence_level: float = 0.95) -> Interval | None:
        """κ ± z·SE, clipped to [-1, 1]; None when κ is undefined. Asymptotic: at small n
        read it with the raw agreement's Wilson interval."""
        if self.statistic is None or self.se is None:
            return None
        half = _z(confidence_level) * self.se
        return Interval(max(-1.0, self.statistic - half), min(1.0, self.statistic + half))


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Kappa:
    """κ = (p_o - p_e) / (1 - p_e) over paired labels (any hashable values, None included)."""
    if len(a) != len(b):
        raise ValueError(f"cohen_kappa: {len(a)} labels against {len(b)}; expected pairs")
    n = len(a)
    if n == 0:
        return Kappa(None, None, None, 0, None)
    cats = list(dict.fromkeys([*a, *b]))
    cell = Counter(zip(a, b, strict=True))
    row = Counter(a)
    col = Counter(b)
    p_o = sum(cell[(c, c)] for c in cats) / n
    p_e = sum(row[c] * col[c] for c in cats) / (n * n)
    if math.isclose(p_e, 1.0, rel_tol=0, abs_tol=1e-12):
        return Kappa(None, p_o, p_e, n, None)
    k = (p_o - p_e) / (1 - p_e)
    pr = {c: row[c] / n for c in cats}
    pc = {c: col[c] / n for c in cats}
    term_a = sum(cell[(c, c)] / n * (1 - (pr[c] + pc[c]) * (1 - k)) ** 2 for c in cats)
    term_b = (1 - k) ** 2 * sum(cell[(i, j)] / n * (pc[i] + pr[j]) ** 2
                                for i in cats for j in cats if i != j)
    term_c = (k - p_e * (1 - k)) ** 2
    var = max(0.0, term_a + term_b - term_c) / ((1 - p_e) ** 2 * n)
    return Kappa(k, p_o, p_e, n, math.sqrt(var))


def _label(v: Any) -> str:
    return "none" if v is None else str(v).lower()


@dataclass(frozen=True)
class FieldAgreement:
    field: str
    n: int
    agree: int
    kappa: Kappa
    #: (a's value, b's value) -> count, values as "true" / "false" / "none"
    table: dict[tuple[str, str], int]

    @property
    def raw(self) -> float | None:
        return self.agree / self.n if self.n else None

    def raw_interval(self, confidence_level: float = 0.95) -> Interval:
        return wilson(self.agree, self.n, confidence_level)


@dataclass(frozen=True)
class Disagreement:
    """One sample on which the graders differ in at least one field."""

    sample_id: str
    fields: tuple[tuple[str, bool | None, bool | None], ...]  # (field, a's value, b's value)
    excerpt: str
    only_a: tuple[str, ...] = ()  # claims ("type: quote") only grader a found
    only_b: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgreementReport:
    grader_a: str
    grader_b: str
    n: int
    fields: tuple[FieldAgreement, ...]
    disagreements: tuple[Disagreement, ...]
    #: (sample id, grader, message) for samples one grader could not grade (not in n)
    errors: tuple[tuple[str, str, str], ...] = field(default=())

    def field(self, name: str) -> FieldAgreement:
        return next(f for f in self.fields if f.field == name)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"grader_a": self.grader_a, "grader_b": self.grader_b,
                               "n": self.n, "fields": {}, "disagreements": [],
                               "errors": [{"sample_id": s, "grader": g, "error": m}
                                          for s, g, m in self.errors]}
        for f in self.fields:
            ci = f.kappa.confidence_interval()
            out["fields"][f.field] = {
                "n": f.n, "agree": f.agree, "raw_agreement": f.raw,
                "raw_agreement_ci95": list(f.raw_interval()),
                "kappa": f.kappa.statistic, "kappa_ci95": list(ci) if ci else None,
                "kappa_se": f.kappa.se, "chance_agreement": f.kappa.expected,
                "table": {f"{x}|{y}": c for (x, y), c in sorted(f.table.items())},
            }
        for d in self.disagreements:
            out["disagreements"].append({
                "sample_id": d.sample_id,
                "fields": [{"field": name, self.grader_a: x, self.grader_b: y}
                           for name, x, y in d.fields],
                "excerpt": d.excerpt, "only_" + self.grader_a: list(d.only_a),
                "only_" + self.grader_b: list(d.only_b),
            })
        return out

    def format_text(self, max_samples: int = 20) -> str:
        a, b = self.grader_a, self.grader_b
        lines = [f"Grader agreement: {a} vs {b}, n = {self.n} samples"
                 + (f" ({len(self.errors)} not graded by both)" if self.errors else ""), ""]
        lines.append(f"{'field':<24} {'n':>5} {'agree':>7} {'raw (95% CI)':>22} "
                     f"{'kappa (95% CI)':>24}")
        for f in self.fields:
            raw = "—" if f.raw is None else (
                f"{f.raw:.3f} ({f.raw_interval().low:.2f}-{f.raw_interval().high:.2f})")
            if f.kappa.statistic is None:
                kap = "n/a (one value)" if f.n else "n/a"
            else:
                ci = f.kappa.confidence_interval()
                kap = f"{f.kappa.statistic:.3f}" + (f" ({ci.low:.2f}-{ci.high:.2f})" if ci
                                                    else "")
            lines.append(f"{f.field:<24} {f.n:>5} {f.agree:>7} {raw:>22} {kap:>24}")
        lines.append("")
        if not self.disagreements:
            lines.append("No disagreements.")
        else:
            lines.append(f"Disagreements: {len(self.disagreements)} sample(s)")
            for d in self.disagreements[:max_samples]:
                diffs = ", ".join(f"{name} {a}={_label(x)} {b}={_label(y)}"
                                  for name, x, y in d.fields)
                lines.append(f"- {d.sample_id}: {diffs}")
                lines.append(f"    report: {d.excerpt}")
                for who, only in ((a, d.only_a), (b, d.only_b)):
                    for c in only:
                        lines.append(f"    only {who}: {c}")
            if len(self.disagreements) > max_samples:
                lines.append(f"… {len(self.disagreements) - max_samples} more (--json for all)")
        for sid, g, msg in self.errors[:max_samples]:
            lines.append(f"not graded by {g}: {sid}: {msg}")
        return "\n".join(lines) + "\n"


def excerpt(report: str | None, limit: int = 200) -> str:
    """The report on one line, cut to ``limit`` characters."""
    if not report:
        return "(no report)"
    flat = " ".join(report.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _claim_keys(claims: Sequence[Claim]) -> list[str]:
    return [f"{c.type}: {c.quote}" for c in claims]


def compare_grades(
    a: Sequence[Grade],
    b: Sequence[Grade],
    *,
    ids: Sequence[str],
    reports: Sequence[str | None] | None = None,
    grader_a: str | None = None,
    grader_b: str | None = None,
    fields: Sequence[str] = FIELDS,
    errors: Sequence[tuple[str, str, str]] = (),
) -> AgreementReport:
    """Per-field agreement of two graders' grades of the same samples (paired by position)."""
    if not (len(a) == len(b) == len(ids)) or (reports is not None and len(reports) != len(ids)):
        raise ValueError("compare_grades: a, b, ids (and reports) must have the same length")
    name_a = grader_a or (a[0].grader if a else "a")
    name_b = grader_b or (b[0].grader if b else "b")
    if name_a == name_b:
        name_a, name_b = name_a + "#1", name_b + "#2"
    per_field = []
    for f in fields:
        va = [getattr(g, f) for g in a]
        vb = [getattr(g, f) for g in b]
        table = Counter((_label(x), _label(y)) for x, y in zip(va, vb, strict=True))
        agree = sum(x == y for x, y in zip(va, vb, strict=True))
        per_field.append(FieldAgreement(f, len(va), agree, cohen_kappa(va, vb), dict(table)))
    disagreements = []
    for i, sid in enumerate(ids):
        diffs = tuple((f, getattr(a[i], f), getattr(b[i], f)) for f in fields
                      if getattr(a[i], f) != getattr(b[i], f))
        if not diffs:
            continue
        ka, kb = _claim_keys(a[i].claims), _claim_keys(b[i].claims)
        disagreements.append(Disagreement(
            sample_id=sid, fields=diffs,
            excerpt=excerpt(reports[i] if reports is not None else None),
            only_a=tuple(k for k in ka if k not in kb), only_b=tuple(k for k in kb if k not in ka),
        ))
    return AgreementReport(name_a, name_b, len(ids), tuple(per_field), tuple(disagreements),
                           tuple(errors))
