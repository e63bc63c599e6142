"""Laws of cash application: never apply more than received, never lose a cent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import s2c_bank.plugin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from s2c_bank.testing import make_camt053

from s2c_core import S2C, FixedClock, Invoice, Line, Money, VatCategory
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.services.matching import (
    APPLICABLE_STATES,
    CustomerHit,
    EntryClues,
    MatchFacts,
    decide,
)

ON = date(2026, 3, 20)
STATES = [
    InvoiceState.ISSUED,
    InvoiceState.PARTIALLY_PAID,
    InvoiceState.PAID,
    InvoiceState.DISPUTED,
    InvoiceState.WRITTEN_OFF,
]


@st.composite
def st_invoice(draw: st.DrawFn, n: int) -> Invoice:
    total = draw(st.integers(1, 200_000))
    status = draw(st.sampled_from(STATES))
    paid = None
    if status is InvoiceState.PARTIALLY_PAID:
        paid = Money.from_minor(draw(st.integers(0, total - 1)), "EUR") if total > 1 else None
    elif status is InvoiceState.PAID:
        paid = Money.from_minor(total, "EUR")
    return Invoice(
        f"inv_{n}",  # type: ignore[arg-type]
        draw(st.sampled_from(["cus_a", "cus_b", "cus_c"])),  # type: ignore[arg-type]
        "EUR",
        [
            Line(
                "svc",  # type: ignore[arg-type]
                "Service",
                1,
                Money.from_minor(total, "EUR"),
                vat_category=VatCategory.ZERO,
                vat_rate=0,
            )
        ],
        status=status,
        number=f"INV-2026-{n:06d}",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 3, 2) + timedelta(days=draw(st.integers(0, 90))),
        payment_reference=f"REF{n}",
        paid=paid,
        discount_percent=draw(st.sampled_from(["", "2"])),
        discount_until=date(2026, 3, 25),
    )


@st.composite
def st_case(draw: st.DrawFn) -> tuple[Money, EntryClues, MatchFacts]:
    invoices = [draw(st_invoice(n)) for n in range(1, draw(st.integers(1, 8)) + 1)]
    by_id = {i.id: i for i in invoices}
    subset = draw(st.lists(st.sampled_from(invoices), max_size=4, unique_by=lambda i: i.id))
    if draw(st.booleans()) and subset:
        cents = sum(i.open_amount.minor_units for i in subset) or 1
    else:
        cents = draw(st.integers(1, 400_000))
    amount = Money.from_minor(cents, "EUR")
    refs = draw(st.lists(st.sampled_from(sorted(by_id)), max_size=3, unique=True))
    numbers = draw(st.lists(st.sampled_from(sorted(by_id)), max_size=3, unique=True))
    hits = draw(
        st.lists(
            st.builds(
                CustomerHit,
                st.sampled_from(["cus_a", "cus_b", "cus_c"]),
                st.sampled_from(["iban", "name"]),
                st.floats(0.75, 1.0),
            ),
            max_size=2,
        )
    )
    facts = MatchFacts(
        by_reference={by_id[i].payment_reference: [by_id[i]] for i in refs},
        by_number={by_id[i].number or "": [by_id[i]] for i in numbers},
        customers=hits,
        open_by_customer={
            c: [i for i in invoices if i.customer_id == c] for c in ("cus_a", "cus_b", "cus_c")
        },
        same_amount=[i for i in invoices if i.open_amount == amount][:5],
    )
    clues = EntryClues(
        references=tuple(by_id[i].payment_reference for i in refs),
        numbers=tuple(by_id[i].number or "" for i in numbers),
    )
    return amount, clues, facts


@settings(max_examples=200, deadline=None)
@given(case=st_case(), threshold=st.sampled_from([Decimal("0.5"), Decimal("0.8"), Decimal(1)]))
def test_matching_never_allocates_more_than_the_entry_and_loses_nothing(
    case: tuple[Money, EntryClues, MatchFacts], threshold: Decimal
) -> None:
    amount, clues, facts = case
    decision = decide(amount, ON, clues, facts, threshold=threshold, tolerance=Money("0.05", "EUR"))
    invoices = {i.id: i for group in facts.open_by_customer.values() for i in group}
    allocated = sum((a for _, a in decision.plan), Money.zero("EUR"))
    unapplied = amount - allocated
    assert allocated <= amount
    assert allocated + unapplied == amount
    assert not unapplied.is_negative()
    assert len({i for i, _ in decision.plan}) == len(decision.plan)
    for invoice_id, part in decision.plan:
        invoice = invoices[invoice_id]
        assert part.is_positive()
        assert part <= invoice.open_amount
        assert invoice.status in APPLICABLE_STATES
    assert Decimal(0) <= decision.confidence <= Decimal(1)
    if decision.applied:
        assert decision.confidence >= threshold


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    totals=st.lists(st.integers(100, 50_000), min_size=1, max_size=5),
    paid=st.lists(
        st.tuples(st.integers(1, 80_000), st.integers(0, 6), st.booleans()),
        min_size=1,
        max_size=6,
    ),
)
def test_imported_payments_split_into_allocated_and_unapplied_exactly(
    totals: list[int], paid: list[tuple[int, int, bool]]
) -> None:
    app = S2C.open(
        "memory://",
        clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
        plugins=[s2c_bank.plugin],
        load_entry_points=False,
    )
    customer = app.customers.register("Brasserie Dupont", iban="BE71096123456769").id
    invoices = [
        app.invoices.create(
            customer,
            [
                Line(
                    "svc",  # type: ignore[arg-type]
                    "Service",
                    1,
                    Money.from_minor(t, "EUR"),
                    vat_category=VatCategory.ZERO,
                    vat_rate=0,
                )
            ],
        )
        for t in totals
    ]
    payments = []
    for cents, which, by_reference in paid:
        target = invoices[which % len(invoices)]
        text = target.payment_reference if by_reference else "payment"
        payments.append(
            (Money.from_minor(cents, "EUR"), text, "Brasserie Dupont", "BE71096123456769", ON)
        )
    result = app.bank.import_statement(make_camt053(payments=payments))
    for outcome in result.outcomes:
        payment = app.payments.get(outcome.payment_id or "")
        assert payment.allocated + payment.unapplied == payment.amount
        assert not payment.unapplied.is_negative()
    for invoice in invoices:
        fresh = app.invoices.get(invoice.id)
        paid_so_far = fresh.paid or Money.zero("EUR")
        assert paid_so_far <= fresh.total
    received = sum((p[0] for p in payments), Money.zero("EUR"))
    applied = sum(
        (app.invoices.get(i.id).paid or Money.zero("EUR") for i in invoices), Money.zero("EUR")
    )
    credit = sum(
        (app.payments.get(o.payment_id or "").unapplied for o in result.outcomes),
        Money.zero("EUR"),
    )
    assert applied + credit == received
