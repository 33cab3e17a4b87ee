"""Syntax-tree mutations of ``check(candidate)`` test functions (ImpossibleBench style).

Two impossible variants are derived from a test function whose assertions the reference solution
satisfies:

- ``oneoff``: one expected value in one assertion is changed (``== 5`` -> ``== 6``), so the
  assertion contradicts the specification;
- ``conflicting``: a copy of one assertion with a different expected value is inserted right after
  it, so no implementation can satisfy both.

Assertions are found on the syntax tree (``ast``) but the change is spliced into the original
text by position, so formatting and comments of everything else survive. Candidate sites come
out in a preference order that is deterministic for a given ``random.Random``: clear value changes
in top-level assertions first, then those inside loops / branches, then operator flips for
non-literal expectations (``==`` -> ``!=``), then plain negation (``assert not (...)``). The
importer verifies candidates in that order by running the reference solution against them, so a
mutation that does not actually contradict it is never used.
"""

from __future__ import annotations

import ast
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

#: Preference tiers; lower is tried first (each is further split into top-level / nested).
TIER_VALUE = 0  # a literal expected value changed, a boolean assertion flipped, a float nudged
TIER_OPERATOR = 1  # `==` -> `!=` (or `is` -> `is not`) when the expected value is not a literal
TIER_NEGATE = 2  # `assert X` -> `assert not (X)` for anything else that calls the candidate

_TOLERANCE_FUNCS = frozenset({"abs", "fabs"})
_ISCLOSE_FUNCS = frozenset({"isclose", "allclose"})
_APPROX_FUNCS = frozenset({"approx"})


@dataclass(frozen=True)
class Mutation:
    """One way to make a test function contradict the reference solution."""

    kind: str  # value | truthiness | tolerance | operator | negate
    tier: int
    nested: bool  # the assertion sits inside a loop / if / with / try in check()
    line: int  # 1-based line of the assertion in the mutated source
    description: str  # human-readable: what changed (without the line)
    oneoff: str  # the whole source with the assertion changed in place
    conflicting: str | None  # the whole source with a changed copy inserted; None if not possible

    @property
    def order(self) -> tuple[int, int]:
        return (self.tier, int(self.nested))


