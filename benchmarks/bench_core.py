"""Microbenchmark: per-object cost of Money and of the entity codec (operations per second).

Bank import and the order-to-cash cycle spend most of their Python time building ``Money``
values and turning entities into documents and back, so this module measures those alone:

* ``Money`` construction from a ``str``, a ``Decimal`` and integer minor units;
* ``+`` and ``-`` of two amounts, ``sum_money`` of ten amounts, ``Money.zero``;
* ``allocate`` of an amount over three weights;
* ``codec.dump`` and ``codec.load`` of an issued invoice with three lines, an order with three
  lines and a payment with two allocations; beside each load, its floor: constructing the same
  entity (and its nested records) from ready field values, which ``load`` must also do, since
  it rebuilds through the validating constructors.

Every figure is the best of a few runs (wall clock). On a busy machine compare two versions
in one process, alternating: e.g. copy the old ``src/s2c_core`` under another package name,
load this module once per package and call ``run`` of each in turn, keeping the best figures.

Usage: ``python benchmarks/bench_core.py [--quick]`` (or through ``benchmarks/run.py``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs

from s2c_core import codec
from s2c_core.entities import (
    Allocation,
    CustomerId,
    Installment,
    Invoice,
    InvoiceId,
    Line,
    Order,
    OrderId,
    OrderLine,
    Payment,
    PaymentId,
    ProductId,
)
from s2c_core.lifecycle.flows import InvoiceState, OrderState, PaymentState
from s2c_core.money import EUR, Money, sum_money


def _best_rate(work: Callable[[], int], repeats: int) -> float:
    """Operations per second of the fastest of *repeats* runs of *work* (returns its op count)."""
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        count = work()
        elapsed = time.perf_counter() - started
        if elapsed > 0:
            best = max(best, count / elapsed)
    return best


def sample_invoice() -> Invoice:
    """An issued invoice with three lines, two installments and a partial payment."""
    at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    return Invoice(
        id=InvoiceId("inv_0001"),
        customer_id=CustomerId("cus_0001"),
        currency="EUR",
        lines=[
            Line(ProductId("p1"), "Widget", Decimal(3), Money("9.99", EUR)),
            Line(ProductId("p2"), "Gadget", Decimal("1.5"), Money("120.00", EUR), Decimal(10)),
            Line(ProductId("p3"), "Service hour", Decimal(2), Money("75.00", EUR)),
        ],
        status=InvoiceState.PARTIALLY_PAID,
        number="2025-000001",
        issue_date=date(2025, 3, 1),
        due_date=date(2025, 3, 31),
        installments=[
            Installment(date(2025, 3, 1), Money("150.00", EUR)),
            Installment(date(2025, 3, 31), Money("191.96", EUR)),
        ],
        payment_reference="+++090/9337/55493+++",
        order_id=OrderId("ord_0001"),
        paid=Money("150.00", EUR),
        created_at=at,
        issued_at=at,
        version=3,
    )


def sample_order() -> Order:
    """A confirmed order with three lines."""
    at = datetime(2025, 2, 27, 14, 0, tzinfo=UTC)
    return Order(
        id=OrderId("ord_0001"),
        customer_id=CustomerId("cus_0001"),
        currency="EUR",
        lines=[
            OrderLine(ProductId("p1"), "Widget", Decimal(3), Money("9.99", EUR)),
            OrderLine(ProductId("p2"), "Gadget", Decimal("1.5"), Money("120.00", EUR)),
            OrderLine(ProductId("p3"), "Service hour", Decimal(2), Money("75.00", EUR)),
        ],
        status=OrderState.CONFIRMED,
        salesperson="ann",
        created_at=at,
        confirmed_at=at,
        version=2,
    )


def sample_payment() -> Payment:
    """A received payment allocated to two invoices."""
    at = datetime(2025, 3, 5, 8, 0, tzinfo=UTC)
    return Payment(
        id=PaymentId("pay_0001"),
        amount=Money("250.00", EUR),
        received_on=date(2025, 3, 5),
        customer_id=CustomerId("cus_0001"),
        payer_name="Example NV",
        payer_iban="BE71096123456769",
        entry_key="BE71096123456769/2025-03-05/17",
        structured_reference="090933755493",
        status=PaymentState.ALLOCATED,
        allocations=[
            Allocation(InvoiceId("inv_0001"), Money("150.00", EUR), at=at),
            Allocation(InvoiceId("inv_0002"), Money("100.00", EUR), Money("2.00", EUR), at=at),
        ],
        created_at=at,
        version=1,
    )


def _rebuild(entity: Any) -> Callable[[], Any]:
    """Build *entity* again from its field values (nested records too), without the codec."""
    parts: dict[str, Any] = {}
    for f in attrs.fields(type(entity)):
        if not f.init:
            continue
        value = getattr(entity, f.name)
        if isinstance(value, tuple) and value and attrs.has(type(value[0])):
            parts[f.alias] = [_rebuild(item) for item in value]
        else:
            parts[f.alias] = value
    cls = type(entity)

    def build() -> Any:
        return cls(
            **{
                name: tuple([make() for make in value]) if isinstance(value, list) else value
                for name, value in parts.items()
            }
        )

    return build


def _codec_rates(name: str, entity: Any, size: int, repeats: int) -> dict[str, float]:
    cls = type(entity)
    data = codec.dump(entity)
    build = _rebuild(entity)
    if codec.load(cls, data) != entity or build() != entity:
        raise AssertionError(f"{name} does not round-trip")
    dump, load = codec.dump, codec.load

    def dumps() -> int:
        for _ in range(size):
            dump(entity)
        return size

    def loads() -> int:
        for _ in range(size):
            load(cls, data)
        return size

    def builds() -> int:
        for _ in range(size):
            build()
        return size

    return {
        f"codec_dump_{name}_per_s": round(_best_rate(dumps, repeats)),
        f"codec_load_{name}_per_s": round(_best_rate(loads, repeats)),
        f"floor_construct_{name}_per_s": round(_best_rate(builds, repeats)),
    }


def run(quick: bool = False) -> dict[str, float]:
    """Measure Money and codec operations per second.

    Args:
        quick: Small sizes for a CI smoke run.

    Returns:
        Operations per second, one entry per measured operation.
    """
    size = 5_000 if quick else 50_000
    repeats = 3 if quick else 7
    texts = [f"{i % 100_000}.{i % 100:02d}" for i in range(size)]
    decimals = [Decimal(t) for t in texts]
    minors = [i * 7919 for i in range(size)]
    amounts = [Money(d, EUR) for d in decimals]
    pairs = list(zip(amounts, reversed(amounts), strict=True))
    tens = [amounts[i : i + 10] for i in range(0, size, 10)]

    def from_str() -> int:
        for t in texts:
            Money(t, EUR)
        return size

    def from_decimal() -> int:
        for d in decimals:
            Money(d, "EUR")
        return size

    def from_minor() -> int:
        build = Money.from_minor
        for u in minors:
            build(u, EUR)
        return size

    def add() -> int:
        for a, b in pairs:
            a + b
        return size

    def sub() -> int:
        for a, b in pairs:
            a - b
        return size

    def sums() -> int:
        for group in tens:
            sum_money(group, EUR)
        return len(tens)

    def zeros() -> int:
        zero = Money.zero
        for _ in range(size):
            zero(EUR)
        return size

    weights = [5, 3, 2]
    few = amounts[: size // 5]

    def allocations() -> int:
        for m in few:
            m.allocate(weights)
        return len(few)

    def compare() -> int:
        for a, b in pairs:
            a == b  # noqa: B015 - the comparison is the work
            a < b  # noqa: B015
        return size

    out: dict[str, float] = {
        "money_from_str_per_s": round(_best_rate(from_str, repeats)),
        "money_from_decimal_per_s": round(_best_rate(from_decimal, repeats)),
        "money_from_minor_per_s": round(_best_rate(from_minor, repeats)),
        "money_add_per_s": round(_best_rate(add, repeats)),
        "money_sub_per_s": round(_best_rate(sub, repeats)),
        "money_eq_and_lt_per_s": round(_best_rate(compare, repeats)),
        "money_zero_per_s": round(_best_rate(zeros, repeats)),
        "sum_money_of_10_per_s": round(_best_rate(sums, repeats)),
        "allocate_3_ways_per_s": round(_best_rate(allocations, repeats)),
    }
    entity_size = size // 10
    out.update(_codec_rates("invoice_3_lines", sample_invoice(), entity_size, repeats))
    out.update(_codec_rates("order_3_lines", sample_order(), entity_size, repeats))
    out.update(_codec_rates("payment_2_allocations", sample_payment(), entity_size, repeats))
    return out


if __name__ == "__main__":
    results = run(quick="--quick" in sys.argv[1:])
    width = max(len(name) for name in results)
    for name, value in results.items():
        print(f"{name:<{width}}  {value:>12,.0f}")
