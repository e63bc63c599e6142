"""Laws of the terms math, checked on generated terms, amounts, currencies and dates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from s2c_core.money import Currency, Money, Rounding, get_currency, sum_money
from s2c_core.terms import (
    BusinessCalendar,
    BusinessDayConvention,
    CashDiscount,
    DateStep,
    DayCount,
    DebtorKind,
    DiscountVatTreatment,
    Jurisdiction,
    PaymentTerm,
    TermLine,
    Weekday,
    allocate_over_lines,
    belgian_consumer_damages_cap,
    cash_discount_totals,
    fee_policy,
    late_interest,
    statutory_interest,
    wik_collection_costs,
)

CURRENCIES = [get_currency("EUR"), get_currency("JPY"), get_currency("BHD")]
SYMMETRIC = [Rounding.HALF_EVEN, Rounding.HALF_UP, Rounding.HALF_DOWN, Rounding.UP, Rounding.DOWN]

currencies = st.sampled_from(CURRENCIES)
roundings = st.sampled_from(list(Rounding))
invoice_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)

steps = st.builds(
    DateStep,
    days=st.integers(-31, 400),
    weeks=st.integers(0, 10),
    months=st.integers(0, 36),
    day=st.none() | st.integers(1, 31),
    month=st.none() | st.integers(1, 12),
    weekday=st.none() | st.sampled_from(list(Weekday)),
)
step_chains = st.lists(steps, max_size=3)


def money_in(currency: Currency, low: int, high: int) -> st.SearchStrategy[Money]:
    return st.integers(low, high).map(lambda units: Money.from_minor(units, currency))


@st.composite
def terms(draw: st.DrawFn, currency: Currency) -> PaymentTerm:
    lines: list[TermLine] = []
    of_total = Decimal(0)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["fixed", "remainder_percent", "total_percent"]))
        chain = draw(step_chains)
        if kind == "fixed":
            lines.append(TermLine.fixed(draw(money_in(currency, 1, 10**9)), *chain))
        elif kind == "remainder_percent":
            lines.append(TermLine.percent_of_remainder(draw(percents), *chain))
        elif of_total < 100:
            room = 100 - of_total
            share = draw(percents.filter(lambda p, room=room: p <= room))
            of_total += share
            lines.append(TermLine.percent_of_total(share, *chain))
    lines.append(TermLine.remainder(*draw(step_chains)))
    return PaymentTerm(lines)


@st.composite
def cases(draw: st.DrawFn) -> tuple[PaymentTerm, Money, date]:
    currency = draw(currencies)
    return draw(terms(currency)), draw(money_in(currency, -(10**12), 10**12)), draw(invoice_dates)


SCHEDULE_SETTINGS = settings(max_examples=60)  # generated terms are costly; the laws are cheap


@SCHEDULE_SETTINGS
@given(case=cases(), rounding=roundings)
def test_schedules_sum_exactly_to_the_total(
    case: tuple[PaymentTerm, Money, date], rounding: Rounding
) -> None:
    term, total, invoice_date = case
    schedule = term.schedule(total, invoice_date, rounding=rounding)
    assert schedule
    assert sum_money((i.amount for i in schedule), total.currency) == total


@SCHEDULE_SETTINGS
@given(case=cases(), rounding=roundings)
def test_installments_are_whole_minor_units_with_the_sign_of_the_total(
    case: tuple[PaymentTerm, Money, date], rounding: Rounding
) -> None:
    term, total, invoice_date = case
    for installment in term.schedule(total, invoice_date, rounding=rounding):
        amount = installment.amount
        assert amount.currency == total.currency
        assert amount.amount.as_tuple().exponent == -total.currency.minor_unit
        assert Money(amount.amount, amount.currency) == amount  # passes Money's own checks
        assert amount.amount * total.amount >= 0


@SCHEDULE_SETTINGS
@given(case=cases(), rounding=st.sampled_from(SYMMETRIC))
def test_a_credit_note_schedule_mirrors_the_invoice_schedule(
    case: tuple[PaymentTerm, Money, date], rounding: Rounding
) -> None:
    term, total, invoice_date = case
    invoice = term.schedule(total, invoice_date, rounding=rounding)
    credit = term.schedule(-total, invoice_date, rounding=rounding)
    assert [(i.due_date, -i.amount) for i in invoice] == [(c.due_date, c.amount) for c in credit]


@settings(deadline=None, max_examples=60)  # first lookup of a year builds its holidays
@given(
    case=cases(),
    country=st.sampled_from(["", "BE", "NL", "FR", "LU", "DE"]),
    convention=st.sampled_from(list(BusinessDayConvention)[1:]),
)
def test_adjusted_due_dates_are_business_days(
    case: tuple[PaymentTerm, Money, date], country: str, convention: BusinessDayConvention
) -> None:
    term, total, invoice_date = case
    calendar = BusinessCalendar(country)
    unadjusted = term.schedule(total, invoice_date)
    adjusted = term.schedule(total, invoice_date, calendar=calendar, convention=convention)
    for before, after in zip(unadjusted, adjusted, strict=True):
        assert calendar.is_business_day(after.due_date)
        assert abs((after.due_date - before.due_date).days) <= 10
        if convention is BusinessDayConvention.FOLLOWING:
            assert after.due_date >= before.due_date
        if convention is BusinessDayConvention.PRECEDING:
            assert after.due_date <= before.due_date
        if convention in (
            BusinessDayConvention.MODIFIED_FOLLOWING,
            BusinessDayConvention.MODIFIED_PRECEDING,
        ):
            assert after.due_date.month == before.due_date.month


principals = st.integers(0, 10**10).map(lambda units: Money.from_minor(units, "EUR"))
rates = st.decimals(min_value=Decimal(0), max_value=Decimal(40), places=3)
due_dates = st.dates(min_value=date(2022, 1, 1), max_value=date(2026, 6, 30))
delays = st.integers(-30, 1500)


@given(
    principal=principals,
    due=due_dates,
    delay=delays,
    extra=st.integers(0, 400),
    rate=rates,
    day_count=st.sampled_from(list(DayCount)),
    yearly=st.booleans(),
    rounding=roundings,
)
def test_interest_grows_weakly_with_days_and_is_zero_when_paid_on_time(
    principal: Money,
    due: date,
    delay: int,
    extra: int,
    rate: Decimal,
    day_count: DayCount,
    yearly: bool,
    rounding: Rounding,
) -> None:
    options = {
        "rate": rate,
        "day_count": day_count,
        "rounding": rounding,
        "capitalisation": "yearly" if yearly else "none",
    }
    sooner = late_interest(principal, due=due, paid=due + timedelta(days=delay), **options)  # type: ignore[arg-type]
    later = late_interest(principal, due=due, paid=due + timedelta(days=delay + extra), **options)  # type: ignore[arg-type]
    assert sooner.total <= later.total
    assert sooner.days == max(delay, 0)
    assert sum_money((p.interest for p in later.periods), "EUR") == later.total
    if delay <= 0:
        assert sooner.total.is_zero()


@given(
    principal=principals,
    due=due_dates,
    delay=st.integers(1, 1500),
    low=rates,
    more=rates,
    rounding=roundings,
)
def test_interest_grows_weakly_with_the_rate(
    principal: Money, due: date, delay: int, low: Decimal, more: Decimal, rounding: Rounding
) -> None:
    paid = due + timedelta(days=delay)
    cheap = late_interest(principal, due=due, paid=paid, rate=low, rounding=rounding)
    dear = late_interest(principal, due=due, paid=paid, rate=low + more, rounding=rounding)
    assert cheap.total <= dear.total


@settings(deadline=None)
@given(
    principal=principals,
    due=st.dates(min_value=date(2022, 1, 1), max_value=date(2025, 12, 1)),
    delay=st.integers(0, 400),
    jurisdiction=st.sampled_from(list(Jurisdiction)),
)
def test_statutory_interest_periods_never_cross_a_half_year(
    principal: Money, due: date, delay: int, jurisdiction: Jurisdiction
) -> None:
    paid = min(due + timedelta(days=delay), date(2026, 6, 30))
    result = statutory_interest(principal, due=due, paid=paid, jurisdiction=jurisdiction)
    for period in result.periods:
        assert (period.start.year, period.start.month <= 6) == (
            period.end.year,
            period.end.month <= 6,
        )
        assert period.days == (period.end - period.start).days + 1
    assert result.days == max((paid - due).days, 0)


positive_eur = st.integers(1, 10**11).map(lambda units: Money.from_minor(units, "EUR"))


@given(principal=positive_eur, other=positive_eur, vat=st.sampled_from([0, 9, 21]))
def test_wik_costs_stay_within_the_statutory_minimum_and_maximum(
    principal: Money, other: Money, vat: int
) -> None:
    fee = wik_collection_costs(principal, vat_percent=vat)
    assert Money("40.00", "EUR") <= fee.amount <= Money("6775.00", "EUR")
    assert fee.amount <= max(principal.multiply(Decimal("0.15")), Money("40.00", "EUR"))
    low, high = sorted([principal, other])
    assert wik_collection_costs(low).amount <= wik_collection_costs(high).amount


@given(balance=positive_eur, other=positive_eur)
def test_belgian_consumer_damages_stay_within_the_caps(balance: Money, other: Money) -> None:
    cap = belgian_consumer_damages_cap(balance)
    assert Money("20.00", "EUR") <= cap <= Money("2000.00", "EUR")
    low, high = sorted([balance, other])
    assert belgian_consumer_damages_cap(low) <= belgian_consumer_damages_cap(high)


@given(principal=positive_eur, country=st.sampled_from(["BE", "NL", "FR", "DE", "LU"]))
def test_business_compensation_is_at_least_forty_euro_and_bounded(
    principal: Money, country: str
) -> None:
    fee = fee_policy(country).collection_fee(principal, debtor=DebtorKind.BUSINESS)
    assert Money("40.00", "EUR") <= fee.amount <= Money("6775.00", "EUR")


@given(
    currency=currencies,
    data=st.data(),
    count=st.integers(1, 12),
)
def test_allocation_over_lines_never_loses_a_minor_unit(
    currency: Currency, data: st.DataObject, count: int
) -> None:
    amount = data.draw(money_in(currency, -(10**9), 10**9))
    lines = data.draw(
        st.lists(money_in(currency, -(10**9), 10**9), min_size=count, max_size=count).filter(
            lambda ls: any(not m.is_zero() for m in ls)
        )
    )
    shares = allocate_over_lines(amount, lines)
    assert sum_money(shares, currency) == amount
    assert len(shares) == len(lines)


@given(
    net=st.integers(-(10**9), 10**9).map(lambda u: Money.from_minor(u, "EUR")),
    vat=st.sampled_from([0, 6, 9, 21, Decimal("5.5")]),
    percent=st.decimals(min_value=Decimal("0.1"), max_value=Decimal(10), places=1),
    treatment=st.sampled_from(list(DiscountVatTreatment)),
)
def test_discount_totals_are_consistent(
    net: Money, vat: int | Decimal, percent: Decimal, treatment: DiscountVatTreatment
) -> None:
    totals = cash_discount_totals(
        net, vat, CashDiscount(percent, 10), invoice_date=date(2025, 1, 1), treatment=treatment
    )
    assert totals.payable_without_discount - totals.payable_with_discount == (
        totals.discount
        if treatment is not DiscountVatTreatment.DISCOUNTED_BASE_UNLESS_LATE
        else totals.discount + (totals.vat_without_discount - totals.vat_with_discount)
    )
    assert abs(totals.payable_with_discount) <= abs(totals.payable_without_discount)
