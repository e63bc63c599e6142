"""SQLAlchemy Core tables: one per aggregate (generated from the registry) plus the log tables.

Every aggregate table has the same shape:

| column | type | content |
| --- | --- | --- |
| ``id`` | text, primary key | the entity id |
| ``version`` | integer | optimistic lock, 1 after ``add`` |
| one per indexed field | text / date / bigint | the registry's index value (money as minor units) |
| ``currency`` | text | only when the aggregate has money indexes but no ``currency`` index |
| ``data`` | text | ``json.dumps(codec.dump(entity))``, the whole entity |

The indexed columns are what queries filter, order and aggregate on; ``data`` is what entities
are rebuilt from, so adding an index never loses information. Text columns use the ``"C"``
collation on PostgreSQL so that ``ORDER BY`` agrees with Python's code-point order (and with
SQLite's default ``BINARY`` collation).

Timestamps are stored in UTC ([UtcDateTime][s2c_sqlalchemy.tables.UtcDateTime]) and read back
timezone-aware.

Note:
    This module describes the *current* schema. The database itself is created and upgraded
    only by the Alembic revisions in ``s2c_sqlalchemy.migrations``; a test compares the two,
    so a new index in core's registry fails CI until a revision adds its column.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from s2c_core.entities.registry import AGGREGATES, AggregateSpec, IndexKind
from s2c_core.errors import ConfigurationError

__all__ = [
    "ACTIONS",
    "AGGREGATE_TABLES",
    "COUNTERS",
    "EVENTS",
    "OUTBOX",
    "PREFIX",
    "UtcDateTime",
    "aggregate_table_name",
    "extra_currency_column",
    "key_text",
    "metadata",
]

PREFIX: Final = "s2c_"
"""Every table of this plugin starts with it, so it can share a database with the host app."""

metadata: Final = MetaData()
"""The metadata of every s2c table (used by the schema drift test, never by ``create_all``)."""

_RESERVED: Final = frozenset({"id", "version", "data"})


def key_text() -> TypeEngine[str]:
    """Text compared by code point on every dialect (``COLLATE "C"`` on PostgreSQL)."""
    return Text().with_variant(Text(collation="C"), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC.

    PostgreSQL keeps it as ``timestamp with time zone``; SQLite as naive UTC text. Values are
    converted to UTC on the way in (naive values are refused) and come back aware, in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Timezone-aware on PostgreSQL, naive UTC on SQLite."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(DateTime(timezone=False))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; naive datetimes are refused."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach (or convert to) UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_COLUMN_TYPES: Final[dict[IndexKind, Any]] = {
    IndexKind.TEXT: key_text,
    IndexKind.DATE: Date,
    IndexKind.INT: BigInteger,
    IndexKind.MONEY: BigInteger,
}

# Money and integer columns are filtered by range at most; text and date columns are what
# use cases look up by (customer, status, reference, due date), so only those get an index.
_INDEXED_KINDS: Final = frozenset({IndexKind.TEXT, IndexKind.DATE})


def aggregate_table_name(aggregate: str) -> str:
    """The table of *aggregate*, e.g. ``s2c_invoice``."""
    return f"{PREFIX}{aggregate}"


def extra_currency_column(spec: AggregateSpec) -> bool:
    """True when *spec* has money indexes but no ``currency`` index of its own.

    Such a table gets a ``currency`` column filled from its money values, so minor units are
    never stored without their currency.
    """
    names = {index.name for index in spec.indexes}
    has_money = any(index.kind is IndexKind.MONEY for index in spec.indexes)
    return has_money and "currency" not in names


def _aggregate_table(spec: AggregateSpec) -> Table:
    name = aggregate_table_name(spec.name)
    columns: list[Any] = [
        Column("id", key_text(), nullable=False),
        Column("version", Integer, nullable=False),
    ]
    indexes: list[Index] = []
    for index in spec.indexes:
        if index.name in _RESERVED:
            raise ConfigurationError(
                f"{spec.name} index {index.name!r} clashes with a column the SQL backend "
                f"reserves ({', '.join(sorted(_RESERVED))})"
            )
        columns.append(Column(index.name, _COLUMN_TYPES[index.kind](), nullable=True))
        if index.kind in _INDEXED_KINDS:
            indexes.append(Index(f"ix_{name}_{index.name}", index.name))
    if extra_currency_column(spec):
        columns.append(Column("currency", key_text(), nullable=True))
    columns.append(Column("data", Text, nullable=False))
    return Table(name, metadata, *columns, PrimaryKeyConstraint("id", name=f"pk_{name}"), *indexes)


AGGREGATE_TABLES: Final[dict[str, Table]] = {
    name: _aggregate_table(spec) for name, spec in AGGREGATES.items()
}
"""One table per aggregate of ``s2c_core.entities.registry.AGGREGATES``, by aggregate name."""

EVENTS: Final = Table(
    f"{PREFIX}events",
    metadata,
    Column(
        "sequence",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("id", key_text(), nullable=False),
    Column("name", key_text(), nullable=False),
    Column("aggregate", key_text(), nullable=False),
    Column("aggregate_id", key_text(), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("data", Text, nullable=False),
    Column("from_state", key_text(), nullable=True),
    Column("to_state", key_text(), nullable=True),
    Column("actor", key_text(), nullable=False),
    Column("case_id", key_text(), nullable=False),
    Index(f"ix_{PREFIX}events_aggregate_id", "aggregate_id"),
    Index(f"ix_{PREFIX}events_name_at", "name", "at"),
    sqlite_autoincrement=True,
)
"""The append-only event log; ``sequence`` is the log position."""

OUTBOX: Final = Table(
    f"{PREFIX}outbox",
    metadata,
    Column("id", key_text(), nullable=False),
    Column("key", key_text(), nullable=False),
    Column("topic", key_text(), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=True),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("status", key_text(), nullable=False),
    Column("last_error", Text, nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    PrimaryKeyConstraint("id", name=f"pk_{PREFIX}outbox"),
    UniqueConstraint("key", name=f"uq_{PREFIX}outbox_key"),
    Index(f"ix_{PREFIX}outbox_status_next", "status", "next_attempt_at"),
)
"""The transactional outbox."""

COUNTERS: Final = Table(
    f"{PREFIX}counters",
    metadata,
    Column("series", key_text(), nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", BigInteger, nullable=False),
    PrimaryKeyConstraint("series", "year", name=f"pk_{PREFIX}counters"),
)
"""Gapless counters: one row per series and year, updated inside the issuing transaction."""

ACTIONS: Final = Table(
    f"{PREFIX}actions",
    metadata,
    Column("key", key_text(), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("key", name=f"pk_{PREFIX}actions"),
)
"""Natural keys of actions already done (exactly-once guard)."""