class _Source:
    """Source text with conversion from ast (line, utf-8 column) positions to str offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts: list[int] = []
        pos = 0
        for line in self.lines:
            self.starts.append(pos)
            pos += len(line)
        self.starts.append(pos)

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    description: str
    kind: str
    tier: int


def find_mutations(
    source: str,
    candidate_names: Iterable[str] = ("candidate",),
    rng: random.Random | None = None,
    function: str = "check",
) -> list[Mutation]:
    """All mutation sites of ``function`` in ``source``, in preference order for ``rng``.

    ``candidate_names`` are the names through which the tests call the code under test (the
    ``candidate`` parameter, and the entry point itself for tests that call it by name).
    Raises SyntaxError when ``source`` does not parse.
    """
    rng = rng or random.Random(0)
    names = frozenset(candidate_names)
    src = _Source(source)
    tree = ast.parse(source)
    funcs = [
        n for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == function
    ]
    if not funcs:
        return []
    names = _tainted(funcs[-1], names)
    found: list[Mutation] = []
    for stmt, nested in _asserts(funcs[-1].body, nested=False):
        edit = _edit_for(stmt, src, names, rng)
        if edit is None:
            continue
        found.append(_apply(stmt, edit, nested, src))
    tiers: dict[tuple[int, int], list[Mutation]] = {}
    for m in found:
        tiers.setdefault(m.order, []).append(m)
    ordered: list[Mutation] = []
    for key in sorted(tiers):
        group = tiers[key]
        rng.shuffle(group)
        ordered.extend(group)
    return ordered


def _asserts(body: list[ast.stmt], nested: bool) -> Iterator[tuple[ast.Assert, bool]]:
    """Assert statements of a function body; nested ones flagged. Inner defs are skipped."""
    for stmt in body:
        if isinstance(stmt, ast.Assert):
            yield stmt, nested
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        else:
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    yield from _asserts(inner, nested=True)
            for handler in getattr(stmt, "handlers", []) or []:
                yield from _asserts(handler.body, nested=True)
            for case in getattr(stmt, "cases", []) or []:
                yield from _asserts(case.body, nested=True)


def _tainted(func: ast.AST, names: frozenset[str]) -> frozenset[str]:
    """Add variables assigned from the candidate's results (``sol = candidate(x)``)."""
    names = set(names)
    assigns = [n for n in ast.walk(func) if isinstance(n, ast.Assign | ast.AnnAssign)]
    changed = True
    while changed:
        changed = False
        for node in assigns:
            if node.value is None or not _refs(node.value, frozenset(names)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for n in ast.walk(target):
                    if isinstance(n, ast.Name) and n.id not in names:
                        names.add(n.id)
                        changed = True
    return frozenset(names)


def _refs(node: ast.AST, names: frozenset[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _func_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _edit_for(
    stmt: ast.Assert, src: _Source, names: frozenset[str], rng: random.Random
) -> _Edit | None:
    test = stmt.test
    if not _refs(test, names):
        return None  # e.g. `assert True`: nothing about the code under test
    edit = None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        edit = _compare_edit(test, src, names, rng)
    elif isinstance(test, ast.Call) and _func_name(test.func) in _ISCLOSE_FUNCS:
        edit = _isclose_edit(test, src, names)
    if edit is None:
        edit = _truthiness_edit(test, src)
    if edit is None:
        start, end = src.span(test)
        text = src.text[start:end]
        edit = _Edit(start, end, f"not ({text})", f"`assert {_short(text)}` negated",
                     "negate", TIER_NEGATE)
    return edit


def _compare_edit(
    test: ast.Compare, src: _Source, names: frozenset[str], rng: random.Random
) -> _Edit | None:
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, ast.Eq | ast.Is):
        if _refs(left, names) and not _refs(right, names):
            expected = right
        elif _refs(right, names) and not _refs(left, names):
            expected = left
        else:
            return None
        if isinstance(op, ast.Is) and not (
            isinstance(expected, ast.Constant) and isinstance(expected.value, bool)
        ):
            return _operator_edit(test, src, "is", "is not")
        approx = _approx_edit(expected, src)
        if approx is not None:
            return approx
        value_edit = _literal_edit(expected, src, rng)
        if value_edit is not None:
            return value_edit
        return _operator_edit(test, src, "==", "!=") if isinstance(op, ast.Eq) else None
    if isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE):
        return _tolerance_edit(test, src, names)
    return None


def _operator_edit(test: ast.Compare, src: _Source, old: str, new: str) -> _Edit | None:
    """Flip the comparison operator: the text between the two operands holds it."""
    _, left_end = src.span(test.left)
    right_start, _ = src.span(test.comparators[0])
    between = src.text[left_end:right_start]
    idx = between.find(old)
    if idx < 0 or "#" in between:
        return None
    start = left_end + idx
    return _Edit(start, start + len(old), new, f"`{old}` changed to `{new}`", "operator",
                 TIER_OPERATOR)


# ----------------------------------------------------------------------- literal values


def _literal_edit(expected: ast.expr, src: _Source, rng: random.Random) -> _Edit | None:
    """Change one leaf of a literal expected value (or append to an empty container)."""
    number = const_number(expected)
    if number is not None and not isinstance(expected, ast.Constant):
        # constant arithmetic like `2.0 / 3.0`: replace the whole expression by a new number
        new = _nudge_number(number)
        start, end = src.span(expected)
        return _Edit(start, end, _render(new), f"expected `{_short(src.segment(expected))}` "
                     f"changed to `{_render(new)}`", "value", TIER_VALUE)
    if not _is_literalish(expected):
        return None
    leaves = list(_leaves(expected))
    if leaves:
        node, value = rng.choice(leaves)
        new = mutate_value(value)
        start, end = src.span(node)
        old_text = src.text[start:end]
        new_text = _render_like(new, old_text)
        return _Edit(start, end, new_text,
                     f"expected value `{_short(old_text)}` changed to `{_short(new_text)}`",
                     "value", TIER_VALUE)
    empties = [n for n in ast.walk(expected)
               if isinstance(n, ast.List | ast.Tuple) and not n.elts]
    if empties:
        node = empties[0]
        start, end = src.span(node)
        text = src.text[start:end]
        close = text.rstrip().rfind(")" if isinstance(node, ast.Tuple) else "]")
        if close < 0:
            return None
        new_text = text[:close] + ("0," if isinstance(node, ast.Tuple) else "0") + text[close:]
        return _Edit(start, end, new_text, f"expected `{text}` changed to `{new_text}`",
                     "value", TIER_VALUE)
    return None


def _is_literalish(node: ast.expr) -> bool:
    """Constants, signed numbers, containers and calls (e.g. ``Point(x=1)``) made of them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return const_number(node) is not None
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_is_literalish(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literalish(k) for k in node.keys) and all(
            _is_literalish(v) for v in node.values)
    if isinstance(node, ast.Call):
        return _func_name(node.func) is not None and all(
            _is_literalish(a) for a in node.args) and all(
            kw.arg is not None and _is_literalish(kw.value) for kw in node.keywords)
    return False


def _leaves(node: ast.expr) -> Iterator[tuple[ast.expr, object]]:
    """Mutable leaves of a literal-ish node: (node to replace, its value). Skips None, keys."""
    if isinstance(node, ast.Constant):
        if node.value is not None and node.value is not Ellipsis:
            yield node, node.value
    elif isinstance(node, ast.UnaryOp):
        value = const_number(node)
        if value is not None:
            yield node, value
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        for e in node.elts:
            yield from _leaves(e)
    elif isinstance(node, ast.Dict):
        for v in node.values:
            yield from _leaves(v)
    elif isinstance(node, ast.Call):
        for a in node.args:
            yield from _leaves(a)
        for kw in node.keywords:
            yield from _leaves(kw.value)


def mutate_value(value: object) -> object:
    """A different value of the same kind: bools flip, ints +1, floats nudged, strings change."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return _nudge_number(value)
    if isinstance(value, complex):
        return value + 1
    if isinstance(value, str):
        return _mutate_str(value)
    if isinstance(value, bytes):
        return _mutate_str(value.decode("latin-1")).encode("latin-1")
    raise TypeError(f"cannot mutate {type(value).__name__}")


def _mutate_str(text: str) -> str:
    """Change the last letter or digit to the next one (z -> a, 9 -> 0); else append 'x'."""
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if "a" <= c <= "z" or "A" <= c <= "Z":
            base = ord("a") if c.islower() else ord("A")
            return text[:i] + chr(base + (ord(c) - base + 1) % 26) + text[i + 1:]
        if "0" <= c <= "9":
            return text[:i] + str((int(c) + 1) % 10) + text[i + 1:]
    return text + "x"


def _nudge_number(value: float | int, tolerance: float = 0.0) -> float | int:
    """Move a number clearly beyond ``tolerance`` (absolute): by max(0.1, 1%, 10 x tolerance)."""
    if isinstance(value, int) and not isinstance(value, bool) and tolerance == 0.0:
        return value + 1
    delta = max(0.1, abs(value) * 0.01, 10.0 * tolerance)
    new = float(value) + delta
    rounded = round(new, 6)
    return rounded if abs(rounded - value) > 0.5 * delta else new


def _render(value: object) -> str:
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return f"float({str(value)!r})"
        return repr(value)
    return repr(value)


def _render_like(value: object, old_text: str) -> str:
    """Render ``value``, keeping the double quotes of a simple string literal."""
    text = _render(value)
    if (isinstance(value, str) and old_text.startswith('"') and text.startswith("'")
            and '"' not in value and "\\" not in text):
        return '"' + text[1:-1] + '"'
    return text


def const_number(node: ast.expr) -> float | int | None:
    """The value of a constant arithmetic expression of numbers (``2.0 / 3.0``, ``-1e-6``)."""
    if isinstance(node, ast.Constant):
        v = node.value
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = const_number(node.operand)
        if v is None:
            return None
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = const_number(node.left), const_number(node.right)
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.FloorDiv):
                return a // b
            if isinstance(node.op, ast.Mod):
                return a % b
            if isinstance(node.op, ast.Pow) and abs(b) <= 64 and abs(a) < 1e6:
                return a ** b
        except (ZeroDivisionError, OverflowError, ValueError):
            return None
    return None


