"""Service plumbing: the context every use case gets, and the transaction helper.

A use case opens a [Tx][s2c_core.services._base.Tx], loads, checks everything, applies domain
changes, records past-tense events, and commits. Events go to the event log in the same
transaction; events some plugin subscribed to, and notifications, go to the outbox and are
delivered after commit.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, TypeVar

import attrs
import pluggy

from s2c_core.clock import Clock
from s2c_core.codec import dump, plain
from s2c_core.entities.common import new_id, replace
from s2c_core.errors import ConflictError
from s2c_core.events import DomainEvent, OutboxMessage
from s2c_core.lifecycle._flow import Flow
from s2c_core.policy import Policy
from s2c_core.ports import Notification, Storage, UnitOfWork
from s2c_core.services._uow import TrackedUnitOfWork

__all__ = ["PAST", "Context", "Tx"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# Past tense of every lifecycle trigger, for event names (QuoteSent, OrderConfirmed ...).
PAST: Mapping[str, str] = {
    "activate": "activated",
    "hold": "put_on_hold",
    "release": "released",
    "close": "closed",
    "contact": "contacted",
    "qualify": "qualified",
    "convert": "converted",
    "disqualify": "disqualified",
    "request_approval": "approval_requested",
    "approve": "approved",
    "send": "sent",
    "accept": "accepted",
    "decline": "declined",
    "expire": "expired",
    "supersede": "superseded",
    "confirm": "confirmed",
    "ship_part": "partially_shipped",
    "fulfil": "fulfilled",
    "cancel": "cancelled",
    "pick": "picked",
    "pack": "packed",
    "ship": "shipped",
    "deliver": "delivered",
    "return_goods": "returned",
    "issue": "issued",
    "pay_part": "partially_paid",
    "pay": "paid",
    "reopen": "reopened",
    "reopen_part": "reopened",
    "dispute": "disputed",
    "resolve_dispute": "dispute_resolved",
    "resolve_dispute_part": "dispute_resolved",
    "write_off": "written_off",
    "credit": "credited",
    "investigate": "investigated",
    "resolve": "resolved",
    "reject": "rejected",
    "park": "parked",
    "allocate_part": "partially_allocated",
    "allocate": "allocated",
    "return_payment": "returned",
    "refund": "refunded",
}


@functools.lru_cache(maxsize=1024)
def _event_name(aggregate: str, past: str) -> str:
    """``("invoice", "payment_applied")`` -> ``InvoicePaymentApplied`` (a small fixed set)."""
    return _camel(aggregate) + _camel(past)


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in text.split("_"))


@attrs.define
class Context:
    """What every service shares: storage, clock, policy, plugins, event subscriptions."""

    storage: Storage
    clock: Clock
    policy: Policy
    pm: pluggy.PluginManager
    subscriptions: frozenset[str] = frozenset()
    after_commit: list[Callable[[], None]] = attrs.field(factory=list)

    def today(self) -> date:
        """Today by the application's clock."""
        return self.clock.today()

    def tx(self, *, actor: str = "", retries: int = 0) -> AbstractContextManager[Tx]:
        """Open a unit of work wrapped in a ``Tx``; nothing is stored until ``tx.commit()``."""
        return _TxScope(self, actor)

    def load(self, aggregate: str, entity_id: str) -> Any:
        """Read one aggregate in its own short unit of work; ``NotFoundError`` if absent."""
        with self.storage.unit_of_work() as uow:
            return uow.repo(aggregate).get(entity_id)

    def run(self, body: Callable[[Tx], T], *, actor: str = "", retries: int = 3) -> T:
        """Run *body* in a fresh Tx and commit; retry on ``ConflictError`` up to *retries*."""
        attempt = 0
        while True:
            try:
                with self.tx(actor=actor) as tx:
                    result = body(tx)
                    tx.commit()
                return result
            except ConflictError:
                attempt += 1
                if attempt > retries:
                    raise
                log.debug("conflict, retrying (%d/%d)", attempt, retries)


class _TxScope:
    """``with ctx.tx() as tx``: the storage's unit of work, seen as a ``Tx``.

    A plain context manager class rather than a generator (``contextlib.contextmanager``):
    reads open one per call, so its overhead counts.
    """

    __slots__ = ("_actor", "_ctx", "_scope")

    def __init__(self, ctx: Context, actor: str) -> None:
        self._ctx = ctx
        self._actor = actor
        self._scope: AbstractContextManager[UnitOfWork] | None = None

    def __enter__(self) -> Tx:
        scope = self._scope = self._ctx.storage.unit_of_work()
        uow = scope.__enter__()
        return Tx(self._ctx, TrackedUnitOfWork(uow), actor=self._actor)

    def __exit__(self, *exc_info: Any) -> bool | None:
        assert self._scope is not None
        return self._scope.__exit__(*exc_info)


