"""``app.kpi`` on small books whose KPIs are worked out by hand (in-memory backend).

Books (gross amounts, 21 % VAT):

* 5 Jan: invoice A1 to Alpha (retail), 1 210.00, net 30 -> due 4 Feb;
  invoice B1 to Bravo (horeca), 605.00, net 14 -> due 19 Jan;
* 20 Jan: Bravo pays B1 (1 day late);
* 2 Feb: invoice A2 to Alpha, 2 420.00, net 30 -> due 4 Mar;
* 10 Feb: Alpha pays A1 (6 days late).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from s2c_core import S2C, FixedClock, Line, LineItem, Money, ValidationError
from s2c_core.entities import ProductId
from s2c_core.kpi import AgingReport, Period, aging_report
from s2c_core.kpi.port import ReportingQueries
from s2c_core.services._reporting import RepositoryReporting

EUR = "EUR"


def _at(clock: FixedClock, day: date) -> None:
    clock.set(datetime.combine(day, datetime.min.time(), UTC).replace(hour=9))


def _invoice(app: S2C, customer_id: str, net: str, term: str) -> str:
    line = Line(
        ProductId("consult"),
        "Consulting",
        Decimal(1),
        Money(net, EUR),
        cost=Money(Decimal(net) / 2, EUR),
    )
    return app.invoices.create(customer_id, [line], payment_term=term).id


def _pay(app: S2C, invoice_id: str, day: date) -> None:
    invoice = app.invoices.get(invoice_id)
    payment = app.payments.record(
        invoice.open_amount, received_on=day, customer_id=invoice.customer_id, auto_apply=False
    )
    app.payments.allocate(payment.id, [(invoice_id, invoice.open_amount)])


@pytest.fixture
def books(app: S2C, clock: FixedClock) -> dict[str, str]:
    alpha = app.customers.register("Alpha", segment="retail").id
    bravo = app.customers.register("Bravo", segment="horeca").id
    _at(clock, date(2026, 1, 5))
    a1 = _invoice(app, alpha, "1000.00", "net30")
    b1 = _invoice(app, bravo, "500.00", "net14")
    _at(clock, date(2026, 1, 20))
    _pay(app, b1, date(2026, 1, 20))
    _at(clock, date(2026, 2, 2))
    a2 = _invoice(app, alpha, "2000.00", "net30")
    _at(clock, date(2026, 2, 10))
    _pay(app, a1, date(2026, 2, 10))
    _at(clock, date(2026, 3, 2))
    return {"alpha": alpha, "bravo": bravo, "a1": a1, "b1": b1, "a2": a2}


def test_memory_storage_uses_the_repository_reporting(app: S2C) -> None:
    assert isinstance(app.kpi.reporting, RepositoryReporting)
    assert isinstance(app.kpi.reporting, ReportingQueries)


def test_dso_of_february_is_ending_receivables_over_sales_times_days(
    app: S2C, books: dict[str, str]
) -> None:
    february = Period.month(2026, 2)
    assert app.kpi.dso(february) == Decimal("28.0")  # 2 420 / 2 420 x 28
    assert app.kpi.best_possible_dso(february) == Decimal("28.0")  # A2 is not yet due
    assert app.kpi.add(february) == Decimal("0.0")
    assert app.kpi.dso(Period.month(2026, 1)) == Decimal("20.7")  # 1 210 / 1 815 x 31
    # average: ((1 210 + 2 420) / 2) / 2 420 x 28 = 21.0
    assert app.kpi.dso(february, method="average") == Decimal("21.0")
    # countback from 2 420 at 28 Feb: February's sales cover it, 2 420 / 2 420 x 28 days
    assert app.kpi.dso(february, method="countback") == Decimal("28.0")


def test_dso_without_sales_is_refused_and_unknown_methods_too(
    app: S2C, books: dict[str, str]
) -> None:
    with pytest.raises(ValidationError):
        app.kpi.dso(Period.month(2025, 12))
    with pytest.raises(ValidationError):
        app.kpi.dso(Period.month(2026, 2), method="magic")  # type: ignore[arg-type]


def test_cei_of_february_collected_everything_collectible(app: S2C, books: dict[str, str]) -> None:
    report = app.kpi.cei(Period.month(2026, 2))
    assert report.beginning_receivables == Money("1210.00", EUR)
    assert report.credit_sales == Money("2420.00", EUR)
    assert report.ending_total_receivables == Money("2420.00", EUR)
    assert report.ending_current_receivables == Money("2420.00", EUR)
    assert report.cei == Decimal("100.00")


def test_aging_in_the_past_uses_the_payments_dated_up_to_then(
    app: S2C, books: dict[str, str]
) -> None:
    past = app.kpi.aging(date(2026, 2, 5))
    amounts = {b.label: b.amount for b in past.buckets}
    assert amounts["current"] == Money("2420.00", EUR)
    assert amounts["1-30"] == Money("1210.00", EUR)  # A1, one day past due, paid 10 Feb
    assert past.total == Money("3630.00", EUR)
    today = app.kpi.aging()
    assert today.total == Money("2420.00", EUR)
    by_invoice_date = app.kpi.aging(date(2026, 2, 5), basis="invoice_date", edges=(7, 30))
    assert [(b.label, b.count) for b in by_invoice_date.buckets] == [
        ("up to 7", 1),
        ("8-30", 0),
        ("30+", 1),  # A1 was issued 31 days before
    ]


def test_allowance_applies_percentages_to_the_buckets(app: S2C, books: dict[str, str]) -> None:
    allowance = app.kpi.allowance([1, 5, 20, 40, 80], date(2026, 2, 5))
    assert allowance.total == Money("84.70", EUR)  # 2 420 x 1 % + 1 210 x 5 %


def test_dso_drivers_name_alpha_as_the_customer_who_moved_dso(
    app: S2C, books: dict[str, str]
) -> None:
    report = app.kpi.dso_drivers(Period.month(2026, 1), Period.month(2026, 2))
    assert (report.dso_before, report.dso_after) == (Decimal("20.7"), Decimal("28.0"))
    assert report.customers[0].customer_id == books["alpha"]
    assert sum(c.contribution for c in report.customers) == report.change


def test_payment_behaviour_and_credit_policy_by_segment(app: S2C, books: dict[str, str]) -> None:
    quarter = Period(date(2026, 1, 1), date(2026, 3, 2))
    rows = {r.key: r for r in app.kpi.payment_behaviour(quarter)}
    assert rows["horeca"].average_days_late == Decimal("1.0")
    assert rows["retail"].average_days_late == Decimal("6.0")
    policy = {r.customer_id: r for r in app.kpi.credit_policy_vs_actual(quarter)}
    assert policy[books["alpha"]].granted_days == Decimal("30.0")
    assert policy[books["alpha"]].actual_days == Decimal("36.0")
    by_customer = app.kpi.payment_behaviour(quarter, by="customer")
    assert {r.key for r in by_customer} == {books["alpha"], books["bravo"]}


def test_cash_forecast_expects_a2_when_alpha_usually_pays(app: S2C, books: dict[str, str]) -> None:
    forecast = app.kpi.cash_forecast(weeks=4, min_payments=1)
    (line,) = forecast.lines
    assert line.invoice_id == books["a2"]
    assert line.basis == "customer"
    assert line.expected_date == date(2026, 3, 10)  # due 4 Mar + 6 days late
    assert forecast.total_open == Money("2420.00", EUR)
    assert sum((w.expected for w in forecast.weeks), Money.zero(EUR)) == forecast.total_open


def test_margins_use_the_net_amounts_and_line_costs(app: S2C, books: dict[str, str]) -> None:
    report = app.kpi.margins(Period(date(2026, 1, 1), date(2026, 2, 28)))
    assert report.revenue == Money("3500.00", EUR)
    assert report.cost == Money("1750.00", EUR)
    assert report.gross_margin_percent == Decimal("50.00")


def test_write_off_is_bad_debt_of_its_month_and_ages_out(
    app: S2C, clock: FixedClock, books: dict[str, str]
) -> None:
    _at(clock, date(2026, 4, 20))
    app.receivables.write_off(books["a2"], reason="bankrupt")
    april = app.kpi.bad_debt(Period.month(2026, 4))
    assert april.written_off == Money("2420.00", EUR)
    assert april.bad_debt_ratio is None  # no sales in April
    assert app.kpi.bad_debt(Period.month(2026, 3)).written_off == Money.zero(EUR)
    assert app.kpi.aging(date(2026, 4, 19)).total == Money("2420.00", EUR)
    assert app.kpi.aging(date(2026, 4, 20)).total == Money.zero(EUR)


def test_dispute_rate_counts_the_disputed_invoices_of_the_period(
    app: S2C, books: dict[str, str]
) -> None:
    app.receivables.open_dispute(books["a2"], reason="wrong rate")
    report = app.kpi.dispute_rate(Period.month(2026, 2))
    assert (report.invoices, report.disputed_invoices) == (1, 1)
    assert report.amount_rate == Decimal("100.00")


def test_credit_note_settles_its_invoice_on_its_issue_date(
    app: S2C, clock: FixedClock, books: dict[str, str]
) -> None:
    _at(clock, date(2026, 3, 3))
    app.invoices.credit_note(books["a2"], reason="returned")
    assert app.kpi.aging(date(2026, 3, 2)).total == Money("2420.00", EUR)
    assert app.kpi.aging(date(2026, 3, 3)).total == Money.zero(EUR)
    march = Period(date(2026, 3, 1), date(2026, 3, 3))
    assert app.kpi.dso_inputs(march).credit_sales == Money("-2420.00", EUR)


def test_the_whole_chain_gives_funnel_cycle_times_and_fulfilment(
    app: S2C, clock: FixedClock
) -> None:
    start = date(2026, 3, 2)
    _at(clock, start)
    lead = app.leads.capture("Sofie", company="Café De Hoek", source="fair")
    app.leads.capture("Tire-kicker")
    app.leads.qualify(lead.id)
    customer, quote = app.leads.convert(lead.id, [LineItem("beer", 4)])
    _at(clock, start + timedelta(days=2))
    app.quotes.send(quote.id)
    _at(clock, start + timedelta(days=4))
    order = app.quotes.accept(quote.id)
    _at(clock, start + timedelta(days=6))
    shipment = app.orders.ship(order.id, promised_date=start + timedelta(days=8))
    _at(clock, start + timedelta(days=7))
    app.orders.deliver(shipment.id)
    _at(clock, start + timedelta(days=20))
    (invoice,) = app.invoices.list(customer_id=customer.id)
    app.payments.record(
        invoice.total, received_on=clock.today(), reference=invoice.payment_reference
    )
    march = Period.month(2026, 3)
    funnel = app.kpi.funnel(march)
    assert (funnel.leads, funnel.quotes, funnel.orders, funnel.paid) == (2, 1, 1, 1)
    assert funnel.lead_to_quote == Decimal("50.00")
    cohort = app.kpi.funnel(march, basis="leads")
    assert (cohort.leads, cohort.quotes, cohort.orders, cohort.paid) == (2, 1, 1, 1)
    assert cohort.lead_to_cash == Decimal("50.00")
    with pytest.raises(ValidationError):
        app.kpi.funnel(march, basis="magic")
    times = {(t.from_stage, t.to_stage): t.median_days for t in app.kpi.cycle_times()}
    assert times[("lead", "quote")] == Decimal("2.0")
    assert times[("quote", "order")] == Decimal("2.0")
    assert times[("order", "shipment")] == Decimal("2.0")
    assert times[("shipment", "invoice")] == Decimal("0.0")
    assert times[("invoice", "cash")] == Decimal("14.0")
    assert times[("lead", "cash")] == Decimal("20.0")
    by_case = {(t.from_stage, t.to_stage): t for t in app.kpi.cycle_times(by="case")}
    assert by_case[("lead", "cash")].cases == 1
    assert by_case[("lead", "cash")].median_days == Decimal("20.0")
    with pytest.raises(ValidationError):
        app.kpi.cycle_times(by="magic")
    fulfilment = app.kpi.fulfilment(march)
    assert (fulfilment.orders, fulfilment.perfect_order_rate) == (1, Decimal("100.00"))
    assert app.kpi.fulfilment(Period.month(2026, 2)).orders == 0


def test_delivery_errors_and_lateness_break_perfect_orders(app: S2C, clock: FixedClock) -> None:
    customer = app.customers.register("Café")
    _at(clock, date(2026, 3, 2))
    first = app.orders.create(customer.id, [LineItem("beer", 2)])
    second = app.orders.create(customer.id, [LineItem("beer", 2)])
    late = app.orders.ship(first.id, promised_date=date(2026, 3, 3))
    damaged = app.orders.ship(second.id)
    _at(clock, date(2026, 3, 5))
    app.orders.deliver(late.id)
    app.orders.deliver(damaged.id, error="damaged")
    report = app.kpi.fulfilment(Period.month(2026, 3))
    assert (report.orders, report.perfect_orders) == (2, 0)
    assert report.on_time_rate == Decimal("50.00")
    assert report.damage_free_rate == Decimal("50.00")
    per_order = {(t.from_stage, t.to_stage): t.cases for t in app.kpi.cycle_times()}
    per_customer = {(t.from_stage, t.to_stage): t.cases for t in app.kpi.cycle_times(by="case")}
    assert (per_order[("order", "shipment")], per_customer[("order", "shipment")]) == (2, 1)


def test_report_is_json_safe_with_amounts_as_decimal_strings(
    app: S2C, books: dict[str, str]
) -> None:
    report = app.kpi.report(
        date(2026, 2, 28), Period.month(2026, 2), Period.month(2026, 1), trend_months=3
    )
    data = json.loads(report.to_json())
    assert data["kind"] == "s2c.kpi-report"
    assert data["currency"] == EUR
    assert data["dso"]["dso"] == "28.0"
    assert data["dso_previous"]["dso"] == "20.7"
    assert data["aging"]["total"] == "2420.00"
    assert data["cei"]["cei"] == "100.00"
    assert [p["period"]["start"] for p in data["dso_trend"]] == [
        "2025-12-01",
        "2026-01-01",
        "2026-02-01",
    ]
    assert data["dso_trend"][0]["dso"] is None
    assert data["dso_trend"][2]["change"] == "7.3"
    assert data["drivers"]["customers"][0]["customer_id"] == books["alpha"]
    assert data["forecast"]["lines"] == []
    assert data["largest_balances"][0]["receivables"] == "2420.00"
    assert data["company"] == "Groothandel Peeters BV"


def test_report_defaults_cover_the_quarter_to_date(app: S2C, books: dict[str, str]) -> None:
    report = app.kpi.report()
    assert report.as_of == date(2026, 3, 2)
    assert report.period == Period(date(2026, 1, 1), date(2026, 3, 2))
    assert report.previous_period.end == date(2025, 12, 31)
    assert report.previous_period.days == report.period.days
    assert report.dso_previous is None
    assert report.drivers is None


def test_a_storage_with_its_own_reporting_is_asked_first(app: S2C) -> None:
    class Reporting(RepositoryReporting):
        calls = 0

        def aging(self, *args: object, **kwargs: object) -> AgingReport:
            Reporting.calls += 1
            return super().aging(*args, **kwargs)  # type: ignore[arg-type]

    class WithReporting:
        def __init__(self, inner: object) -> None:
            self._inner = inner
            self.reporting = Reporting(inner)  # type: ignore[arg-type]

        def __getattr__(self, name: str) -> object:
            return getattr(self._inner, name)

    app.ctx.storage = WithReporting(app.storage)  # type: ignore[assignment]
    assert app.kpi.aging() == aging_report([], as_of=date(2026, 3, 2), currency=EUR)
    assert Reporting.calls == 1
