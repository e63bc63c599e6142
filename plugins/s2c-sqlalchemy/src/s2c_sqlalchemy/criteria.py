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

Reading criteria runs on every query, so its common cases are short: a plain ``str`` value is
settled by the field's kind alone, and the fitting values of a one-of criterion given as a
tuple or frozenset of immutable values (a module's tuple of states, typically) are kept for
that very object, which never changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

from sqlalchemy import ColumnElement, Table, and_, false, literal, or_, true

from s2c_core.entities.registry import AggregateSpec, Index, IndexKind, Range, plain_criterion
from s2c_core.errors import ValidationError
from s2c_core.money import Money

__all__ = [
    "Shape",
    "criteria_shape",
    "indexes_by_name",
    "order_clauses",
    "plain_value",
    "shape_clause",
    "where_clause",
]

_MULTI: Final = (tuple, list, set, frozenset)


plain_value: Final = plain_criterion
"""A criterion value as the database compares it: Money as minor units, enums by value
(core's ``entities.registry.plain_criterion``, the semantics the memory backend uses)."""


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


Shape = tuple[tuple[str, str, int], ...]
"""What a criteria mapping asks, without its values: ``(column, test, number of values)`` per
criterion. Criteria of one shape compile to the same SQL, so a shape is a statement cache key."""


_BY_NAME: dict[str, tuple[AggregateSpec, dict[str, Index]]] = {}


def indexes_by_name(spec: AggregateSpec) -> dict[str, Index]:
    """The indexes of *spec* by name (``spec.index`` without its scan; kept per spec)."""
    known = _BY_NAME.get(spec.name)
    if known is None or known[0] is not spec:
        known = _BY_NAME[spec.name] = (spec, {index.name: index for index in spec.indexes})
    return known[1]


_ANY_OF: dict[int, tuple[Any, IndexKind, tuple[Any, ...], bool]] = {}
_ANY_OF_AT_MOST: Final = 256
_FIXED: Final = (str, int, bool, type(None), date, datetime, Money)


def _any_of(kind: IndexKind, wanted: Any) -> tuple[tuple[Any, ...], bool]:
    """The values of the one-of criterion *wanted* that fit *kind* (plain, distinct, in a
    stable order) and whether None is one of them.

    The answer for an immutable collection of immutable values (a module's tuple of states,
    typically) never changes, so it is kept for that very object, held by the memo.
    """
    known = _ANY_OF.get(id(wanted))
    if known is not None and known[0] is wanted and known[1] is kind:
        return known[2], known[3]
    plain = [plain_value(w) for w in wanted]
    fitting = tuple(sorted({v for v in plain if v is not None and _fits(kind, v)}, key=repr))
    with_null = any(v is None for v in plain)
    if type(wanted) in (tuple, frozenset) and all(
        type(w) in _FIXED or (isinstance(w, Enum) and type(w.value) in (str, int)) for w in wanted
    ):
        if len(_ANY_OF) >= _ANY_OF_AT_MOST:
            _ANY_OF.clear()
        _ANY_OF[id(wanted)] = (wanted, kind, fitting, with_null)
    return fitting, with_null


def criteria_shape(spec: AggregateSpec, criteria: Mapping[str, Any]) -> tuple[Shape, list[Any]]:
    """The shape of *criteria* on *spec* and its values in placeholder order.

    Unknown fields raise ``ConfigurationError`` before any value is looked at; a range bound
    that does not fit its field raises ``ValidationError``.
    """
    by_name = indexes_by_name(spec)
    indexes = [(by_name.get(name) or spec.index(name), wanted) for name, wanted in criteria.items()]
    shape: list[tuple[str, str, int]] = []
    values: list[Any] = []
    for index, wanted in indexes:
        name = index.name
        if wanted.__class__ is str:  # the common case of the last branch, in short
            if index.kind is IndexKind.TEXT:
                shape.append((name, "eq", 1))
                values.append(wanted)
            else:
                shape.append((name, "false", 0))
            continue
        if isinstance(wanted, Range):
            lo = None if wanted.lo is None else _bound(index, wanted.lo)
            hi = None if wanted.hi is None else _bound(index, wanted.hi)
            if lo is not None and hi is not None:
                shape.append((name, "between", 2))
                values += (lo, hi)
            elif lo is not None:
                shape.append((name, "ge", 1))
                values.append(lo)
            elif hi is not None:
                shape.append((name, "le", 1))
                values.append(hi)
            else:
                shape.append((name, "not_null", 0))
        elif isinstance(wanted, _MULTI):
            fitting, with_null = _any_of(index.kind, wanted)
            if fitting:
                shape.append((name, "in_or_null" if with_null else "in", len(fitting)))
                values += fitting
            else:
                shape.append((name, "null" if with_null else "false", 0))
        else:
            value = plain_value(wanted)
            if value is None:
                shape.append((name, "null", 0))
            elif not _fits(index.kind, value):
                shape.append((name, "false", 0))
            else:
                shape.append((name, "eq", 1))
                values.append(value)
    return tuple(shape), values


def shape_clause(
    table: Table, shape: Shape, bind: Callable[[Any, int], ColumnElement[Any]]
) -> ColumnElement[bool]:
    """The SQL condition of *shape* on *table*; ``bind(column, k)`` gives the k-th value."""
    parts: list[ColumnElement[bool]] = []
    k = 0
    for name, test, count in shape:
        column = table.c[name]
        binds = [bind(column, k + i) for i in range(count)]
        k += count
        if test == "eq":
            parts.append(column == binds[0])
        elif test == "in":
            parts.append(column.in_(binds))
        elif test == "in_or_null":
            parts.append(or_(column.in_(binds), column.is_(None)))
        elif test == "null":
            parts.append(column.is_(None))
        elif test == "false":
            parts.append(false())
        else:
            ranged: list[ColumnElement[bool]] = [column.is_not(None)]
            if test in ("ge", "between"):
                ranged.append(column >= binds[0])
            if test in ("le", "between"):
                ranged.append(column <= binds[-1])
            parts.append(and_(*ranged))
    if not parts:
        return true()
    return and_(*parts)


def where_clause(
    spec: AggregateSpec, table: Table, criteria: Mapping[str, Any]
) -> ColumnElement[bool]:
    """The SQL condition for *criteria* on *spec*'s *table*, values bound in place."""
    shape, values = criteria_shape(spec, criteria)
    return shape_clause(table, shape, lambda column, k: literal(values[k], column.type))


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
