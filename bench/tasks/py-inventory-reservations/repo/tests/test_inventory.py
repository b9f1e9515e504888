import pytest

from inventory import Inventory, OutOfStock


def test_add_and_remove():
    inv = Inventory()
    inv.add("apple", 5)
    inv.remove("apple", 2)
    assert inv.on_hand("apple") == 3
    assert inv.on_hand("pear") == 0


def test_cannot_remove_more_than_on_hand():
    inv = Inventory()
    inv.add("apple", 1)
    with pytest.raises(OutOfStock):
        inv.remove("apple", 2)


def test_quantities_must_be_positive():
    inv = Inventory()
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            inv.add("apple", bad)
