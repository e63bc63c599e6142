"""The services' view of a unit of work: an identity map with write-behind.

A use case reads an aggregate, changes it two or three times (an order is created, then
confirmed; a payment is recorded, matched, then allocated) and reads it again through another
service. Sent straight to the backend, that is a read per ``get`` and a write per change.
`TrackedUnitOfWork` wraps the backend's unit of work for the length of one ``Tx``:

* **identity map** — an aggregate read or written in this unit of work is served from memory
  the next time (``get``, ``find``, ``get_many``); it cannot have changed underneath, because
  a concurrent change is caught by the version check when this unit of work writes.
* **write-behind** — ``add`` and ``update`` are checked at once against what this unit of work
  knows (wrong type, an id it has seen, a stale version), then remembered; the backend receives
  one write per aggregate, its final state, when the unit of work commits or before a
  ``query``/``count`` of that aggregate type that a pending write could answer (so queries
  see the unit's own writes). Several changes of one aggregate in one unit of work are one
  write and one version step, the way an ORM flush counts versions.
* **flush only when it matters** — before a query, the pending writes of that aggregate type
  are checked against its criteria in memory (the reference semantics of
  ``s2c_core.entities.registry.criteria_tests``, which the SQL backend is tested to answer alike).
  When none matches and the query has no ``limit``, nothing is flushed: the stored rows of
  entities changed in this unit (their state before the change) are left out of the answer,
  and the pending writes stay pending. An order created, then confirmed after a query for
  the customer's other confirmed orders, is one INSERT at commit instead of an INSERT and an
  UPDATE. ``count`` and ``index_values`` skip the flush only when nothing pending is an
  update (a stored row cannot be left out of a count).

A conflict the wrapper cannot see (another process wrote the row since it was read, or an id
that exists in the database but was never read here) is raised by the backend when the writes
are flushed, at the latest by ``commit``; the unit of work then stores nothing, and
``Context.run`` retries it like any other conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from s2c_core.entities.common import with_version
from s2c_core.entities.registry import AGGREGATES, criteria_tests
from s2c_core.errors import ConflictError, ValidationError
from s2c_core.ports import ActionLog, Counters, EventLog, Outbox, Repository, UnitOfWork

__all__ = ["TrackedUnitOfWork"]

_ADD = 0
_UPDATE = 1


class _TrackedRepository:
    """Identity map and pending writes of one aggregate type (see the module docstring)."""

    def __init__(self, inner: Repository[Any], aggregate: str) -> None:
        self._inner = inner
        self._aggregate = aggregate
        self._spec = AGGREGATES[aggregate]
        self._cls = self._spec.cls
        self._seen: dict[str, Any] = {}
        # id -> (kind, entity as the backend must receive it, entity as the caller holds it)
        self._pending: dict[str, tuple[int, Any, Any]] = {}

    # -- reads --------------------------------------------------------------------------

    def get(self, entity_id: str) -> Any:
        found = self._seen.get(entity_id)
        if found is None:
            found = self._seen[entity_id] = self._inner.get(entity_id)
        return found

    def find(self, entity_id: str) -> Any | None:
        found = self._seen.get(entity_id)
        if found is None:
            found = self._inner.find(entity_id)
            if found is not None:
                self._seen[entity_id] = found
        return found

    def get_many(self, entity_ids: Sequence[str]) -> dict[str, Any]:
        seen = self._seen
        wanted = dict.fromkeys(entity_ids)
        missing = [i for i in wanted if i not in seen]
        if missing:
            seen.update(self._inner.get_many(missing))
        return {i: seen[i] for i in wanted if i in seen}

    def query(
        self, *, order_by: str | None = None, limit: int | None = None, **criteria: Any
    ) -> list[Any]:
        pending = self._pending
        if pending and (limit is not None or self._pending_match(criteria)):
            self.flush()
        found = self._inner.query(order_by=order_by, limit=limit, **criteria)
        if self._pending:
            # not flushed: none of this unit's pending writes matches, so a stored row of one
            # of them (its state before this unit changed it) is not an answer
            found = [entity for entity in found if entity.id not in pending]
        seen = self._seen
        for entity in found:
            seen[entity.id] = entity
        return found

    def count(self, **criteria: Any) -> int:
        if self._pending and (self._updates_pending() or self._pending_match(criteria)):
            self.flush()
        return self._inner.count(**criteria)

    def _pending_match(self, criteria: dict[str, Any]) -> bool:
        """True when a pending write's state matches *criteria* (or that cannot be told)."""
        try:
            tests = criteria_tests(self._spec, criteria)
            return any(
                all(test(held) for test in tests) for _kind, _entity, held in self._pending.values()
            )
        except Exception:  # an unknown or ill-typed criterion: flush; the backend names it
            return True

    def _updates_pending(self) -> bool:
        return any(kind == _UPDATE for kind, _entity, _held in self._pending.values())

    def index_values(
        self,
        fields: Sequence[str],
        *,
        order_by: str | None = None,
        limit: int | None = None,
        **criteria: Any,
    ) -> list[tuple[Any, ...]]:
        if self._pending and (self._updates_pending() or self._pending_match(criteria)):
            self.flush()
        read = getattr(self._inner, "index_values", None)
        if read is not None:
            found: list[tuple[Any, ...]] = read(fields, order_by=order_by, limit=limit, **criteria)
            return found
        # a backend written before index_values joined the contract: rebuild, then read
        read_values = AGGREGATES[self._aggregate].reader(fields)
        entities = self._inner.query(order_by=order_by, limit=limit, **criteria)
        return [read_values(entity) for entity in entities]

    # -- writes -------------------------------------------------------------------------

    def add(self, entity: Any) -> Any:
        if not isinstance(entity, self._cls):
            raise ValidationError(f"expected a {self._cls.__name__}", field="entity")
        if entity.id in self._seen:
            raise ConflictError(self._aggregate, entity.id, reason="id already exists")
        stored = with_version(entity, 1)
        self._pending[entity.id] = (_ADD, stored, stored)
        self._seen[entity.id] = stored
        return stored

    def update(self, entity: Any) -> Any:
        entity_id = entity.id
        current = self._seen.get(entity_id)
        if current is not None and current.version != entity.version:
            raise ConflictError(self._aggregate, entity_id, expected_version=entity.version)
        pending = self._pending.get(entity_id)
        if pending is None:
            stored = with_version(entity, entity.version + 1)
            self._pending[entity_id] = (_UPDATE, entity, stored)
        elif pending[0] == _ADD:
            stored = entity
            self._pending[entity_id] = (_ADD, entity, entity)
        else:
            stored = entity
            base_version = pending[1].version
            self._pending[entity_id] = (_UPDATE, with_version(entity, base_version), entity)
        self._seen[entity_id] = stored
        return stored

    def flush(self) -> None:
        """Send the pending writes to the backend, oldest first."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        inner = self._inner
        adds = [entity for kind, entity, _held in pending.values() if kind == _ADD]
        updates = [entity for kind, entity, _held in pending.values() if kind == _UPDATE]
        # a backend may take a batch at once (optional ``add_many``/``update_many``)
        add_many = getattr(inner, "add_many", None)
        if add_many is not None and len(adds) > 1:
            add_many(adds)
        else:
            for entity in adds:
                inner.add(entity)
        update_many = getattr(inner, "update_many", None)
        if update_many is not None and len(updates) > 1:
            update_many(updates)
        else:
            for entity in updates:
                inner.update(entity)


class TrackedUnitOfWork:
    """A backend unit of work seen through identity maps with write-behind (module docs)."""

    def __init__(self, inner: UnitOfWork) -> None:
        self.inner = inner
        self.events: EventLog = inner.events
        self.outbox: Outbox = inner.outbox
        self.counters: Counters = inner.counters
        self.actions: ActionLog = inner.actions
        self._repos: dict[str, _TrackedRepository] = {}

    def repo(self, aggregate: str) -> _TrackedRepository:
        """The tracked repository of *aggregate* (one per unit of work)."""
        found = self._repos.get(aggregate)
        if found is None:
            found = self._repos[aggregate] = _TrackedRepository(
                self.inner.repo(aggregate), aggregate
            )
        return found

    def flush(self) -> None:
        """Send every pending write to the backend (in the order the aggregates were used)."""
        for repo in self._repos.values():
            repo.flush()

    def commit(self) -> None:
        """Flush, then commit the backend's unit of work."""
        self.flush()
        self.inner.commit()

    def rollback(self) -> None:
        """Forget pending writes and roll the backend's unit of work back."""
        self._repos.clear()
        self.inner.rollback()