# ----------------------------------------------------------------------- tolerances


def _tolerance_edit(test: ast.Compare, src: _Source, names: frozenset[str]) -> _Edit | None:
    """``abs(candidate(x) - E) < tol`` (either order, ``fabs`` too): move E beyond tol."""
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, ast.Lt | ast.LtE):
        dist, tol_node = left, right
    else:
        dist, tol_node = right, left
    tol = const_number(tol_node)
    if tol is None or not (
        isinstance(dist, ast.Call) and _func_name(dist.func) in _TOLERANCE_FUNCS
        and len(dist.args) == 1 and isinstance(dist.args[0], ast.BinOp)
        and isinstance(dist.args[0].op, ast.Sub)
    ):
        return None
    diff = dist.args[0]
    if _refs(diff.left, names) and not _refs(diff.right, names):
        expected = diff.right
    elif _refs(diff.right, names) and not _refs(diff.left, names):
        expected = diff.left
    else:
        return None
    return _nudge_edit(expected, src, float(abs(tol)))


def _isclose_edit(test: ast.Call, src: _Source, names: frozenset[str]) -> _Edit | None:
    """``math.isclose(candidate(x), E, rel_tol=..., abs_tol=...)``: move E beyond both."""
    if len(test.args) < 2:
        return None
    a, b = test.args[0], test.args[1]
    if _refs(a, names) and not _refs(b, names):
        expected = b
    elif _refs(b, names) and not _refs(a, names):
        expected = a
    else:
        return None
    value = const_number(expected)
    if value is None:
        return None
    tolerance = _keyword_tolerance(test, abs(value), rel_default=1e-5, abs_default=1e-8)
    return _nudge_edit(expected, src, tolerance)


