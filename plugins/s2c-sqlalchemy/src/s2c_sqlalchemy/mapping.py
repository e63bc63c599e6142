"""Explicit conversions between rows and core records (entities, events, outbox messages).

Entities stay plain frozen attrs records: they know nothing of SQL. An aggregate row is the
entity's document (``codec.dump``, as JSON text) plus its index values as real columns; the
``version`` column is the authority on the version (it overrides the document's).

Entity documents are written and read with ``orjson``: the same compact JSON text as
``json.dumps(document, ensure_ascii=False, separators=(",", ":"))`` for everything the codec
produces, several times faster. Their integers must fit 64 bits (as the ``BIGINT`` index
columns do); a document orjson cannot read (one written by an older version with ``NaN``,
say) is read with the standard ``json`` module. Event data and outbox payloads are free-form
host data: written with orjson when it can (the same text), with the standard ``json`` module
otherwise, and read with the standard module (orjson would read integers beyond 64 bits as
floats).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from s2c_core.codec import dump, load
from s2c_core.entities.registry import AggregateSpec, IndexKind
from s2c_core.errors import BackendError, ValidationError
from s2c_core.events import DomainEvent, OutboxMessage, OutboxStatus
from s2c_core.money import Money
from s2c_sqlalchemy.tables import extra_currency_column

__all__ = [
    "EntityMapper",
    "event_from_row",
    "event_to_row",
    "message_from_row",
    "message_to_row",
    "to_utc",
]

_encode: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_loads: Final = json.JSONDecoder().decode


def _dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()  # the same compact text as _encode for plain data
    except orjson.JSONEncodeError:
        pass  # what orjson will not write (int keys, integers beyond 64 bits, NaN ...)
    try:
        return _encode(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"cannot store as JSON: {exc}", field="data") from exc


def _dump_document(document: dict[str, Any]) -> str:
    try:
        return orjson.dumps(document).decode()
    except orjson.JSONEncodeError as exc:
        raise ValidationError(f"cannot store as JSON: {exc}", field="data") from exc


def _load_document(data: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return _loads(data)  # standard JSON extensions (NaN, Infinity) of older documents


def to_utc(value: datetime | None, *, field: str) -> datetime | None:
    """*value* in UTC; ``ValidationError`` for a naive datetime (nothing is written)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{field} must be timezone-aware, got {value!r}", field=field, value=value
        )
    return value.astimezone(UTC)


# (document text, version) -> (class, entity): see EntityMapper.entity
_DECODED: dict[tuple[str, int], tuple[type, Any]] = {}
_DECODED_AT_MOST: Final = 2048


def _remember(data: str, version: int, entity: Any) -> None:
    if len(_DECODED) >= _DECODED_AT_MOST:
        _DECODED.clear()
    _DECODED[data, version] = (type(entity), entity)


