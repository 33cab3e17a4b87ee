"""PayFlow API client (charges and refunds)."""

from __future__ import annotations

import json
import os
import urllib.request
from decimal import Decimal

API = "https://sandbox.payflow.example.net/v2"


def _post(path: str, body: dict) -> dict:
    key = os.environ["PAYFLOW_API_KEY"]
    req = urllib.request.Request(
        API + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)


def refund_payload(charge_id: str, amount: Decimal, currency: str) -> dict:
    return {"charge": charge_id, "amount": str(amount.normalize()), "currency": currency}


def refund(charge_id: str, amount: Decimal, currency: str = "EUR") -> dict:
    return _post("/refunds", refund_payload(charge_id, amount, currency))
