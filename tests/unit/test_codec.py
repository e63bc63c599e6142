"""The entity codec on every field kind, on partial documents and on bad ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NewType

import attrs
import pytest

from s2c_core import InvalidAmountError, Money, ValidationError, codec
from s2c_core.entities import Payment, PaymentId
from s2c_core.lifecycle.flows import PaymentState
from s2c_core.money import EUR, Currency, get_currency

Code = NewType("Code", str)


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Part:
    name: str
    price: Money


@attrs.frozen
class Everything:
    """One field of each kind the codec knows, and a few it passes through."""

    code: Code
    count: int
    flag: bool
    ratio: float
    amount: Money
    currency: Currency
    colour: Colour
    rate: Decimal
    day: date
    at: datetime
    part: Part
    parts: tuple[Part, ...]
    days: list[date]
    tags: tuple[str, ...]
    maybe_amount: Money | None
    maybe_part: Part | None
    either: int | str
    extra: dict[str, Any]
    anything: Any
    _private: str = "p"
    derived: str = attrs.field(init=False, default="d")


def _everything() -> Everything:
    return Everything(
        code=Code("c1"),
        count=3,
        flag=True,
        ratio=0.5,
        amount=Money("12.30", EUR),
        currency=get_currency("JPY"),
        colour=Colour.BLUE,
        rate=Decimal("21.0"),
        day=date(2026, 3, 2),
        at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        part=Part("bolt", Money("0.10", EUR)),
        parts=(Part("nut", Money("0.05", EUR)),),
        days=[date(2026, 1, 1), date(2026, 12, 31)],
        tags=("a", "b"),
        maybe_amount=None,
        maybe_part=Part("washer", Money("0.01", EUR)),
        either="x",
        extra={"when": date(2026, 1, 2), "n": [Decimal("1.5"), Colour.RED], 7: None},
        anything=Money("1", "USD"),
        private="secret",
    )


EVERYTHING_DOCUMENT = {
    "code": "c1",
    "count": 3,
    "flag": True,
    "ratio": 0.5,
    "amount": {"amount": "12.30", "currency": "EUR"},
    "currency": "JPY",
    "colour": "blue",
    "rate": "21.0",
    "day": "2026-03-02",
    "at": "2026-03-02T09:30:00+00:00",
    "part": {"name": "bolt", "price": {"amount": "0.10", "currency": "EUR"}},
    "parts": [{"name": "nut", "price": {"amount": "0.05", "currency": "EUR"}}],
    "days": ["2026-01-01", "2026-12-31"],
    "tags": ["a", "b"],
    "maybe_amount": None,
    "maybe_part": {"name": "washer", "price": {"amount": "0.01", "currency": "EUR"}},
    "either": "x",
    "extra": {"when": "2026-01-02", "n": ["1.5", Colour.RED], "7": None},
    "anything": {"amount": "1.00", "currency": "USD"},
    "_private": "secret",
    "derived": "d",
}


def test_every_field_kind_dumps_to_plain_data_in_field_order() -> None:
    document = codec.dump(_everything())
    assert document == EVERYTHING_DOCUMENT
    assert list(document) == list(EVERYTHING_DOCUMENT)
    assert type(document["colour"]) is str
    assert type(document["tags"]) is list


def test_every_typed_field_kind_loads_back() -> None:
    loaded = codec.load(Everything, codec.dump(_everything()))
    # dicts, Any and unions of several types come back as stored: plain data
    assert loaded == attrs.evolve(
        _everything(),
        extra=EVERYTHING_DOCUMENT["extra"],
        anything=EVERYTHING_DOCUMENT["anything"],
        days=(date(2026, 1, 1), date(2026, 12, 31)),
    )
    assert loaded.currency is get_currency("JPY")
    assert type(loaded.colour) is Colour


def test_a_document_that_is_not_a_dict_loads_the_same() -> None:
    document = codec.dump(_everything())
    assert codec.load(Everything, MappingProxyType(document)) == codec.load(Everything, document)


def test_unknown_keys_are_ignored_and_missing_defaults_are_taken() -> None:
    payment = Payment(PaymentId("pay_1"), Money("5.00", EUR), date(2026, 3, 2))
    document = {k: v for k, v in codec.dump(payment).items() if k not in {"status", "version"}}
    document["obsolete"] = 1
    assert codec.load(Payment, document) == payment
    assert codec.load(Payment, document).status is PaymentState.RECEIVED


def test_a_missing_required_field_is_a_validation_error_naming_the_class() -> None:
    document = codec.dump(Payment(PaymentId("pay_1"), Money("5.00", EUR), date(2026, 3, 2)))
    del document["amount"]
    with pytest.raises(ValidationError, match="cannot load Payment") as info:
        codec.load(Payment, document)
    assert info.value.field == "Payment"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("status", "lost"),
        ("received_on", "2026-13-01"),
        ("amount", {"amount": "5.00"}),
        ("allocations", 5),
    ],
)
def test_a_malformed_value_is_a_validation_error(key: str, value: object) -> None:
    document = codec.dump(Payment(PaymentId("pay_1"), Money("5.00", EUR), date(2026, 3, 2)))
    document[key] = value
    with pytest.raises(ValidationError, match="cannot load Payment"):
        codec.load(Payment, document)


def test_stored_amounts_are_checked_unless_already_exact() -> None:
    document = codec.dump(Payment(PaymentId("pay_1"), Money("5.00", EUR), date(2026, 3, 2)))
    document["amount"] = {"amount": "5", "currency": "eur"}  # not as dump writes it: checked
    loaded = codec.load(Payment, document)
    assert str(loaded.amount) == "EUR 5.00"
    assert loaded.amount.currency is EUR
    document["amount"] = {"amount": "5.001", "currency": "EUR"}
    with pytest.raises(InvalidAmountError):
        codec.load(Payment, document)


def test_plain_converts_any_supported_value_like_a_field() -> None:
    assert codec.plain({"a": (Money("1", "EUR"), date(2026, 1, 1))}) == {
        "a": [{"amount": "1.00", "currency": "EUR"}, "2026-01-01"]
    }
    assert codec.plain(Part("bolt", Money("0.10", EUR))) == EVERYTHING_DOCUMENT["part"]
    with pytest.raises(ValidationError):
        codec.plain(object())


def test_a_dumped_instant_keeps_its_own_zone_however_often_it_is_written() -> None:
    """Dates are written from a memo by object: equal instants in other zones stay apart."""
    from datetime import timedelta, timezone

    from s2c_core.testing.conformance.storage import make_invoice

    utc = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    brussels = utc.astimezone(timezone(timedelta(hours=1)))
    assert utc == brussels
    first = attrs.evolve(make_invoice(1), created_at=utc, issued_at=brussels)
    for _ in range(3):
        document = codec.dump(first)
        assert document["created_at"] == "2026-03-02T09:00:00+00:00"
        assert document["issued_at"] == "2026-03-02T10:00:00+01:00"
    assert codec.plain({"at": brussels, "on": date(2026, 3, 2)}) == {
        "at": "2026-03-02T10:00:00+01:00",
        "on": "2026-03-02",
    }
