"""Typed ids and small values shared by the entities."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final, NewType, TypeVar

import attrs
from attrs import frozen

from s2c_core.errors import ValidationError
from s2c_core.money import to_decimal

__all__ = [
    "Address",
    "Contact",
    "CustomerId",
    "DisputeId",
    "InvoiceId",
    "LeadId",
    "MandateId",
    "OrderId",
    "PaymentId",
    "ProductId",
    "QuoteId",
    "ShipmentId",
    "VatCategory",
    "as_decimal",
    "as_tuple",
    "new_id",
    "positive_quantity",
    "replace",
    "slot_cached",
]

T = TypeVar("T")

CustomerId = NewType("CustomerId", str)
LeadId = NewType("LeadId", str)
ProductId = NewType("ProductId", str)
QuoteId = NewType("QuoteId", str)
OrderId = NewType("OrderId", str)
ShipmentId = NewType("ShipmentId", str)
InvoiceId = NewType("InvoiceId", str)
PaymentId = NewType("PaymentId", str)
DisputeId = NewType("DisputeId", str)
MandateId = NewType("MandateId", str)


def new_id(prefix: str) -> str:
    """A new random id with a readable prefix, e.g. ``inv_3f2a...`` (128 random bits, hex)."""
    return f"{prefix}_{os.urandom(16).hex()}"


_Check = tuple[Callable[[Any], Any] | None, Callable[[Any, Any, Any], Any] | None, Any]
_Plan = tuple[
    Callable[[Any], Any],
    dict[str, _Check],
    Callable[[Any], None] | None,
    Callable[[Any, int], Any],
]
_PLANS: dict[type, _Plan] = {}
_MemberDescriptor = type(type("_Probe", (), {"__slots__": ("x",)}).__dict__["x"])


def _plan(cls: type) -> _Plan:
    found = _PLANS.get(cls)
    if found is None:
        found = _PLANS[cls] = _make_plan(cls)
    return found


def _make_plan(cls: type) -> _Plan:
    """Straight-line copy functions for *cls*: far cheaper than a loop of getattr/setattr.

    A field kept in a slot is written through its slot descriptor (``__set__``), which skips
    the attribute lookup ``object.__setattr__`` makes on every call; any other field through
    ``object.__setattr__``. ``copy(o)`` copies every field; ``at(o, version)`` copies every
    field but ``version``, sets that, and carries over the cached properties computed on *o*.
    The source is built here from attrs field names only.
    """
    fields = attrs.fields(cls)
    scope: dict[str, Any] = {"new": object.__new__, "put": object.__setattr__, "cls": cls}

    def write(n: int, name: str, value: str) -> str:
        slot = _slot(cls, name)
        if slot is None:
            return f"    put(n, {name!r}, {value})"
        scope[f"s{n}"] = slot.__set__
        return f"    s{n}(n, {value})"

    copy = ["def copy(o):", "    n = new(cls)"]
    copy += [write(i, f.name, f"o.{f.name}") for i, f in enumerate(fields)]
    # a changed copy computes its cached values afresh: mark them "not computed" without
    # leaving the slot empty (an empty slot costs an exception on every later read of it)
    scope["unset"] = _UNSET
    for i, name in enumerate(_managed_caches(cls)):
        scope[f"m{i}"] = cls.__dict__[name].slot.__set__
        copy.append(f"    m{i}(n, unset)")
    copy.append("    return n")
    at = ["def at(o, version):", "    n = new(cls)"]
    at += [
        write(i, f.name, "version" if f.name == "version" else f"o.{f.name}")
        for i, f in enumerate(fields)
    ]
    for i, cached in enumerate(_cached_slots(cls)):
        scope[f"c{i}"] = cached
        at += [
            "    try:",
            f"        c{i}.__set__(n, c{i}.__get__(o))",
            "    except AttributeError:",  # not computed on o
            "        pass",
        ]
    at.append("    return n")
    exec("\n".join([*copy, "", *at]), scope)
    checks = {f.name: (f.converter, f.validator, f) for f in fields if f.init}
    post_init = getattr(cls, "__attrs_post_init__", None)
    return scope["copy"], checks, post_init, scope["at"]


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor holding field *name* of *cls*, or None when it is not a slot."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            found = klass.__dict__[name]
            return found if isinstance(found, _MemberDescriptor) else None
    return None


def replace(instance: T, **changes: Any) -> T:
    """A copy of the frozen attrs record *instance* with *changes*: ``attrs.evolve``, faster.

    Same rules as ``attrs.evolve`` for the changed fields (their converter and validator run,
    unknown names raise ``TypeError``, ``__attrs_post_init__`` runs); unchanged fields are
    copied as they are, without running their converters and validators again: they already
    passed them when *instance* was built, and the records are immutable. Services change an
    invoice or a payment several times per bank entry, so this is on the hot path.

    Examples:
        >>> @frozen
        ... class Point:
        ...     x: int
        ...     y: int = attrs.field(converter=int)
        >>> replace(Point(1, 2), y="5")
        Point(x=1, y=5)
    """
    cls = type(instance)
    copy, checks, post_init, _at = _plan(cls)
    new: T = copy(instance)
    put = object.__setattr__
    for name, value in changes.items():
        check = checks.get(name)
        if check is None:
            raise TypeError(f"{cls.__name__} has no field {name!r} to change")
        converter, validator, field = check
        if converter is not None:
            value = converter(value)
        put(new, name, value)
        if validator is not None:
            validator(new, field, value)
    if post_init is not None:
        post_init(new)
    return new


def with_version(instance: T, version: int) -> T:
    """A copy of the stored aggregate *instance* at *version*, nothing else changed.

    Storage and the unit of work step versions on every write. The version is bookkeeping:
    no converter, validator or ``__attrs_post_init__`` rule reads it, so none is run again
    (``replace(instance, version=...)`` would re-run the post-init checks of the whole record).
    Cached values (an invoice's totals and open amount) are computed from the other fields
    and are carried over to the copy.

    Examples:
        >>> from s2c_core.entities.party import Customer
        >>> with_version(Customer(CustomerId("cus_1"), "Acme"), 3).version
        3
    """
    new: T = _plan(type(instance))[3](instance, version)
    return new


def _cache_names(cls: Any) -> list[str]:
    """The slots attrs made on *cls* for its cached properties: its own slots, not fields."""
    fields = {f.name for f in attrs.fields(cls)}
    slots = cls.__dict__.get("__slots__", ())
    return [name for name in slots if name not in fields and not name.startswith("__")]


def _cached_slots(cls: type) -> tuple[Any, ...]:
    """The slot descriptors holding *cls*'s cached properties."""
    return tuple(_stored(cls.__dict__[name]) for name in _cache_names(cls) if name in cls.__dict__)


def _managed_caches(cls: type) -> list[str]:
    """Names of *cls*'s cached properties read through `_SlotCache` (see `slot_cached`)."""
    return [n for n in _cache_names(cls) if isinstance(cls.__dict__.get(n), _SlotCache)]


class _Unset:
    """The value of a cached property's slot in a changed copy: not computed yet."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not computed>"


_UNSET: Final = _Unset()


def _stored(descriptor: Any) -> Any:
    """The slot itself behind a cached property (`slot_cached`), else *descriptor*."""
    return descriptor.slot if isinstance(descriptor, _SlotCache) else descriptor


class _SlotCache:
    """A cached property kept in its slot, read without a class-level ``__getattr__``.

    Reads the slot; on the first read (slot empty, or marked not computed by a changed copy)
    computes the value once and stores it.
    """

    __slots__ = ("_func", "_get", "_set", "slot")

    def __init__(self, slot: Any, func: Callable[[Any], Any]) -> None:
        self.slot = slot
        self._get = slot.__get__
        self._set = slot.__set__
        self._func = func

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        try:
            value = self._get(instance)
        except AttributeError:  # built by __init__ or a loader: not computed yet
            value = _UNSET
        if value is _UNSET:
            value = self._func(instance)
            self._set(instance, value)
        return value


def slot_cached(cls: type[T]) -> type[T]:
    """Class decorator, above ``@frozen``: cached properties without a class ``__getattr__``.

    attrs keeps a slotted class's ``functools.cached_property`` values in slots and computes
    them from a generated ``__getattr__``. A class with ``__getattr__`` cannot have its
    attribute reads specialised by CPython's adaptive interpreter, so *every* field read of
    such a record (an invoice: dumping it, indexing it, every rule that looks at it) costs
    about four times a plain slot read. This decorator replaces each cached property's slot
    descriptor with a `_SlotCache` over the same slot and removes the generated
    ``__getattr__``: field reads are plain slot reads again, cached values are computed once
    and kept exactly as before.

    The property functions are taken from the defaults of attrs' generated ``__getattr__``
    (attrs 23.2 to 26 keep them there). When they cannot be found, the class is left as
    attrs made it: correct, only slower (a test checks the entities stay fast).
    """
    getattr_func = cls.__dict__.get("__getattr__")
    wanted = set(_cache_names(cls))
    funcs: dict[str, Callable[[Any], Any]] | None = None
    for default in getattr(getattr_func, "__defaults__", None) or ():
        if isinstance(default, dict) and set(default) == wanted:
            funcs = default
    if not wanted or funcs is None:
        return cls
    for name in sorted(wanted):
        setattr(cls, name, _SlotCache(cls.__dict__[name], funcs[name]))
    delattr(cls, "__getattr__")
    return cls


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter: any iterable to a tuple (lossless)."""
    return tuple(value)


def as_decimal(value: Decimal | int | str) -> Decimal:
    """attrs converter: an exact Decimal; floats refused (see ``money.to_decimal``)."""
    return to_decimal(value, field_name="value")


def positive_quantity(instance: object, attribute: Any, value: Decimal) -> None:
    """attrs validator: a quantity must be above zero."""
    if value <= 0:
        raise ValidationError(
            f"{attribute.name} must be above zero, got {value}", field=attribute.name, value=value
        )


class VatCategory(StrEnum):
    """VAT category codes (UNCL5305 subset used by EN 16931, BT-151 / BT-118)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


@frozen
class Address:
    """A postal address (EN 16931 BG-5 / BG-8 shape)."""

    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = "BE"
    additional: str = ""


@frozen
class Contact:
    """A person or mailbox at a customer, with the channel it is reached on."""

    name: str
    email: str = ""
    phone: str = ""
    role: str = ""
