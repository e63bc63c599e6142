"""The KPI report: one frozen snapshot of the sales-to-cash figures, renderable as JSON.

Built by ``app.kpi.report(as_of, period, previous_period)`` (see
[KpiService.report][s2c_core.services.kpi.KpiService.report]); the HTML rendering lives in
the ``s2c-reports`` plugin, which reads [KpiReport.to_dict][s2c_core.kpi.report.KpiReport.to_dict].

The dictionary is JSON-safe: amounts are decimal strings in the report currency (``"1234.50"``),
days and percentages decimal strings (``"31.4"``), dates ISO 8601, enums their value, and an
undefined KPI (DSO without sales, CEI without anything collectible) is ``null``.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> to_plain({"due": date(2024, 1, 31), "open": Money("12.5", "EUR")})
    {'due': '2024-01-31', 'open': '12.50'}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs
from attrs import frozen

from s2c_core.kpi.aging import AgingReport, BadDebtReport
from s2c_core.kpi.behaviour import PaymentBehaviour
from s2c_core.kpi.cei import CeiReport
from s2c_core.kpi.drivers import CustomerBalance, DsoContribution, DsoDriverReport
from s2c_core.kpi.dso import DsoReport
from s2c_core.kpi.facts import Period
from s2c_core.kpi.forecast import CashForecast
from s2c_core.kpi.funnel import DisputeReport, FunnelReport, StageTransitionTime
from s2c_core.kpi.margins import MarginReport
from s2c_core.money import Money

__all__ = ["REPORT_VERSION", "DsoTrendPoint", "KpiReport", "to_plain"]

REPORT_VERSION = 1
"""Version of the layout of [KpiReport.to_dict][s2c_core.kpi.report.KpiReport.to_dict]."""


def to_plain(value: Any) -> Any:
    """Convert KPI records to JSON-safe data (see the module docstring).

    Money becomes its decimal string (the currency is the report's), attrs records become dicts
    of their public fields, a [Period][s2c_core.kpi.facts.Period] also gets its ``days``.

    Examples:
        >>> to_plain(Period.month(2024, 2))
        {'start': '2024-02-01', 'end': '2024-02-29', 'days': 29}
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Money):
        return str(value.amount)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_plain(value.value)
    if isinstance(value, Period):
        return {"start": value.start.isoformat(), "end": value.end.isoformat(), "days": value.days}
    if attrs.has(type(value)):
        return {
            f.name: to_plain(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    raise TypeError(f"cannot convert {type(value).__name__} to JSON-safe data")


@frozen
class DsoTrendPoint:
    """DSO of one month of the trend, with what moved it since the month before.

    Attributes:
        period: The month (the last one runs to the report date).
        receivables: Open receivables at the end of the month.
        current_receivables: The part not yet past due.
        credit_sales: Credit sales of the month.
        dso: Simple DSO (None without positive sales).
        best_possible_dso: Best possible DSO (None without positive sales).
        average_days_delinquent: ``dso - best_possible_dso`` (None without positive sales).
        change: DSO change since the previous month (None for the first or undefined ones).
        drivers: The customers that moved DSO most since the previous month, largest first.
    """

    period: Period
    receivables: Money
    current_receivables: Money
    credit_sales: Money
    dso: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    change: Decimal | None = None
    drivers: tuple[DsoContribution, ...] = ()


@frozen
class KpiReport:
    """A snapshot of the sales-to-cash KPIs at one date, in one currency.

    Attributes:
        currency: The report currency (ISO 4217).
        as_of: Balances (aging, forecast) are taken at the end of this day.
        period: The period DSO, CEI, funnel, margins and behaviour are measured over.
        previous_period: The comparison period of the DSO driver analysis.
        generated_at: When the report was built (application clock).
        company: The selling company's name, for the page header.
        dso: DSO, best possible DSO and ADD of *period* (None without positive sales).
        dso_previous: The same for *previous_period*.
        dso_trend: Monthly DSO over the last months, oldest first.
        drivers: DSO change from *previous_period* to *period* by customer and segment
            (customers trimmed to the largest contributions).
        aging: Aging buckets at *as_of* (days past due).
        cei: Collection effectiveness of *period* (None when undefined).
        funnel: What entered each stage of the chain during *period* (activity basis).
        lead_funnel: The leads captured in *period* followed down the chain (cohort basis).
        cycle_times: Days between the stages of the chain (all cases so far).
        forecast: Weekly cash forecast from *as_of* (without per-invoice lines).
        margins: Revenue and gross margin of *period*.
        behaviour: Payment behaviour per segment over *period*.
        bad_debt: Write-offs against credit sales over *period*.
        disputes: Dispute rate of the invoices of *period*.
        largest_balances: The customers with the largest open balances at *as_of*.
        customer_names: Names of the customers the report mentions, by id.
    """

    currency: str
    as_of: date
    period: Period
    previous_period: Period
    generated_at: datetime
    company: str
    dso: DsoReport | None
    dso_previous: DsoReport | None
    dso_trend: tuple[DsoTrendPoint, ...]
    drivers: DsoDriverReport | None
    aging: AgingReport
    cei: CeiReport | None
    funnel: FunnelReport
    lead_funnel: FunnelReport
    cycle_times: tuple[StageTransitionTime, ...]
    forecast: CashForecast
    margins: MarginReport
    behaviour: tuple[PaymentBehaviour, ...]
    bad_debt: BadDebtReport
    disputes: DisputeReport
    largest_balances: tuple[CustomerBalance, ...]
    customer_names: Mapping[str, str] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-safe data, with ``"version"`` and ``"kind"`` keys added.

        Examples:
            >>> import json
            >>> from datetime import datetime, UTC
            >>> from s2c_core import S2C, FixedClock
            >>> app = S2C.open("memory://", clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
            ...                load_entry_points=False)
            >>> data = app.kpi.report().to_dict()
            >>> data["kind"], data["aging"]["total"], data["dso"]
            ('s2c.kpi-report', '0.00', None)
            >>> _ = json.dumps(data)
        """
        plain: dict[str, Any] = to_plain(self)
        return {"kind": "s2c.kpi-report", "version": REPORT_VERSION, **plain}

    def to_json(self, *, indent: int | None = 2) -> str:
        """[to_dict][s2c_core.kpi.report.KpiReport.to_dict] as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
