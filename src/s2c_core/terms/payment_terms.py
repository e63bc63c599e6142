"""Payment terms: lines of amounts with due-date rules, and the schedule they produce.

The model follows Tryton's ``account.invoice.payment_term`` (module *account_invoice*,
``payment_term.py``): a term is an ordered list of lines; each line is

* a **fixed** amount (its sign follows the invoice total, so credit notes mirror invoices),
* a **percent of the remainder** (what earlier lines have not taken yet),
* a **percent of the total**, or
* the **remainder**, which must be the last line, so a schedule always sums to the total.

Amounts are computed in order. A line whose amount would take more than what remains gets the
remainder and ends the schedule; lines whose amount is zero produce no installment. A zero
total therefore gives one zero installment: on the invoice date, or, as in Tryton, on the due
date of a first fixed line (which overshoots the zero remainder). Each line's due date is the
invoice date moved by its chain of [DateStep][s2c_core.terms.DateStep]s, applied in order with
``dateutil.relativedelta`` semantics (see ``DateStep``).

Terms are validated and compiled once, at construction: scheduling an invoice is then a few
integer operations per line (minor units), and due dates are cached per invoice date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Final

from attrs import field, frozen
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

from s2c_core.errors import ValidationError
from s2c_core.money import Currency, Money, Rounding, to_decimal
from s2c_core.terms._arith import div_round, money_from_minor
from s2c_core.terms.calendar import BusinessCalendar, BusinessDayConvention
from s2c_core.terms.discounts import CashDiscount, EarlyPaymentOffer, early_payment_offer

__all__ = [
    "DateStep",
    "Installment",
    "LineKind",
    "PaymentTerm",
    "TermLine",
    "Weekday",
]

_HUNDRED: Final = Decimal(100)
_DATE_CACHE_SIZE: Final = 4096
_MAX_DAYS: Final = 36_600
_MAX_WEEKS: Final = 5_230
_MAX_MONTHS: Final = 1_200


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


@frozen
class Installment:
    """One due amount of a schedule.

    Attributes:
        due_date: When the amount is due.
        amount: The amount due (never finer than the currency's minor unit).
        line: Index of the term line that produced it (None for the zero installment of a
            zero total).
    """

    due_date: date
    amount: Money
    line: int | None = None


def _lines(value: Iterable[TermLine]) -> tuple[TermLine, ...]:
    return tuple(value)


def _discounts(value: Iterable[CashDiscount]) -> tuple[CashDiscount, ...]:
    return tuple(value)


def _problem(
    line: int, problem: str, message: str, *, field: str, value: object, step: int | None = None
) -> ValidationError:
    where = f"line {line}" if step is None else f"line {line}, step {step}"
    return ValidationError(
        f"payment term {where}: {message}",
        field=field,
        value=value,
        line=line,
        step=step,
        problem=problem,
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_step(index: int, position: int, step: object) -> relativedelta:
    if not isinstance(step, DateStep):
        raise _problem(
            index,
            "not_a_step",
            f"expected a DateStep, got {type(step).__name__}",
            field="steps",
            value=step,
            step=position,
        )
    for name, bound in (("days", _MAX_DAYS), ("weeks", _MAX_WEEKS), ("months", _MAX_MONTHS)):
        value = getattr(step, name)
        if not _is_int(value) or abs(value) > bound:
            raise _problem(
                index,
                f"invalid_{name}",
                f"{name} must be an int within ±{bound}, got {value!r}",
                field=name,
                value=value,
                step=position,
            )
    if step.day is not None and (not _is_int(step.day) or not 1 <= step.day <= 31):
        raise _problem(
            index,
            "invalid_day",
            f"day of month must be 1..31 (31 = end of month), got {step.day!r}",
            field="day",
            value=step.day,
            step=position,
        )
    if step.month is not None and (not _is_int(step.month) or not 1 <= step.month <= 12):
        raise _problem(
            index,
            "invalid_month",
            f"month must be 1..12, got {step.month!r}",
            field="month",
            value=step.month,
            step=position,
        )
    if step.weekday is not None and not isinstance(step.weekday, Weekday):
        raise _problem(
            index,
            "invalid_weekday",
            f"weekday must be a Weekday, got {step.weekday!r}",
            field="weekday",
            value=step.weekday,
            step=position,
        )
    return step.as_relativedelta()


class _Plan:
    """A validated, compiled term: what ``schedule`` runs (internal)."""

    __slots__ = ("compiled", "date_cache", "deltas", "fixed")

    def __init__(self, lines: tuple[TermLine, ...]) -> None:
        if not lines:
            raise ValidationError(
                "a payment term needs at least one line (a remainder)",
                field="lines",
                value=(),
                line=None,
                problem="no_lines",
            )
        kinds: list[int] = []
        ratios: list[tuple[int, int]] = []
        fixed: list[Money | None] = []
        deltas: list[tuple[relativedelta, ...]] = []
        total_percent = Decimal(0)
        remainder_at: int | None = None
        for index, line in enumerate(lines):
            if not isinstance(line, TermLine):
                raise _problem(
                    index,
                    "not_a_line",
                    f"expected a TermLine, got {type(line).__name__}",
                    field="lines",
                    value=line,
                )
            if remainder_at is not None:
                raise _problem(
                    index,
                    "line_after_remainder",
                    f"comes after the remainder line {remainder_at}; the remainder "
                    "must be the last line",
                    field="kind",
                    value=line.kind,
                )
            kind = LineKind(line.kind)
            if kind is LineKind.FIXED:
                if not isinstance(line.amount, Money) or not line.amount.is_positive():
                    raise _problem(
                        index,
                        "invalid_amount",
                        f"a fixed line needs a positive Money amount, got {line.amount!r}",
                        field="amount",
                        value=line.amount,
                    )
            elif line.amount is not None:
                raise _problem(
                    index,
                    "unexpected_amount",
                    f"a {kind.value} line takes no amount",
                    field="amount",
                    value=line.amount,
                )
            if kind in (LineKind.PERCENT_OF_REMAINDER, LineKind.PERCENT_OF_TOTAL):
                if not Decimal(0) < line.percent <= _HUNDRED:
                    raise _problem(
                        index,
                        "percent_out_of_range",
                        f"percentage must be above 0 and at most 100, got {line.percent}",
                        field="percent",
                        value=line.percent,
                    )
                if kind is LineKind.PERCENT_OF_TOTAL:
                    total_percent += line.percent
                    if total_percent > _HUNDRED:
                        raise _problem(
                            index,
                            "percent_over_100",
                            f"percentages of the total reach {total_percent} %, over 100 %",
                            field="percent",
                            value=line.percent,
                        )
            elif line.percent != 0:
                raise _problem(
                    index,
                    "unexpected_percent",
                    f"a {kind.value} line takes no percentage",
                    field="percent",
                    value=line.percent,
                )
            if kind is LineKind.REMAINDER:
                remainder_at = index
            kinds.append(_KIND_CODE[kind])
            numerator, denominator = (line.percent / _HUNDRED).as_integer_ratio()
            ratios.append((numerator, denominator))
            fixed.append(line.amount if kind is LineKind.FIXED else None)
            deltas.append(
                tuple(
                    _check_step(index, position, step) for position, step in enumerate(line.steps)
                )
            )
        if remainder_at is None:
            last = len(lines) - 1
            raise _problem(
                last,
                "no_remainder",
                "the last line must be the remainder, so the schedule always sums to the total",
                field="kind",
                value=lines[last].kind,
            )
        self.compiled = tuple(
            (index, kind, numerator, denominator)
            for index, (kind, (numerator, denominator)) in enumerate(
                zip(kinds, ratios, strict=True)
            )
        )
        self.fixed = tuple(fixed)
        self.deltas = tuple(deltas)
        self.date_cache: dict[date, tuple[date, ...]] = {}

    def due_dates(self, invoice_date: date) -> tuple[date, ...]:
        cached = self.date_cache.get(invoice_date)
        if cached is not None:
            return cached
        dates: list[date] = []
        for index, chain in enumerate(self.deltas):
            day = invoice_date
            try:
                for delta in chain:
                    day = day + delta
            except (OverflowError, ValueError) as exc:
                raise _problem(
                    index,
                    "date_out_of_range",
                    f"due date from {invoice_date} is out of range ({exc})",
                    field="steps",
                    value=invoice_date,
                ) from None
            dates.append(day)
        result = tuple(dates)
        if len(self.date_cache) >= _DATE_CACHE_SIZE:
            self.date_cache.clear()
        self.date_cache[invoice_date] = result
        return result


_FIXED, _PERCENT, _PERCENT_TOTAL, _REMAINDER = range(4)
_UNADJUSTED: Final = BusinessDayConvention.UNADJUSTED
_Decimal: Final = Decimal
_new: Final = object.__new__
_set: Final = object.__setattr__
_KIND_CODE: Final = {
    LineKind.FIXED: _FIXED,
    LineKind.PERCENT_OF_REMAINDER: _PERCENT,
    LineKind.PERCENT_OF_TOTAL: _PERCENT_TOTAL,
    LineKind.REMAINDER: _REMAINDER,
}


@frozen
class PaymentTerm:
    """A payment term: ordered lines ending with a remainder line; frozen, storable data.

    Validation happens once at construction (a malformed term raises
    [ValidationError][s2c_core.errors.ValidationError] with ``err.line`` (the 0-based line
    index), ``err.problem`` (a short code) and ``err.field``), then the term is compiled for
    fast scheduling.

    Attributes:
        lines: The lines, in order; the last one must be a remainder line.
        name: A short display name, e.g. ``"Net 30"``.
        description: The convention in words (presets fill it in).
        discounts: Early-payment discounts offered with this term (``2/10 net 30``).
        business_day: How due dates on non-business days move (default: they don't).

    Examples:
        >>> term = PaymentTerm([
        ...     TermLine.percent_of_total(30),
        ...     TermLine.remainder(DateStep(days=60)),
        ... ], name="30 % now, 70 % at 60 days")
        >>> [(i.due_date.isoformat(), str(i.amount))
        ...  for i in term.schedule(Money("1000.00", "EUR"), date(2025, 1, 15))]
        [('2025-01-15', 'EUR 300.00'), ('2025-03-16', 'EUR 700.00')]
    """

    lines: tuple[TermLine, ...] = field(converter=_lines)
    name: str = ""
    description: str = ""
    discounts: tuple[CashDiscount, ...] = field(default=(), converter=_discounts)
    business_day: BusinessDayConvention = BusinessDayConvention.UNADJUSTED

    def __attrs_post_init__(self) -> None:
        for position, discount in enumerate(self.discounts):
            if not isinstance(discount, CashDiscount):
                raise ValidationError(
                    f"payment term discount {position}: expected a CashDiscount, got "
                    f"{type(discount).__name__}",
                    field="discounts",
                    value=discount,
                    line=None,
                    problem="not_a_discount",
                )
        try:
            BusinessDayConvention(self.business_day)
        except ValueError:
            raise ValidationError(
                f"unknown business-day convention {self.business_day!r}",
                field="business_day",
                value=self.business_day,
                line=None,
                problem="invalid_business_day",
            ) from None
        self._plan  # noqa: B018 - validate and compile now, not at first use

    @cached_property
    def _plan(self) -> _Plan:
        return _Plan(self.lines)

    def due_dates(self, invoice_date: date) -> tuple[date, ...]:
        """The unadjusted due date of every line for *invoice_date* (cached per date).

        Examples:
            >>> PaymentTerm([TermLine.remainder(DateStep(day=31))]).due_dates(date(2024, 2, 3))
            (datetime.date(2024, 2, 29),)
        """
        return self._plan.due_dates(invoice_date)

    def schedule(
        self,
        total: Money,
        invoice_date: date,
        *,
        rounding: Rounding = Rounding.HALF_EVEN,
        calendar: BusinessCalendar | None = None,
        convention: BusinessDayConvention | None = None,
    ) -> tuple[Installment, ...]:
        """Split *total* into installments due from *invoice_date*.

        Formula, per line in order (amounts in minor units, ``sign`` = sign of the total):
        fixed → ``amount × sign``; percent of remainder → ``round(remaining × p / 100)``;
        percent of total → ``round(total × p / 100)``; remainder → ``remaining``. A line that
        would overshoot what remains gets the remainder and ends the schedule; zero amounts are
        skipped. This reproduces Tryton's ``PaymentTerm.compute``; ``HALF_EVEN`` is Tryton's
        rounding, ``HALF_UP`` Odoo's. Whatever the mode, the installments sum to *total* and are
        whole minor units, because the remainder line takes what the rounding left.

        Args:
            total: The invoice total; zero, or negative for a credit note, is allowed.
            invoice_date: The date the steps start from.
            rounding: Rounding of percentage shares to the minor unit.
            calendar: Business days for the adjustment (default: weekends only).
            convention: Business-day convention; default the term's ``business_day``.

        Returns:
            The installments, in line order.

        Examples:
            >>> net30 = PaymentTerm([TermLine.remainder(DateStep(days=30))])
            >>> net30.schedule(Money("-99.99", "EUR"), date(2025, 1, 1))[0].amount
            Money('-99.99', 'EUR')
        """
        plan = self._plan
        currency = total.currency
        minor = currency.minor_unit
        total_units = int(total.amount.scaleb(minor))
        sign = 1 if total_units >= 0 else -1
        remaining = total_units
        shares: list[tuple[int, int]] = []
        for index, kind, numerator, denominator in plan.compiled:
            if kind == _REMAINDER:
                value = remaining
            elif kind == _PERCENT:
                value = div_round(remaining * numerator, denominator, rounding)
            elif kind == _PERCENT_TOTAL:
                value = div_round(total_units * numerator, denominator, rounding)
            else:
                value = self._fixed_units(index, currency) * sign
            if (remaining - value) * sign < 0:
                shares.append((index, remaining))
                break
            if value:
                shares.append((index, value))
            remaining -= value
        if convention is None:
            convention = self.business_day
        if not shares:
            due = invoice_date
            if convention is not _UNADJUSTED:
                calendar = BusinessCalendar() if calendar is None else calendar
                due = calendar.adjust(due, convention)
            return (Installment(due, money_from_minor(0, currency), None),)
        dates = plan.due_dates(invoice_date)
        if convention is _UNADJUSTED:
            # Inlined money_from_minor and Installment(...): this loop is the hot path.
            new, put, exponent = _new, _set, -minor
            result = []
            for index, units in shares:
                money = new(Money)
                put(money, "amount", _Decimal(units).scaleb(exponent))
                put(money, "currency", currency)
                installment = new(Installment)
                put(installment, "due_date", dates[index])
                put(installment, "amount", money)
                put(installment, "line", index)
                result.append(installment)
            return tuple(result)
        calendar = BusinessCalendar() if calendar is None else calendar
        return tuple(
            Installment(
                calendar.adjust(dates[index], convention), money_from_minor(units, currency), index
            )
            for index, units in shares
        )

    def _fixed_units(self, index: int, currency: Currency) -> int:
        amount = self._plan.fixed[index]
        assert amount is not None
        if amount.currency != currency:
            raise _problem(
                index,
                "currency_mismatch",
                f"fixed amount {amount} cannot be scheduled on a {currency.code} total",
                field="amount",
                value=amount,
            )
        return amount.minor_units

    def final_due_date(
        self,
        total: Money,
        invoice_date: date,
        *,
        rounding: Rounding = Rounding.HALF_EVEN,
        calendar: BusinessCalendar | None = None,
        convention: BusinessDayConvention | None = None,
    ) -> date:
        """The latest due date of the schedule of *total* (for overdue and interest checks).

        Arguments are those of [schedule][s2c_core.terms.PaymentTerm.schedule].

        Examples:
            >>> PaymentTerm([TermLine.remainder(DateStep(days=30))]).final_due_date(
            ...     Money("10.00", "EUR"), date(2025, 1, 1))
            datetime.date(2025, 1, 31)
        """
        installments = self.schedule(
            total, invoice_date, rounding=rounding, calendar=calendar, convention=convention
        )
        return max(i.due_date for i in installments)

    def early_payment_offers(
        self,
        total: Money,
        invoice_date: date,
        *,
        rounding: Rounding = Rounding.HALF_UP,
    ) -> tuple[EarlyPaymentOffer, ...]:
        """One [EarlyPaymentOffer][s2c_core.terms.EarlyPaymentOffer] per discount of the term.

        Examples:
            >>> from s2c_core.terms import net_days
            >>> term = net_days(30, discounts=[CashDiscount(Decimal(2), 10)])
            >>> str(term.early_payment_offers(Money("500.00", "EUR"), date(2025, 1, 1))[0].payable)
            'EUR 490.00'
        """
        return tuple(
            early_payment_offer(total, invoice_date, d, rounding=rounding) for d in self.discounts
        )
