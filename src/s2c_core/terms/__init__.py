"""Payment terms, early-payment discounts, late-payment interest, fees and business days.

Pure functions and frozen records, no I/O: every formula and its source is in the docstring of
the function that computes it.

* [PaymentTerm][s2c_core.terms.PaymentTerm] and the presets ([net_days][s2c_core.terms.net_days],
  [end_of_month_then_days][s2c_core.terms.end_of_month_then_days] ...) turn an invoice total
  and date into [Installment][s2c_core.terms.Installment]s that always sum to the total.
* [BusinessCalendar][s2c_core.terms.BusinessCalendar] moves due dates off weekends and public
  holidays.
* [CashDiscount][s2c_core.terms.CashDiscount],
  [cash_discount_totals][s2c_core.terms.cash_discount_totals] and the discount-cost rates
  cover "2/10 net 30" with its VAT treatments.
* [late_interest][s2c_core.terms.late_interest] and
  [statutory_interest][s2c_core.terms.statutory_interest] compute interest per half-year
  from the published [RateTable][s2c_core.terms.RateTable]s.
* [FeePolicy][s2c_core.terms.FeePolicy] implementations give the fixed compensation and
  collection costs per country.
* [allocate_over_lines][s2c_core.terms.allocate_over_lines] spreads amounts without losing a cent.
"""

from __future__ import annotations

from s2c_core.terms.allocation import allocate_over_lines, allocate_schedule_over_lines
from s2c_core.terms.calendar import BusinessCalendar, BusinessDayConvention
from s2c_core.terms.daycount import DayCount
from s2c_core.terms.discounts import (
    CashDiscount,
    CashDiscountTotals,
    DiscountVatTreatment,
    EarlyPaymentOffer,
    cash_discount_totals,
    discount_cost_effective,
    discount_cost_nominal,
    early_payment_offer,
)
from s2c_core.terms.fees import (
    BelgianFeePolicy,
    CollectionFee,
    DebtorKind,
    DutchFeePolicy,
    EuDirectiveFeePolicy,
    FeeConditions,
    FeePolicy,
    FrenchFeePolicy,
    GermanFeePolicy,
    belgian_consumer_damages_cap,
    fee_policy,
    register_fee_policy,
    registered_fee_countries,
    wik_collection_costs,
)
from s2c_core.terms.interest import (
    Capitalisation,
    InterestBreakdown,
    InterestPeriod,
    Jurisdiction,
    late_interest,
    statutory_interest,
    statutory_rate_table,
)
from s2c_core.terms.lines import DateStep, LineKind, TermLine, Weekday
from s2c_core.terms.payment_terms import Installment, PaymentTerm
from s2c_core.terms.presets import (
    due_on_receipt,
    end_of_month,
    end_of_month_plus_months,
    end_of_month_then_days,
    end_of_next_month,
    fixed_day_of_next_month,
    installments,
    net_days,
    net_days_then_end_of_month,
)
from s2c_core.terms.rates import (
    BE_PUBLISHED_RATES,
    ECB_MRO_CHANGES,
    ECB_REFERENCE_RATES,
    EU_DIRECTIVE_RATES,
    FR_LEGAL_RATES_CONSUMER,
    FR_LEGAL_RATES_PROFESSIONAL,
    NL_PUBLISHED_RATES,
    RateEntry,
    RateTable,
    belgian_commercial_rates,
    dutch_commercial_rates,
    eu_directive_rates,
    french_commercial_rates,
    french_penalty_floor_rates,
    half_year_start,
    reference_rates_from_changes,
)

__all__ = [
    "BE_PUBLISHED_RATES",
    "ECB_MRO_CHANGES",
    "ECB_REFERENCE_RATES",
    "EU_DIRECTIVE_RATES",
    "FR_LEGAL_RATES_CONSUMER",
    "FR_LEGAL_RATES_PROFESSIONAL",
    "NL_PUBLISHED_RATES",
    "BelgianFeePolicy",
    "BusinessCalendar",
    "BusinessDayConvention",
    "Capitalisation",
    "CashDiscount",
    "CashDiscountTotals",
    "CollectionFee",
    "DateStep",
    "DayCount",
    "DebtorKind",
    "DiscountVatTreatment",
    "DutchFeePolicy",
    "EarlyPaymentOffer",
    "EuDirectiveFeePolicy",
    "FeeConditions",
    "FeePolicy",
    "FrenchFeePolicy",
    "GermanFeePolicy",
    "Installment",
    "InterestBreakdown",
    "InterestPeriod",
    "Jurisdiction",
    "LineKind",
    "PaymentTerm",
    "RateEntry",
    "RateTable",
    "TermLine",
    "Weekday",
    "allocate_over_lines",
    "allocate_schedule_over_lines",
    "belgian_commercial_rates",
    "belgian_consumer_damages_cap",
    "cash_discount_totals",
    "discount_cost_effective",
    "discount_cost_nominal",
    "due_on_receipt",
    "dutch_commercial_rates",
    "early_payment_offer",
    "end_of_month",
    "end_of_month_plus_months",
    "end_of_month_then_days",
    "end_of_next_month",
    "eu_directive_rates",
    "fee_policy",
    "fixed_day_of_next_month",
    "french_commercial_rates",
    "french_penalty_floor_rates",
    "half_year_start",
    "installments",
    "late_interest",
    "net_days",
    "net_days_then_end_of_month",
    "reference_rates_from_changes",
    "register_fee_policy",
    "registered_fee_countries",
    "statutory_interest",
    "statutory_rate_table",
    "wik_collection_costs",
]
