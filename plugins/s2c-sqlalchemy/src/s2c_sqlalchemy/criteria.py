"""Repository criteria and ordering compiled to SQL, with the in-memory backend's semantics.

The rules ([Repository.query][s2c_core.ports.Repository.query]) and how they map to SQL:

* a value: the index value equals it (Money as minor units, enums by value);
  SQL ``col = :v``, or ``col IS NULL`` for None;
* a tuple, list or set: the index value is any of them; SQL ``col IN (...)``, plus
  ``OR col IS NULL`` when None is listed;
* ``Range(lo, hi)``: ``lo <= value <= hi`` and None is never inside; SQL
  ``col IS NOT NULL AND col >= :lo AND col <= :hi``.

A value of the wrong type for its column (a number for a text field, say) matches nothing, as
it does in memory, instead of being coerced by the database. Ordering puts NULLs last
ascending and first descending, ties broken by ascending id: exactly Python's stable sort in
the memory backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

from sqlalchemy import ColumnElement, Table, and_, false, or_, true

from s2c_core.entities.registry import AggregateSpec, Index, IndexKind, Range
from s2c_core.errors import ValidationError
from s2c_core.money import Money

__all__ = ["order_clauses", "plain_value", "where_clause"]

_MULTI: Final = (tuple, list, set, frozenset)


def plain_value(value: Any) -> Any:
    """A criterion value as the database compares it: Money as minor units, enums by value."""
    if isinstance(value, Money):
        return value.minor_units
    if isinstance(value, Enum):
        return value.value
    return value


def _fits(kind: IndexKind, value: Any) -> bool:
    if kind is IndexKind.TEXT:
        return isinstance(value, str)
    if kind is IndexKind.DATE:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, int)


def _bound(index: Index, value: Any) -> Any:
    """A range bound converted as the memory backend converts it (``Index.value``)."""
    raw = value.value if isinstance(value, Enum) and index.kind is not IndexKind.TEXT else value
    if index.kind is IndexKind.MONEY:
        converted: Any = raw.minor_units if isinstance(raw, Money) else int(raw)
    elif index.kind is IndexKind.TEXT:
        converted = str(raw)
    else:
        converted = raw
    if not _fits(index.kind, converted):
        raise ValidationError(
            f"range bound {value!r} does not fit {index.kind.value} field {index.name!r}",
            field=index.name,
            value=value,
        )
    return converted


def _one(column: Any, index: Index, wanted: Any) -> ColumnElement[bool]:
    if isinstance(wanted, Range):
        parts: list[ColumnElement[bool]] = [column.is_not(None)]
        if wanted.lo is not None:
            parts.append(column >= _bound(index, wanted.lo))
        if wanted.hi is not None:
            parts.append(column <= _bound(index, wanted.hi))
        return and_(*parts)
    if isinstance(wanted, _MULTI):
        values = [plain_value(w) for w in wanted]
        fitting = sorted({v for v in values if v is not None and _fits(index.kind, v)}, key=repr)
        clauses: list[ColumnElement[bool]] = []
        if fitting:
            clauses.append(column.in_(fitting))
        if any(v is None for v in values):
            clauses.append(column.is_(None))
        return or_(*clauses) if clauses else false()
    value = plain_value(wanted)
    if value is None:
        return column.is_(None)  # type: ignore[no-any-return]
    if not _fits(index.kind, value):
        return false()
    return column == value  # type: ignore[no-any-return]


def where_clause(
    spec: AggregateSpec, table: Table, criteria: Mapping[str, Any]
) -> ColumnElement[bool]:
    """The SQL condition for *criteria* on *spec*'s *table* (unknown fields raise first)."""
    indexes = [(spec.index(name), wanted) for name, wanted in criteria.items()]
    if not indexes:
        return true()
    return and_(*(_one(table.c[index.name], index, wanted) for index, wanted in indexes))


def order_clauses(spec: AggregateSpec, table: Table, order_by: str | None) -> Iterable[Any]:
    """``ORDER BY`` terms for *order_by* (``-`` prefix: descending), then id ascending."""
    if not order_by:
        return (table.c.id,)
    desc = order_by.startswith("-")
    index = spec.index(order_by.lstrip("-"))
    column = table.c[index.name]
    if desc:
        return (column.is_(None).desc(), column.desc(), table.c.id)
    return (column.is_(None), column, table.c.id)
