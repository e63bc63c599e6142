"""Laws the KPI calculators obey, checked with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from s2c_core.errors import ValidationError
from s2c_core.kpi import (
    AgingBasis,
    CustomerBalance,
    DsoSnapshot,
    InvoiceFact,
    PaymentFact,
    Period,
    aging_report,
    bad_debt_allowance,
    cash_forecast,
    cei,
    cei_report,
    current_receivables,
    dso,
    dso_drivers,
    open_receivables,
    raw_dso,
)
from s2c_core.money import EUR, Money

BASE = date(2024, 1, 1)
CUSTOMERS = ("A", "B", "C", "D", "E")
SEGMENTS = ("retail", "export", "public")


def cents(value: int) -> Money:
    return Money.from_minor(value, EUR)


@st.composite
def invoice_facts(draw: st.DrawFn, allow_credit_notes: bool = True) -> InvoiceFact:
    """An invoice of 2024 with up to three payments and perhaps a write-off of the rest."""
    number = draw(st.uuids()).hex
    customer = draw(st.sampled_from(CUSTOMERS))
    issue = BASE + timedelta(days=draw(st.integers(0, 365)))
    due = issue + timedelta(days=draw(st.integers(0, 90)))
    total = draw(st.integers(1, 10_000_000))
    segment = SEGMENTS[CUSTOMERS.index(customer) % len(SEGMENTS)]
    if allow_credit_notes and draw(st.integers(0, 9)) == 0:
        return InvoiceFact(number, customer, segment, EUR, issue, due, cents(-total))
    payments: list[PaymentFact] = []
    left = total
    for _ in range(draw(st.integers(0, 3))):
        if left == 0:
            break
        part = draw(st.integers(1, left))
        left -= part
        paid_on = issue + timedelta(days=draw(st.integers(0, 200)))
        payments.append(PaymentFact(paid_on, cents(part)))
    write_off = left > 0 and draw(st.booleans())
    return InvoiceFact(
        number,
        customer,
        segment,
        EUR,
        issue,
        due,
        cents(total),
        paid=payments,
        written_off=cents(left) if write_off else None,
        written_off_date=issue + timedelta(days=draw(st.integers(30, 300))) if write_off else None,
    )


as_of_dates = st.integers(0, 500).map(lambda d: BASE + timedelta(days=d))
money_amounts = st.integers(-10_000_000, 10_000_000).map(cents)
positive_amounts = st.integers(1, 10_000_000).map(cents)


@given(
    receivables=money_amounts,
    sales=positive_amounts,
    days=st.integers(1, 366),
    factor=st.integers(1, 1000),
)
def test_dso_scales_linearly_with_receivables(
    receivables: Money, sales: Money, days: int, factor: int
) -> None:
    exact = raw_dso(receivables, sales, days=days)
    scaled = raw_dso(receivables * factor, sales, days=days)
    assert abs(scaled - exact * factor) <= abs(exact * factor) * Decimal("1e-20")
    # rounded to 0.1 day, each side is off by at most half a tenth (times the factor)
    rounded_gap = abs(
        dso(receivables * factor, sales, days=days) - factor * dso(receivables, sales, days=days)
    )
    assert rounded_gap <= Decimal("0.05") * (factor + 1)


@st.composite
def snapshots(draw: st.DrawFn) -> DsoSnapshot:
    chosen = draw(st.lists(st.sampled_from(CUSTOMERS), unique=True, max_size=len(CUSTOMERS)))
    balances = [
        CustomerBalance(c, draw(st.sampled_from(SEGMENTS)), draw(money_amounts)) for c in chosen
    ]
    return DsoSnapshot(draw(positive_amounts), draw(st.integers(1, 366)), balances)


@given(before=snapshots(), after=snapshots())
def test_driver_contributions_sum_exactly_to_the_dso_change(
    before: DsoSnapshot, after: DsoSnapshot
) -> None:
    report = dso_drivers(before, after)
    assert report.change == after.dso - before.dso
    assert sum((c.contribution for c in report.customers), Decimal(0)) == report.change
    assert sum((s.contribution for s in report.segments), Decimal(0)) == report.change
    assert report.receivables_effect + report.sales_effect == report.change
    for row in report.customers:
        assert row.receivables_effect + row.sales_effect == row.contribution
    ids = {b.customer_id for b in (*before.balances, *after.balances)}
    assert {c.customer_id for c in report.customers} == ids


@given(
    facts=st.lists(invoice_facts(), max_size=30),
    as_of=as_of_dates,
    basis=st.sampled_from(list(AgingBasis)),
    edges=st.lists(st.integers(-30, 400), min_size=1, max_size=6, unique=True).map(sorted),
)
def test_aging_buckets_sum_to_total_open_receivables(
    facts: list[InvoiceFact], as_of: date, basis: AgingBasis, edges: list[int]
) -> None:
    report = aging_report(facts, as_of=as_of, currency=EUR, basis=basis, edges=edges)
    assert len(report.buckets) == len(edges) + 1
    bucket_sum = sum((b.amount.amount for b in report.buckets), Decimal(0))
    assert bucket_sum == report.total.amount
    assert report.total == open_receivables(facts, as_of=as_of, currency=EUR)


@given(
    facts=st.lists(invoice_facts(), max_size=30),
    as_of=as_of_dates,
    percents=st.lists(st.decimals(0, 100, places=3), min_size=5, max_size=5),
)
def test_allowance_never_exceeds_the_open_amount(
    facts: list[InvoiceFact], as_of: date, percents: list[Decimal]
) -> None:
    report = aging_report(facts, as_of=as_of, currency=EUR)
    allowance = bad_debt_allowance(report, percents)
    for line in allowance.lines:
        assert Money.zero(EUR) <= line.allowance
        assert line.allowance <= max(line.open_amount, Money.zero(EUR))
    assert allowance.total.amount == sum(
        (li.allowance.amount for li in allowance.lines), Decimal(0)
    )


@given(
    beginning=st.integers(0, 10**9),
    sales=st.integers(0, 10**9),
    data=st.data(),
)
def test_cei_is_between_0_and_100_for_consistent_inputs(
    beginning: int, sales: int, data: st.DataObject
) -> None:
    ending_total = data.draw(st.integers(0, beginning + sales))
    ending_current = data.draw(st.integers(0, ending_total))
    assume(beginning + sales - ending_current > 0)
    value = cei(cents(beginning), cents(sales), cents(ending_total), cents(ending_current))
    assert Decimal(0) <= value <= Decimal(100)


@given(
    facts=st.lists(invoice_facts(allow_credit_notes=False), min_size=1, max_size=30),
    month=st.integers(1, 12),
)
def test_cei_of_invoice_facts_is_between_0_and_100(facts: list[InvoiceFact], month: int) -> None:
    period = Period.month(2024, month)
    try:
        report = cei_report(facts, period, currency=EUR)
    except ValidationError:  # nothing collectible this month: CEI undefined
        report = None
    assume(report is not None)
    assert report is not None
    assert Decimal(0) <= report.cei <= Decimal(100)
    current = current_receivables(facts, as_of=period.end, currency=EUR)
    assert report.ending_current_receivables == current


@given(
    facts=st.lists(invoice_facts(), max_size=30),
    as_of=as_of_dates,
    weeks=st.integers(1, 20),
    min_payments=st.integers(1, 4),
)
def test_forecast_weeks_plus_beyond_horizon_equal_total_open(
    facts: list[InvoiceFact], as_of: date, weeks: int, min_payments: int
) -> None:
    forecast = cash_forecast(
        facts, as_of=as_of, weeks=weeks, currency=EUR, min_payments=min_payments
    )
    total = open_receivables(facts, as_of=as_of, currency=EUR)
    assert forecast.total_open == total
    assert len(forecast.weeks) == weeks
    for scenario, beyond in (
        ("expected", forecast.beyond_expected),
        ("early", forecast.beyond_early),
        ("late", forecast.beyond_late),
    ):
        weekly = sum((getattr(w, scenario).amount for w in forecast.weeks), Decimal(0))
        assert weekly + beyond.amount == total.amount
    for line in forecast.lines:
        assert line.early_date <= line.expected_date <= line.late_date
    assert all(w.week_start.weekday() == 0 for w in forecast.weeks)
