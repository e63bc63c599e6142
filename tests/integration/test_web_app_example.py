"""The web-app reference integration, tested with Flask's test client."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from s2c_core import S2C, FixedClock, Money

pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from web_app import create_app


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    s2c = S2C.open(
        "memory://", clock=FixedClock(datetime(2026, 6, 1, tzinfo=UTC)), load_entry_points=False
    )
    s2c.catalog.add_product("beer", "Crate", Money("10.00", "EUR"))
    s2c.catalog.receive_stock("beer", 5)
    return create_app(s2c).test_client()


def test_quote_to_invoice_over_http(client) -> None:  # type: ignore[no-untyped-def]
    customer = client.post("/customers", json={"name": "Bistro"}).json
    quote = client.post(
        "/quotes",
        json={"customer_id": customer["id"], "lines": [{"product": "beer", "quantity": "2"}]},
    ).json
    assert quote["total"] == "24.20"
    assert client.post(f"/quotes/{quote['id']}/send").status_code == 200
    order = client.post(f"/quotes/{quote['id']}/accept").json
    shipped = client.post(f"/orders/{order['id']}/ship").json
    invoice = client.get(f"/invoices/{shipped['invoices'][0]['id']}").json
    assert invoice["status"] == "issued"
    assert invoice["open"] == "24.20"


def test_errors_map_to_statuses_by_type(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/invoices/nope").status_code == 404
    customer = client.post("/customers", json={"name": "Bistro"}).json
    too_many = client.post(
        "/quotes",
        json={"customer_id": customer["id"], "lines": [{"product": "beer", "quantity": "0"}]},
    )
    assert too_many.status_code == 422
    quote = client.post(
        "/quotes",
        json={"customer_id": customer["id"], "lines": [{"product": "beer", "quantity": "9"}]},
    ).json
    client.post(f"/quotes/{quote['id']}/send")
    refused = client.post(f"/quotes/{quote['id']}/accept")
    assert refused.status_code == 409
    assert refused.json["facts"]["rule"] == "stock"
