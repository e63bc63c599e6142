"""The DBAPI connections of one storage's units of work, kept checked out between them.

A unit of work used to check a connection out of the engine's pool and give it back at its
end. On SQLite that round trip (the pool's queue and locks, a proxy object with its weak
reference, the reset-on-return rollback) costs more Python than an empty unit of work's own
work. [Connections][s2c_sqlalchemy.connections.Connections] keeps the connection of a unit of
work that ended clean checked out, on a small stack, and hands it to the next unit of work:
the pool then sees one long checkout instead of one per unit of work.

A connection is kept only when that is invisible to everybody else:

* it ended clean: rolled back or committed by the unit of work, still valid (a connection
  invalidated after a lost-connection error, or one whose rollback failed, goes back to the
  pool, which discards it), and the host did not use ``uow.connection`` on it;
* the pool is a ``QueuePool`` or ``StaticPool`` without ``pre_ping`` or ``recycle`` (both act
  at checkout) and nothing listens to its ``checkout``, ``checkin`` or ``reset`` events
  (checked again at every hand-out, so a listener added later sees every checkout);
* a ``QueuePool`` still has room for another checkout after it (a host sharing the engine is
  never left waiting for a connection an idle storage holds), and at most ``keep`` are kept.

A kept connection is not handed out again, but given back to the pool, once the pool
invalidated its connections (a disconnect seen through SQLAlchemy) or a listener appeared.
When the engine is disposed (its pool replaced), kept connections of the old pool are closed,
as dispose closes the idle connections in its pool. In a child process after ``fork`` they
are left untouched (they belong to the parent). ``close()`` gives every kept connection back
and keeps none from then on; a storage dropped without ``close()`` gives them back when it is
garbage collected.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import Any, Final

from sqlalchemy import Engine, PoolProxiedConnection
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import Pool, QueuePool, StaticPool

from s2c_core.errors import BackendError

__all__ = ["KEEP", "Connections", "backend_error"]

log = logging.getLogger(__name__)

KEEP: Final = 2
"""Idle connections a storage keeps checked out for its next units of work."""

_Kept = tuple[PoolProxiedConnection, Pool, float, Any]
"""A connection, the pool it came from, the time just before it was checked out, and its
driver connection (read once at checkout: a kept connection keeps the same)."""

_KEEPABLE_POOLS: Final = (QueuePool, StaticPool)

_generation = 0
"""Incremented in a child process after ``fork``: connections kept before belong to the parent."""

_ABANDONED: list[Any] = []
"""Connections inherited through ``fork``: referenced forever, so that no finaliser touches
the parent's connection from the child."""


def _forked() -> None:  # pragma: no cover - runs in a forked child
    global _generation
    _generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


def backend_error(exc: BaseException, what: str) -> BackendError:
    """A ``BackendError`` describing the driver error *exc* raised while doing *what*."""
    orig = getattr(exc, "orig", None) or exc
    return BackendError(f"database error while {what}: {type(orig).__name__}: {orig}".strip())


def _quiet(pool: Pool) -> bool:
    """True when nothing listens to *pool*'s checkout, checkin or reset events."""
    dispatch: Any = pool.dispatch
    return not (dispatch.checkout or dispatch.checkin or dispatch.reset)


def _capacity(pool: Pool) -> int | None:
    """How many connections *pool* hands out at most at once (None: no limit)."""
    if not isinstance(pool, QueuePool):
        return None
    overflow = int(getattr(pool, "_max_overflow", -1))
    return None if overflow < 0 else pool.size() + overflow


def _give_back(kept: list[_Kept], *, close: bool) -> None:
    """Return *kept* connections to their pool (after closing them if *close*)."""
    for fairy, *_ in kept:
        try:
            if close and fairy.is_valid:
                fairy.invalidate()  # closes the DBAPI connection, as dispose() would have
            else:
                fairy.close()
        except Exception:  # pragma: no cover - best effort
            log.warning("could not release a kept connection cleanly", exc_info=True)


def _release_all(kept: list[_Kept], lock: threading.Lock, generation: int) -> None:
    """Finaliser of a dropped ``Connections``: give its kept connections back."""
    with lock:
        stale = kept[:]
        kept.clear()
    if generation != _generation:  # pragma: no cover - forked child
        _ABANDONED.extend(stale)
    else:
        _give_back(stale, close=False)


