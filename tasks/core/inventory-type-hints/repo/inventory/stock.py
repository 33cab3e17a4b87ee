"""Warehouse stock levels."""

from dataclasses import dataclass


@dataclass
class StockItem:
    sku: str
    name: str
    quantity: int = 0
    reorder_level: int = 5

    def needs_reorder(self):
        return self.quantity <= self.reorder_level


def receive(items, sku, amount):
    """Add ``amount`` units to the item with ``sku``; returns the new quantity."""
    if amount <= 0:
        raise ValueError("amount must be positive")
    item = items[sku]
    item.quantity += amount
    return item.quantity


def ship(items, sku, amount):
    """Remove ``amount`` units; raises ValueError if there are not enough."""
    item = items[sku]
    if amount > item.quantity:
        raise ValueError(f"only {item.quantity} of {sku} in stock")
    item.quantity -= amount
    return item.quantity


def reorder_list(items):
    """SKUs that need reordering, sorted."""
    return sorted(sku for sku, item in items.items() if item.needs_reorder())


def total_units(items):
    return sum(item.quantity for item in items.values())
