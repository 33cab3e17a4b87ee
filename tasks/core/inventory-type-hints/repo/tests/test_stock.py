import pytest

from inventory.stock import StockItem, receive, reorder_list, ship, total_units


@pytest.fixture
def items():
    return {
        "A1": StockItem("A1", "bolt", 50),
        "B2": StockItem("B2", "nut", 3),
        "C3": StockItem("C3", "washer", 5),
    }


def test_receive(items):
    assert receive(items, "B2", 10) == 13


def test_receive_rejects_non_positive(items):
    with pytest.raises(ValueError):
        receive(items, "B2", 0)


def test_ship(items):
    assert ship(items, "A1", 20) == 30


def test_ship_too_many(items):
    with pytest.raises(ValueError, match="only 3"):
        ship(items, "B2", 4)


def test_reorder_list(items):
    assert reorder_list(items) == ["B2", "C3"]


def test_total_units(items):
    assert total_units(items) == 58
