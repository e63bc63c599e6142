"""Aging buckets, the allowance for doubtful accounts, and the bad-debt ratio."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from s2c_core.errors import ValidationError
from s2c_core.kpi import (
    AgingBasis,
    AgingBucket,
    AgingReport,
    InvoiceFact,
    PaymentFact,
    Period,
    aging_report,
    bad_debt_allowance,
    bad_debt_ratio,
    bad_debt_report,
    bucket_labels,
)
from s2c_core.money import Money

AS_OF = date(2024, 6, 30)


def eur(value: int | str) -> Money:
    return Money(value, "EUR")


def fact(
    number: str,
    due: date,
    amount: int,
    *,
    issued: date | None = None,
    paid: tuple[tuple[date, int], ...] = (),
    written_off: tuple[date, int] | None = None,
) -> InvoiceFact:
    return InvoiceFact(
        number,
        "C",
        "s",
        "EUR",
        issued or date(2024, 1, 1),
        due,
        eur(amount),
        paid=[PaymentFact(d, eur(a)) for d, a in paid],
        written_off=None if written_off is None else eur(written_off[1]),
        written_off_date=None if written_off is None else written_off[0],
    )


def report_of(amounts: tuple[int | Decimal, ...]) -> AgingReport:
    buckets = tuple(
        AgingBucket(label, None, None, Money(a, "USD"), 1)
        for label, a in zip(bucket_labels(), amounts, strict=True)
    )
    return AgingReport(AS_OF, AgingBasis.DUE_DATE, buckets, Money(sum(amounts), "USD"))


def test_textbook_allowance_by_the_aging_method() -> None:
    """Intermediate accounting exercise (Riley/Bruns, chapter 7-03): 700 000 current at 5 %,
    120 000 at 8 %, 80 000 at 20 %, 30 000 at 25 %, 10 000 at 50 % -> allowance 73 100."""
    allowance = bad_debt_allowance(
        report_of((700000, 120000, 80000, 30000, 10000)), [5, 8, 20, 25, 50]
    )
    assert [line.allowance for line in allowance.lines] == [
        Money(v, "USD") for v in (35000, 9600, 16000, 7500, 5000)
    ]
    assert allowance.total == Money(73100, "USD")


def test_allowance_percentages_by_bucket_label() -> None:
    """Worked aging-schedule answer: 22 000 (1-30) at 1 %, 6 500 (31-60) at 2 %, 300 (61-90)
    at 5 % -> 220 + 130 + 15 = 365."""
    allowance = bad_debt_allowance(
        report_of((0, 22000, 6500, 300, 0)), {"1-30": 1, "31-60": "2", "61-90": Decimal(5)}
    )
    assert allowance.total == Money(365, "USD")


def test_allowance_ignores_negative_buckets_and_rounds_half_up() -> None:
    allowance = bad_debt_allowance(report_of((-100, 1, 0, 0, 0)), [50, 50, 0, 0, 0])
    assert allowance.lines[0].allowance == Money(0, "USD")
    assert allowance.lines[1].allowance == Money("0.50", "USD")
    half_cent = bad_debt_allowance(report_of((0, 0, 0, 0, Decimal("0.01"))), [0, 0, 0, 0, 50])
    assert half_cent.total == Money("0.01", "USD")


@pytest.mark.parametrize(
    "percents",
    [[1, 2, 3], [0, 0, 0, 0, 101], [0, 0, 0, 0, -1], {"91+": 10}],
)
def test_allowance_refuses_bad_percentages(percents: list[int] | dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        bad_debt_allowance(report_of((1, 1, 1, 1, 1)), percents)


def test_aging_by_due_date_with_default_buckets() -> None:
    facts = [
        fact("current", date(2024, 6, 30), 100),  # due today: current
        fact("1", date(2024, 6, 29), 10),
        fact("30", date(2024, 5, 31), 20),
        fact("31", date(2024, 5, 30), 30),
        fact("90", date(2024, 4, 1), 40),
        fact("91", date(2024, 3, 31), 50),
        fact("paid", date(2024, 3, 1), 70, paid=((date(2024, 6, 30), 70),)),
    ]
    report = aging_report(facts, as_of=AS_OF, currency="EUR")
    assert [(b.label, b.amount, b.count) for b in report.buckets] == [
        ("current", eur(100), 1),
        ("1-30", eur(30), 2),
        ("31-60", eur(30), 1),
        ("61-90", eur(40), 1),
        ("90+", eur(50), 1),
    ]
    assert [(b.min_days, b.max_days) for b in report.buckets] == [
        (None, 0),
        (1, 30),
        (31, 60),
        (61, 90),
        (91, None),
    ]
    assert report.total == eur(250)


def test_open_amount_only_counts_payments_and_write_offs_up_to_the_as_of_date() -> None:
    facts = [
        fact("late pay", date(2024, 6, 1), 100, paid=((date(2024, 7, 1), 100),)),
        fact("partial", date(2024, 6, 1), 100, paid=((date(2024, 6, 10), 60),)),
        fact("wo later", date(2024, 6, 1), 100, written_off=(date(2024, 7, 15), 100)),
        fact("wo", date(2024, 6, 1), 100, written_off=(date(2024, 6, 30), 100)),
        fact("future", date(2024, 8, 1), 100, issued=date(2024, 7, 1)),
    ]
    report = aging_report(facts, as_of=AS_OF, currency="EUR")
    assert report.total == eur(240)
    assert report.buckets[1].count == 3


def test_credit_notes_sit_in_their_bucket_as_negative_amounts() -> None:
    facts = [fact("inv", date(2024, 6, 15), 100), fact("cn", date(2024, 6, 20), -30)]
    report = aging_report(facts, as_of=AS_OF, currency="EUR")
    assert report.buckets[1].amount == eur(70)
    assert report.total == eur(70)


def test_aging_by_invoice_date_with_custom_edges() -> None:
    facts = [
        fact("a", date(2024, 7, 30), 10, issued=date(2024, 6, 30)),
        fact("b", date(2024, 7, 30), 20, issued=date(2024, 5, 31)),
        fact("c", date(2024, 7, 30), 30, issued=date(2024, 5, 30)),
        fact("d", date(2024, 7, 30), 40, issued=date(2024, 1, 2)),
    ]
    report = aging_report(
        facts, as_of=AS_OF, currency="EUR", basis=AgingBasis.INVOICE_DATE, edges=(30, 60)
    )
    same = aging_report(facts, as_of=AS_OF, currency="EUR", basis="invoice_date", edges=[30, 60])
    assert same == report
    assert [(b.label, b.amount) for b in report.buckets] == [
        ("up to 30", eur(30)),
        ("31-60", eur(30)),
        ("60+", eur(40)),
    ]


@pytest.mark.parametrize("edges", [(), (30, 30), (60, 30), (1.5,)])
def test_bucket_edges_must_be_increasing_ints(edges: tuple[int, ...]) -> None:
    with pytest.raises(ValidationError):
        bucket_labels(edges)


def test_bad_debt_ratio_textbook_figures() -> None:
    """Same exercise: write-offs 85 000 on credit sales 10 185 000 -> 0.83 %."""
    assert bad_debt_ratio(Money(85000, "USD"), Money(10185000, "USD")) == Decimal("0.83")
    with pytest.raises(ValidationError):
        bad_debt_ratio(Money(1, "USD"), Money(0, "USD"))


def test_bad_debt_report_uses_write_offs_dated_in_the_period() -> None:
    facts = [
        fact("a", date(2024, 1, 31), 400, written_off=(date(2024, 6, 1), 100)),
        fact("b", date(2024, 6, 30), 400, issued=date(2024, 6, 1)),
        fact("c", date(2024, 6, 30), 100, issued=date(2024, 6, 2), written_off=(AS_OF, 50)),
        fact("d", date(2024, 1, 31), 400, written_off=(date(2024, 5, 31), 300)),
    ]
    report = bad_debt_report(facts, Period.month(2024, 6), currency="EUR")
    assert report.written_off == eur(150)
    assert report.credit_sales == eur(500)
    assert report.bad_debt_ratio == Decimal("30.00")
    empty = bad_debt_report(facts, Period.month(2023, 6), currency="EUR")
    assert empty.bad_debt_ratio is None
