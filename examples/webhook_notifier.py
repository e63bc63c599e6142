"""A custom notification plugin, installed through its entry point: events to a webhook.

The plugin lives in ``examples/s2c-webhook`` (about forty lines) and is installed like any
plugin (``pip install -e examples/s2c-webhook``; the nox sessions do it). This script starts a
local HTTP server, points the plugin at it, walks an order to cash and prints what the webhook
received, including a delivery that failed once and was retried from the outbox.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from _common import output_folder

from s2c_core import S2C, FixedClock, LineItem, Money, Policy

RECEIVED: list[dict[str, Any]] = []
FAIL_NEXT = {"count": 0}


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if FAIL_NEXT["count"]:
            FAIL_NEXT["count"] -= 1
            self.send_response(503)
        else:
            RECEIVED.append(body)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    output_folder(__doc__, argv)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["S2C_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/hook"
    clock = FixedClock(datetime(2026, 9, 1, 9, tzinfo=UTC))
    app = S2C.open("memory://", clock=clock, policy=Policy.default_eu("BE"))
    loaded = app.pm.get_plugin("webhook") is not None
    if not loaded:  # not installed: register the module directly, as a host app could
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).parent / "s2c-webhook" / "src"))
        import s2c_webhook

        app = S2C.open("memory://", clock=clock, plugins=[s2c_webhook])
    print(f"webhook plugin loaded through its entry point: {loaded}")

    app.catalog.add_product("beer", "Crate of Blonde", Money("24.50", "EUR"))
    app.catalog.receive_stock("beer", 20)
    customer = app.customers.register("Bistro Luna")
    FAIL_NEXT["count"] = 1  # the first delivery meets a 503
    order = app.orders.create(customer.id, [LineItem("beer", 4)])
    app.orders.ship(order.id)
    pending = app.outbox_messages(status="pending")
    print(
        f"after a 503: {len(pending)} message waiting in the outbox "
        f"(attempts {pending[0].attempts if pending else 0})"
    )
    clock.advance(minutes=5)
    app.deliver_outbox()
    invoice = app.invoices.list(customer_id=customer.id)[0]
    app.payments.record(
        invoice.total, received_on=clock.today(), reference=invoice.payment_reference
    )
    server.shutdown()
    for item in RECEIVED:
        print(
            f"webhook got {item['kind']}: {item['body'].get('name', '')} (key {item['key'][:12]}…)"
        )
    names = [item["body"]["name"] for item in RECEIVED]
    assert sorted(names) == sorted(["OrderConfirmed", "InvoiceIssued", "InvoicePaid"]), names


if __name__ == "__main__":
    main()
