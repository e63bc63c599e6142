"""Lossless conversion of entities to and from JSON-safe dictionaries.

Storage backends keep aggregates as documents plus indexed columns; this codec is the one place
that knows how an attrs record becomes plain data and back. Money keeps its exact decimal string
and currency code; dates and datetimes are ISO 8601; enums their value. The codec is derived from
the attrs fields and their type hints: one dump and one load function per class, generated as
Python source on first use and cached.
"""

from __future__ import annotations

import linecache
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, TypeVar, Union, get_args, get_origin

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


def load(cls: type[T], data: Mapping[str, Any], *, trusted: bool = False) -> T:
    """Rebuild a *cls* record from a dict made by [dump][s2c_core.codec.dump].

    With ``trusted=True`` (for storage backends reading back documents that ``dump`` wrote)
    the record and the records inside it are built without running their constructors: the
    values are converted from their JSON form as usual (Money at its currency's exponent is
    still the only Money built unchecked; any other goes through Money's checks), but the
    attrs converters, validators and ``__attrs_post_init__`` checks that the entity already
    passed when it was stored are not run again. A document missing a field, or not a dict,
    takes the checked path.
    """
    try:
        result: T = (_trusted_loader(cls) if trusted else _loader(cls))(data)
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


# id -> (the date or datetime, its ISO text); see _iso_text
_ISO: dict[int, tuple[date, str]] = {}
_ISO_AT_MOST: Final = 4096


def _iso_text(value: date) -> str:
    """``value.isoformat()``, remembered for that very object (held by the memo).

    A record's dates are the same objects in every copy of it (a quote's ``created_at`` is
    written again at each change of status), and ``isoformat`` of an aware datetime is one of
    the dearer steps of a dump. Keyed by identity, so equal instants in other time zones keep
    their own text. Bounded: the memo starts afresh after ``_ISO_AT_MOST`` objects.
    """
    found = _ISO.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    text: str = value.isoformat()
    if len(_ISO) >= _ISO_AT_MOST:
        _ISO.clear()
    _ISO[id(value)] = (value, text)
    return text


def _dump_money(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency.code}


def _dump_list(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [_dump_any(v) for v in value]


def _dump_dict(value: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): _dump_any(v) for k, v in value.items()}


def _as_is(value: Any) -> Any:
    return value


# The exact types event data and documents mostly hold, each with its form (one dict lookup
# instead of the isinstance chain below; subclasses and other types take the chain).
_BY_TYPE: Final[dict[type, Callable[[Any], Any]]] = {
    str: _as_is,
    int: _as_is,
    bool: _as_is,
    float: _as_is,
    type(None): _as_is,
    Money: _dump_money,
    Decimal: str,
    date: _iso_text,
    datetime: _iso_text,
    list: _dump_list,
    tuple: _dump_list,
    dict: _dump_dict,
}


def _dump_any(value: Any) -> Any:
    fast = _BY_TYPE.get(value.__class__)
    if fast is not None:
        return fast(value)
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


# -- code generation ------------------------------------------------------------------------
#
# Each attrs class gets one dump and one load function, written as Python source from its
# fields' type hints and compiled once (as attrs does for __init__): no per-field closures, the
# common kinds inline. Every field kind maps to an expression over a local name:
#
#   str, int, bool, NewType of those, unknown types   the value itself
#   Money                {"amount": str(v.amount), "currency": v.currency.code} / _load_money
#   Currency             v.code / get_currency(v)
#   Enum                 its value / the member of that value
#   Decimal              str(v) / Decimal(v)
#   date, datetime       v.isoformat() / fromisoformat(v)
#   attrs record         that class's generated function
#   X | None             None if v is None else <X>
#   tuple[X, ...], list  a list of <X> / a tuple of <X>
#   mappings, Any, unions of several types   _dump_any / the value itself