class Connections:
    """Checks DBAPI connections out for units of work; keeps clean ones for the next.

    Also holds what every unit of work of the storage shares, computed once: the driver's
    error classes, whether the dialect is SQLite, its disconnect test.

    Args:
        engine: The storage's engine.
        keep: Idle connections kept at most (0: every unit of work uses the pool).
    """

    def __init__(self, engine: Engine, *, keep: int = KEEP) -> None:
        self.engine = engine
        dialect = engine.dialect
        dbapi = dialect.loaded_dbapi
        self.errors: tuple[type[BaseException], ...] = (dbapi.Error, SQLAlchemyError)
        self.integrity: tuple[type[BaseException], ...] = (dbapi.IntegrityError, SAIntegrityError)
        self.sqlite: bool = dialect.name == "sqlite"
        self.is_disconnect = dialect.is_disconnect
        self._keep = keep
        self._lock = threading.Lock()
        self._idle: list[_Kept] = []
        self._pool: Pool | None = None  # the pool the kept connections come from
        self._keepable = False  # its class and settings allow keeping
        self._capacity: int | None = None  # its capacity
        self._generation = _generation
        self._closed = False
        weakref.finalize(self, _release_all, self._idle, self._lock, _generation)

    @property
    def idle(self) -> int:
        """Connections kept for the next units of work now."""
        return len(self._idle)

    def checkout(self) -> _Kept:
        """A kept connection, or one checked out of the pool; with the pool it came from, the
        time just before its checkout (see ``checkin``) and its driver connection.

        Raises:
            BackendError: The pool could not connect.
        """
        if self._idle:
            with self._lock:
                kept = self._idle.pop() if self._idle else None
            if kept is not None:
                if self._still_good(kept[1], kept[2]):
                    return kept
                self._drop([kept])
        # both taken before the checkout, so a concurrent dispose or invalidation of the
        # pool makes the connection look stale (given back), never fresh
        pool = self.engine.pool
        since = time.time()
        try:
            fairy = self.engine.raw_connection()
        except self.errors as exc:
            raise backend_error(exc, "connecting") from exc
        return fairy, pool, since, fairy.driver_connection

    def checkin(self, fairy: PoolProxiedConnection, pool: Pool, since: float, raw: Any) -> None:
        """Keep *fairy* (its transaction ended) or give it back to the pool.

        *pool*, *since* and *raw* are what ``checkout`` returned with it.
        """
        if self._may_keep(fairy, pool, since):
            with self._lock:
                if not self._closed and pool is self._pool and len(self._idle) < self._keep:
                    self._idle.append((fairy, pool, since, raw))
                    return
        fairy.close()

    def close(self) -> None:
        """Give every kept connection back to the pool and keep none from now on."""
        with self._lock:
            self._closed = True
            stale = self._idle[:]
            self._idle.clear()
        self._drop(stale)

    def _still_good(self, pool: Pool, since: float) -> bool:
        """True when a connection checked out of *pool* at *since* may be handed out as if
        checked out now: same pool, not invalidated by the pool since, no pool listener."""
        return (
            pool is self.engine.pool
            and pool._invalidate_time <= since
            and self._generation == _generation
            and _quiet(pool)
        )

    def _may_keep(self, fairy: PoolProxiedConnection, pool: Pool, since: float) -> bool:
        """True when *fairy* may wait for the next unit of work instead of the pool.

        Pool listeners are checked when a kept connection is handed out (``_still_good``),
        so one added meanwhile sees it checked in then, and the next checkout.
        """
        if pool is not self._pool:
            if pool is not self.engine.pool:
                return False  # checked out before a dispose
            self._adopt(pool)
        if not (self._keepable and fairy.is_valid and not self._closed):
            return False
        if pool._invalidate_time > since or self._generation != _generation:
            return False
        capacity = self._capacity
        # leave room in the pool for one more checkout (a host sharing the engine)
        return capacity is None or pool.checkedout() < capacity  # type: ignore[attr-defined]

    def _adopt(self, pool: Pool) -> None:
        """Keep connections of *pool* from now on (the engine's pool was replaced)."""
        with self._lock:
            stale = [kept for kept in self._idle if kept[1] is not pool]
            self._idle[:] = [kept for kept in self._idle if kept[1] is pool]
            self._pool = pool
            self._keepable = (
                type(pool) in _KEEPABLE_POOLS
                and not getattr(pool, "_pre_ping", True)
                and getattr(pool, "_recycle", 0) < 0
            )
            self._capacity = _capacity(pool)
        self._drop(stale)

    def _drop(self, stale: list[_Kept]) -> None:
        """Give *stale* kept connections back: closed if their pool was disposed since."""
        if not stale:
            return
        if self._generation != _generation:  # pragma: no cover - forked child
            _ABANDONED.extend(stale)
            return
        current = self.engine.pool
        _give_back([kept for kept in stale if kept[1] is current], close=False)
        _give_back([kept for kept in stale if kept[1] is not current], close=True)
