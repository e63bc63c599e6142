"""Outbox delivery: after commit, with retries, exponential backoff and parking.

A message is claimed in its own unit of work, delivered to the plugin, and its new state
(delivered, or failed with the next attempt time, or parked after ``outbox_max_attempts``) is
committed. A failing plugin therefore never rolls back or loses the business change: the
message simply stays pending. Deliveries are at-least-once; receivers get the message key to
refuse duplicates (the SMTP plugin keeps a sent log by key).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from attrs import frozen

from s2c_core.codec import load
from s2c_core.entities.common import replace
from s2c_core.errors import BackendNotFoundError
from s2c_core.events import DomainEvent, OutboxMessage, OutboxStatus
from s2c_core.plugins import notifiers, on_event
from s2c_core.ports import Attachment, Notification
from s2c_core.services._base import Context

__all__ = ["DeliveryReport", "OutboxDispatcher", "notification_from_payload"]

log = logging.getLogger(__name__)


@frozen
class DeliveryReport:
    """What one dispatcher run did."""

    delivered: int = 0
    failed: int = 0
    parked: int = 0


def notification_from_payload(payload: dict[str, object]) -> Notification:
    """Rebuild a Notification from its outbox payload (attachments are hex-encoded)."""
    data = dict(payload)
    raw = data.pop("attachments", []) or []
    notification = load(Notification, {**data, "attachments": []})
    attachments = tuple(
        Attachment(str(a["filename"]), str(a["media_type"]), bytes.fromhex(str(a["content"])))
        for a in raw  # type: ignore[attr-defined]
    )
    return replace(notification, attachments=attachments)


class OutboxDispatcher:
    """Delivers due outbox messages to notifiers and event subscribers."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def deliver_due(self, *, limit: int = 100) -> DeliveryReport:
        """Deliver every message due now (one unit of work per message)."""
        delivered = failed = parked = 0
        seen: set[str] = set()
        while True:
            with self._ctx.tx(actor="outbox") as tx:
                batch = [m for m in tx.uow.outbox.claim_due(tx.now, limit=1) if m.id not in seen]
                if not batch:
                    break
                message = batch[0]
                seen.add(message.id)
                outcome = self._deliver_one(message)
                tx.uow.outbox.save(self._after(message, outcome, tx.now))
                tx.uow.commit()
            if outcome is None:
                delivered += 1
            elif message.attempts + 1 >= self._ctx.policy.outbox_max_attempts:
                parked += 1
            else:
                failed += 1
            if len(seen) >= limit:
                break
        return DeliveryReport(delivered, failed, parked)

    def _deliver_one(self, message: OutboxMessage) -> str | None:
        try:
            if message.topic == "notification":
                notification = notification_from_payload(dict(message.payload))
                by_channel = notifiers(self._ctx.pm)
                notifier = by_channel.get(notification.channel)
                if notifier is None:
                    raise BackendNotFoundError(
                        f"no notifier for channel {notification.channel!r}",
                        url=notification.channel,
                    )
                notifier.send(notification)
            elif message.topic == "event":
                on_event(self._ctx.pm, load(DomainEvent, dict(message.payload)))
            else:
                return f"unknown topic {message.topic!r}"
        except Exception as exc:
            log.warning("outbox delivery of %s failed: %s", message.key, exc)
            return f"{type(exc).__name__}: {exc}"
        return None

    def _after(self, message: OutboxMessage, error: str | None, now: object) -> OutboxMessage:
        from datetime import datetime

        assert isinstance(now, datetime)
        if error is None:
            return replace(message, status=OutboxStatus.DELIVERED, delivered_at=now, last_error="")
        attempts = message.attempts + 1
        policy = self._ctx.policy
        if attempts >= policy.outbox_max_attempts:
            return replace(message, status=OutboxStatus.PARKED, attempts=attempts, last_error=error)
        delay = timedelta(seconds=policy.outbox_backoff_seconds * 2 ** (attempts - 1))
        return replace(message, attempts=attempts, last_error=error, next_attempt_at=now + delay)
