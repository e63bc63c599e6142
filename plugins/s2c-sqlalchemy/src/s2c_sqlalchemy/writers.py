"""Parameter builders: an entity or an event straight to the DBAPI parameters of its statement.

The plain write path goes through two steps: [EntityMapper.values][s2c_sqlalchemy.mapping.
EntityMapper.values] builds a dict of column values, then
[Rendered.params][s2c_sqlalchemy.session.Rendered] picks them out of the dict in placeholder
order and applies the bind processors. A unit of work writes a dozen or more rows, and that
dict (and the loop over the index getters that fills it) costs more Python than the rest of
the write.

A builder does both steps at once. ``entity_writer`` compiles, once per aggregate and
statement, a Python function whose body reads every column value of the entity in the order
``values`` does and returns the parameters ``Rendered.params`` would (a tuple in placeholder
order for ``qmark`` SQLite, a dict for psycopg's named placeholders), applying the bind
processors inline to the columns that have one: the same values, the same JSON text, the same
memo of the stored entity (``EntityMapper.values`` remembers the document an entity is stored
with; so does the builder). Each index value is core's ``Index.value`` written out for the
index's kind, on the raw value read by an attribute access when the getter is a plain
``attrgetter``; an index of a kind or class the builder does not know keeps its ``value``.

``event_writer`` does the same for an event row, and converts the event's timestamp once for
a run of events sharing it (a unit of work's events usually carry the same ``at``): the last
timestamp object seen and its stored form are kept, and an event whose ``at`` is that very
object reuses it. A naive timestamp is never kept, so every one is refused with the same
``ValidationError`` as ``event_to_row`` gives.

A statement a builder does not know the shape of (bind names that are not column values,
values fixed in the statement) gets the two steps instead, so the parameters are the same in
every case; a property test compares both paths for random entities of every aggregate.
"""

from __future__ import annotations

import keyword
import linecache
import operator
from collections.abc import Callable
from typing import Any, Final

import orjson

from s2c_core.codec import dump
from s2c_core.entities.registry import Index, IndexKind
from s2c_core.events import DomainEvent
from s2c_core.money import Money
from s2c_sqlalchemy.mapping import (
    EntityMapper,
    _dump_document,
    _dumps,
    _remember,
    event_to_row,
    to_utc,
)
from s2c_sqlalchemy.session import Rendered

__all__ = ["EntityWriter", "EventWriter", "entity_writer", "event_writer"]

EntityWriter = Callable[[Any, int], Any]
"""``write(entity, version)``: the DBAPI parameters storing *entity* at *version*; for an
``UPDATE`` statement, expecting the stored version to be ``version - 1``."""

EventWriter = Callable[[DomainEvent], Any]
"""``write(event)``: the DBAPI parameters appending *event* to the event log."""

_WHERE: Final = ("w_id", "w_version")
"""The bind names of an ``UPDATE``'s condition: the id, and the version expected stored."""

EVENT_VALUES: Final = (
    "id",
    "name",
    "aggregate",
    "aggregate_id",
    "at",
    "data",
    "from_state",
    "to_state",
    "actor",
    "case_id",
)
"""The keys of ``event_to_row``, in its order."""

EVENT_SET: Final = frozenset(EVENT_VALUES)


def _attribute_path(getter: Any) -> str | None:
    """The dotted attribute *getter* reads, when it is a plain ``attrgetter`` of one path."""
    if type(getter) is not operator.attrgetter:
        return None
    reduced: Any = getter.__reduce__()  # (attrgetter, (path, ...))
    args = reduced[1]
    if len(args) != 1 or not isinstance(args[0], str):
        return None
    path: str = args[0]
    parts = path.split(".")
    if all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        return path
    return None


_KIND_LINES: Final[dict[IndexKind, tuple[str, ...]]] = {
    # Index.value by kind, after reading the raw value: None stays None, then ...
    IndexKind.TEXT: (  # a str is itself, anything else its str()
        "    if {v} is not None and {v}.__class__ is not str:",
        "        {v} = str({v})",
    ),
    IndexKind.MONEY: (  # Money as its minor units, anything else int()
        "    if {v} is not None:",
        "        {v} = {v}.minor_units if isinstance({v}, _Money) else int({v})",
    ),
    IndexKind.DATE: (),  # as it is
    IndexKind.INT: (),
}


def _index_lines(index: Index, k: int, var: str, namespace: dict[str, Any]) -> list[str]:
    """Source lines setting *var* to ``index.value(entity)``.

    Core's ``Index.value`` written out for its kind, on the raw value read by an attribute
    access (a plain ``attrgetter``) or the getter; an index of a kind, or a class, this does
    not know keeps its ``value`` method.
    """
    kind_lines = _KIND_LINES.get(index.kind)
    if type(index) is not Index or kind_lines is None:
        namespace[f"_value{k}"] = index.value
        return [f"    {var} = _value{k}(entity)"]
    path = _attribute_path(index.getter)
    if path is None:
        namespace[f"_get{k}"] = index.getter
        read = f"    {var} = _get{k}(entity)"
    else:
        read = f"    {var} = entity.{path}"
    return [read, *(line.format(v=var) for line in kind_lines)]


