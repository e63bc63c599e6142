"""Late-payment interest on an overdue amount, split per period so each uses its own rate.

Interest runs for every day of delay: from the day after the due date up to and including the
payment date (Directive 2011/7/EU art. 3(3) and 4(3): interest is payable "from the day
following the date or the end of the period for payment fixed in the contract"). Paying on or
before the due date costs nothing.

The delay is cut into periods at every half-year boundary (1 January, 1 July), at every change
of rate inside a half-year and, with yearly capitalisation, at every anniversary of the first
day of delay. For each period::

    interest = round(base × rate / 100 × days / year_days)

rounded to the minor unit with the named [Rounding][s2c_core.money.Rounding] **once, at the end
of the period** (the breakdown then adds up exactly), where ``year_days`` comes from the
[DayCount][s2c_core.terms.DayCount] (ACT/365 by default, the usual statutory practice in BE,
NL and FR). ``base`` is the principal, plus, under
[Capitalisation.YEARLY][s2c_core.terms.Capitalisation], the interest of each elapsed year of
delay: Dutch law adds unpaid interest to the principal "telkens na afloop van een jaar"
(art. 6:119(2) BW, applied to commercial interest by art. 6:119a(2) BW).

Statutory interest per jurisdiction ([statutory_interest][s2c_core.terms.statutory_interest]):

* ``EU``: reference rate + 8 (Directive 2011/7/EU), simple interest;
* ``BE``: reference + 8 rounded up to the half point (law of 2 August 2002, art. 5), simple;
* ``NL``: ECB + 8 (art. 6:119a BW), capitalised yearly;
* ``FR``: ECB + 10 (Code de commerce L441-10, II), simple; a contractual rate is raised to the
  floor of three times the legal interest rate.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from attrs import frozen
from dateutil.relativedelta import relativedelta

from s2c_core.errors import ValidationError
from s2c_core.money import Money, Rounding, to_decimal
from s2c_core.terms._arith import div_round, money_from_minor
from s2c_core.terms.daycount import DayCount
from s2c_core.terms.rates import (
    ECB_REFERENCE_RATES,
    FR_LEGAL_RATES_PROFESSIONAL,
    RateTable,
    belgian_commercial_rates,
    dutch_commercial_rates,
    eu_directive_rates,
    french_commercial_rates,
    french_penalty_floor_rates,
)

__all__ = [
    "Capitalisation",
    "InterestBreakdown",
    "InterestPeriod",
    "Jurisdiction",
    "late_interest",
    "statutory_interest",
    "statutory_rate_table",
]

_ONE_DAY = timedelta(days=1)


class Capitalisation(StrEnum):
    """Whether unpaid interest is added to the principal.

    * ``NONE``: simple interest on the principal.
    * ``YEARLY``: after each full year of delay the year's interest joins the base
      (art. 6:119(2) and 6:119a(2) BW).

    Examples:
        >>> Capitalisation("yearly") is Capitalisation.YEARLY
        True
    """

    NONE = "none"
    YEARLY = "yearly"


class Jurisdiction(StrEnum):
    """Whose statutory late-payment interest applies.

    Examples:
        >>> Jurisdiction("NL").name
        'NL'
    """

    EU = "EU"
    BE = "BE"
    NL = "NL"
    FR = "FR"


@frozen
class InterestPeriod:
    """One period of the interest breakdown.

    Attributes:
        start: First day of delay counted in this period.
        end: Last day counted (inclusive).
        days: ``(end − start).days + 1``.
        percent: The annual rate applied, in percent.
        base: The amount interest accrues on (principal plus capitalised interest).
        interest: The period's interest, rounded to the minor unit.
        source: Where the rate comes from.
        verified: False when the rate figure could not be checked against a publication.
    """

    start: date
    end: date
    days: int
    percent: Decimal
    base: Money
    interest: Money
    source: str = ""
    verified: bool = True


@frozen
class InterestBreakdown:
    """Interest on an overdue amount, period by period.

    Attributes:
        principal: The overdue amount.
        due: The due date (the last day without interest).
        paid: The payment (or calculation) date, the last day with interest.
        periods: The periods, in date order.
        total: The sum of the periods' interest.
        day_count: The day-count convention used.
        capitalisation: Whether interest was capitalised.
    """

    principal: Money
    due: date
    paid: date
    periods: tuple[InterestPeriod, ...]
    total: Money
    day_count: DayCount
    capitalisation: Capitalisation

    @property
    def days(self) -> int:
        """The number of days of delay."""
        return sum(p.days for p in self.periods)

    @property
    def verified(self) -> bool:
        """False if any period used a rate that could not be checked against a publication."""
        return all(p.verified for p in self.periods)


def _next_half_year(day: date) -> date:
    return date(day.year, 7, 1) if day.month <= 6 else date(day.year + 1, 1, 1)


def late_interest(
    principal: Money,
    *,
    due: date,
    paid: date,
    rate: RateTable | Decimal | int | str,
    day_count: DayCount = DayCount.ACT_365,
    capitalisation: Capitalisation = Capitalisation.NONE,
    rounding: Rounding = Rounding.HALF_UP,
) -> InterestBreakdown:
    """Interest on *principal* overdue since *due* and paid on *paid*.

    Formula (see the module documentation): per period
    ``round(base × percent / 100 × days / year_days)``, periods cut at half-years, rate changes
    and (``YEARLY``) anniversaries of the first day of delay, where the base grows by the
    previous year's interest.

    Args:
        principal: The overdue amount (zero or positive).
        due: The due date; interest starts the day after.
        paid: The payment date (or the date of the calculation), included.
        rate: A [RateTable][s2c_core.terms.RateTable] (statutory rates) or a contractual
            annual rate in percent that overrides it (``Decimal("12")``).
        day_count: The day-count convention (``ACT_365``, ``ACT_360``, ``ACT_ACT``).
        capitalisation: Whether interest is added to the base each year.
        rounding: Rounding of each period's interest to the minor unit.

    Returns:
        The [InterestBreakdown][s2c_core.terms.InterestBreakdown]. A rate missing from the
        table for part of the delay raises [NotFoundError][s2c_core.errors.NotFoundError].

    Examples:
        >>> b = late_interest(Money("1000.00", "EUR"), due=date(2025, 6, 15),
        ...                   paid=date(2025, 7, 15), rate=Decimal("12"))
        >>> [(p.start.isoformat(), p.days, str(p.interest)) for p in b.periods]
        [('2025-06-16', 15, 'EUR 4.93'), ('2025-07-01', 15, 'EUR 4.93')]
        >>> str(b.total)
        'EUR 9.86'
    """
    if principal.is_negative():
        raise ValidationError(
            f"late interest needs a principal of zero or more, got {principal}",
            field="principal",
            value=principal,
        )
    if isinstance(rate, RateTable):
        table = rate
    else:
        agreed = to_decimal(rate, field_name="rate")
        if agreed < 0:
            raise ValidationError(
                f"an interest rate cannot be negative, got {agreed} %", field="rate", value=agreed
            )
        table = RateTable.constant(agreed)
    day_count = DayCount(day_count)
    capitalisation = Capitalisation(capitalisation)
    currency = principal.currency
    zero = money_from_minor(0, currency)
    if paid <= due:
        return InterestBreakdown(principal, due, paid, (), zero, day_count, capitalisation)
    first = due + _ONE_DAY
    stop = paid + _ONE_DAY  # exclusive
    base_units = principal.minor_units
    year_units = 0
    years = 1
    anniversary = (
        first + relativedelta(years=1) if capitalisation is Capitalisation.YEARLY else date.max
    )
    periods: list[InterestPeriod] = []
    total_units = 0
    start = first
    while start < stop:
        entry = table.entry_on(start)
        end = min(_next_half_year(start), entry.end, stop, anniversary)
        days = (end - start).days
        numerator, denominator = (entry.percent / 100).as_integer_ratio()
        units = div_round(
            base_units * numerator * days, denominator * day_count.year_days(start.year), rounding
        )
        periods.append(
            InterestPeriod(
                start,
                end - _ONE_DAY,
                days,
                entry.percent,
                money_from_minor(base_units, currency),
                money_from_minor(units, currency),
                entry.source,
                entry.verified,
            )
        )
        total_units += units
        year_units += units
        start = end
        if start == anniversary:
            base_units += year_units
            year_units = 0
            years += 1
            anniversary = first + relativedelta(years=years)
    return InterestBreakdown(
        principal,
        due,
        paid,
        tuple(periods),
        money_from_minor(total_units, currency),
        day_count,
        capitalisation,
    )


def statutory_rate_table(
    jurisdiction: Jurisdiction,
    *,
    reference: RateTable = ECB_REFERENCE_RATES,
) -> RateTable:
    """The statutory late-payment rate table of *jurisdiction*, built from *reference*.

    Pass a *reference* table extended with newer ECB figures
    ([RateTable.with_entry][s2c_core.terms.RateTable.with_entry]) to cover later half-years.

    Examples:
        >>> statutory_rate_table(Jurisdiction.BE).percent_on(date(2024, 9, 1))
        Decimal('12.5')
    """
    jurisdiction = Jurisdiction(jurisdiction)
    if jurisdiction is Jurisdiction.BE:
        return belgian_commercial_rates(reference)
    if jurisdiction is Jurisdiction.NL:
        return dutch_commercial_rates(reference)
    if jurisdiction is Jurisdiction.FR:
        return french_commercial_rates(reference)
    return eu_directive_rates(reference)


def statutory_interest(
    principal: Money,
    *,
    due: date,
    paid: date,
    jurisdiction: Jurisdiction,
    contractual_percent: Decimal | int | str | None = None,
    reference: RateTable = ECB_REFERENCE_RATES,
    french_legal_rates: RateTable = FR_LEGAL_RATES_PROFESSIONAL,
    day_count: DayCount = DayCount.ACT_365,
    rounding: Rounding = Rounding.HALF_UP,
) -> InterestBreakdown:
    """Commercial (B2B) late-payment interest under the law of *jurisdiction*.

    Without a contractual rate: the statutory table of
    [statutory_rate_table][s2c_core.terms.statutory_rate_table]. With one: that rate, except in
    France where each period uses ``max(contract, 3 × legal rate)`` (L441-10, II). The
    Netherlands capitalise yearly (art. 6:119a(2) BW); the others use simple interest.

    Args:
        principal: The overdue amount.
        due: The due date.
        paid: The payment date, included.
        jurisdiction: ``EU``, ``BE``, ``NL`` or ``FR``.
        contractual_percent: The agreed annual rate in percent, if any.
        reference: The ECB reference-rate table (extend it for newer half-years).
        french_legal_rates: The French legal rate table for the penalty floor.
        day_count: The day-count convention.
        rounding: Rounding of each period's interest.

    Returns:
        The [InterestBreakdown][s2c_core.terms.InterestBreakdown].

    Examples:
        >>> b = statutory_interest(Money("10000.00", "EUR"), due=date(2024, 12, 31),
        ...                        paid=date(2025, 12, 31), jurisdiction=Jurisdiction.BE)
        >>> [(p.days, str(p.percent), str(p.interest)) for p in b.periods]
        [(181, '11.5', 'EUR 570.27'), (184, '10.5', 'EUR 529.32')]
    """
    jurisdiction = Jurisdiction(jurisdiction)
    table: RateTable
    if contractual_percent is None:
        table = statutory_rate_table(jurisdiction, reference=reference)
    else:
        agreed = to_decimal(contractual_percent, field_name="contractual_percent")
        if jurisdiction is Jurisdiction.FR:
            table = french_penalty_floor_rates(french_legal_rates).derive(
                "FR_CONTRACTUAL",
                lambda floor: max(agreed, floor),
                source=f"contract {agreed} %, at least 3 x legal rate (L441-10 II)",
            )
        else:
            table = RateTable.constant(agreed)
    capitalisation = (
        Capitalisation.YEARLY if jurisdiction is Jurisdiction.NL else Capitalisation.NONE
    )
    return late_interest(
        principal,
        due=due,
        paid=paid,
        rate=table,
        day_count=day_count,
        capitalisation=capitalisation,
        rounding=rounding,
    )
