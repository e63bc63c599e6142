"""Embedding s2c_core in a web app: a small Flask API over the library.

The library is opened once per process (``S2C.open``) and its errors map to HTTP statuses by
type, never by parsing messages: validation -> 422, not found -> 404, invalid transition and
business rules -> 409. Run it as a server with ``flask --app web_app run``; run this file to
exercise it with Flask's test client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from _common import output_folder
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from s2c_core import (
    S2C,
    BusinessRuleError,
    FixedClock,
    InvalidTransitionError,
    LineItem,
    Money,
    NotFoundError,
    S2CError,
    ValidationError,
)
from s2c_core.codec import dump

STATUS = [
    (ValidationError, 422),
    (NotFoundError, 404),
    (InvalidTransitionError, 409),
    (BusinessRuleError, 409),
    (S2CError, 400),
]


def create_app(s2c: S2C) -> Flask:
    """A Flask application exposing a few use cases of *s2c*."""
    web = Flask(__name__)

    @web.errorhandler(S2CError)
    def on_error(err: S2CError) -> ResponseReturnValue:
        status = next(code for kind, code in STATUS if isinstance(err, kind))
        facts = {k: str(v) for k, v in err.facts.items() if v is not None}
        return jsonify(error=type(err).__name__, message=err.message, facts=facts), status

    @web.post("/customers")
    def register() -> ResponseReturnValue:
        body: dict[str, Any] = request.get_json()
        customer = s2c.customers.register(body["name"], language=body.get("language", "en"))
        return jsonify(dump(customer)), 201

    @web.post("/quotes")
    def draft() -> ResponseReturnValue:
        body: dict[str, Any] = request.get_json()
        items = [LineItem(i["product"], i["quantity"]) for i in body["lines"]]
        quote = s2c.quotes.draft(body["customer_id"], items)
        return jsonify(dump(quote) | {"total": str(quote.totals.payable.amount)}), 201

    @web.post("/quotes/<quote_id>/send")
    def send(quote_id: str) -> ResponseReturnValue:
        return jsonify(dump(s2c.quotes.send(quote_id)))

    @web.post("/quotes/<quote_id>/accept")
    def accept(quote_id: str) -> ResponseReturnValue:
        return jsonify(dump(s2c.quotes.accept(quote_id)))

    @web.post("/orders/<order_id>/ship")
    def ship(order_id: str) -> ResponseReturnValue:
        shipment = s2c.orders.ship(order_id)
        invoices = s2c.invoices.list(order_id=order_id, order_by="number")
        return jsonify(shipment=dump(shipment), invoices=[dump(i) for i in invoices])

    @web.get("/invoices/<invoice_id>")
    def invoice(invoice_id: str) -> ResponseReturnValue:
        found = s2c.invoices.get(invoice_id)
        return jsonify(dump(found) | {"open": str(found.open_amount.amount)})

    return web


def main(argv: list[str] | None = None) -> None:
    output_folder(__doc__, argv)
    s2c = S2C.open("memory://", clock=FixedClock(datetime(2026, 6, 1, 9, tzinfo=UTC)))
    s2c.catalog.add_product("beer", "Crate of Blonde", Money("24.50", "EUR"))
    s2c.catalog.receive_stock("beer", 50)
    client = create_app(s2c).test_client()

    customer = client.post("/customers", json={"name": "Bistro Luna", "language": "nl"}).json
    quote = client.post(
        "/quotes",
        json={"customer_id": customer["id"], "lines": [{"product": "beer", "quantity": "6"}]},
    ).json
    print(f"POST /quotes -> {quote['status']} total {quote['total']}")
    early = client.post(f"/quotes/{quote['id']}/accept")
    print(
        f"accept before sending -> {early.status_code} {early.json['error']}: "
        f"{early.json['message']}"
    )
    client.post(f"/quotes/{quote['id']}/send")
    order = client.post(f"/quotes/{quote['id']}/accept").json
    print(f"accept -> order {order['status']}")
    shipped = client.post(f"/orders/{order['id']}/ship").json
    invoice = shipped["invoices"][0]
    print(f"ship -> invoice {invoice['number']} due {invoice['due_date']}")
    again = client.post(f"/orders/{order['id']}/ship")
    print(f"ship again -> {again.status_code} {again.json['error']}")
    missing = client.get("/invoices/inv_nope")
    print(f"GET unknown invoice -> {missing.status_code} {missing.json['error']}")
    bad = client.post(
        "/quotes",
        json={"customer_id": customer["id"], "lines": [{"product": "beer", "quantity": "-2"}]},
    )
    print(f"negative quantity -> {bad.status_code} {bad.json['error']}")


if __name__ == "__main__":
    main()
