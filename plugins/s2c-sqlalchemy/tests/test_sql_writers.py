"""Parameter builders (``s2c_sqlalchemy.writers``) give exactly what the two plain steps give.

For random entities of several aggregate types, on SQLite (positional placeholders, dates as
text) and PostgreSQL (named placeholders), for the insert and the update of each, the compiled
builder returns the same parameters as ``Rendered.params(EntityMapper.values(...))`` (same
values of the same types, same order), raises the same errors, and remembers the stored entity
as ``values`` does. The event builder likewise matches ``Rendered.params(event_to_row(...))``,
for runs of events that share a timestamp or not, naive timestamps included. Error messages of
the repository name what failed as they always did.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from s2c_sqlalchemy import mapping, open_sql_storage
from s2c_sqlalchemy.mapping import EntityMapper, event_to_row
from s2c_sqlalchemy.session import Rendered
from s2c_sqlalchemy.statements import Statements, insert_events
from s2c_sqlalchemy.storage import SqlStorage
from s2c_sqlalchemy.tables import AGGREGATE_TABLES
from s2c_sqlalchemy.writers import EVENT_VALUES, entity_writer, event_writer
from sqlalchemy import Dialect, bindparam, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg

from s2c_core.entities import Customer, Line, Payment, Product, Quote, StockLevel
from s2c_core.entities.common import with_version
from s2c_core.entities.registry import AGGREGATES, Index
from s2c_core.errors import BackendError, ValidationError
from s2c_core.events import DomainEvent
from s2c_core.lifecycle import InvoiceState
from s2c_core.money import Money
from s2c_core.testing.conformance.storage import make_invoice

DIALECTS: dict[str, Dialect] = {"sqlite": sqlite.dialect(), "postgresql": psycopg.dialect()}
STATEMENTS = {name: Statements(dialect) for name, dialect in DIALECTS.items()}
MAPPERS = {name: EntityMapper(spec) for name, spec in AGGREGATES.items()}
_WRITERS: dict[tuple[str, str, str], Any] = {}


def _statement(dialect: str, aggregate: str, kind: str) -> Rendered:
    stmts = STATEMENTS[dialect]
    return stmts.add[aggregate] if kind == "add" else stmts.update[aggregate]


def _writer(dialect: str, aggregate: str, kind: str) -> Any:
    key = (dialect, aggregate, kind)
    if key not in _WRITERS:
        _WRITERS[key] = entity_writer(MAPPERS[aggregate], _statement(dialect, aggregate, kind))
    return _WRITERS[key]


def _two_steps(mapper: EntityMapper, rendered: Rendered, entity: Any, version: int) -> Any:
    """The parameters as the repository built them before the builders."""
    values = mapper.values(entity, version)
    if "w_id" in rendered.names:
        values["w_id"] = values["id"]
        values["w_version"] = version - 1
    return rendered.params(values)


def _typed(params: Any) -> Any:
    """*params* with the type of every value (a str is no StrEnum, True no 1) and key order."""
    if isinstance(params, dict):
        return [(name, type(value), value) for name, value in params.items()]
    assert type(params) is tuple
    return [(type(value), value) for value in params]


def _outcome(build: Any, *args: Any) -> Any:
    try:
        return ("ok", _typed(build(*args)))
    except Exception as exc:
        return ("error", type(exc), str(exc))


# -- random entities --------------------------------------------------------------------------

_TEXT = st.text(max_size=6)
_NOTE = st.text(max_size=12)  # lone surrogates included: orjson refuses them (ValidationError)
_ID = st.text(st.characters(codec="utf-8"), min_size=1, max_size=8)
_CURRENCY = st.sampled_from(["EUR", "USD", "JPY", "BHD"])
_DATE = st.dates(date(1990, 1, 1), date(2100, 12, 31))


class _Tagged(str):
    """A str subclass: a text index stores it as its plain str (``Index.value``)."""


def _ids() -> st.SearchStrategy[str]:
    return _ID | _ID.map(_Tagged)


@st.composite
def _invoices(draw: st.DrawFn) -> Any:
    invoice = make_invoice(
        draw(st.integers(1, 99999)),
        customer=draw(_ids()),
        amount=draw(st.sampled_from(["0.00", "1.00", "100.00", "12345.67"])),
        due=draw(_DATE),
        status=draw(st.sampled_from(list(InvoiceState))),
        currency=draw(st.sampled_from(["EUR", "USD"])),
    )
    return attrs.evolve(
        invoice,
        note=draw(_NOTE),
        dunning_level=draw(st.integers(0, 5)),
        paid_on=draw(st.none() | _DATE),
        order_id=draw(st.none() | _ids()),
    )


@st.composite
def _payments(draw: st.DrawFn) -> Any:
    return Payment(
        id=draw(_ID),
        amount=Money(draw(st.integers(-(10**9), 10**9)), draw(_CURRENCY)),
        received_on=draw(_DATE),
        customer_id=draw(st.none() | _ids()),
        entry_key=draw(st.none() | _TEXT),
        remittance_text=draw(_NOTE),
    )


@st.composite
def _quotes(draw: st.DrawFn) -> Any:
    currency = draw(_CURRENCY)
    line = Line("p1", draw(_TEXT.filter(bool) | st.just("x")), Decimal(1), Money(5, currency))
    return Quote(
        id=draw(_ID),
        customer_id=draw(_ids()),
        currency=currency,
        lines=(line,),
        valid_until=draw(st.none() | _DATE),
    )


def _products() -> st.SearchStrategy[Any]:
    return st.builds(Product, id=_ID, name=st.just("Widget"), unit_price=st.just(Money(3, "EUR")))


def _stock() -> st.SearchStrategy[Any]:
    return st.builds(
        StockLevel,
        product_id=_ids(),
        location=_TEXT,
        on_hand=st.integers(0, 10**6).map(Decimal),
    )


def _customers() -> st.SearchStrategy[Any]:
    return st.builds(Customer, id=_ID, name=st.just("Peeters"), segment=_TEXT)


ENTITIES = st.one_of(
    _invoices(), _payments(), _quotes(), _products(), _stock(), _customers()
).flatmap(lambda e: st.integers(0, 10**6).map(lambda v: with_version(e, v)))


def _aggregate(entity: Any) -> str:
    (name,) = (name for name, spec in AGGREGATES.items() if spec.cls is type(entity))
    return name


# -- entity writers ---------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(
    entity=ENTITIES,
    step=st.sampled_from([0, 1, 2]),
    dialect=st.sampled_from(sorted(DIALECTS)),
    kind=st.sampled_from(["add", "update"]),
)
def test_a_compiled_writer_gives_exactly_the_parameters_of_the_two_steps(
    entity: Any, step: int, dialect: str, kind: str
) -> None:
    aggregate = _aggregate(entity)
    rendered = _statement(dialect, aggregate, kind)
    version = entity.version + step  # 0: the entity as stored; otherwise another version
    mapper = MAPPERS[aggregate]
    compiled = _outcome(_writer(dialect, aggregate, kind), entity, version)
    assert compiled == _outcome(_two_steps, mapper, rendered, entity, version)


@settings(max_examples=100, deadline=None)
@given(entity=ENTITIES, dialect=st.sampled_from(sorted(DIALECTS)))
def test_a_compiled_writer_remembers_the_entity_it_stores_as_values_does(
    entity: Any, dialect: str
) -> None:
    aggregate = _aggregate(entity)
    try:
        data = MAPPERS[aggregate].values(entity, entity.version + 1)["data"]
    except ValidationError:
        return  # not storable: nothing to remember either way
    for kind in ("add", "update"):
        mapping._DECODED.clear()
        _writer(dialect, aggregate, kind)(entity, entity.version + 1)  # another version
        assert (data, entity.version + 1) not in mapping._DECODED
        stored = with_version(entity, entity.version + 1)
        _writer(dialect, aggregate, kind)(stored, stored.version)
        assert mapping._DECODED[data, stored.version] == (type(entity), stored)
        assert mapping._DECODED[data, stored.version][1] is stored


def test_writers_of_statements_of_other_shapes_give_the_two_steps_parameters() -> None:
    table = AGGREGATE_TABLES["invoice"]
    columns = {c.name: bindparam(c.name, type_=c.type) for c in table.c}
    shapes = [
        select(table.c.data).where(table.c.id == bindparam("id")),  # a few of the values
        insert(table).values({**columns, "version": 7}),  # a value fixed in the statement
        select(table.c.data).where(table.c.id == bindparam("extra")),  # not a column value
    ]
    invoice = with_version(make_invoice(1), 3)
    mapper = MAPPERS["invoice"]
    for dialect in DIALECTS.values():
        for stmt in shapes:
            rendered = Rendered(stmt, dialect)
            ours = _outcome(entity_writer(mapper, rendered), invoice, 3)
            assert ours == _outcome(_two_steps, mapper, rendered, invoice, 3)
            missing = "extra" in rendered.names and rendered.positional  # a dict is passed on
            assert ours[0] == ("error" if missing else "ok")


class _Shouting(Index):
    """An index class of its own: its ``value`` is what counts."""

    def value(self, entity: Any) -> Any:
        raw = super().value(entity)
        return raw.upper() if isinstance(raw, str) else raw


@settings(max_examples=50, deadline=None)
@given(entity=_invoices(), dialect=st.sampled_from(sorted(DIALECTS)))
def test_indexes_of_other_classes_keep_their_own_value(entity: Any, dialect: str) -> None:
    spec = AGGREGATES["invoice"]
    odd = attrs.evolve(
        spec, indexes=tuple(_Shouting(i.name, i.kind, i.getter) for i in spec.indexes)
    )
    mapper = EntityMapper(odd)
    for kind in ("add", "update"):
        rendered = _statement(dialect, "invoice", kind)
        ours = _outcome(entity_writer(mapper, rendered), entity, entity.version)
        assert ours == _outcome(_two_steps, mapper, rendered, entity, entity.version)
        if ours[0] == "ok" and rendered.positional:
            assert (str, entity.customer_id.upper()) in ours[1]


# -- event writer -----------------------------------------------------------------------------

_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7))])
_AT = st.datetimes(timezones=_ZONES) | st.datetimes()  # naive ones are refused


@st.composite
def _events(draw: st.DrawFn) -> list[DomainEvent]:
    stamps = draw(st.lists(_AT, min_size=1, max_size=3))
    events = []
    for n in range(draw(st.integers(1, 6))):
        at = draw(st.sampled_from(stamps))  # the same object, or another
        events.append(
            DomainEvent(
                id=f"ev_{n}",
                name=draw(st.sampled_from(["InvoiceIssued", "OrderPlaced"])),
                aggregate="invoice",
                aggregate_id=draw(_ID),
                at=at,
                data=draw(
                    st.dictionaries(
                        _TEXT,
                        st.integers(-(2**70), 2**70) | _NOTE | st.none() | st.floats(),
                        max_size=3,
                    )
                ),
                from_state=draw(st.none() | _TEXT),
                to_state=draw(st.none() | _TEXT),
                actor=draw(_TEXT),
                case_id=draw(_TEXT),
            )
        )
    return events


@settings(max_examples=300, deadline=None)
@given(events=_events(), dialect=st.sampled_from(sorted(DIALECTS)))
def test_the_event_writer_gives_exactly_the_parameters_of_the_two_steps(
    events: list[DomainEvent], dialect: str
) -> None:
    rendered = STATEMENTS[dialect].append_event
    write = event_writer(rendered)
    for event in events + events:  # the second time round, the last stamp is kept
        expected = _outcome(lambda e: rendered.params(event_to_row(e)), event)
        assert _outcome(write, event) == expected


def test_a_naive_timestamp_is_refused_even_right_after_a_kept_one() -> None:
    rendered = STATEMENTS["sqlite"].append_event
    write = event_writer(rendered)
    aware = datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    event = DomainEvent(
        id="ev_1",
        name="InvoiceIssued",
        aggregate="invoice",
        aggregate_id="inv_1",
        at=aware,
        data={},
        actor="test",
        case_id="cus_1",
    )
    assert write(event)[4] == "2026-01-05 08:00:00.000000"
    assert write(attrs.evolve(event, id="ev_2"))[4] == "2026-01-05 08:00:00.000000"
    naive = attrs.evolve(event, at=aware.replace(tzinfo=None))
    with pytest.raises(ValidationError) as ours:
        write(naive)
    with pytest.raises(ValidationError) as plain:
        event_to_row(naive)
    assert str(ours.value) == str(plain.value)
    assert ours.value.field == plain.value.field == "at"


def test_an_event_statement_of_another_shape_gives_the_two_steps_parameters() -> None:
    event = DomainEvent(
        id="ev_1",
        name="InvoiceIssued",
        aggregate="invoice",
        aggregate_id="inv_1",
        at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        data={"n": 1},
        actor="test",
        case_id="cus_1",
    )
    for dialect in DIALECTS.values():
        rendered = Rendered(insert_events().values(actor="fixed"), dialect)
        assert rendered.defaults  # a value fixed in the statement: the plain steps
        assert event_writer(rendered)(event) == rendered.params(event_to_row(event))
        plain = Rendered(insert_events(), dialect, column_keys=EVENT_VALUES)
        assert event_writer(plain)(event) == plain.params(event_to_row(event))


# -- error messages ---------------------------------------------------------------------------


@pytest.fixture
def broken(sqlite_url: str) -> Iterator[SqlStorage]:
    """A SQLite storage whose invoice table is gone: every invoice statement fails."""
    from s2c_sqlalchemy import migrate

    migrate(sqlite_url)
    with open_sql_storage(sqlite_url) as storage:
        with storage.engine.begin() as conn:
            conn.execute(text("DROP TABLE s2c_invoice"))
        yield storage


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda repo: repo.find("inv_1"), "database error while reading invoice 'inv_1': "),
        (lambda repo: repo.get("inv_1"), "database error while reading invoice 'inv_1': "),
        (lambda repo: repo.add(make_invoice(1)), "database error while adding invoice 'inv_1': "),
        (
            lambda repo: repo.update(make_invoice(1)),
            "database error while updating invoice 'inv_1': ",
        ),
        (lambda repo: repo.query(), "database error while querying invoices: "),
        (lambda repo: repo.count(), "database error while counting invoices: "),
        (lambda repo: repo.get_many(["inv_1"]), "database error while reading invoices: "),
    ],
)
def test_errors_name_what_failed(broken: SqlStorage, call: Any, message: str) -> None:
    with broken.unit_of_work() as uow, pytest.raises(BackendError) as info:
        call(uow.repo("invoice"))
    assert str(info.value).startswith(message)
    assert "no such table: s2c_invoice" in str(info.value)