class _Source:
    """The objects a generated function refers to, under the names its text uses."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self._names: dict[int, str] = {}
        self._locals = 0

    def ref(self, obj: Any, hint: str) -> str:
        name = self._names.get(id(obj))
        if name is None:
            name = self._names[id(obj)] = f"_{hint}{len(self.namespace)}"
            self.namespace[name] = obj
        return name

    def local(self) -> str:
        self._locals += 1
        return f"_x{self._locals}_"

    def compile(self, text: str, cls: type, kind: str) -> Any:
        filename = f"<s2c_core.codec {kind} {cls.__module__}.{cls.__qualname__}>"
        exec(compile(text, filename, "exec"), self.namespace)  # our own generated source
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        return self.namespace[kind]


_CALL = re.compile(r"(\w+)\((\w+)\)")


def _each(item: str, x: str, v: str, into: str) -> str:
    """*into* ("list" or "tuple") of expression *item* over each *x* of *v*."""
    if item == x:
        return f"{into}({v})"
    call = _CALL.fullmatch(item)
    if call and call.group(2) == x:
        return f"{into}(map({call.group(1)}, {v}))"
    return f"[{item} for {x} in {v}]" if into == "list" else f"tuple([{item} for {x} in {v}])"


def _value_is_plain(tp: type[Enum]) -> bool:
    """True when ``member.value`` is Enum's own property, i.e. ``member._value_``."""
    owner = next(k for k in tp.__mro__ if "value" in vars(k))
    return owner is Enum


def _dump_code(tp: Any, v: str, src: _Source) -> str:
    """An expression dumping the value in the local name *v* (read as often as needed)."""
    tp = _resolve(tp)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) != 1:
            return f"{src.ref(_dump_any, 'any')}({v})"  # _dump_any(None) is None
        inner = _dump_code(members[0], v, src)
        return v if inner == v else f"(None if {v} is None else {inner})"
    if origin is tuple or origin is list:
        args = get_args(tp)
        x = src.local()
        item = _dump_code(args[0], x, src) if args else f"{src.ref(_dump_any, 'any')}({x})"
        return _each(item, x, v, "list")
    if origin in (dict, Mapping) or tp in (dict, Mapping) or origin is typing.Mapping:
        return f"{src.ref(_dump_any, 'any')}({v})"
    if tp is Any:
        return f"{src.ref(_dump_any, 'any')}({v})"
    if isinstance(tp, type):
        if tp is Money:
            return f'{{"amount": str({v}.amount), "currency": {v}.currency.code}}'
        if tp is Currency:
            return f"{v}.code"
        if issubclass(tp, Enum):
            return f"{v}._value_" if _value_is_plain(tp) else f"{v}.value"
        if tp is Decimal:
            return f"str({v})"
        if tp is datetime or tp is date:
            return f"{src.ref(_iso_text, 'iso')}({v})"
        if attrs.has(tp):
            return f"{src.ref(_dumper(tp), 'dump')}({v})"
    return v


def _build_dumper(cls: type) -> _Dump:
    src = _Source()
    lines = ["def dump(obj):"]
    items = []
    for i, f in enumerate(attrs.fields(attrs.resolve_types(cls))):
        v = f"_v{i}_"
        expr = _dump_code(f.type, v, src)
        read = f"obj.{f.name}"
        if expr.count(v) <= 1:
            expr = expr.replace(v, read)
        else:
            lines.append(f"    {v} = {read}")
        items.append(f"{f.name!r}: {expr}")
    lines.append("    return {" + ", ".join(items) + "}")
    dumper: _Dump = src.compile("\n".join(lines) + "\n", cls, "dump")
    return dumper


_trusted_money: Final = Money._trusted


def _load_money(v: Any) -> Money:
    currency = get_currency(v["currency"])
    amount = Decimal(v["amount"])
    if amount.same_quantum(currency.quantum):
        return _trusted_money(amount, currency)  # stored by dump(): already validated
    return Money(amount, currency)


_datetime_from_iso: Final = datetime.fromisoformat
_date_from_iso: Final = date.fromisoformat


