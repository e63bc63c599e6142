"""The sales funnel: conversion counts, stage cycle times, perfect orders and disputes.

* **Conversion** (lead -> quote -> order -> cash): each stage's count over the previous one's,
  in percent; the quote-to-order ratio is orders won / quotes sent x 100.
* **Stage cycle times** from an event log of ``(case_id, stage, timestamp)``: for each case the
  first time it reached each stage; for each consecutive pair of stages the elapsed days of the
  cases that reached both (in order), summarised by median and 90th percentile (type-7
  interpolation, see [percentile][s2c_core.kpi.rounding.percentile]) and mean, to 0.1 day.
* **Perfect order rate** (SCOR "perfect order fulfilment"): orders delivered on time, complete,
  damage free and with accurate documentation / all orders x 100; the **fulfilment error
  rate** is its complement. APQC's *perfect order index* multiplies the four component rates
  instead ([perfect_order_index][s2c_core.kpi.funnel.perfect_order_index]); it ignores that one
  order can fail several criteria, so it is offered separately.
* **Dispute rate**: invoices (and invoiced amount) of a period with an amount under dispute,
  over all invoices of the period.

Examples:
    >>> r = funnel_conversion(leads=200, quotes=80, orders=20, paid=18)
    >>> r.lead_to_quote, r.quote_to_order, r.order_to_cash, r.lead_to_cash
    (Decimal('40.00'), Decimal('25.00'), Decimal('90.00'), Decimal('9.00'))
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from attrs import frozen

from s2c_core.errors import ValidationError
from s2c_core.kpi.facts import InvoiceFact, OrderFulfilmentFact, Period, StageEvent
from s2c_core.kpi.rounding import percentile, quantize_days, quantize_percent, ratio
from s2c_core.money import Currency, Money, get_currency, sum_money, to_decimal

__all__ = [
    "DEFAULT_STAGES",
    "DisputeReport",
    "FulfilmentReport",
    "FunnelReport",
    "StageTransitionTime",
    "dispute_report",
    "fulfilment_report",
    "funnel_conversion",
    "perfect_order_index",
    "quote_to_order_ratio",
    "stage_cycle_times",
]

DEFAULT_STAGES: Final = ("lead", "quote", "order", "shipment", "invoice", "cash")
"""The stages of the chain, in order."""

_SECONDS_PER_DAY: Final = Decimal(86400)


def _count(value: int | Collection[str], name: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(
            f"{name} must be a count or a collection of ids", field=name, value=value
        )
    if isinstance(value, int):
        if value < 0:
            raise ValidationError(f"{name} must not be negative", field=name, value=value)
        return value
    if isinstance(value, str):
        raise ValidationError(
            f"{name} must be a collection of ids, not one str", field=name, value=value
        )
    return len(set(value))


@frozen
class FunnelReport:
    """Counts per funnel stage and the conversion between them (percent, None if undefined).

    Returned by [funnel_conversion][s2c_core.kpi.funnel.funnel_conversion] (see its example).

    Attributes:
        leads: Number of leads.
        quotes: Number of quotes.
        orders: Number of orders.
        paid: Number of orders fully paid (cash).
        lead_to_quote: quotes / leads x 100.
        quote_to_order: orders / quotes x 100.
        order_to_cash: paid / orders x 100.
        lead_to_cash: paid / leads x 100.
    """

    leads: int
    quotes: int
    orders: int
    paid: int
    lead_to_quote: Decimal | None
    quote_to_order: Decimal | None
    order_to_cash: Decimal | None
    lead_to_cash: Decimal | None


def funnel_conversion(
    *,
    leads: int | Collection[str],
    quotes: int | Collection[str],
    orders: int | Collection[str],
    paid: int | Collection[str],
) -> FunnelReport:
    """Conversion through lead -> quote -> order -> cash, from counts or collections of ids.

    A collection counts its distinct ids.

    Examples:
        >>> r = funnel_conversion(leads={"L1", "L2"}, quotes=["Q1", "Q1"], orders=0, paid=0)
        >>> r.quotes, r.lead_to_quote, r.quote_to_order, r.order_to_cash
        (1, Decimal('50.00'), Decimal('0.00'), None)
    """
    n_leads = _count(leads, "leads")
    n_quotes = _count(quotes, "quotes")
    n_orders = _count(orders, "orders")
    n_paid = _count(paid, "paid")

    def rate(part: int, whole: int) -> Decimal | None:
        return ratio(Decimal(part), Decimal(whole))

    return FunnelReport(
        n_leads,
        n_quotes,
        n_orders,
        n_paid,
        rate(n_quotes, n_leads),
        rate(n_orders, n_quotes),
        rate(n_paid, n_orders),
        rate(n_paid, n_leads),
    )


def quote_to_order_ratio(quotes: int | Collection[str], orders: int | Collection[str]) -> Decimal:
    """Orders / quotes x 100, to 0.01.

    Raises:
        ValidationError: there are no quotes.

    Examples:
        >>> quote_to_order_ratio(40, 10)
        Decimal('25.00')
    """
    n_quotes = _count(quotes, "quotes")
    result = ratio(Decimal(_count(orders, "orders")), Decimal(n_quotes))
    if result is None:
        raise ValidationError(
            "quote-to-order ratio needs at least one quote", field="quotes", value=n_quotes
        )
    return result


@frozen
class StageTransitionTime:
    """Elapsed time between two stages over the cases that reached both.

    Returned by [stage_cycle_times][s2c_core.kpi.funnel.stage_cycle_times] (see its example).

    Attributes:
        from_stage: The earlier stage.
        to_stage: The later stage.
        cases: Number of cases measured.
        median_days: Median elapsed days (None without cases).
        p90_days: 90th percentile of elapsed days (None without cases).
        mean_days: Mean elapsed days (None without cases).
    """

    from_stage: str
    to_stage: str
    cases: int
    median_days: Decimal | None
    p90_days: Decimal | None
    mean_days: Decimal | None


def _days(delta: timedelta) -> Decimal:
    seconds = Decimal(delta.days) * _SECONDS_PER_DAY + delta.seconds
    return (seconds + Decimal(delta.microseconds) / 1_000_000) / _SECONDS_PER_DAY


def _as_event(item: StageEvent | tuple[str, str, datetime]) -> StageEvent:
    if isinstance(item, StageEvent):
        return item
    case_id, stage, at = item
    return StageEvent(case_id, stage, at)


def stage_cycle_times(
    events: Iterable[StageEvent | tuple[str, str, datetime]],
    *,
    stages: Sequence[str] = DEFAULT_STAGES,
) -> tuple[StageTransitionTime, ...]:
    """Median, p90 and mean days between consecutive *stages*, then from first to last stage.

    Each case's first event per stage counts; events of other stages are ignored; a pair is
    measured only when the later stage was reached no earlier than the earlier one.

    Raises:
        ValidationError: fewer than two stages, or a stage named twice.

    Examples:
        >>> from datetime import timezone
        >>> t = lambda d, h=0: datetime(2024, 1, d, h, tzinfo=timezone.utc)
        >>> log = [("A", "lead", t(1)), ("A", "quote", t(3)), ("B", "lead", t(1)),
        ...        ("B", "quote", t(2, 12)), ("C", "lead", t(2))]
        >>> first = stage_cycle_times(log, stages=("lead", "quote", "order"))[0]
        >>> first.cases, first.median_days, first.p90_days
        (2, Decimal('1.8'), Decimal('2.0'))
    """
    names = tuple(stages)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValidationError(
            "stages must name at least two distinct stages", field="stages", value=names
        )
    wanted = set(names)
    first_seen: dict[str, dict[str, datetime]] = {}
    for item in events:
        event = _as_event(item)
        if event.stage not in wanted:
            continue
        case = first_seen.setdefault(event.case_id, {})
        known = case.get(event.stage)
        if known is None or event.at < known:
            case[event.stage] = event.at
    pairs = [*itertools.pairwise(names)]
    if len(names) > 2:
        pairs.append((names[0], names[-1]))
    rows: list[StageTransitionTime] = []
    for start, end in pairs:
        durations = [
            _days(case[end] - case[start])
            for case in first_seen.values()
            if start in case and end in case and case[end] >= case[start]
        ]
        if not durations:
            rows.append(StageTransitionTime(start, end, 0, None, None, None))
            continue
        rows.append(
            StageTransitionTime(
                start,
                end,
                len(durations),
                quantize_days(percentile(durations, Decimal("0.5"))),
                quantize_days(percentile(durations, Decimal("0.9"))),
                quantize_days(sum(durations, Decimal(0)) / len(durations)),
            )
        )
    return tuple(rows)


@frozen
class FulfilmentReport:
    """Perfect-order figures over delivered orders (percent, None without orders).

    Returned by [fulfilment_report][s2c_core.kpi.funnel.fulfilment_report] (see its example).

    Attributes:
        orders: Orders measured.
        perfect_orders: Orders meeting all four criteria.
        perfect_order_rate: perfect_orders / orders x 100.
        fulfilment_error_rate: 100 - perfect_order_rate.
        on_time_rate: Share delivered on time.
        complete_rate: Share delivered in full.
        damage_free_rate: Share delivered without damage.
        documentation_rate: Share with accurate documentation.
    """

    orders: int
    perfect_orders: int
    perfect_order_rate: Decimal | None
    fulfilment_error_rate: Decimal | None
    on_time_rate: Decimal | None
    complete_rate: Decimal | None
    damage_free_rate: Decimal | None
    documentation_rate: Decimal | None


def fulfilment_report(facts: Iterable[OrderFulfilmentFact]) -> FulfilmentReport:
    """Perfect order rate, fulfilment error rate and the four component rates.

    Examples:
        >>> facts = [OrderFulfilmentFact("1", True, True, True, True),
        ...          OrderFulfilmentFact("2", True, False, True, False),
        ...          OrderFulfilmentFact("3", True, True, True, True),
        ...          OrderFulfilmentFact("4", False, True, True, True)]
        >>> r = fulfilment_report(facts)
        >>> r.perfect_order_rate, r.fulfilment_error_rate, r.on_time_rate
        (Decimal('50.00'), Decimal('50.00'), Decimal('75.00'))
    """
    items = list(facts)
    n = Decimal(len(items))

    def share(flags: Iterable[bool]) -> Decimal | None:
        return ratio(Decimal(sum(1 for flag in flags if flag)), n)

    perfect = sum(1 for f in items if f.perfect)
    rate = share(f.perfect for f in items)
    return FulfilmentReport(
        orders=len(items),
        perfect_orders=perfect,
        perfect_order_rate=rate,
        fulfilment_error_rate=None if rate is None else Decimal(100) - rate,
        on_time_rate=share(f.on_time for f in items),
        complete_rate=share(f.complete for f in items),
        damage_free_rate=share(f.damage_free for f in items),
        documentation_rate=share(f.documentation_ok for f in items),
    )


def perfect_order_index(
    on_time: Decimal | int | str,
    complete: Decimal | int | str,
    damage_free: Decimal | int | str,
    documentation: Decimal | int | str,
) -> Decimal:
    """APQC perfect order performance: the product of four component percentages, to 0.01.

    Raises:
        ValidationError: a percentage is outside 0..100.

    Examples:
        APQC's own illustration multiplies 98 % x 97 % x 99 % x 82 % = 77.1697...; APQC prints
        the truncated 77.16, rounding half up gives 77.17.

        >>> perfect_order_index(98, 97, 99, 82)
        Decimal('77.17')
    """
    product = Decimal(1)
    for name, value in (
        ("on_time", on_time),
        ("complete", complete),
        ("damage_free", damage_free),
        ("documentation", documentation),
    ):
        percent = to_decimal(value, field_name=name)
        if not Decimal(0) <= percent <= Decimal(100):
            raise ValidationError(f"{name} {percent} is outside 0..100", field=name, value=percent)
        product *= percent / 100
    return quantize_percent(product * 100)


@frozen
class DisputeReport:
    """Disputes among the invoices issued in a period.

    Returned by [dispute_report][s2c_core.kpi.funnel.dispute_report] (see its example).

    Attributes:
        period: The period (by invoice date).
        invoices: Invoices issued (credit notes excluded).
        disputed_invoices: Those with an amount under dispute.
        invoice_rate: disputed_invoices / invoices x 100 (None without invoices).
        invoiced: Their gross amount.
        disputed: The amount under dispute.
        amount_rate: disputed / invoiced x 100 (None without invoiced amount).
    """

    period: Period
    invoices: int
    disputed_invoices: int
    invoice_rate: Decimal | None
    invoiced: Money
    disputed: Money
    amount_rate: Decimal | None


def dispute_report(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> DisputeReport:
    """Dispute rate by count and by amount over the invoices issued in *period*.

    Examples:
        >>> from datetime import date
        >>> facts = [InvoiceFact(str(i), "C", "s", "EUR", date(2024, 1, 2), date(2024, 2, 1),
        ...                      Money(100, "EUR"), disputed=Money(25 if i == 0 else 0, "EUR"))
        ...          for i in range(4)]
        >>> r = dispute_report(facts, Period.month(2024, 1), currency="EUR")
        >>> r.invoice_rate, r.amount_rate
        (Decimal('25.00'), Decimal('6.25'))
    """
    cur = get_currency(currency)
    chosen = [inv for inv in invoices if inv.issue_date in period and inv.amount.is_positive()]
    disputed = [inv for inv in chosen if inv.disputed.is_positive()]
    invoiced = sum_money((inv.amount for inv in chosen), cur)
    disputed_amount = sum_money((inv.disputed for inv in disputed), cur)
    return DisputeReport(
        period=period,
        invoices=len(chosen),
        disputed_invoices=len(disputed),
        invoice_rate=ratio(Decimal(len(disputed)), Decimal(len(chosen))),
        invoiced=invoiced,
        disputed=disputed_amount,
        amount_rate=ratio(disputed_amount.amount, invoiced.amount),
    )
