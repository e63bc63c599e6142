"""DSO driver analysis, payment behaviour, credit policy vs actual and the cash forecast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.kpi import (
    CustomerBalance,
    DsoSnapshot,
    InvoiceFact,
    PaymentFact,
    Period,
    cash_forecast,
    credit_policy_vs_actual,
    dso_drivers,
    dso_snapshot,
    lateness_profile,
    payment_behaviour,
)
from s2c_core.money import Money


def eur(value: int | str) -> Money:
    return Money(value, "EUR")


def invoice(
    number: str,
    customer: str,
    segment: str,
    issued: date,
    due: date,
    amount: int,
    *payments: tuple[date, int],
) -> InvoiceFact:
    return InvoiceFact(
        number,
        customer,
        segment,
        "EUR",
        issued,
        due,
        eur(amount),
        paid=[PaymentFact(d, eur(a)) for d, a in payments],
    )


# -- DSO drivers ------------------------------------------------------------------------------


def test_driver_analysis_splits_the_change_by_customer_segment_and_effect() -> None:
    """Hand-worked: period 1 sales 1 000 over 30 days, A 200 and B 300 open (DSO 15.0);
    period 2 sales 800 over 31 days, A 400 and C 100 open (DSO 19.4), change +4.4.

    A: 400 x 31/800 - 200 x 30/1000 = 15.5 - 6.0 = 9.5 (receivables effect 200 x 0.03 = 6.0,
    sales effect 400 x (0.03875 - 0.03) = 3.5); B: 0 - 9.0 = -9.0; C: 3.875 - 0 = 3.875,
    printed 3.9 so that 9.5 - 9.0 + 3.9 = 4.4."""
    before = DsoSnapshot(
        eur(1000),
        30,
        [CustomerBalance("A", "retail", eur(200)), CustomerBalance("B", "retail", eur(300))],
    )
    after = DsoSnapshot(
        eur(800),
        31,
        [CustomerBalance("A", "retail", eur(400)), CustomerBalance("C", "export", eur(100))],
    )
    report = dso_drivers(before, after)
    assert (report.dso_before, report.dso_after, report.change) == (
        Decimal("15.0"),
        Decimal("19.4"),
        Decimal("4.4"),
    )
    rows = {r.customer_id: r for r in report.customers}
    assert rows["A"].contribution == Decimal("9.5")
    assert (rows["A"].receivables_effect, rows["A"].sales_effect) == (
        Decimal("6.0"),
        Decimal("3.5"),
    )
    assert rows["B"].contribution == Decimal("-9.0")
    assert rows["B"].receivables_after == eur(0)
    assert rows["C"].contribution == Decimal("3.9")
    assert [r.customer_id for r in report.customers] == ["A", "B", "C"]
    assert sum(r.contribution for r in report.customers) == report.change
    segments = {s.segment: s for s in report.segments}
    assert segments["retail"].contribution == Decimal("0.5")
    assert segments["retail"].customers == 2
    assert segments["export"].contribution == Decimal("3.9")
    assert report.receivables_effect + report.sales_effect == report.change


def test_driver_snapshot_from_invoice_facts() -> None:
    facts = [
        invoice("1", "A", "retail", date(2024, 1, 5), date(2024, 2, 4), 300),
        invoice("2", "A", "export", date(2024, 1, 20), date(2024, 2, 19), 100),
        invoice(
            "3", "B", "retail", date(2024, 1, 7), date(2024, 2, 6), 200, (date(2024, 1, 9), 200)
        ),
    ]
    snap = dso_snapshot(facts, Period.month(2024, 1), currency="EUR")
    assert snap.credit_sales == eur(600)
    assert snap.balances == (CustomerBalance("A", "export", eur(400)),)
    assert snap.dso == Decimal("20.7")


def test_driver_snapshots_refuse_bad_input() -> None:
    with pytest.raises(ValidationError):
        DsoSnapshot(eur(0), 30, [])
    with pytest.raises(ValidationError):
        DsoSnapshot(
            eur(1), 30, [CustomerBalance("A", "x", eur(1)), CustomerBalance("A", "y", eur(1))]
        )
    with pytest.raises(CurrencyMismatchError):
        dso_drivers(DsoSnapshot(eur(1), 30, []), DsoSnapshot(Money(1, "USD"), 30, []))


# -- payment behaviour ------------------------------------------------------------------------

JAN = Period.month(2024, 1)


def test_payment_behaviour_by_segment_is_weighted_by_amount() -> None:
    facts = [
        # retail: 300 paid 10 days late, 100 paid 2 days early -> (3000 - 200) / 400 = 7.0
        invoice(
            "1", "A", "retail", date(2023, 12, 1), date(2024, 1, 5), 300, (date(2024, 1, 15), 300)
        ),
        invoice(
            "2", "B", "retail", date(2024, 1, 2), date(2024, 1, 20), 100, (date(2024, 1, 18), 100)
        ),
        # export: paid on the due date, and 50 written off
        invoice(
            "3", "C", "export", date(2024, 1, 2), date(2024, 1, 10), 200, (date(2024, 1, 10), 150)
        ),
        # a February payment is outside the period
        invoice(
            "4", "C", "export", date(2024, 1, 3), date(2024, 1, 10), 80, (date(2024, 2, 1), 80)
        ),
    ]
    facts[2] = InvoiceFact(
        "3",
        "C",
        "export",
        "EUR",
        date(2024, 1, 2),
        date(2024, 1, 10),
        eur(200),
        paid=[PaymentFact(date(2024, 1, 10), eur(150))],
        written_off=eur(50),
        written_off_date=date(2024, 1, 31),
    )
    rows = {r.key: r for r in payment_behaviour(facts, JAN, currency="EUR")}
    retail, export = rows["retail"], rows["export"]
    assert (retail.payments, retail.paid) == (2, eur(400))
    assert retail.average_days_late == Decimal("7.0")
    assert retail.share_paid_late == Decimal("75.00")
    assert retail.invoiced == eur(100)
    assert retail.write_off_rate == Decimal("0.00")
    assert export.average_days_late == Decimal("0.0")
    assert export.share_paid_late == Decimal("0.00")
    assert export.invoiced == eur(280)
    assert export.written_off == eur(50)
    assert export.write_off_rate == Decimal("17.86")


def test_payment_behaviour_by_customer() -> None:
    facts = [
        invoice("1", "A", "retail", date(2024, 1, 1), date(2024, 1, 5), 10, (date(2024, 1, 8), 10))
    ]
    rows = payment_behaviour(facts, JAN, currency="EUR", by="customer")
    assert [(r.key, r.average_days_late) for r in rows] == [("A", Decimal("3.0"))]


def test_credit_policy_vs_actual_per_customer() -> None:
    facts = [
        # A: 30-day terms; 100 paid after 40 days, 300 after 50 days -> actual 47.5, excess 17.5
        invoice(
            "1", "A", "retail", date(2023, 12, 1), date(2023, 12, 31), 100, (date(2024, 1, 10), 100)
        ),
        invoice(
            "2", "A", "retail", date(2023, 12, 1), date(2023, 12, 31), 300, (date(2024, 1, 20), 300)
        ),
        # B: 14-day terms paid in 10 days
        invoice(
            "3", "B", "export", date(2024, 1, 1), date(2024, 1, 15), 50, (date(2024, 1, 11), 50)
        ),
    ]
    rows = credit_policy_vs_actual(facts, JAN, currency="EUR")
    assert [(r.customer_id, r.granted_days, r.actual_days, r.excess_days) for r in rows] == [
        ("A", Decimal("30.0"), Decimal("47.5"), Decimal("17.5")),
        ("B", Decimal("14.0"), Decimal("10.0"), Decimal("-4.0")),
    ]
    overridden = credit_policy_vs_actual(facts, JAN, currency="EUR", granted_terms={"A": 45})
    assert overridden[0].granted_days == Decimal("45.0")
    assert overridden[0].paid == eur(400)


# -- lateness and forecast --------------------------------------------------------------------


def paid_late(
    number: str, customer: str, segment: str, days_late: int, amount: int = 100
) -> InvoiceFact:
    due = date(2024, 1, 31)
    return invoice(
        number,
        customer,
        segment,
        date(2024, 1, 1),
        due,
        amount,
        (due + timedelta(days=days_late), amount),
    )


def test_lateness_falls_back_from_customer_to_segment_to_everyone() -> None:
    history = [
        *(paid_late(f"A{i}", "A", "retail", d) for i, d in enumerate((10, 20, 30))),
        paid_late("B0", "B", "retail", 0),
        *(paid_late(f"C{i}", "C", "export", 1) for i in range(2)),
    ]
    profile = lateness_profile(history, as_of=date(2024, 6, 1), currency="EUR")
    basis, stats = profile.lookup("A", "retail")
    assert basis == "customer"
    assert stats is not None
    assert stats.mean_days == Decimal(20)
    assert stats.p10_days == Decimal(12)
    assert stats.p90_days == Decimal(28)
    assert profile.lookup("B", "retail")[0] == "segment"
    assert profile.lookup("C", "export")[0] == "overall"
    empty = lateness_profile([], as_of=date(2024, 6, 1), currency="EUR")
    assert empty.lookup("A", "retail") == ("none", None)


def test_lateness_ignores_payments_after_the_as_of_date() -> None:
    history = [paid_late("A0", "A", "retail", 10)]
    profile = lateness_profile(history, as_of=date(2024, 2, 9), currency="EUR", min_payments=1)
    assert profile.overall is None


def test_cash_forecast_places_invoices_in_iso_weeks_with_bands() -> None:
    history = [paid_late(f"A{i}", "A", "retail", d) for i, d in enumerate((7, 14, 21))]
    as_of = date(2024, 3, 6)  # a Wednesday in ISO week 10
    open_invoices = [
        invoice("O1", "A", "retail", date(2024, 3, 1), date(2024, 3, 4), 100),  # +14 -> Mar 18
        invoice("O2", "Z", "none", date(2024, 1, 1), date(2024, 1, 10), 50),  # +14 -> past
        invoice("O3", "A", "retail", date(2024, 3, 1), date(2024, 5, 31), 70),  # beyond
        # paid on the as-of day, 14 days late: teaches lateness, is no longer open
        invoice("O4", "Q", "retail", date(2024, 2, 1), date(2024, 2, 21), 30, (as_of, 30)),
    ]
    forecast = cash_forecast([*history, *open_invoices], as_of=as_of, weeks=4, currency="EUR")
    assert [(w.iso_year, w.iso_week, w.week_start) for w in forecast.weeks] == [
        (2024, 10, date(2024, 3, 4)),
        (2024, 11, date(2024, 3, 11)),
        (2024, 12, date(2024, 3, 18)),
        (2024, 13, date(2024, 3, 25)),
    ]
    assert [w.expected for w in forecast.weeks] == [eur(50), eur(0), eur(100), eur(0)]
    assert forecast.beyond_expected == eur(70)
    assert forecast.total_open == eur(220)
    line = next(li for li in forecast.lines if li.invoice_id == "O1")
    assert (line.expected_date, line.early_date, line.late_date) == (
        date(2024, 3, 18),
        date(2024, 3, 12),  # p10 = 8.4 -> 8 days
        date(2024, 3, 24),  # p90 = 19.6 -> 20 days
    )
    assert line.basis == "customer"
    assert {li.invoice_id for li in forecast.lines} == {"O1", "O2", "O3"}
    assert [w.early for w in forecast.weeks] == [eur(50), eur(100), eur(0), eur(0)]
    assert [w.late for w in forecast.weeks] == [eur(50), eur(0), eur(100), eur(0)]


def test_forecast_needs_at_least_one_week() -> None:
    with pytest.raises(ValidationError):
        cash_forecast([], as_of=date(2024, 1, 1), weeks=0, currency="EUR")
