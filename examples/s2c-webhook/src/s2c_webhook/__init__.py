"""A notification plugin in a few dozen lines: POST events and notifications as JSON.

Installed through its entry point (``[project.entry-points.s2c_core] webhook = "s2c_webhook"``);
active only when ``S2C_WEBHOOK_URL`` is set. A failed POST raises, so the outbox keeps the
message and retries it later with backoff: the business change is never lost.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

from s2c_core import DomainEvent, Notification, hookimpl
from s2c_core.codec import dump

EVENTS = ("InvoiceIssued", "InvoicePaid", "OrderConfirmed", "CustomerPutOnHold")


def _post(kind: str, key: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        os.environ["S2C_WEBHOOK_URL"],
        method="POST",
        data=json.dumps({"kind": kind, "key": key, "body": body}).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        if response.status >= 300:
            raise ConnectionError(f"webhook answered {response.status}")


class WebhookNotifier:
    """Handles the ``webhook`` channel."""

    channels = ("webhook",)

    def send(self, notification: Notification) -> None:
        _post("notification", notification.key, dump(notification))


@hookimpl
def s2c_notifiers() -> list[WebhookNotifier]:
    return [WebhookNotifier()] if os.environ.get("S2C_WEBHOOK_URL") else []


@hookimpl
def s2c_event_subscriptions() -> list[str]:
    return list(EVENTS) if os.environ.get("S2C_WEBHOOK_URL") else []


@hookimpl
def s2c_on_event(event: DomainEvent) -> None:
    if event.name in EVENTS and os.environ.get("S2C_WEBHOOK_URL"):
        _post("event", event.id, dump(event))
