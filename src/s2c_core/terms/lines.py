"""Payment-term lines: how much (a fixed amount, a percentage, the remainder) and when.

A [TermLine][s2c_core.terms.TermLine] is Tryton's ``account.invoice.payment_term.line``: a
kind (fixed, percent of the remainder, percent of the total, remainder) and a chain of
[DateStep][s2c_core.terms.DateStep]s, each one a ``dateutil.relativedelta`` like Tryton's
``account.invoice.payment_term.line.delta`` (day, month, weekday, months, weeks, days).

Lines and steps are plain frozen data: they are validated when assembled into a
[PaymentTerm][s2c_core.terms.PaymentTerm], so an error can name the line it is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from attrs import field, frozen
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

from s2c_core.money import Money, to_decimal

__all__ = ["DateStep", "LineKind", "TermLine", "Weekday"]


class LineKind(StrEnum):
    """The kind of a term line (Tryton's line ``type``).

    Examples:
        >>> LineKind("percent_on_total") is LineKind.PERCENT_OF_TOTAL
        True
    """

    FIXED = "fixed"
    PERCENT_OF_REMAINDER = "percent"
    PERCENT_OF_TOTAL = "percent_on_total"
    REMAINDER = "remainder"


class Weekday(StrEnum):
    """A day of the week, for "next Friday" date steps.

    Examples:
        >>> Weekday.FRIDAY.number
        4
    """

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """Monday is 0 ... Sunday is 6 (``date.weekday()`` numbering)."""
        return _WEEKDAY_ORDER.index(self)


_WEEKDAY_ORDER: Final = tuple(Weekday)
_RELATIVEDELTA_WEEKDAYS: Final[dict[Weekday, weekday]] = dict(
    zip(_WEEKDAY_ORDER, (MO, TU, WE, TH, FR, SA, SU), strict=True)
)


@frozen
class DateStep:
    """One move of a due date, with ``dateutil.relativedelta`` semantics (as Tryton's deltas).

    Within one step the fields apply in relativedelta's order: set *month*; add *months*
    (the year rolls over); set *day* of month, clamped to the month's last day (``day=31`` is
    "end of month"); add *weeks* × 7 + *days*; then move forward to the next *weekday* (the
    same day if it already is one). A line's steps apply one after the other, so
    ``(DateStep(days=45), DateStep(day=31))`` ("45 days, then end of month") differs from
    ``(DateStep(day=31), DateStep(days=45))`` ("end of month, then 45 days").

    Steps are plain data; they are checked (day 1..31, month 1..12, bounded offsets) when
    assembled into a [PaymentTerm][s2c_core.terms.PaymentTerm], so errors can name the line.

    Examples:
        >>> DateStep(months=1, day=10).apply(date(2025, 1, 31))
        datetime.date(2025, 2, 10)
        >>> DateStep(weekday=Weekday.FRIDAY).apply(date(2025, 6, 2))
        datetime.date(2025, 6, 6)
    """

    days: int = 0
    weeks: int = 0
    months: int = 0
    day: int | None = None
    month: int | None = None
    weekday: Weekday | None = None

    def as_relativedelta(self) -> relativedelta:
        """The equivalent ``dateutil.relativedelta`` (unchecked)."""
        return relativedelta(
            days=self.days,
            weeks=self.weeks,
            months=self.months,
            day=self.day,
            month=self.month,
            weekday=None if self.weekday is None else _RELATIVEDELTA_WEEKDAYS[self.weekday],
        )

    def apply(self, day: date) -> date:
        """Move *day* by this step."""
        result: date = day + self.as_relativedelta()
        return result


def _as_steps(value: Iterable[DateStep]) -> tuple[DateStep, ...]:
    return tuple(value)


def _as_percent(value: Decimal | int | str) -> Decimal:
    return to_decimal(value, field_name="percent")


@frozen
class TermLine:
    """One line of a payment term: how much, and when.

    Prefer the constructors [fixed][s2c_core.terms.TermLine.fixed],
    [percent_of_remainder][s2c_core.terms.TermLine.percent_of_remainder],
    [percent_of_total][s2c_core.terms.TermLine.percent_of_total] and
    [remainder][s2c_core.terms.TermLine.remainder].

    Attributes:
        kind: The [LineKind][s2c_core.terms.LineKind].
        percent: Percentage (``Decimal("30")`` is 30 %) for the two percent kinds, else 0.
        amount: The amount of a ``FIXED`` line (positive), else None.
        steps: The date steps from the invoice date to the due date, applied in order.

    Examples:
        >>> TermLine.percent_of_total(30).kind
        <LineKind.PERCENT_OF_TOTAL: 'percent_on_total'>
    """

    kind: LineKind
    percent: Decimal = field(default=Decimal(0), converter=_as_percent)
    amount: Money | None = None
    steps: tuple[DateStep, ...] = field(default=(), converter=_as_steps)

    @classmethod
    def fixed(cls, amount: Money, *steps: DateStep) -> TermLine:
        """A fixed *amount* (its sign follows the invoice total), due after *steps*."""
        return cls(LineKind.FIXED, Decimal(0), amount, steps)

    @classmethod
    def percent_of_remainder(cls, percent: Decimal | int | str, *steps: DateStep) -> TermLine:
        """*percent* % of what earlier lines left, due after *steps*."""
        return cls(LineKind.PERCENT_OF_REMAINDER, _as_percent(percent), None, steps)

    @classmethod
    def percent_of_total(cls, percent: Decimal | int | str, *steps: DateStep) -> TermLine:
        """*percent* % of the invoice total, due after *steps*."""
        return cls(LineKind.PERCENT_OF_TOTAL, _as_percent(percent), None, steps)

    @classmethod
    def remainder(cls, *steps: DateStep) -> TermLine:
        """Whatever is left, due after *steps*; the last line of every term."""
        return cls(LineKind.REMAINDER, Decimal(0), None, steps)
