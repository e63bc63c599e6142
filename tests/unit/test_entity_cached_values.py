"""Cached values of entities: computed once, carried by a version step, dropped by a change.

Invoices, payments, quotes and orders cache what they derive from their fields (totals, open
amount, allocations) in slots, without a class-level ``__getattr__`` so that their field reads
stay plain slot reads (``entities.common.slot_cached``).
"""

from __future__ import annotations

import attrs
import pytest

from s2c_core.entities import Invoice, Order, Payment, Quote
from s2c_core.entities.common import replace, with_version
from s2c_core.money import Money
from s2c_core.testing.conformance.storage import make_invoice


@pytest.mark.parametrize("cls", [Invoice, Payment, Quote, Order])
def test_records_with_cached_values_read_their_fields_without_getattr(cls: type) -> None:
    assert "__getattr__" not in cls.__dict__
    assert not any("__getattr__" in klass.__dict__ for klass in cls.__mro__)


def test_a_cached_value_is_computed_once_and_kept() -> None:
    invoice = make_invoice(1, amount="100.00")
    first = invoice.open_amount
    assert first == Money("121.00", "EUR")
    assert invoice.open_amount is first
    assert invoice.totals is invoice.totals


def test_a_version_step_carries_cached_values_and_a_change_drops_them() -> None:
    invoice = make_invoice(1, amount="100.00")
    totals = invoice.totals
    stepped = with_version(invoice, 4)
    assert stepped.totals is totals
    assert stepped.version == 4
    assert invoice.open_amount == Money("121.00", "EUR")
    paid = replace(invoice, paid=Money("21.00", "EUR"))
    assert paid.open_amount == Money("100.00", "EUR")
    assert invoice.open_amount == Money("121.00", "EUR")
    stepped_paid = with_version(paid, 5)  # a changed copy, stepped before anything is read
    assert stepped_paid.open_amount == Money("100.00", "EUR")
    assert stepped_paid.totals == totals
    evolved = attrs.evolve(invoice, paid=Money("121.00", "EUR"))
    assert evolved.open_amount == Money("0.00", "EUR")


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    invoice = make_invoice(1)
    with pytest.raises(AttributeError):
        invoice.colour  # type: ignore[attr-defined]
    assert getattr(invoice, "colour", None) is None
