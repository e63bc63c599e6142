"""Ports: the ``typing.Protocol``s that backends implement.

Core code depends on these roles only; plugins supply the implementations through hooks
(see [hookspecs][s2c_core.hookspecs]). All protocols are ``runtime_checkable`` so the plugin
manager can refuse an object that does not fit the role.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import IO, Any, Protocol, TypeVar, runtime_checkable

from attrs import field, frozen

from s2c_core.entities.statement import BankStatement
from s2c_core.events import DomainEvent, OutboxMessage

__all__ = [
    "ActionLog",
    "Attachment",
    "Counters",
    "DocumentRenderer",
    "EventLog",
    "Notification",
    "Notifier",
    "Outbox",
    "Repository",
    "StatementParser",
    "Storage",
    "UnitOfWork",
]

T = TypeVar("T")


@runtime_checkable
class Repository(Protocol[T]):
    """Stores one aggregate type inside a unit of work.

    Versions are optimistic locks: ``add`` stores version 1; ``update`` requires the entity's
    ``version`` to equal the stored one, stores ``version + 1`` and returns the entity with it;
    otherwise ``ConflictError`` and nothing is written.
    """

    def get(self, entity_id: str) -> T:
        """The entity with *entity_id*; ``NotFoundError`` if absent."""
        ...

    def find(self, entity_id: str) -> T | None:
        """The entity with *entity_id*, or None."""
        ...

    def get_many(self, entity_ids: Sequence[str]) -> dict[str, T]:
        """The entities found among *entity_ids*, by id (missing ids are left out)."""
        ...

    def add(self, entity: T) -> T:
        """Store a new entity; ``ConflictError`` if the id exists. Returns it at version 1."""
        ...

    def update(self, entity: T) -> T:
        """Store a changed entity (version check, see above). Returns it at its new version."""
        ...

    def query(
        self, *, order_by: str | None = None, limit: int | None = None, **criteria: Any
    ) -> list[T]:
        """Entities matching *criteria* on indexed fields.

        A criterion value is matched by equality; a tuple or list means "any of"; a
        `Range` (``s2c_core.entities.registry``) means an inclusive range. ``order_by`` names
        an indexed field (prefix ``-`` for descending); ties are broken by id.
        """
        ...

    def count(self, **criteria: Any) -> int:
        """Number of entities matching *criteria* (same rules as ``query``)."""
        ...

    def index_values(
        self,
        fields: Sequence[str],
        *,
        order_by: str | None = None,
        limit: int | None = None,
        **criteria: Any,
    ) -> list[tuple[Any, ...]]:
        """The indexed *fields* (``"id"`` allowed) of the entities matching *criteria*.

        One tuple per entity, in *fields* order, with the values as the index holds them
        (``Index.value``: Money as integer minor units, enums as their value, dates as dates),
        read without rebuilding the entities: a bank import keys 100,000 open invoices by
        reference, number, customer and open amount this way. Criteria, ``order_by`` and
        ``limit`` follow ``query``.
        """
        ...


@runtime_checkable
class EventLog(Protocol):
    """The append-only domain event log."""

    def append(self, events: Sequence[DomainEvent]) -> None:
        """Append *events* in order; they become visible on commit."""
        ...

    def read(
        self, *, after: int = 0, limit: int = 1000, aggregate_id: str | None = None
    ) -> list[DomainEvent]:
        """Committed events with ``sequence > after``, in order, at most *limit*."""
        ...


@runtime_checkable
class Outbox(Protocol):
    """Messages to deliver after commit (transactional outbox)."""

    def put(self, messages: Sequence[OutboxMessage]) -> int:
        """Store *messages*; a message whose ``key`` already exists is skipped. Returns stored."""
        ...

    def claim_due(self, now: datetime, *, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages due at *now*, locked for this unit of work (others skip them)."""
        ...

    def save(self, message: OutboxMessage) -> None:
        """Store the new delivery state of a claimed message."""
        ...

    def list(self, *, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        """Messages, oldest first, optionally with one status."""
        ...


@runtime_checkable
class Counters(Protocol):
    """Gapless counters: the next number is taken inside the issuing transaction."""

    def next(self, series: str, year: int) -> int:
        """Take the next number (1, 2, ...) of *series* in *year*; rolled back with the UoW."""
        ...


@runtime_checkable
class ActionLog(Protocol):
    """Natural keys of actions already done (tick steps, bank entries): exactly-once guard."""

    def claim(self, key: str, at: datetime) -> bool:
        """Record *key*; True if it was new, False if it was already recorded (do nothing)."""
        ...

    def exists(self, key: str) -> bool:
        """True when *key* was recorded."""
        ...

    # Optional, like ``Repository.add_many``: a backend may also offer
    #
    #     def claim_many(self, keys: Sequence[str], at: datetime) -> set[str]
    #
    # recording every key of *keys* at once and returning those that were new (a key given
    # twice is new once). It may raise ``ConflictError`` when a concurrent unit of work
    # claimed one of them meanwhile; the caller then retries. A bank import claims each of
    # its entries this way, one statement per batch instead of one per entry.


@runtime_checkable
class UnitOfWork(Protocol):
    """One all-or-nothing transaction over the repositories, the event log and the outbox.

    Nothing is stored unless ``commit()`` is called; leaving the context without committing
    (or with an exception) rolls everything back.
    """

    events: EventLog
    outbox: Outbox
    counters: Counters
    actions: ActionLog

    def repo(self, aggregate: str) -> Repository[Any]:
        """The repository of the aggregate called *aggregate* (see ``entities.registry``)."""
        ...

    def commit(self) -> None:
        """Make every change of this unit of work durable at once."""
        ...

    def rollback(self) -> None:
        """Discard every change of this unit of work."""
        ...


@runtime_checkable
class Storage(Protocol):
    """A storage backend: opens units of work."""

    name: str

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """A new unit of work, as a context manager."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


@frozen
class Attachment:
    """A file attached to a notification."""

    filename: str
    media_type: str
    content: bytes


@frozen(hash=False)
class Notification:
    """A message to a person: rendered by a notifier from a template and a context.

    Attributes:
        key: Natural idempotency key (e.g. ``dunning:inv_1:2``); never sent twice.
        channel: ``email``, ``letter``, ``phone_task``, ``collection_agency``, ``webhook`` ...
        template: Template name, e.g. ``dunning_reminder``.
        language: ``nl``, ``fr``, ``en`` ...
        context: JSON-safe template values.
    """

    key: str
    channel: str
    template: str
    language: str
    recipient: str
    subject: str = ""
    context: Mapping[str, Any] = field(factory=dict)
    attachments: tuple[Attachment, ...] = ()


@runtime_checkable
class Notifier(Protocol):
    """Sends notifications on the channels it names."""

    channels: tuple[str, ...]

    def send(self, notification: Notification) -> None:
        """Send *notification*; raise to have it retried later (it stays in the outbox)."""
        ...


@runtime_checkable
class DocumentRenderer(Protocol):
    """Renders a document (invoice, credit note, reminder, statement) to bytes."""

    name: str
    media_type: str

    def render(self, document: str, data: Mapping[str, Any]) -> bytes:
        """Render *document* (e.g. ``"invoice"``) from *data*."""
        ...


@runtime_checkable
class StatementParser(Protocol):
    """Reads one bank statement format into ``BankStatement`` records."""

    name: str

    def sniff(self, head: bytes) -> bool:
        """True when *head* (the first bytes of a file) looks like this format."""
        ...

    def parse(
        self, source: IO[bytes] | bytes | str | os.PathLike[str], *, label: str | None = None
    ) -> Iterator[BankStatement]:
        """Parse *source*; raise ``ParseError`` naming file, entry and field on bad input."""
        ...
