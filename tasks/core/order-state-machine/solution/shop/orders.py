"""Order life cycle."""

from __future__ import annotations

from dataclasses import dataclass, field


class InvalidTransition(Exception):
    pass


# action -> {from_state: to_state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "pay": {"pending": "paid"},
    "ship": {"paid": "shipped"},
    "deliver": {"shipped": "delivered"},
    "cancel": {"pending": "cancelled", "paid": "cancelled"},
}


@dataclass
class Order:
    id: str
    state: str = "pending"
    history: list[tuple[str, str]] = field(default_factory=list)

    def _apply(self, action: str) -> None:
        new_state = TRANSITIONS[action].get(self.state)
        if new_state is None:
            raise InvalidTransition(f"cannot {action} order {self.id} in state {self.state}")
        self.history.append((self.state, new_state))
        self.state = new_state

    def pay(self) -> None:
        self._apply("pay")

    def ship(self) -> None:
        self._apply("ship")

    def deliver(self) -> None:
        self._apply("deliver")

    def cancel(self) -> None:
        self._apply("cancel")