def _fallback(mapper: EntityMapper, rendered: Rendered, where: bool) -> EntityWriter:
    """The two steps: ``values``, then ``Rendered.params``."""
    values = mapper.values
    params = rendered.params

    def write(entity: Any, version: int) -> Any:
        row = values(entity, version)
        if where:
            row["w_id"] = row["id"]
            row["w_version"] = version - 1
        return params(row)

    return write


def entity_writer(mapper: EntityMapper, rendered: Rendered) -> EntityWriter:
    """The parameters of *rendered* (an aggregate's ``INSERT`` or ``UPDATE``) for an entity.

    ``entity_writer(mapper, add)(entity, version)`` equals
    ``add.params(mapper.values(entity, version))``; for an ``UPDATE`` whose condition binds
    ``w_id`` and ``w_version``, the values also hold ``w_id`` (the entity's id) and
    ``w_version`` (``version - 1``). See the module docstring.
    """
    where = all(name in rendered.names for name in _WHERE)
    keys = (*mapper.columns, *(_WHERE if where else ()))
    if rendered.defaults or not set(rendered.names) <= set(keys):
        return _fallback(mapper, rendered, where)
    namespace: dict[str, Any] = {
        "_dump": dump,
        "_dump_document": _dump_document,
        "_remember": _remember,
        "str": str,
        "int": int,
        "isinstance": isinstance,
        "_Money": Money,
    }
    var = {"id": "c_id", "version": "version", "data": "data", "w_id": "c_id"}
    var["w_version"] = "(version - 1)"
    lines = [
        "def write(entity, version):",
        "    document = _dump(entity)",
        '    document["version"] = version',
        "    c_id = entity.id",
    ]
    for k, index in enumerate(mapper.spec.indexes):
        var[index.name] = f"c{k}"
        lines += _index_lines(index, k, f"c{k}", namespace)
    if "currency" in mapper.columns and "currency" not in var:
        namespace["_currency"] = mapper._currency
        var["currency"] = "c_currency"
        lines.append("    c_currency = _currency(entity)")
    lines += [
        "    data = _dump_document(document)",
        "    if entity.version == version:  # the entity as it is being stored",
        "        _remember(data, version, entity)",
    ]
    processors = rendered.processors
    for k, name in enumerate(keys):
        processor = processors.get(name)
        if processor is None:
            continue
        namespace[f"_process{k}"] = processor
        value = var[name]
        var[name] = processed = f"p{k}"
        lines.append(f"    {processed} = None if {value} is None else _process{k}({value})")
    if rendered.positional:
        items = ", ".join(var[name] for name in rendered.names)
        lines.append(f"    return ({items},)")
    else:  # the values dict: keys in the order values() gives them
        items = ", ".join(f"{name!r}: {var[name]}" for name in keys)
        lines.append(f"    return {{{items}}}")
    return _compile(lines, namespace, f"{mapper.spec.name} {rendered.sql.split(None, 1)[0]}")


def _compile(lines: list[str], namespace: dict[str, Any], what: str) -> EntityWriter:
    source = "\n".join(lines) + "\n"
    filename = f"<s2c_sqlalchemy.writers {what}>"
    exec(compile(source, filename, "exec"), namespace)  # our own generated source
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    write: EntityWriter = namespace["write"]
    return write


_NO_EVENT: Final = object()
_orjson_dumps: Final = orjson.dumps


def event_writer(rendered: Rendered) -> EventWriter:
    """The parameters of *rendered* (the event log's ``INSERT``) for one event.

    ``event_writer(append)(event)`` equals ``append.params(event_to_row(event))``; the
    timestamp of the last event is kept in its stored form (see the module docstring).
    """
    processors = rendered.processors
    positional = rendered.positional
    if (
        rendered.defaults
        or (rendered.names != EVENT_VALUES if positional else set(rendered.names) != EVENT_SET)
        or not set(processors) <= {"at"}
    ):
        params = rendered.params
        return lambda event: params(event_to_row(event))
    process = processors.get("at")

    def stamp(at: Any) -> Any:
        utc = to_utc(at, field="at")
        return utc if utc is None or process is None else process(utc)

    last: tuple[Any, Any] = (_NO_EVENT, None)  # (timestamp, its stored form): one object

    def write(event: DomainEvent) -> Any:
        nonlocal last
        at = event.at
        seen = last
        if seen[0] is not at:
            seen = last = (at, stamp(at))
        data = event.data
        try:  # _dumps(dict(data)), without the copy of a plain dict
            text = _orjson_dumps(data if data.__class__ is dict else dict(data)).decode()
        except orjson.JSONEncodeError:
            text = _dumps(dict(data))  # the standard module writes what orjson does not
        row = (
            event.id,
            event.name,
            event.aggregate,
            event.aggregate_id,
            seen[1],
            text,
            event.from_state,
            event.to_state,
            event.actor,
            event.case_id,
        )
        return row if positional else dict(zip(EVENT_VALUES, row, strict=True))

    return write
