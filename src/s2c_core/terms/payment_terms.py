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
integer operations per line (minor units), and due dates are cached per invoice date (a bounded
cache, cleared when it holds 4,096 dates).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Final

from attrs import field, frozen

from s2c_core.errors import ValidationError
from s2c_core.money import Currency, Money, Rounding
from s2c_core.terms._arith import div_round, money_from_minor
from s2c_core.terms._compile import PERCENT, PERCENT_TOTAL, REMAINDER, Plan, problem
from s2c_core.terms.calendar import BusinessCalendar, BusinessDayConvention
from s2c_core.terms.discounts import CashDiscount, EarlyPaymentOffer, early_payment_offer
from s2c_core.terms.lines import TermLine

__all__ = ["Installment", "PaymentTerm"]


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


def _check_inputs(total: object, invoice_date: object) -> None:
    if not isinstance(total, Money):
        raise ValidationError(
            f"total must be Money, got {type(total).__name__}", field="total", value=total
        )
    if not isinstance(invoice_date, date) or isinstance(invoice_date, datetime):
        raise ValidationError(
            f"invoice_date must be a date (not a datetime), got {invoice_date!r}",
            field="invoice_date",
            value=invoice_date,
        )


_UNADJUSTED: Final = BusinessDayConvention.UNADJUSTED
_Decimal: Final = Decimal
_new: Final = object.__new__
_set: Final = object.__setattr__


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
        >>> from s2c_core.terms import DateStep, TermLine
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
    def _plan(self) -> Plan:
        return Plan(self.lines)

    def due_dates(self, invoice_date: date) -> tuple[date, ...]:
        """The unadjusted due date of every line for *invoice_date* (cached per date).

        Examples:
            >>> from s2c_core.terms import DateStep, TermLine
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
            >>> from s2c_core.terms import DateStep, TermLine
            >>> net30 = PaymentTerm([TermLine.remainder(DateStep(days=30))])
            >>> net30.schedule(Money("-99.99", "EUR"), date(2025, 1, 1))[0].amount
            Money('-99.99', 'EUR')
        """
        if type(total) is not Money or type(invoice_date) is not date:
            _check_inputs(total, invoice_date)
        plan = self._plan
        currency = total.currency
        minor = currency.minor_unit
        total_units = int(total.amount.scaleb(minor))
        sign = 1 if total_units >= 0 else -1
        remaining = total_units
        shares: list[tuple[int, int]] = []
        for index, kind, numerator, denominator in plan.compiled:
            if kind == REMAINDER:
                value = remaining
            elif kind == PERCENT:
                value = div_round(remaining * numerator, denominator, rounding)
            elif kind == PERCENT_TOTAL:
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
            raise problem(
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
            >>> from s2c_core.terms import DateStep, TermLine
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
            >>> from s2c_core.terms import DateStep, TermLine
            >>> from s2c_core.terms import net_days
            >>> term = net_days(30, discounts=[CashDiscount(Decimal(2), 10)])
            >>> str(term.early_payment_offers(Money("500.00", "EUR"), date(2025, 1, 1))[0].payable)
            'EUR 490.00'
        """
        return tuple(
            early_payment_offer(total, invoice_date, d, rounding=rounding) for d in self.discounts
        )
