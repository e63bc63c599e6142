"""Funnel conversion, stage cycle times, perfect orders and disputes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import date as day
from decimal import Decimal

import pytest

from s2c_core.errors import ValidationError
from s2c_core.kpi import (
    InvoiceFact,
    OrderFulfilmentFact,
    Period,
    StageEvent,
    dispute_report,
    fulfilment_report,
    funnel_conversion,
    perfect_order_index,
    quote_to_order_ratio,
    stage_cycle_times,
)
from s2c_core.money import Money

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_funnel_conversion_from_counts_and_ids() -> None:
    report = funnel_conversion(
        leads=["L1", "L2", "L3", "L4", "L4"], quotes={"Q1", "Q2"}, orders=["O1"], paid=1
    )
    assert (report.leads, report.quotes, report.orders, report.paid) == (4, 2, 1, 1)
    assert report.lead_to_quote == Decimal("50.00")
    assert report.quote_to_order == Decimal("50.00")
    assert report.order_to_cash == Decimal("100.00")
    assert report.lead_to_cash == Decimal("25.00")


def test_funnel_without_leads_has_undefined_rates() -> None:
    report = funnel_conversion(leads=0, quotes=0, orders=0, paid=0)
    assert report.lead_to_quote is None
    assert report.lead_to_cash is None


@pytest.mark.parametrize("leads", [-1, True, "L1"])
def test_funnel_refuses_bad_counts(leads: object) -> None:
    with pytest.raises(ValidationError):
        funnel_conversion(leads=leads, quotes=0, orders=0, paid=0)  # type: ignore[arg-type]


def test_quote_to_order_ratio() -> None:
    assert quote_to_order_ratio(3, 1) == Decimal("33.33")
    with pytest.raises(ValidationError):
        quote_to_order_ratio(0, 0)


def test_stage_cycle_times_median_and_p90() -> None:
    log: list[StageEvent | tuple[str, str, datetime]] = []
    for i, days in enumerate((1, 2, 3, 4, 10)):
        log.append((f"case{i}", "lead", at(0)))
        log.append(StageEvent(f"case{i}", "quote", at(days)))
    log.append(("case0", "quote", at(50)))  # a later repeat: the first time counts
    log.append(("case9", "quote", at(1)))  # never a lead
    log.append(("case0", "unknown", at(2)))
    rows = stage_cycle_times(log, stages=("lead", "quote", "order"))
    lead_quote, quote_order, end_to_end = rows
    assert (lead_quote.from_stage, lead_quote.to_stage, lead_quote.cases) == ("lead", "quote", 5)
    assert lead_quote.median_days == Decimal("3.0")
    assert lead_quote.p90_days == Decimal("7.6")  # 4 + 0.6 x (10 - 4)
    assert lead_quote.mean_days == Decimal("4.0")
    assert quote_order.cases == 0
    assert quote_order.median_days is None
    assert (end_to_end.from_stage, end_to_end.to_stage) == ("lead", "order")


def test_stage_cycle_times_default_chain_and_out_of_order_events() -> None:
    log = [
        ("A", "lead", at(0)),
        ("A", "quote", at(0.5)),
        ("A", "order", at(2)),
        ("A", "shipment", at(4)),
        ("A", "invoice", at(4)),
        ("A", "cash", at(34)),
        ("B", "order", at(1)),
        ("B", "shipment", at(0)),  # before its order: not measured
    ]
    rows = stage_cycle_times(log)
    assert [(r.from_stage, r.to_stage) for r in rows][-1] == ("lead", "cash")
    by_pair = {(r.from_stage, r.to_stage): r for r in rows}
    assert by_pair["lead", "quote"].median_days == Decimal("0.5")
    assert by_pair["order", "shipment"].cases == 1
    assert by_pair["invoice", "cash"].median_days == Decimal("30.0")
    assert by_pair["lead", "cash"].median_days == Decimal("34.0")


def test_stage_events_need_aware_timestamps_and_distinct_stages() -> None:
    with pytest.raises(ValidationError):
        StageEvent("A", "lead", datetime(2024, 1, 1))
    with pytest.raises(ValidationError):
        stage_cycle_times([], stages=("lead",))
    with pytest.raises(ValidationError):
        stage_cycle_times([], stages=("lead", "lead"))


def test_perfect_order_rate_counts_orders_meeting_all_four_criteria() -> None:
    facts = [
        OrderFulfilmentFact("1", True, True, True, True),
        OrderFulfilmentFact("2", False, False, True, True),
        OrderFulfilmentFact("3", True, True, False, True),
        OrderFulfilmentFact("4", True, True, True, True),
        OrderFulfilmentFact("5", True, True, True, False),
    ]
    report = fulfilment_report(facts)
    assert (report.orders, report.perfect_orders) == (5, 2)
    assert report.perfect_order_rate == Decimal("40.00")
    assert report.fulfilment_error_rate == Decimal("60.00")
    assert report.on_time_rate == Decimal("80.00")
    assert report.complete_rate == Decimal("80.00")
    assert report.damage_free_rate == Decimal("80.00")
    assert report.documentation_rate == Decimal("80.00")
    assert fulfilment_report([]).perfect_order_rate is None


def test_apqc_perfect_order_index_example() -> None:
    """APQC "Perfect order performance": .98 x .97 x .99 x .82 = 0.7716... (77.17 half up)."""
    assert perfect_order_index("98", 97, Decimal(99), 82) == Decimal("77.17")
    assert perfect_order_index(100, 100, 100, 100) == Decimal("100.00")
    with pytest.raises(ValidationError):
        perfect_order_index(101, 100, 100, 100)


def test_dispute_rate_by_count_and_amount() -> None:
    def invoice(n: str, amount: int, disputed: int, issued: day = day(2024, 1, 10)) -> InvoiceFact:
        return InvoiceFact(
            n,
            "C",
            "s",
            "EUR",
            issued,
            issued,
            Money(amount, "EUR"),
            disputed=Money(disputed, "EUR"),
        )

    facts = [
        invoice("1", 100, 0),
        invoice("2", 300, 150),
        invoice("3", 400, 0),
        invoice("4", 200, 10),
        invoice("cn", -50, 0),
        invoice("old", 999, 999, day(2023, 12, 31)),
    ]
    report = dispute_report(facts, Period.month(2024, 1), currency="EUR")
    assert (report.invoices, report.disputed_invoices) == (4, 2)
    assert report.invoice_rate == Decimal("50.00")
    assert report.invoiced == Money(1000, "EUR")
    assert report.disputed == Money(160, "EUR")
    assert report.amount_rate == Decimal("16.00")
