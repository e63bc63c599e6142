"""The aggregate catalogue: every stored aggregate type, its key and its indexed fields.

Storage backends are generic over this catalogue: a backend keeps each aggregate as a document
(see ``s2c_core.codec``) plus the indexed fields below as real columns, so queries filter and
aggregate in the database. Money indexes are stored as integer minor units.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from enum import Enum, StrEnum
from typing import Any, Final

from attrs import frozen

from s2c_core.entities.party import Customer, Lead, Product, StockLevel
from s2c_core.entities.receivables import Dispute, Invoice, Mandate, Payment
from s2c_core.entities.sales import CreditDecision, Order, Quote, Shipment
from s2c_core.errors import ConfigurationError, ValidationError
from s2c_core.money import Money

__all__ = [
    "AGGREGATES",
    "AggregateSpec",
    "Index",
    "IndexKind",
    "Range",
    "criteria_tests",
    "plain_criterion",
    "spec_for",
    "spec_named",
]


class IndexKind(StrEnum):
    """Column type of an indexed field."""

    TEXT = "text"
    DATE = "date"
    INT = "int"
    MONEY = "money"  # integer minor units (+ the aggregate's currency column)


@frozen
class Index:
    """An indexed field: a name, its kind, and how to read it from the entity."""

    name: str
    kind: IndexKind
    getter: Callable[[Any], Any]

    def value(self, entity: Any) -> Any:
        """The index value of *entity* (Money as minor units, enums as their value)."""
        raw = self.getter(entity)
        if raw is None:
            return None
        kind = self.kind
        if kind is IndexKind.TEXT:
            return raw if raw.__class__ is str else str(raw)
        if kind is IndexKind.MONEY:
            return raw.minor_units if isinstance(raw, Money) else int(raw)
        return raw


@frozen
class Range:
    """A closed range criterion for ``Repository.query``: ``lo <= field <= hi`` (None = open)."""

    lo: Any = None
    hi: Any = None

    def contains(self, value: Any) -> bool:
        """True when *value* lies in the range (None never does)."""
        if value is None:
            return False
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


@frozen
class AggregateSpec:
    """One aggregate type in storage."""

    name: str
    cls: type[Any]
    prefix: str
    indexes: tuple[Index, ...]

    def reader(self, fields: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
        """A function giving the index values of *fields* (``"id"`` allowed) of an entity, as
        ``Repository.index_values`` returns them."""
        getters = [_entity_id if name == "id" else self.index(name).value for name in fields]
        return lambda entity: tuple(get(entity) for get in getters)

    def index(self, name: str) -> Index:
        """The index called *name*; ``ConfigurationError`` if it does not exist."""
        for idx in self.indexes:
            if idx.name == name:
                return idx
        raise ConfigurationError(
            f"{self.name} has no indexed field {name!r}; indexed: "
            f"{', '.join(i.name for i in self.indexes)}"
        )


def _entity_id(entity: Any) -> Any:
    return entity.id


def _attr(name: str) -> Callable[[Any], Any]:
    return operator.attrgetter(name)


def _ix(name: str, kind: IndexKind = IndexKind.TEXT, getter: str | None = None) -> Index:
    return Index(name, kind, _attr(getter or name))


def _currency(entity: Any) -> str:
    return str(entity.amount.currency.code)


AGGREGATES: Final[dict[str, AggregateSpec]] = {
    spec.name: spec
    for spec in (
        AggregateSpec("customer", Customer, "cus", (_ix("status"), _ix("segment"))),
        AggregateSpec("lead", Lead, "lead", (_ix("status"), _ix("source"))),
        AggregateSpec("product", Product, "prd", ()),
        AggregateSpec("stock", StockLevel, "stk", (_ix("product_id"), _ix("location"))),
        AggregateSpec(
            "quote",
            Quote,
            "quo",
            (_ix("customer_id"), _ix("status"), _ix("valid_until", IndexKind.DATE)),
        ),
        AggregateSpec("order", Order, "ord", (_ix("customer_id"), _ix("status"))),
        AggregateSpec("shipment", Shipment, "shp", (_ix("order_id"), _ix("status"))),
        AggregateSpec(
            "credit_decision", CreditDecision, "crd", (_ix("customer_id"), _ix("order_id"))
        ),
        AggregateSpec(
            "invoice",
            Invoice,
            "inv",
            (
                _ix("customer_id"),
                _ix("status"),
                _ix("kind"),
                _ix("number"),
                _ix("payment_reference"),
                _ix("currency"),
                _ix("order_id"),
                _ix("issue_date", IndexKind.DATE),
                _ix("due_date", IndexKind.DATE),
                _ix("total", IndexKind.MONEY),
                _ix("open_amount", IndexKind.MONEY),
                _ix("paid_on", IndexKind.DATE),
                _ix("dunning_level", IndexKind.INT),
            ),
        ),
        AggregateSpec(
            "payment",
            Payment,
            "pay",
            (
                _ix("customer_id"),
                _ix("status"),
                _ix("entry_key"),
                Index("currency", IndexKind.TEXT, _currency),
                _ix("received_on", IndexKind.DATE),
                _ix("amount", IndexKind.MONEY),
                _ix("unapplied", IndexKind.MONEY),
            ),
        ),
        AggregateSpec(
            "dispute", Dispute, "dsp", (_ix("invoice_id"), _ix("customer_id"), _ix("status"))
        ),
        AggregateSpec("mandate", Mandate, "mnd", (_ix("customer_id"),)),
    )
}

_BY_CLASS: Final[dict[type, AggregateSpec]] = {spec.cls: spec for spec in AGGREGATES.values()}


def spec_for(entity_or_cls: Any) -> AggregateSpec:
    """The spec of an entity instance or class; ``ConfigurationError`` for unknown types."""
    cls = entity_or_cls if isinstance(entity_or_cls, type) else type(entity_or_cls)
    try:
        return _BY_CLASS[cls]
    except KeyError:
        raise ConfigurationError(f"{cls.__name__} is not a stored aggregate") from None


def spec_named(aggregate: str) -> AggregateSpec:
    """The spec of the aggregate called *aggregate*; ``ValidationError`` for an unknown name.

    What a backend answers when asked for a repository of a type that is not stored.
    """
    try:
        return AGGREGATES[aggregate]
    except KeyError:
        raise ValidationError(
            f"unknown aggregate {aggregate!r}", field="aggregate", value=aggregate
        ) from None


def criteria_tests(spec: AggregateSpec, criteria: dict[str, Any]) -> list[Callable[[Any], bool]]:
    """One predicate per criterion, with the wanted values made plain once (not per entity).

    The reference semantics of ``Repository.query`` criteria: the memory backend answers
    queries with them, the unit of work checks its pending writes with them, and the SQL
    backend is tested to agree.
    """
    tests: list[Callable[[Any], bool]] = []
    for name, wanted in criteria.items():
        value = spec.index(name).value
        if isinstance(wanted, Range):
            lo = value(_Probe(wanted.lo)) if wanted.lo is not None else None
            hi = value(_Probe(wanted.hi)) if wanted.hi is not None else None
            tests.append(_in_range(value, Range(lo, hi)))
        elif isinstance(wanted, (tuple, list, set, frozenset)):
            tests.append(_one_of(value, frozenset(plain_criterion(x) for x in wanted)))
        else:
            tests.append(_equal(value, plain_criterion(wanted)))
    return tests


def _in_range(value: Callable[[Any], Any], bounds: Range) -> Callable[[Any], bool]:
    return lambda entity: bounds.contains(value(entity))


def _one_of(value: Callable[[Any], Any], wanted: frozenset[Any]) -> Callable[[Any], bool]:
    return lambda entity: value(entity) in wanted


def _equal(value: Callable[[Any], Any], wanted: Any) -> Callable[[Any], bool]:
    return lambda entity: bool(value(entity) == wanted)


class _Probe:
    """Lets an index getter read a bare criterion value (``getter(probe)`` -> value)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __getattr__(self, name: str) -> Any:
        return self.value


def plain_criterion(value: Any) -> Any:
    """A criterion value as stored indexes hold it: Money as minor units, enums by value."""
    if isinstance(value, Money):
        return value.minor_units
    if isinstance(value, Enum):
        return value.value
    return value
