"""In-memory storage: the built-in backend for tests, examples and quick starts.

URL: ``memory://`` (each application gets its own empty store). Units of work are serialised
by one lock and buffer every write until ``commit``, so a failed unit of work leaves no trace.
Entities are frozen, so they are stored as they are (no copying).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from s2c_core._markers import hookimpl
from s2c_core.clock import Clock
from s2c_core.entities.common import replace, with_version
from s2c_core.entities.registry import AGGREGATES, AggregateSpec, criteria_tests, spec_named
from s2c_core.errors import ConflictError, NotFoundError, ValidationError
from s2c_core.events import DomainEvent, OutboxMessage, OutboxStatus

__all__ = ["MemoryStorage"]


class _Tables:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {name: {} for name in AGGREGATES}
        self.events: list[DomainEvent] = []
        self.outbox: dict[str, OutboxMessage] = {}
        self.outbox_keys: set[str] = set()
        self.counters: dict[tuple[str, int], int] = {}
        self.actions: dict[str, datetime] = {}


class _Repo:
    def __init__(self, uow: _MemoryUnitOfWork, spec: AggregateSpec) -> None:
        self._uow = uow
        self._spec = spec
        self._committed = uow.tables.rows[spec.name]
        self._pending = uow.pending.setdefault(spec.name, {})

    def _current(self, entity_id: str) -> Any | None:
        if entity_id in self._pending:
            return self._pending[entity_id]
        return self._committed.get(entity_id)

    def get(self, entity_id: str) -> Any:
        found = self._current(entity_id)
        if found is None:
            raise NotFoundError(self._spec.name, entity_id)
        return found

    def find(self, entity_id: str) -> Any | None:
        return self._current(entity_id)

    def get_many(self, entity_ids: Sequence[str]) -> dict[str, Any]:
        out = {}
        for eid in entity_ids:
            found = self._current(eid)
            if found is not None:
                out[eid] = found
        return out

    def add(self, entity: Any) -> Any:
        if not isinstance(entity, self._spec.cls):
            raise ValidationError(f"expected a {self._spec.cls.__name__}", field="entity")
        if self._current(entity.id) is not None:
            raise ConflictError(self._spec.name, entity.id, reason="id already exists")
        stored = with_version(entity, 1)
        self._pending[entity.id] = stored
        return stored

    def update(self, entity: Any) -> Any:
        current = self._current(entity.id)
        if current is None:
            raise NotFoundError(self._spec.name, entity.id)
        if current.version != entity.version:
            raise ConflictError(self._spec.name, entity.id, expected_version=entity.version)
        stored = with_version(entity, entity.version + 1)
        self._pending[entity.id] = stored
        return stored

    def _all(self) -> Iterator[Any]:
        for eid, entity in self._committed.items():
            if eid not in self._pending:
                yield entity
        yield from self._pending.values()

    def query(
        self, *, order_by: str | None = None, limit: int | None = None, **criteria: Any
    ) -> list[Any]:
        for name in criteria:
            self._spec.index(name)
        tests = criteria_tests(self._spec, criteria)
        found = [e for e in self._all() if all(test(e) for test in tests)]
        if order_by:
            desc = order_by.startswith("-")
            index = self._spec.index(order_by.lstrip("-"))
            found.sort(key=lambda e: e.id)
            found.sort(key=lambda e: (index.value(e) is None, index.value(e) or 0), reverse=desc)
        else:
            found.sort(key=lambda e: e.id)
        return found[:limit] if limit is not None else found

    def count(self, **criteria: Any) -> int:
        return len(self.query(**criteria))

    def index_values(
        self,
        fields: Sequence[str],
        *,
        order_by: str | None = None,
        limit: int | None = None,
        **criteria: Any,
    ) -> list[tuple[Any, ...]]:
        read = self._spec.reader(fields)
        return [read(entity) for entity in self.query(order_by=order_by, limit=limit, **criteria)]


class _Events:
    def __init__(self, uow: _MemoryUnitOfWork) -> None:
        self._uow = uow

    def append(self, events: Sequence[DomainEvent]) -> None:
        self._uow.new_events.extend(events)

    def read(
        self, *, after: int = 0, limit: int = 1000, aggregate_id: str | None = None
    ) -> list[DomainEvent]:
        out = []
        for event in itertools.islice(self._uow.tables.events, after, None):
            if aggregate_id is None or event.aggregate_id == aggregate_id:
                out.append(event)
                if len(out) >= limit:
                    break
        return out


class _Outbox:
    def __init__(self, uow: _MemoryUnitOfWork) -> None:
        self._uow = uow

    def put(self, messages: Sequence[OutboxMessage]) -> int:
        stored = 0
        for message in messages:
            if message.key in self._uow.tables.outbox_keys or message.key in self._uow.new_keys:
                continue
            self._uow.new_keys.add(message.key)
            self._uow.outbox_writes[message.id] = message
            stored += 1
        return stored

    def claim_due(self, now: datetime, *, limit: int = 100) -> list[OutboxMessage]:
        due = [
            m
            for m in self._uow.tables.outbox.values()
            if m.status is OutboxStatus.PENDING
            and (m.next_attempt_at is None or m.next_attempt_at <= now)
        ]
        due.sort(key=lambda m: (m.next_attempt_at or now, m.id))
        return due[:limit]

    def save(self, message: OutboxMessage) -> None:
        self._uow.outbox_writes[message.id] = message

    def list(self, *, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        merged = dict(self._uow.tables.outbox)
        merged.update(self._uow.outbox_writes)
        out = [m for m in merged.values() if status is None or m.status == status]
        return out[:limit]


class _Counters:
    def __init__(self, uow: _MemoryUnitOfWork) -> None:
        self._uow = uow

    def next(self, series: str, year: int) -> int:
        key = (series, year)
        current = self._uow.counter_writes.get(key, self._uow.tables.counters.get(key, 0))
        self._uow.counter_writes[key] = current + 1
        return current + 1


class _Actions:
    def __init__(self, uow: _MemoryUnitOfWork) -> None:
        self._uow = uow

    def claim(self, key: str, at: datetime) -> bool:
        if key in self._uow.tables.actions or key in self._uow.action_writes:
            return False
        self._uow.action_writes[key] = at
        return True

    def claim_many(self, keys: Sequence[str], at: datetime) -> set[str]:
        return {key for key in keys if self.claim(key, at)}

    def exists(self, key: str) -> bool:
        return key in self._uow.tables.actions or key in self._uow.action_writes


class _MemoryUnitOfWork:
    def __init__(self, tables: _Tables) -> None:
        self.tables = tables
        self.pending: dict[str, dict[str, Any]] = {}
        self.new_events: list[DomainEvent] = []
        self.outbox_writes: dict[str, OutboxMessage] = {}
        self.new_keys: set[str] = set()
        self.counter_writes: dict[tuple[str, int], int] = {}
        self.action_writes: dict[str, datetime] = {}
        self._repos: dict[str, _Repo] = {}
        self.events = _Events(self)
        self.outbox = _Outbox(self)
        self.counters = _Counters(self)
        self.actions = _Actions(self)
        self.closed = False

    def repo(self, aggregate: str) -> _Repo:
        repo = self._repos.get(aggregate)
        if repo is None:
            repo = self._repos[aggregate] = _Repo(self, spec_named(aggregate))
        return repo

    def commit(self) -> None:
        t = self.tables
        for name, rows in self.pending.items():
            t.rows[name].update(rows)
        base = len(t.events)
        t.events.extend(replace(e, sequence=base + i + 1) for i, e in enumerate(self.new_events))
        t.outbox.update(self.outbox_writes)
        t.outbox_keys.update(self.new_keys)
        t.counters.update(self.counter_writes)
        t.actions.update(self.action_writes)
        self.rollback()

    def rollback(self) -> None:
        self.pending.clear()
        self._repos.clear()
        self.new_events = []
        self.outbox_writes = {}
        self.new_keys = set()
        self.counter_writes = {}
        self.action_writes = {}


class MemoryStorage:
    """A complete [Storage][s2c_core.ports.Storage] kept in this process's memory."""

    name = "memory"

    def __init__(self) -> None:
        self._tables = _Tables()
        self._lock = threading.RLock()

    @contextmanager
    def unit_of_work(self) -> Iterator[_MemoryUnitOfWork]:
        """A serialised unit of work; rolled back unless committed."""
        with self._lock:
            uow = _MemoryUnitOfWork(self._tables)
            try:
                yield uow
            finally:
                uow.rollback()

    def close(self) -> None:
        """Nothing to release."""


@hookimpl
def s2c_open_storage(url: str, clock: Clock) -> MemoryStorage | None:
    """Open ``memory://`` URLs."""
    return MemoryStorage() if url in ("memory://", "memory:", "memory") else None


@hookimpl
def s2c_storage_schemes() -> list[str]:
    """The in-memory backend's scheme."""
    return ["memory"]
