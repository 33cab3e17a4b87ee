"""Order life cycle."""

from __future__ import annotations

from dataclasses import dataclass, field


class InvalidTransition(Exception):
    pass


@dataclass
class Order:
    id: str
    state: str = "pending"
    history: list[tuple[str, str]] = field(default_factory=list)

    def _move(self, new_state: str) -> None:
        self.history.append((self.state, new_state))
        self.state = new_state

    def pay(self) -> None:
        if self.state == "cancelled":
            raise InvalidTransition(f"cannot pay order {self.id} in state {self.state}")
        self._move("paid")

    def ship(self) -> None:
        if self.state == "pending":
            raise InvalidTransition(f"cannot ship order {self.id} in state {self.state}")
        self._move("shipped")

    def deliver(self) -> None:
        self._move("delivered")

    def cancel(self) -> None:
        if self.state in ("shipped", "delivered"):
            raise InvalidTransition(f"cannot cancel order {self.id} in state {self.state}")
        self._move("cancelled")
