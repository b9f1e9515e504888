"""Stock levels per SKU."""

from collections import defaultdict
from typing import Dict


class OutOfStock(Exception):
    """Not enough stock for what was asked."""


def _positive(qty: int) -> int:
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        raise ValueError(f"quantity must be a positive whole number, got {qty!r}")
    return qty


class Inventory:
    def __init__(self) -> None:
        self._on_hand: Dict[str, int] = defaultdict(int)

    def on_hand(self, sku: str) -> int:
        return self._on_hand[sku]

    def add(self, sku: str, qty: int) -> None:
        self._on_hand[sku] += _positive(qty)

    def remove(self, sku: str, qty: int) -> None:
        _positive(qty)
        if qty > self._on_hand[sku]:
            raise OutOfStock(f"{sku}: {qty} asked, {self._on_hand[sku]} on hand")
        self._on_hand[sku] -= qty
