"""Random books for the KPI tests: a hypothesis strategy of steps driven through the public API.

Shared by ``tests/unit/test_kpi_service_*.py`` (in-memory backend) and
``tests/integration/test_kpi_sql_*.py`` (SQLite file, PostgreSQL). A scenario issues invoices
with costed lines and different terms, records payments (some dated before the day they are
applied, some applied later as customer credit), credit notes (full or partial, on open and
paid invoices), disputes and their outcomes, write-offs and payment returns, while a
``FixedClock`` moves forward. A step the rules refuse is skipped: the books stay consistent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from s2c_core import S2C, FixedClock, Line, Money
from s2c_core.entities import ProductId
from s2c_core.errors import S2CError
from s2c_core.kpi import InvoiceFact
from s2c_core.lifecycle import InvoiceState

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SEGMENTS = ("retail", "horeca", "wholesale")
TERMS = ("net30", "net14", "2/10net30", "eom", "receipt")

Step = tuple[Any, ...]


def steps() -> st.SearchStrategy[list[Step]]:
    """Lists of steps: a few invoices first, then a mix weighted towards invoices and payments."""
    invoice = st.tuples(
        st.just("invoice"),
        st.integers(0, 2),
        st.integers(1, 5),
        st.integers(1, 40_000),
        st.sampled_from(TERMS),
    )
    pay = st.tuples(st.just("pay"), st.integers(0, 30), st.integers(1, 4), st.integers(0, 6))
    advance = st.tuples(st.just("advance"), st.integers(1, 25))
    step = st.one_of(
        invoice,
        pay,
        advance,
        invoice,
        pay,
        advance,
        st.tuples(st.just("prepay"), st.integers(0, 2), st.integers(1, 50_000)),
        st.tuples(st.just("apply_credit"), st.integers(0, 2)),
        st.tuples(st.just("credit"), st.integers(0, 30), st.booleans()),
        st.tuples(st.just("dispute"), st.integers(0, 30), st.sampled_from(["credit", "reject"])),
        st.tuples(st.just("write_off"), st.integers(0, 30)),
        st.tuples(st.just("return"), st.integers(0, 30)),
    )
    return st.tuples(
        st.lists(invoice, min_size=1, max_size=5), st.lists(step, min_size=1, max_size=20)
    ).map(lambda parts: parts[0] + parts[1])


def open_books(app: S2C) -> list[str]:
    """Register the products and three customers (one per segment); their ids."""
    app.catalog.add_product(
        "widget", "Widget", Money("10.00", "EUR"), cost=Money("6.25", "EUR"), stocked=False
    )
    app.catalog.add_product("service", "Service hour", Money("80.00", "EUR"), stocked=False)
    return [
        app.customers.register(f"Customer {n}", segment=segment).id
        for n, segment in enumerate(SEGMENTS)
    ]


def _pick(items: Sequence[str], index: int) -> str | None:
    return items[index % len(items)] if items else None


def play(app: S2C, clock: FixedClock, customers: list[str], plan: Sequence[Step]) -> None:
    """Apply *plan* to *app* (built by ``open_books``) with the clock moving forward."""
    invoices: list[str] = []
    payments: list[str] = []
    for step in plan:
        kind = step[0]
        try:
            if kind == "advance":
                clock.advance(timedelta(days=step[1]))
            elif kind == "invoice":
                _, who, qty, cents, term = step
                lines = [
                    Line(
                        ProductId("widget"),
                        "Widget",
                        Decimal(qty),
                        Money.from_minor(cents, "EUR"),
                        cost=Money("6.25", "EUR"),
                    ),
                    Line(ProductId("service"), "Service", Decimal(1), Money("80.00", "EUR")),
                ]
                invoice = app.invoices.create(customers[who], lines, payment_term=term)
                invoices.append(invoice.id)
            elif kind == "pay":
                _, index, parts, days_before = step
                target = _pick(invoices, index)
                if target is None:
                    continue
                invoice = app.invoices.get(target)
                amount = invoice.open_amount.multiply(Decimal(1) / Decimal(parts))
                if not amount.is_positive():
                    continue
                payment = app.payments.record(
                    amount,
                    received_on=clock.today() - timedelta(days=days_before),
                    customer_id=invoice.customer_id,
                    auto_apply=False,
                )
                payments.append(payment.id)
                app.payments.allocate(payment.id, [(target, amount)])
            elif kind == "prepay":
                _, who, cents = step
                payment = app.payments.record(
                    Money.from_minor(cents, "EUR"),
                    received_on=clock.today(),
                    customer_id=customers[who],
                )
                payments.append(payment.id)
            elif kind == "apply_credit":
                app.payments.apply_credit(customers[step[1]])
            elif kind == "credit":
                _, index, whole = step
                target = _pick(invoices, index)
                if target is None:
                    continue
                quantities = None if whole else {1: 1}
                app.invoices.credit_note(target, reason="returned goods", quantities=quantities)
            elif kind == "dispute":
                _, index, outcome = step
                target = _pick(invoices, index)
                if target is None:
                    continue
                dispute = app.receivables.open_dispute(target, reason="price", lines=[2])
                clock.advance(timedelta(days=3))
                if outcome == "credit":
                    app.receivables.resolve_dispute(dispute.id, resolution="agreed")
                else:
                    app.receivables.reject_dispute(dispute.id, reason="price was agreed")
            elif kind == "write_off":
                target = _pick(invoices, step[1])
                if target is not None:
                    app.receivables.write_off(target, reason="bankrupt")
            elif kind == "return":
                target = _pick(payments, step[1])
                if target is not None:
                    app.payments.return_payment(target, reason="AC04 account closed")
        except S2CError:
            continue


def as_of_dates(today: date) -> list[date]:
    """Dates the tests look at: before the books, inside them, today, and later."""
    start = START.date()
    span = max((today - start).days, 1)
    return sorted(
        {
            start - timedelta(days=1),
            start,
            start + timedelta(days=span // 3),
            start + timedelta(days=2 * span // 3),
            today - timedelta(days=1),
            today,
            today + timedelta(days=45),
        }
    )


def stored_open_matches_facts(app: S2C, facts: Sequence[InvoiceFact]) -> None:
    """Law: a fact's open amount at a far date is the document's stored open amount."""
    far = date(2100, 1, 1)
    for fact in facts:
        invoice = app.invoices.get(fact.invoice_id)
        sign = -1 if invoice.kind == "credit_note" else 1
        stored = invoice.open_amount * sign
        if invoice.status == InvoiceState.DRAFT:
            continue
        assert fact.open_as_of(far) == stored, (fact.invoice_id, invoice.status)


def _same_or_both_raise(compute: Any, oracle: Any) -> None:
    """*compute()* equals *oracle()*, or both raise ValidationError."""
    from s2c_core.errors import ValidationError

    try:
        expected = oracle()
    except ValidationError:
        try:
            got = compute()
        except ValidationError:
            return
        raise AssertionError(f"expected ValidationError, got {got!r}") from None
    assert compute() == expected


def assert_service_matches_calculators(app: S2C, day: date) -> None:
    """Every storage-side KPI of ``app.kpi`` at *day* equals the pure calculator on the facts.

    The facts come from the pure-Python reporting over the same storage (repositories and
    event log), so for a SQL backend this compares the SQL aggregates with an independent
    implementation of the fact rules.
    """
    from s2c_core import kpi
    from s2c_core.kpi.port import balances_from_facts
    from s2c_core.services._reporting import RepositoryReporting

    oracle = RepositoryReporting(app.storage)
    facts = list(oracle.invoice_facts(day, currency="EUR"))
    assert list(app.kpi.invoice_facts(day)) == facts
    month = kpi.Period(day.replace(day=1), day)
    quarter = kpi.Period(day - timedelta(days=89), day)
    for basis in ("due_date", "invoice_date"):
        for edges in ((0, 30, 60, 90), (15, 45)):
            assert app.kpi.aging(day, basis=basis, edges=edges) == kpi.aging_report(
                facts, as_of=day, currency="EUR", basis=basis, edges=edges
            )
    for period in (month, quarter):
        inputs = app.kpi.dso_inputs(period)
        assert inputs.receivables_end == kpi.open_receivables(facts, as_of=day, currency="EUR")
        assert inputs.receivables_begin == kpi.open_receivables(
            facts, as_of=period.opening_date, currency="EUR"
        )
        assert inputs.current_end == kpi.current_receivables(facts, as_of=day, currency="EUR")
        assert inputs.credit_sales == kpi.credit_sales(facts, period, currency="EUR")
        _same_or_both_raise(
            lambda p=period: app.kpi.dso_report(p),
            lambda p=period: kpi.dso_report(facts, p, currency="EUR"),
        )
        _same_or_both_raise(
            lambda p=period: app.kpi.cei(p),
            lambda p=period: kpi.cei_report(facts, p, currency="EUR"),
        )
        _same_or_both_raise(
            lambda p=period: app.kpi.dso(p, method="countback", months=4),
            lambda p=period: kpi.countback_dso(
                kpi.open_receivables(facts, as_of=day, currency="EUR"),
                kpi.monthly_sales(facts, as_of=day, months=4, currency="EUR"),
            ),
        )
        assert app.kpi.margins(period) == kpi.margin_report(facts, period, currency="EUR")
        assert app.kpi.bad_debt(period) == kpi.bad_debt_report(facts, period, currency="EUR")
        for by in ("segment", "customer"):
            assert app.kpi.payment_behaviour(period, by=by) == kpi.payment_behaviour(
                facts, period, currency="EUR", by=by
            )
        assert app.kpi.credit_policy_vs_actual(period) == kpi.credit_policy_vs_actual(
            facts, period, currency="EUR"
        )
        later = list(oracle.invoice_facts(max(day, app.clock.today()), currency="EUR"))
        assert app.kpi.dispute_rate(period) == kpi.dispute_report(later, period, currency="EUR")
    balances = app.kpi.open_by_customer(day)
    assert balances == balances_from_facts(facts, as_of=day, currency="EUR")
    if kpi.credit_sales(facts, quarter, currency="EUR").is_positive():
        snapshot = kpi.dso_snapshot(facts, quarter, currency="EUR")
        assert balances == snapshot.balances
    _same_or_both_raise(
        lambda: app.kpi.dso_drivers(month, quarter),
        lambda: kpi.dso_drivers(
            kpi.dso_snapshot(facts, month, currency="EUR"),
            kpi.dso_snapshot(facts, quarter, currency="EUR"),
        ),
    )
    for minimum in (1, 3):
        assert app.kpi.cash_forecast(day, weeks=6, min_payments=minimum) == kpi.cash_forecast(
            facts, as_of=day, weeks=6, currency="EUR", min_payments=minimum
        )
