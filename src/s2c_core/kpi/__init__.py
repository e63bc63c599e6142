"""Sales-to-cash KPIs: the pure-Python reference implementation (issue #9).

Pure functions of frozen inputs and an explicit reference date. Inputs are the small fact
records of [facts][s2c_core.kpi.facts] (a storage backend builds them cheaply from SQL, or runs
the same formulas inside the database and tests itself against these functions). Every
docstring states its formula and source; days and ratios are ``Decimal`` rounded by the named
rules of [rounding][s2c_core.kpi.rounding].

Modules, one concept each:

* [facts][s2c_core.kpi.facts]: the input records; [rounding][s2c_core.kpi.rounding]: quanta;
* [receivables][s2c_core.kpi.receivables]: open, current, overdue, credit sales, write-offs;
* [dso][s2c_core.kpi.dso]: simple, average, countback and best possible DSO, ADD;
* [cei][s2c_core.kpi.cei]: collection effectiveness index;
* [aging][s2c_core.kpi.aging]: aging buckets, bad-debt allowance and ratio;
* [margins][s2c_core.kpi.margins] and [discounts][s2c_core.kpi.discounts]: revenue, gross
  margin, markup, average order value, discounts given;
* [funnel][s2c_core.kpi.funnel]: conversion, stage cycle times, perfect orders, disputes;
* [drivers][s2c_core.kpi.drivers]: DSO driver analysis;
* [behaviour][s2c_core.kpi.behaviour]: payment behaviour, lateness, credit policy vs actual;
* [forecast][s2c_core.kpi.forecast]: weekly cash forecast.

Examples:
    >>> from s2c_core.kpi import dso
    >>> from s2c_core.money import Money
    >>> dso(Money("30000.00", "EUR"), Money("90000.00", "EUR"), days=90)
    Decimal('30.0')
"""

from __future__ import annotations

from s2c_core.kpi.aging import (
    DEFAULT_AGING_EDGES,
    AgingBasis,
    AgingBucket,
    AgingReport,
    AllowanceLine,
    AllowanceReport,
    BadDebtReport,
    aging_report,
    bad_debt_allowance,
    bad_debt_ratio,
    bad_debt_report,
    bucket_labels,
)
from s2c_core.kpi.behaviour import (
    CreditPolicyRow,
    LatenessProfile,
    LatenessStats,
    PaymentBehaviour,
    credit_policy_vs_actual,
    lateness_profile,
    payment_behaviour,
)
from s2c_core.kpi.cei import (
    CeiReport,
    cei,
    cei_report,
)
from s2c_core.kpi.discounts import (
    DiscountGroup,
    discounts_given,
)
from s2c_core.kpi.drivers import (
    CustomerBalance,
    DsoContribution,
    DsoDriverReport,
    DsoSnapshot,
    SegmentContribution,
    dso_drivers,
    dso_snapshot,
)
from s2c_core.kpi.dso import (
    DsoReport,
    MonthSales,
    average_days_delinquent,
    average_dso,
    best_possible_dso,
    countback_dso,
    dso,
    dso_report,
    monthly_sales,
    raw_dso,
)
from s2c_core.kpi.facts import (
    DiscountFact,
    DiscountKind,
    Grouping,
    InvoiceFact,
    OrderFulfilmentFact,
    PaymentFact,
    Period,
    StageEvent,
)
from s2c_core.kpi.forecast import (
    CashForecast,
    ForecastLine,
    ForecastWeek,
    cash_forecast,
)
from s2c_core.kpi.funnel import (
    DEFAULT_STAGES,
    DisputeReport,
    FulfilmentReport,
    FunnelReport,
    StageTransitionTime,
    dispute_report,
    fulfilment_report,
    funnel_conversion,
    perfect_order_index,
    quote_to_order_ratio,
    stage_cycle_times,
)
from s2c_core.kpi.margins import (
    MarginReport,
    average_order_value,
    gross_margin_percent,
    gross_profit,
    margin_report,
    markup_percent,
    revenue,
)
from s2c_core.kpi.receivables import (
    credit_sales,
    current_receivables,
    open_receivables,
    overdue_receivables,
    write_offs,
)
from s2c_core.kpi.rounding import (
    DAYS_QUANTUM,
    PERCENT_QUANTUM,
    ROUNDING,
    percentile,
    quantize_days,
    quantize_percent,
    ratio,
)

__all__ = [
    "DAYS_QUANTUM",
    "DEFAULT_AGING_EDGES",
    "DEFAULT_STAGES",
    "PERCENT_QUANTUM",
    "ROUNDING",
    "AgingBasis",
    "AgingBucket",
    "AgingReport",
    "AllowanceLine",
    "AllowanceReport",
    "BadDebtReport",
    "CashForecast",
    "CeiReport",
    "CreditPolicyRow",
    "CustomerBalance",
    "DiscountFact",
    "DiscountGroup",
    "DiscountKind",
    "DisputeReport",
    "DsoContribution",
    "DsoDriverReport",
    "DsoReport",
    "DsoSnapshot",
    "ForecastLine",
    "ForecastWeek",
    "FulfilmentReport",
    "FunnelReport",
    "Grouping",
    "InvoiceFact",
    "LatenessProfile",
    "LatenessStats",
    "MarginReport",
    "MonthSales",
    "OrderFulfilmentFact",
    "PaymentBehaviour",
    "PaymentFact",
    "Period",
    "SegmentContribution",
    "StageEvent",
    "StageTransitionTime",
    "aging_report",
    "average_days_delinquent",
    "average_dso",
    "average_order_value",
    "bad_debt_allowance",
    "bad_debt_ratio",
    "bad_debt_report",
    "best_possible_dso",
    "bucket_labels",
    "cash_forecast",
    "cei",
    "cei_report",
    "countback_dso",
    "credit_policy_vs_actual",
    "credit_sales",
    "current_receivables",
    "discounts_given",
    "dispute_report",
    "dso",
    "dso_drivers",
    "dso_report",
    "dso_snapshot",
    "fulfilment_report",
    "funnel_conversion",
    "gross_margin_percent",
    "gross_profit",
    "lateness_profile",
    "margin_report",
    "markup_percent",
    "monthly_sales",
    "open_receivables",
    "overdue_receivables",
    "payment_behaviour",
    "percentile",
    "perfect_order_index",
    "quantize_days",
    "quantize_percent",
    "quote_to_order_ratio",
    "ratio",
    "raw_dso",
    "revenue",
    "stage_cycle_times",
    "write_offs",
]
