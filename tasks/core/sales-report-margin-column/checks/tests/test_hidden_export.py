from decimal import Decimal as D

from reports.export import Row, to_csv


def test_header_order():
    assert to_csv([]).splitlines() == ["month,region,units,revenue,margin_pct,cost"]


def test_margin_column():
    lines = to_csv([Row("2024-05", "north", 10, D("200.00"), D("153.00"))]).splitlines()
    assert lines[1] == "2024-05,north,10,200.00,23.5,153.00"


def test_margin_empty_for_zero_revenue():
    lines = to_csv([Row("2024-05", "south", 0, D("0"), D("12.00"))]).splitlines()
    assert lines[1] == "2024-05,south,0,0.00,,12.00"


def test_negative_margin():
    lines = to_csv([Row("2024-06", "east", 1, D("100"), D("125"))]).splitlines()
    assert lines[1] == "2024-06,east,1,100.00,-25.0,125.00"
