"""Domain events and outbox messages.

Every state change produces a past-tense [DomainEvent][s2c_core.events.DomainEvent] that is
appended to the event log in the same unit of work as the change: the audit trail, the source
of cycle-time KPIs and process-mining exports. Side effects (emails, e-invoice transmission,
plugin callbacks) travel as [OutboxMessage][s2c_core.events.OutboxMessage]s, written in the same
transaction and delivered after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from attrs import field, frozen

__all__ = ["DomainEvent", "OutboxMessage", "OutboxStatus", "event_name"]


def _mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@frozen(hash=False)
class DomainEvent:
    """Something that happened to an aggregate, in the past tense.

    Attributes:
        id: Unique event id.
        name: Past-tense name, e.g. ``"InvoiceIssued"``.
        aggregate: Aggregate type, e.g. ``"invoice"``.
        aggregate_id: Id of the aggregate.
        at: When it happened (UTC, from the application's clock).
        data: JSON-safe facts (strings, numbers as strings, booleans, lists, dicts).
        from_state: State before the change, for lifecycle events.
        to_state: State after the change.
        actor: Who caused it (user name, ``"tick"``, ``"bank-import"``), when known.
        case_id: The sales case it belongs to (usually the customer id), for process mining.
        sequence: Position in the event log, set by the storage on append (0 before).
    """

    id: str
    name: str
    aggregate: str
    aggregate_id: str
    at: datetime
    data: Mapping[str, Any] = field(factory=dict, converter=_mapping)
    from_state: str | None = None
    to_state: str | None = None
    actor: str = ""
    case_id: str = ""
    sequence: int = 0


class OutboxStatus(StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    DELIVERED = "delivered"
    PARKED = "parked"


@frozen(hash=False)
class OutboxMessage:
    """A side effect to perform after commit, with retries.

    Attributes:
        key: Natural idempotency key: a second message with the same key is not stored, and
            receivers may use it to refuse duplicates.
        topic: ``"notification"`` or ``"event"``.
        payload: JSON-safe content.
        attempts: Failed deliveries so far.
        next_attempt_at: Earliest time of the next delivery attempt.
    """

    id: str
    key: str
    topic: str
    payload: Mapping[str, Any] = field(factory=dict, converter=_mapping)
    created_at: datetime | None = None
    next_attempt_at: datetime | None = None
    attempts: int = 0
    status: OutboxStatus = OutboxStatus.PENDING
    last_error: str = ""
    delivered_at: datetime | None = None


def event_name(aggregate: str, verb_past: str) -> str:
    """Compose an event name: ``event_name("invoice", "issued") == "InvoiceIssued"``."""
    head = "".join(part.capitalize() for part in aggregate.split("_"))
    tail = "".join(part.capitalize() for part in verb_past.split("_"))
    return head + tail
