"""The reporting query port agrees with core's pure-Python KPI oracles, in SQL."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from s2c_sqlalchemy import SalesPeriod, SqlStorage, open_sql_storage
from s2c_sqlalchemy.queries import NOT_SALES, OPEN_STATES
from s2c_sqlalchemy.testing import fresh_database

from s2c_core.entities.receivables import DocumentKind, Invoice
from s2c_core.kpi.aging import AgingBasis, aging_report
from s2c_core.kpi.facts import InvoiceFact
from s2c_core.lifecycle import InvoiceState
from s2c_core.money import Money
from s2c_core.testing.conformance.storage import make_invoice

AS_OF = date(2026, 4, 30)


def _invoices() -> list[Invoice]:
    rng = random.Random(7)
    states = list(InvoiceState)
    out = []
    for n in range(1, 121):
        currency = "EUR" if n % 7 else "USD"
        issue = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 150))
        due = issue + timedelta(days=rng.choice((0, 14, 30, 60)))
        inv = make_invoice(
            n,
            customer=f"cus_{n % 9}",
            amount=f"{rng.randrange(1, 900)}.{n % 100:02d}",
            due=due,
            status=rng.choice(states),
            currency=currency,
        )
        inv = attrs.evolve(inv, issue_date=issue)
        if n % 5 == 0:
            inv = attrs.evolve(inv, paid=Money(f"{rng.randrange(0, 300)}.00", currency))
        if n % 11 == 0:
            inv = attrs.evolve(inv, kind=DocumentKind.CREDIT_NOTE)
        out.append(inv)
    return out


def _sign(inv: Invoice) -> int:
    return -1 if inv.kind is DocumentKind.CREDIT_NOTE else 1


def _open(invoices: list[Invoice], currency: str | None = None) -> list[Invoice]:
    return [
        i
        for i in invoices
        if i.status in OPEN_STATES
        and i.issue_date is not None
        and i.issue_date <= AS_OF
        and i.open_amount.is_positive()
        and (currency is None or i.currency == currency)
    ]


@pytest.fixture(scope="module")
def invoices() -> list[Invoice]:
    return _invoices()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def storage(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    invoices: list[Invoice],
) -> Iterator[SqlStorage]:
    """One filled database per backend for the whole module (the queries only read)."""
    with ExitStack() as stack:
        if request.param == "postgres":
            url = stack.enter_context(
                fresh_database(
                    request.getfixturevalue("postgres_url"),
                    template=request.getfixturevalue("pg_template"),
                )
            )
            opened = open_sql_storage(url)
        else:
            path = tmp_path_factory.mktemp("queries") / "books.db"
            opened = open_sql_storage(f"sqlite:///{path}", create_schema=True)
        storage = stack.enter_context(opened)
        with storage.unit_of_work() as uow:
            for invoice in invoices:
                uow.repo("invoice").add(invoice)
            uow.commit()
        yield storage


@pytest.mark.parametrize("basis", list(AgingBasis))
@pytest.mark.parametrize("edges", [(0, 30, 60, 90), (15, 45), (-10, 0, 5)])
@pytest.mark.parametrize("currency", ["EUR", "USD"])
def test_aging_matches_the_kpi_oracle(
    storage: SqlStorage,
    invoices: list[Invoice],
    basis: AgingBasis,
    edges: tuple[int, ...],
    currency: str,
) -> None:
    facts = [
        InvoiceFact(
            i.id,
            i.customer_id,
            "",
            i.currency,
            i.issue_date,
            i.due_date or i.issue_date,
            i.open_amount * _sign(i),
        )
        for i in _open(invoices, currency)
    ]
    expected = aging_report(facts, as_of=AS_OF, currency=currency, basis=basis, edges=edges)
    assert storage.queries.aging(AS_OF, currency=currency, edges=edges, basis=basis) == expected


def test_open_receivables_by_customer(storage: SqlStorage, invoices: list[Invoice]) -> None:
    sums: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, 0, 0])
    for inv in _open(invoices):
        cents = inv.open_amount.minor_units * _sign(inv)
        row = sums[(inv.customer_id, inv.currency)]
        row[0] += cents
        row[1] += cents if inv.due_date is not None and inv.due_date < AS_OF else 0
        row[2] += 1
    got = storage.queries.open_receivables_by_customer(AS_OF)
    assert [(b.customer_id, b.currency) for b in got] == sorted(sums)
    for balance in got:
        cents, overdue, count = sums[(balance.customer_id, balance.currency)]
        assert balance.open_amount == Money.from_minor(cents, balance.currency)
        assert balance.overdue_amount == Money.from_minor(overdue, balance.currency)
        assert balance.documents == count
    only_usd = storage.queries.open_receivables_by_customer(AS_OF, currency="USD")
    assert only_usd == [b for b in got if b.currency == "USD"]


def _period_start(day: date, period: SalesPeriod) -> date:
    if period is SalesPeriod.DAY:
        return day
    if period is SalesPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period is SalesPeriod.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


@pytest.mark.parametrize("period", list(SalesPeriod))
def test_sales_per_period(
    storage: SqlStorage, invoices: list[Invoice], period: SalesPeriod
) -> None:
    start, end = date(2026, 2, 1), date(2026, 5, 15)
    sums: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    for inv in invoices:
        assert inv.issue_date is not None
        if inv.status in NOT_SALES or not start <= inv.issue_date <= end:
            continue
        row = sums[(_period_start(inv.issue_date, period), inv.currency)]
        row[0] += inv.total.minor_units * _sign(inv)
        row[1] += 1
    got = storage.queries.sales_per_period(start, end, period)
    assert [(s.start, s.currency) for s in got] == sorted(sums)
    for sales in got:
        cents, count = sums[(sales.start, sales.currency)]
        assert sales.amount == Money.from_minor(cents, sales.currency)
        assert sales.documents == count


def test_sum_money_groups_with_repository_criteria(
    storage: SqlStorage, invoices: list[Invoice]
) -> None:
    got = storage.queries.sum_money(
        "invoice", "total", by=["status"], currency="EUR", kind="invoice"
    )
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for inv in invoices:
        if inv.currency == "EUR" and inv.kind is DocumentKind.INVOICE:
            expected[inv.status.value][0] += inv.total.minor_units
            expected[inv.status.value][1] += 1
    assert [(g.key, g.amount.minor_units, g.count) for g in got] == [
        ((status,), cents, count) for status, (cents, count) in sorted(expected.items())
    ]
