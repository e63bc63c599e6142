"""Named payment-term presets, each stating its convention.

Every preset returns an ordinary [PaymentTerm][s2c_core.terms.PaymentTerm] (so it can be stored,
compared and edited like any other) whose ``description`` says how the due date is computed.

"N days end of month" is ambiguous, and French law allows both readings: the French Code de
commerce, art. L441-10, I caps agreed payment periods at 60 days from the invoice date or, by
derogation, "quarante-cinq jours fin de mois"; the Commission d'examen des pratiques commerciales
(CEPC, "Délais de paiement : sur la computation des délais", economie.gouv.fr) accepts both
counting 45 days from the invoice date and then going to the end of that month, and adding
45 days to the end of the invoice month. The two presets name their reading:

* [net_days_then_end_of_month][s2c_core.terms.net_days_then_end_of_month]: invoice 10 March,
  + 45 days = 24 April, end of month → **30 April**;
* [end_of_month_then_days][s2c_core.terms.end_of_month_then_days]: invoice 10 March, end of month
  = 31 March, + 45 days → **15 May**.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from s2c_core.errors import ValidationError
from s2c_core.money import to_decimal
from s2c_core.terms.calendar import BusinessDayConvention
from s2c_core.terms.discounts import CashDiscount
from s2c_core.terms.lines import DateStep, TermLine
from s2c_core.terms.payment_terms import PaymentTerm

__all__ = [
    "due_on_receipt",
    "end_of_month",
    "end_of_month_plus_months",
    "end_of_month_then_days",
    "end_of_next_month",
    "fixed_day_of_next_month",
    "installments",
    "net_days",
    "net_days_then_end_of_month",
]

_END_OF_MONTH = DateStep(day=31)  # relativedelta clamps day 31 to the month's last day


def _days(value: int, name: str = "days") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            f"{name} must be a non-negative int, got {value!r}", field=name, value=value
        )
    return value


def _term(
    lines: list[TermLine],
    name: str,
    description: str,
    discounts: Iterable[CashDiscount],
    business_day: BusinessDayConvention,
) -> PaymentTerm:
    return PaymentTerm(
        lines,
        name=name,
        description=description,
        discounts=tuple(discounts),
        business_day=business_day,
    )


def due_on_receipt(
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """Due on receipt: the whole amount is due on the invoice date.

    Convention: the invoice date stands for the date of receipt (the library does not know when
    the customer received the invoice).

    Examples:
        >>> from datetime import date
        >>> due_on_receipt().due_dates(date(2025, 3, 5))
        (datetime.date(2025, 3, 5),)
    """
    return _term(
        [TermLine.remainder()],
        "Due on receipt",
        "The whole amount is due on the invoice date.",
        discounts,
        business_day,
    )


def net_days(
    days: int,
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """Net *days*: the whole amount is due *days* calendar days after the invoice date.

    With ``discounts=[CashDiscount(2, 10)]`` this is the classic "2/10 net 30".

    Examples:
        >>> from datetime import date
        >>> net_days(30).due_dates(date(2025, 1, 31))
        (datetime.date(2025, 3, 2),)
    """
    days = _days(days)
    return _term(
        [TermLine.remainder(DateStep(days=days))],
        f"Net {days}",
        f"The whole amount is due {days} calendar days after the invoice date.",
        discounts,
        business_day,
    )


def end_of_month(
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """End of month: due on the last day of the invoice month.

    Examples:
        >>> from datetime import date
        >>> end_of_month().due_dates(date(2024, 2, 10))
        (datetime.date(2024, 2, 29),)
    """
    return _term(
        [TermLine.remainder(_END_OF_MONTH)],
        "End of month",
        "The whole amount is due on the last day of the invoice month.",
        discounts,
        business_day,
    )


def net_days_then_end_of_month(
    days: int,
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """*days* days end of month, first reading: add *days*, then go to the end of that month.

    "45 jours fin de mois" as counted from the invoice date, the payment falling at the end of
    the month in which the 45 days expire (French Code de commerce L441-10, I; CEPC answer on
    the computation of "45 jours fin de mois").

    Examples:
        >>> from datetime import date
        >>> net_days_then_end_of_month(45).due_dates(date(2025, 3, 10))
        (datetime.date(2025, 4, 30),)
    """
    days = _days(days)
    return _term(
        [TermLine.remainder(DateStep(days=days), _END_OF_MONTH)],
        f"{days} days end of month (days first)",
        f"Add {days} days to the invoice date, then the payment is due on the last day of "
        "that month.",
        discounts,
        business_day,
    )


def end_of_month_then_days(
    days: int,
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """*days* days end of month, second reading ("end of month + N days", EOM N).

    Go to the end of the invoice month, then add *days* (French Code de commerce L441-10, I;
    the CEPC accepts this count too). Can exceed 60 days from the invoice date.

    Examples:
        >>> from datetime import date
        >>> end_of_month_then_days(45).due_dates(date(2025, 3, 10))
        (datetime.date(2025, 5, 15),)
    """
    days = _days(days)
    return _term(
        [TermLine.remainder(_END_OF_MONTH, DateStep(days=days))],
        f"{days} days end of month (end of month first)",
        f"From the last day of the invoice month, add {days} days.",
        discounts,
        business_day,
    )


def end_of_month_plus_months(
    months: int,
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """End of month + *months*: due on the last day of the month *months* after the invoice's.

    ``end_of_month_plus_months(0)`` is [end_of_month][s2c_core.terms.end_of_month];
    ``end_of_month_plus_months(1)`` is [end_of_next_month][s2c_core.terms.end_of_next_month].

    Examples:
        >>> from datetime import date
        >>> end_of_month_plus_months(2).due_dates(date(2025, 12, 5))
        (datetime.date(2026, 2, 28),)
    """
    months = _days(months, "months")
    return _term(
        [TermLine.remainder(DateStep(months=months, day=31))],
        f"End of month + {months} months",
        f"Due on the last day of the month {months} months after the invoice month.",
        discounts,
        business_day,
    )


def end_of_next_month(
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """End of next month: due on the last day of the month after the invoice month.

    Examples:
        >>> from datetime import date
        >>> end_of_next_month().due_dates(date(2025, 1, 31))
        (datetime.date(2025, 2, 28),)
    """
    return _term(
        [TermLine.remainder(DateStep(months=1, day=31))],
        "End of next month",
        "Due on the last day of the month after the invoice month.",
        discounts,
        business_day,
    )


def fixed_day_of_next_month(
    day: int,
    *,
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """Due on a fixed *day* of the month after the invoice month (e.g. "the 10th").

    Convention: always the next month, even if *day* is still ahead in the invoice month; a day
    past the month's end is clamped (31 → 28 February).

    Examples:
        >>> from datetime import date
        >>> fixed_day_of_next_month(10).due_dates(date(2025, 1, 5))
        (datetime.date(2025, 2, 10),)
    """
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        raise ValidationError(f"day must be 1..31, got {day!r}", field="day", value=day)
    return _term(
        [TermLine.remainder(DateStep(months=1, day=day))],
        f"Day {day} of next month",
        f"Due on day {day} of the month after the invoice month (clamped to the month's last day).",
        discounts,
        business_day,
    )


def installments(
    *parts: tuple[Decimal | int | str, int],
    discounts: Iterable[CashDiscount] = (),
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED,
) -> PaymentTerm:
    """Installments: ``(percent, days)`` pairs, e.g. 30 % now and 70 % at 60 days.

    Each part but the last is a percent-of-total line due *days* after the invoice date; the
    last part is the remainder line, so the percentages must add up to exactly 100 and the
    rounding difference lands on the last installment.

    Examples:
        >>> term = installments((30, 0), (70, 60))
        >>> term.name
        '30 % now, 70 % at 60 days'
    """
    if not parts:
        raise ValidationError(
            "installments needs at least one (percent, days) part", field="parts", value=parts
        )
    percents = [to_decimal(p, field_name="percent") for p, _ in parts]
    total = sum(percents, Decimal(0))
    if total != 100:
        raise ValidationError(
            f"installment percentages must add up to 100, got {total}", field="percent", value=total
        )
    lines: list[TermLine] = []
    labels: list[str] = []
    for index, ((_, days), percent) in enumerate(zip(parts, percents, strict=True)):
        days = _days(days)
        step = (DateStep(days=days),) if days else ()
        last = index == len(parts) - 1
        lines.append(
            TermLine.remainder(*step) if last else TermLine.percent_of_total(percent, *step)
        )
        labels.append(f"{percent.normalize():f} % " + ("now" if not days else f"at {days} days"))
    return _term(
        lines,
        ", ".join(labels),
        "Installments: " + "; ".join(labels) + " (the last one takes the rounding difference).",
        discounts,
        business_day,
    )
