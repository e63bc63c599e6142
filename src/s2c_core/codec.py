"""Lossless conversion of entities to and from JSON-safe dictionaries.

Storage backends keep aggregates as documents plus indexed columns; this codec is the one place
that knows how an attrs record becomes plain data and back. Money keeps its exact decimal string
and currency code; dates and datetimes are ISO 8601; enums their value. The codec is derived from
the attrs fields and their type hints, and cached per class.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs

from s2c_core.errors import ValidationError
from s2c_core.money import Currency, Money, get_currency

__all__ = ["dump", "load", "plain"]

T = TypeVar("T")

_Dump = Callable[[Any], Any]
_Load = Callable[[Any], Any]


def dump(entity: Any) -> dict[str, Any]:
    """Convert an attrs record to a JSON-safe dict."""
    result: dict[str, Any] = _dumper(type(entity))(entity)
    return result


def load(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild a *cls* record from a dict made by [dump][s2c_core.codec.dump]."""
    try:
        result: T = _loader(cls)(data)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(f"cannot load {cls.__name__}: {exc}", field=cls.__name__) from exc
    return result


def plain(value: Any) -> Any:
    """Any supported value (Money, Decimal, dates, enums, records, mappings, sequences) as
    JSON-safe data, the way ``dump`` writes fields."""
    return _dump_any(value)


def _resolve(tp: Any) -> Any:
    supertype = getattr(tp, "__supertype__", None)  # typing.NewType
    while supertype is not None:
        tp = supertype
        supertype = getattr(tp, "__supertype__", None)
    return tp


def _identity(value: Any) -> Any:
    return value


def _value_dumper(tp: Any) -> _Dump:
    tp = _resolve(tp)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        inner = _value_dumper(members[0]) if len(members) == 1 else _dump_any
        return lambda v: None if v is None else inner(v)
    if origin is tuple or origin is list:
        args = get_args(tp)
        item = _value_dumper(args[0]) if args else _dump_any
        return lambda v: [item(x) for x in v]
    if origin in (dict, Mapping) or tp in (dict, Mapping) or origin is typing.Mapping:
        return _dump_any
    if tp is Any:
        return _dump_any
    if isinstance(tp, type):
        if tp is Money:
            return lambda v: {"amount": str(v.amount), "currency": v.currency.code}
        if tp is Currency:
            return lambda v: v.code
        if issubclass(tp, Enum):
            return lambda v: v.value
        if tp is Decimal:
            return str
        if tp is datetime or tp is date:
            return lambda v: v.isoformat()
        if attrs.has(tp):
            return _dumper(tp)
    return _identity


def _dump_any(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency.code}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _dump_any(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dump_any(v) for v in value]
    if attrs.has(type(value)):
        return dump(value)
    raise ValidationError(f"cannot serialise {type(value).__name__}", value=value)


_DUMPERS: dict[type, _Dump] = {}
_LOADERS: dict[type, _Load] = {}


def _dumper(cls: type) -> _Dump:
    found = _DUMPERS.get(cls)
    if found is None:
        found = _DUMPERS[cls] = _build_dumper(cls)
    return found


def _loader(cls: type) -> _Load:
    found = _LOADERS.get(cls)
    if found is None:
        found = _LOADERS[cls] = _build_loader(cls)
    return found


def _build_dumper(cls: type) -> _Dump:
    fields = attrs.fields(attrs.resolve_types(cls))
    plan = [(f.name, _value_dumper(f.type)) for f in fields]

    def run(obj: Any) -> dict[str, Any]:
        return {name: fn(getattr(obj, name)) for name, fn in plan}

    return run


def _load_money(v: Any) -> Money:
    currency = get_currency(v["currency"])
    amount = Decimal(v["amount"])
    if amount.as_tuple().exponent == -currency.minor_unit:
        return Money._trusted(amount, currency)  # stored by dump(): already validated
    return Money(amount, currency)


def _value_loader(tp: Any) -> _Load:
    tp = _resolve(tp)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        inner = _value_loader(members[0]) if len(members) == 1 else _identity
        return lambda v: None if v is None else inner(v)
    if origin is tuple or origin is list:
        args = get_args(tp)
        item = _value_loader(args[0]) if args else _identity
        return lambda v: tuple(item(x) for x in v)
    if isinstance(tp, type):
        if tp is Money:
            return _load_money
        if tp is Currency:
            return get_currency
        if issubclass(tp, Enum):
            return tp
        if tp is Decimal:
            return Decimal
        if tp is datetime:
            return datetime.fromisoformat
        if tp is date:
            return date.fromisoformat
        if attrs.has(tp):
            return _loader(tp)
    return _identity


def _build_loader(cls: type) -> _Load:
    fields = attrs.fields(attrs.resolve_types(cls))
    plan = [(f.name, f.alias, _value_loader(f.type)) for f in fields if f.init]

    def run(data: Mapping[str, Any]) -> Any:
        kwargs = {alias: fn(data[name]) for name, alias, fn in plan if name in data}
        return cls(**kwargs)

    return run