def _enum_loader(tp: type[Enum]) -> _Load:
    """``tp(value)``, looking the usual values up directly first."""
    members = tp._value2member_map_

    def load_member(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            return tp(value)

    return load_member


def _load_code(tp: Any, v: str, src: _Source, *, trusted: bool = False) -> str:
    """An expression loading the stored value in the local name *v* (read as often as needed);
    *trusted*: records inside are built by their trusted loaders."""
    tp = _resolve(tp)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) != 1:
            return v
        inner = _load_code(members[0], v, src, trusted=trusted)
        return v if inner == v else f"(None if {v} is None else {inner})"
    if origin is tuple or origin is list:
        args = get_args(tp)
        x = src.local()
        return _each(_load_code(args[0], x, src, trusted=trusted) if args else x, x, v, "tuple")
    if isinstance(tp, type):
        if tp is Money:
            return f"{src.ref(_load_money, 'money')}({v})"
        if tp is Currency:
            return f"{src.ref(get_currency, 'currency')}({v})"
        if issubclass(tp, Enum):
            return f"{src.ref(_enum_loader(tp), 'enum')}({v})"
        if tp is Decimal:
            return f"{src.ref(Decimal, 'decimal')}({v})"
        if tp is datetime:
            return f"{src.ref(_datetime_from_iso, 'datetime')}({v})"
        if tp is date:
            return f"{src.ref(_date_from_iso, 'date')}({v})"
        if attrs.has(tp):
            found = _trusted_loader(tp) if trusted else _loader(tp)
            return f"{src.ref(found, 'load')}({v})"
    return v


def _build_loader(cls: type) -> _Load:
    """``load(data)``: every key present in a dict, the fast path; else ``partial(data)``,
    which passes only the keys present (the others take their defaults or fail in ``cls``)."""
    src = _Source()
    klass = src.ref(cls, "cls")
    fast = ["def load(data):", "    if data.__class__ is not dict:", "        return partial(data)"]
    fast.append("    try:")
    partial = ["def partial(data):", "    kwargs = {}"]
    args = []
    for i, f in enumerate(attrs.fields(attrs.resolve_types(cls))):
        if not f.init:
            continue
        v = f"_v{i}_"
        expr = _load_code(f.type, v, src)
        fast.append(f"        {v} = data[{f.name!r}]")
        args.append(f"{f.alias}={expr}")
        partial.append(f"    if {f.name!r} in data:")
        partial.append(f"        {v} = data[{f.name!r}]")
        partial.append(f"        kwargs[{f.alias!r}] = {expr}")
    fast += ["    except KeyError:", "        return partial(data)"]
    fast.append(f"    return {klass}({', '.join(args)})")
    partial.append(f"    return {klass}(**kwargs)")
    if not args:
        fast = ["def load(data):", "    return partial(data)"]
    src.compile("\n".join(partial) + "\n", cls, "partial")
    loader: _Load = src.compile("\n".join(fast) + "\n", cls, "load")
    return loader


_TRUSTED: dict[type, _Load] = {}


def _trusted_loader(cls: type) -> _Load:
    found = _TRUSTED.get(cls)
    if found is None:
        found = _TRUSTED[cls] = _build_trusted(cls)
    return found


def _build_trusted(cls: type) -> _Load:
    """``trusted(data)``: the record built field by field on a bare instance (see ``load``)."""
    fields = attrs.fields(attrs.resolve_types(cls))
    if any(not f.init for f in fields) or not fields:
        return _loader(cls)
    src = _Source()
    checked = src.ref(_loader(cls), "checked")
    new, put, klass = (
        src.ref(object.__new__, "new"),
        src.ref(object.__setattr__, "put"),
        src.ref(cls, "cls"),
    )
    lines = [
        "def trusted(data):",
        "    if data.__class__ is not dict:",
        f"        return {checked}(data)",
    ]
    lines.append("    try:")
    body = [f"    n = {new}({klass})"]
    for i, f in enumerate(fields):
        v = f"_v{i}_"
        lines.append(f"        {v} = data[{f.name!r}]")
        expr = _load_code(f.type, v, src, trusted=True)
        if expr == v and f.converter is not None:
            # a value the codec passes through as stored: the field's own converter shapes it
            expr = f"{src.ref(f.converter, 'convert')}({v})"
        body.append(f"    {put}(n, {f.name!r}, {expr})")
    lines += ["    except KeyError:", f"        return {checked}(data)", *body, "    return n"]
    loader: _Load = src.compile("\n".join(lines) + "\n", cls, "trusted")
    return loader