class Tx:
    """A unit of work plus event recording. Created by ``Context.tx``."""

    def __init__(self, ctx: Context, uow: TrackedUnitOfWork, *, actor: str = "") -> None:
        self.ctx = ctx
        self.uow = uow
        self.actor = actor
        self.now: datetime = ctx.clock.now()
        self._events: list[DomainEvent] = []
        self._messages: list[OutboxMessage] = []

    # -- repositories --------------------------------------------------------------------

    def get(self, aggregate: str, entity_id: str) -> Any:
        """Load an aggregate; ``NotFoundError`` if absent."""
        return self.uow.repo(aggregate).get(entity_id)

    def add(self, aggregate: str, entity: T) -> T:
        """Store a new aggregate."""
        result: T = self.uow.repo(aggregate).add(entity)
        return result

    def save(self, aggregate: str, entity: T) -> T:
        """Store a changed aggregate (optimistic version check)."""
        result: T = self.uow.repo(aggregate).update(entity)
        return result

    # -- lifecycle -----------------------------------------------------------------------

    def move(
        self,
        aggregate: str,
        entity: T,
        flow: Flow[Any],
        event: str,
        *,
        case_id: str = "",
        data: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> T:
        """Apply lifecycle *event* to *entity*, save it and record ``<Aggregate><Past>``.

        Raises ``InvalidTransitionError`` (nothing changed) when the event is not allowed.
        """
        current = entity.status  # type: ignore[attr-defined]
        entity_id: str = entity.id  # type: ignore[attr-defined]
        new_state = flow.next_state(current, event, entity_id=entity_id)
        changed = replace(entity, status=new_state, **changes)
        saved = self.save(aggregate, changed)
        self.record(
            aggregate,
            entity_id,
            PAST.get(event, event),
            from_state=str(current),
            to_state=str(new_state),
            case_id=case_id,
            data=data,
        )
        return saved

    def record(
        self,
        aggregate: str,
        aggregate_id: str,
        past: str,
        *,
        from_state: str | None = None,
        to_state: str | None = None,
        case_id: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> DomainEvent:
        """Record a domain event named ``<Aggregate><Past>`` (e.g. ``InvoiceIssued``)."""
        event = DomainEvent(
            id=new_id("evt"),
            name=_event_name(aggregate, past),
            aggregate=aggregate,
            aggregate_id=aggregate_id,
            at=self.now,
            data=_json_safe(data or {}),
            from_state=from_state,
            to_state=to_state,
            actor=self.actor,
            case_id=case_id,
        )
        self._events.append(event)
        return event

    def notify(self, notification: Notification, *, deliver_at: datetime | None = None) -> None:
        """Queue *notification* in the outbox (sent after commit; never twice for its key)."""
        payload = dump(notification)
        for attachment, raw in zip(payload["attachments"], notification.attachments, strict=True):
            attachment["content"] = raw.content.hex()
        self._messages.append(
            OutboxMessage(
                id=new_id("msg"),
                key=f"notification:{notification.key}",
                topic="notification",
                payload=payload,
                created_at=self.now,
                next_attempt_at=deliver_at or self.now,
            )
        )

    @property
    def events(self) -> list[DomainEvent]:
        """Events recorded so far in this Tx."""
        return list(self._events)

    def commit(self) -> None:
        """Append events, queue subscribed events and notifications, commit; then deliver."""
        if self._events:
            self.uow.events.append(self._events)
        subs = self.ctx.subscriptions
        if subs:
            for event in self._events:
                if "*" in subs or event.name in subs:
                    self._messages.append(
                        OutboxMessage(
                            id=new_id("msg"),
                            key=f"event:{event.id}",
                            topic="event",
                            payload=dump(event),
                            created_at=self.now,
                            next_attempt_at=self.now,
                        )
                    )
        if self._messages:
            self.uow.outbox.put(self._messages)
        self.uow.commit()
        has_messages = bool(self._messages)
        self._events = []
        self._messages = []
        if has_messages:
            for callback in self.ctx.after_commit:
                callback()


_AS_IS = (str, int, bool, type(None))


def _json_safe(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(k): v if type(v) in _AS_IS else plain(v)  # exact types: enums go through plain()
        for k, v in data.items()
    }
