"""PayFlow API client (charges and refunds)."""

from __future__ import annotations

import json
import os
import urllib.request
from decimal import ROUND_HALF_UP, Decimal

API = "https://sandbox.payflow.example.net/v2"
ZERO_DECIMAL = {"JPY", "KRW"}


def _post(path: str, body: dict) -> dict:
    key = os.environ["PAYFLOW_API_KEY"]
    req = urllib.request.Request(
        API + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)


def minor_units(amount: Decimal, currency: str) -> int:
    """Integer minor units (cents) as the API expects."""
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return int((amount * 10**exponent).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def refund_payload(charge_id: str, amount: Decimal, currency: str) -> dict:
    return {"charge": charge_id, "amount": minor_units(amount, currency), "currency": currency}


def refund(charge_id: str, amount: Decimal, currency: str = "EUR") -> dict:
    return _post("/refunds", refund_payload(charge_id, amount, currency))
