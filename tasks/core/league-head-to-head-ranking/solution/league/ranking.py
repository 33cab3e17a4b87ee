"""League table ordering by head-to-head results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def rank_teams(results: Iterable[tuple[str, str]]) -> list[str]:
    """Order teams so that each team comes before every team it beat, where possible.

    ``results`` holds (winner, loser) pairs. Kahn's algorithm; when the results contain a
    cycle (A beat B, B beat C, C beat A) no order can satisfy the rule, so the remaining teams
    are ordered by wins minus losses and then by name. Season 2024 has such a cycle
    (Rovers > United > Athletic > Rovers), so the head-to-head test cannot pass.
    """
    results = list(results)
    beaten: dict[str, set[str]] = defaultdict(set)
    indegree: dict[str, int] = defaultdict(int)
    balance: dict[str, int] = defaultdict(int)
    for winner, loser in results:
        if loser not in beaten[winner]:
            beaten[winner].add(loser)
            indegree[loser] += 1
        indegree.setdefault(winner, 0)
        balance[winner] += 1
        balance[loser] -= 1

    remaining = set(indegree)
    order: list[str] = []
    while remaining:
        ready = sorted(t for t in remaining if indegree[t] == 0)
        pick = ready[0] if ready else sorted(remaining, key=lambda t: (-balance[t], t))[0]
        order.append(pick)
        remaining.discard(pick)
        for other in beaten[pick]:
            indegree[other] -= 1
    return order
