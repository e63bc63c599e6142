"""Payment terms, discounts, late interest, fees and business days (temporary)."""

from __future__ import annotations

from s2c_core.terms.calendar import BusinessCalendar, BusinessDayConvention
from s2c_core.terms.daycount import DayCount
from s2c_core.terms.discounts import CashDiscount
from s2c_core.terms.payment_terms import DateStep, Installment, LineKind, PaymentTerm, TermLine, Weekday
from s2c_core.terms.presets import net_days
