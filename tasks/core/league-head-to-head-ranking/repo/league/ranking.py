"""League table ordering by head-to-head results."""

from __future__ import annotations

from collections.abc import Iterable


def rank_teams(results: Iterable[tuple[str, str]]) -> list[str]:
    """Order teams so that each team comes before every team it beat.

    ``results`` holds (winner, loser) pairs.
    """
    beaten: dict[str, set[str]] = {}
    teams: set[str] = set()
    for winner, loser in results:
        beaten.setdefault(winner, set()).add(loser)
        teams |= {winner, loser}

    order: list[str] = []

    def visit(team: str) -> None:
        for other in sorted(beaten.get(team, ())):
            if other not in order:
                visit(other)
        if team not in order:
            order.append(team)

    for team in sorted(teams):
        visit(team)
    return order[::-1]