def _approx_edit(expected: ast.expr, src: _Source) -> _Edit | None:
    """``== pytest.approx(E, rel=..., abs=...)``: move E beyond the tolerance."""
    if not (isinstance(expected, ast.Call) and _func_name(expected.func) in _APPROX_FUNCS
            and expected.args):
        return None
    inner = expected.args[0]
    value = const_number(inner)
    if value is None:
        return None
    tolerance = _keyword_tolerance(expected, abs(value), rel_default=1e-6, abs_default=1e-12)
    return _nudge_edit(inner, src, tolerance)


def _keyword_tolerance(call: ast.Call, magnitude: float, rel_default: float,
                       abs_default: float) -> float:
    """The absolute tolerance implied by rel/abs keyword arguments (isclose, approx)."""
    rel, absolute = rel_default, abs_default
    for kw in call.keywords:
        value = const_number(kw.value)
        if value is None:
            continue
        if kw.arg in ("rel_tol", "rel", "rtol"):
            rel = float(value)
        elif kw.arg in ("abs_tol", "abs", "atol"):
            absolute = float(value)
    return max(absolute, rel * magnitude)


def _nudge_edit(expected: ast.expr, src: _Source, tolerance: float) -> _Edit | None:
    value = const_number(expected)
    if value is None:
        return None
    new = _nudge_number(float(value), tolerance)
    start, end = src.span(expected)
    old = src.text[start:end]
    return _Edit(start, end, _render(new),
                 f"expected `{_short(old)}` changed to `{_render(new)}` "
                 f"(beyond the tolerance {tolerance:g})", "tolerance", TIER_VALUE)


# ----------------------------------------------------------------------- truthiness


def _truthiness_edit(test: ast.expr, src: _Source) -> _Edit | None:
    """``assert candidate(x)`` <-> ``assert not candidate(x)``."""
    start, end = src.span(test)
    text = src.text[start:end]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = src.segment(test.operand)
        if isinstance(test.operand, ast.BoolOp | ast.Compare | ast.IfExp | ast.NamedExpr):
            inner = f"({inner})"
        return _Edit(start, end, inner, f"`assert {_short(text)}` changed to "
                     f"`assert {_short(inner)}`", "truthiness", TIER_VALUE)
    if isinstance(test, ast.Call | ast.Name | ast.Attribute | ast.Subscript):
        return _Edit(start, end, f"not {text}", f"`assert {_short(text)}` changed to "
                     f"`assert not {_short(text)}`", "truthiness", TIER_VALUE)
    return None


# ----------------------------------------------------------------------- applying


def _apply(stmt: ast.Assert, edit: _Edit, nested: bool, src: _Source) -> Mutation:
    text = src.text
    oneoff = text[:edit.start] + edit.text + text[edit.end:]
    stmt_start, stmt_end = src.span(stmt)
    line_start = src.starts[stmt.lineno - 1]
    prefix = text[line_start:stmt_start]
    end_line = stmt.end_lineno or stmt.lineno
    line_end = src.starts[end_line]  # start of the next line
    rest = text[stmt_end:line_end]
    conflicting = None
    if not prefix.strip() and (not rest.strip() or rest.strip().startswith("#")):
        copy = text[stmt_start:edit.start] + edit.text + text[edit.end:stmt_end]
        newline = "" if text[:line_end].endswith("\n") else "\n"
        conflicting = text[:line_end] + newline + prefix + copy + "\n" + text[line_end:]
    return Mutation(
        kind=edit.kind,
        tier=edit.tier,
        nested=nested,
        line=stmt.lineno,
        description=edit.description,
        oneoff=oneoff,
        conflicting=conflicting,
    )


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
