import pytest

from shop.orders import InvalidTransition, Order


def test_happy_path_records_history():
    o = Order("A1")
    o.pay()
    o.ship()
    o.deliver()
    assert o.state == "delivered"
    assert o.history == [("pending", "paid"), ("paid", "shipped"), ("shipped", "delivered")]


def test_refund_before_shipping():
    o = Order("A2")
    o.pay()
    o.cancel()
    assert o.state == "cancelled"


@pytest.mark.parametrize(
    "setup, action",
    [
        (["cancel"], "ship"),
        (["cancel"], "pay"),
        (["cancel"], "cancel"),
        (["pay", "ship", "deliver"], "pay"),
        (["pay", "ship", "deliver"], "cancel"),
        (["pay"], "pay"),
        (["pay", "ship"], "ship"),
        ([], "deliver"),
        (["pay"], "deliver"),
        ([], "ship"),
    ],
)
def test_invalid_transitions_raise_and_change_nothing(setup, action):
    o = Order("B1")
    for step in setup:
        getattr(o, step)()
    state, history = o.state, list(o.history)
    with pytest.raises(InvalidTransition) as err:
        getattr(o, action)()
    assert state in str(err.value) and action in str(err.value)
    assert o.state == state and o.history == history