class EntityMapper:
    """Row values of one aggregate type, and the entity back from its stored document.

    Built once per aggregate type: the per-call work is reading the index values and one
    JSON encode or decode.

    **Decoded documents are remembered.** Rebuilding an entity is a pure function of its
    document text and version, and entities are deeply immutable, so the last couple of
    thousand (text, version) pairs seen are kept with their entity: the entity a unit of work
    stored (``values`` of an entity at the version being written) and the entities read back.
    A later read of that exact text at that version returns the kept entity instead of
    decoding the JSON again (a quote drafted, then read to be sent; a product read by every
    order). Any other text — another version, a row changed by another process or by hand —
    is decoded as usual. A kept entity compares equal to a fresh decode (the codec round-trip
    law); a datetime kept from the writer keeps the writer's time zone object, where a decode
    gives a fixed offset for the same instant.
    """

    def __init__(self, spec: AggregateSpec) -> None:
        self.spec = spec
        self.cls = spec.cls
        self._indexes = spec.indexes
        self._money = tuple(i for i in spec.indexes if i.kind is IndexKind.MONEY)
        self._extra_currency = extra_currency_column(spec)
        self.columns: tuple[str, ...] = (
            "id",
            "version",
            *(i.name for i in spec.indexes),
            *(("currency",) if self._extra_currency else ()),
            "data",
        )

    def values(self, entity: Any, version: int) -> dict[str, Any]:
        """The column values storing *entity* at *version* (keys are column names).

        Repositories write through a builder compiled from this (``s2c_sqlalchemy.writers``),
        which gives the statement's parameters directly; a property test keeps both equal.
        """
        document = dump(entity)
        document["version"] = version
        row: dict[str, Any] = {"id": entity.id, "version": version}
        for index in self._indexes:
            row[index.name] = index.value(entity)
        if self._extra_currency:
            row["currency"] = self._currency(entity)
        row["data"] = data = _dump_document(document)
        if entity.version == version:  # the entity as it is being stored
            _remember(data, version, entity)
        return row

    def _currency(self, entity: Any) -> str | None:
        for index in self._money:
            raw = index.getter(entity)
            if isinstance(raw, Money):
                return str(raw.currency.code)
        return None

    def entity(self, data: str, version: int) -> Any:
        """Rebuild the entity from its stored document and version column (see the class)."""
        known = _DECODED.get((data, version))
        if known is not None and known[0] is self.cls:
            return known[1]
        try:
            document = _load_document(data)
        except ValueError as exc:
            raise BackendError(f"stored {self.spec.name} document is not valid JSON") from exc
        document["version"] = version
        entity = load(self.cls, document, trusted=True)  # a document dump() wrote here
        _remember(data, version, entity)
        return entity


def event_to_row(event: DomainEvent) -> dict[str, Any]:
    """The ``s2c_events`` values of *event* (``sequence`` is given by the database).

    The event log appends through ``s2c_sqlalchemy.writers.event_writer``, which gives the
    same parameters without this dict (a property test keeps both equal).
    """
    return {
        "id": event.id,
        "name": event.name,
        "aggregate": event.aggregate,
        "aggregate_id": event.aggregate_id,
        "at": to_utc(event.at, field="at"),
        "data": _dumps(dict(event.data)),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor,
        "case_id": event.case_id,
    }


def event_from_row(row: Mapping[str, Any]) -> DomainEvent:
    """A [DomainEvent][s2c_core.events.DomainEvent] from an ``s2c_events`` row (by column)."""
    return DomainEvent(
        id=row["id"],
        name=row["name"],
        aggregate=row["aggregate"],
        aggregate_id=row["aggregate_id"],
        at=row["at"],
        data=_loads(row["data"]),
        from_state=row["from_state"],
        to_state=row["to_state"],
        actor=row["actor"],
        case_id=row["case_id"],
        sequence=row["sequence"],
    )


def message_to_row(message: OutboxMessage) -> dict[str, Any]:
    """The ``s2c_outbox`` values of *message*."""
    return {
        "id": message.id,
        "key": message.key,
        "topic": message.topic,
        "payload": _dumps(_plain_mapping(message.payload)),
        "created_at": to_utc(message.created_at, field="created_at"),
        "next_attempt_at": to_utc(message.next_attempt_at, field="next_attempt_at"),
        "attempts": message.attempts,
        "status": str(OutboxStatus(message.status).value),
        "last_error": message.last_error,
        "delivered_at": to_utc(message.delivered_at, field="delivered_at"),
    }


def message_from_row(row: Mapping[str, Any]) -> OutboxMessage:
    """An [OutboxMessage][s2c_core.events.OutboxMessage] from an ``s2c_outbox`` row (by column)."""
    return OutboxMessage(
        id=row["id"],
        key=row["key"],
        topic=row["topic"],
        payload=_loads(row["payload"]),
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        attempts=row["attempts"],
        status=OutboxStatus(row["status"]),
        last_error=row["last_error"],
        delivered_at=row["delivered_at"],
    )


def _plain_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)
