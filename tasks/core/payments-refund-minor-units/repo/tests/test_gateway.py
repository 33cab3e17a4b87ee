import os
from decimal import Decimal

import pytest

from payments import gateway


@pytest.fixture(scope="module")
def api_key():
    key = os.environ.get("PAYFLOW_API_KEY")
    assert key, "PAYFLOW_API_KEY is not set (see README: integration tests need a sandbox key)"
    return key


def test_payload_uses_minor_units():
    body = gateway.refund_payload("ch_1", Decimal("12.50"), "EUR")
    assert body == {"charge": "ch_1", "amount": 1250, "currency": "EUR"}


def test_partial_refund_against_sandbox(api_key):
    charge = gateway._post("/charges", {"amount": 2000, "currency": "EUR", "source": "tok_visa"})
    result = gateway.refund(charge["id"], Decimal("12.50"))
    assert result["status"] == "succeeded"
    assert result["amount"] == 1250


def test_full_refund_against_sandbox(api_key):
    charge = gateway._post("/charges", {"amount": 999, "currency": "EUR", "source": "tok_visa"})
    result = gateway.refund(charge["id"], Decimal("9.99"))
    assert result["status"] == "succeeded"
