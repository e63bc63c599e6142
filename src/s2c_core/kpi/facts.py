"""The frozen input records of the KPI calculators.

KPIs read *facts*: small, flat, frozen records that a storage backend can produce cheaply from
SQL, one row per invoice (with its payments aggregated), discount, order or event. They hold
only what the formulas need: ids and grouping keys as strings, dates, and
[Money][s2c_core.money.Money] amounts, never entities.

Producing them from SQL: one query over the invoices table joined to a grouped payments query
(``GROUP BY invoice_id`` with ``json_group_array``/``array_agg`` of ``(date, minor units)``)
gives every [InvoiceFact][s2c_core.kpi.facts.InvoiceFact]; amounts are stored as integer minor
units and rebuilt with ``Money.from_minor``. The calculators are the reference implementation
(the test oracle); backends may push the same formulas into SQL.

Dates are calendar dates; "as of" a date means at the end of that day, so a payment dated on
the as-of date counts as received.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> inv = InvoiceFact("INV-1", "C1", "retail", "EUR", date(2024, 1, 10), date(2024, 2, 9),
    ...                   Money("121.00", "EUR"),
    ...                   paid=(PaymentFact(date(2024, 2, 20), Money("100.00", "EUR")),))
    >>> inv.open_as_of(date(2024, 2, 15)), inv.open_as_of(date(2024, 2, 20))
    (Money('121.00', 'EUR'), Money('21.00', 'EUR'))
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from attrs import Attribute, Factory, field, frozen

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.money import Currency, Money, get_currency, sum_money

__all__ = [
    "DiscountFact",
    "DiscountKind",
    "Grouping",
    "InvoiceFact",
    "OrderFulfilmentFact",
    "PaymentFact",
    "Period",
    "StageEvent",
]


def _as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _check_currency(currency: Currency, amount: Money | None, name: str) -> None:
    if amount is not None and amount.currency != currency:
        raise CurrencyMismatchError(currency.code, amount.currency.code, operation=name)


@frozen
class Period:
    """A closed range of calendar days, ``start`` to ``end`` inclusive.

    Attributes:
        start: The first day of the period.
        end: The last day of the period (at least *start*).

    Examples:
        >>> Period.month(2024, 2).days
        29
        >>> Period(date(2024, 1, 1), date(2024, 3, 31)).opening_date
        datetime.date(2023, 12, 31)
    """

    start: date
    end: date = field()

    @end.validator
    def _check_end(self, attribute: Attribute[date], value: date) -> None:
        if value < self.start:
            raise ValidationError(
                f"period end {value} is before its start {self.start}", field="end", value=value
            )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month *month* of *year*."""
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @property
    def days(self) -> int:
        """The number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def opening_date(self) -> date:
        """The day before *start*: balances "at the beginning" are taken at its end."""
        return self.start - timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@frozen
class PaymentFact:
    """Money received against one invoice on one day (after allocation).

    Attributes:
        paid_on: The value date of the payment.
        amount: The amount allocated to the invoice (negative for a refund of a credit note).

    Examples:
        >>> PaymentFact(date(2024, 2, 10), Money("30.00", "EUR"))
        PaymentFact(paid_on=datetime.date(2024, 2, 10), amount=Money('30.00', 'EUR'))
    """

    paid_on: date
    amount: Money


@frozen
class InvoiceFact:
    """One invoice or credit note, with what was paid, written off and disputed.

    Attributes:
        invoice_id: The invoice number.
        customer_id: The customer (account) id.
        segment: The customer's segment (grouping key).
        currency: The invoice currency (code or Currency); every amount must be in it.
        issue_date: The invoice date; the invoice is a receivable from that day on.
        due_date: The date payment is due (payment term end).
        amount: Gross amount receivable (VAT included), negative for a credit note.
        paid: Payments allocated to this invoice.
        written_off: Amount written off as bad debt, if any.
        written_off_date: Day of the write-off (given with *written_off*).
        disputed: Amount under dispute (zero when none).
        salesperson: Salesperson credited with the sale ("" when unknown).
        cost: Cost of goods and services sold, for margins (None when unknown).
        net_amount: Revenue excluding VAT, for margins; None means *amount* is used.

    Examples:
        >>> inv = InvoiceFact("INV-7", "C1", "retail", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...                   Money(100, "EUR"), written_off=Money(100, "EUR"),
        ...                   written_off_date=date(2024, 6, 30))
        >>> inv.term_days, str(inv.open_as_of(date(2024, 6, 29))), inv.open_as_of(date(2024, 7, 1))
        (30, 'EUR 100.00', Money('0.00', 'EUR'))
    """

    invoice_id: str
    customer_id: str
    segment: str
    currency: Currency = field(converter=get_currency)
    issue_date: date
    due_date: date
    amount: Money
    paid: tuple[PaymentFact, ...] = field(default=(), converter=_as_tuple)
    written_off: Money | None = None
    written_off_date: date | None = None
    disputed: Money = Factory(lambda self: Money.zero(self.currency), takes_self=True)
    salesperson: str = ""
    cost: Money | None = None
    net_amount: Money | None = None

    def __attrs_post_init__(self) -> None:
        if self.due_date < self.issue_date:
            raise ValidationError(
                f"invoice {self.invoice_id}: due date {self.due_date} is before its issue date",
                field="due_date",
                value=self.due_date,
            )
        if (self.written_off is None) != (self.written_off_date is None):
            raise ValidationError(
                f"invoice {self.invoice_id}: written_off and written_off_date go together",
                field="written_off_date",
                value=self.written_off_date,
            )
        cur = self.currency
        _check_currency(cur, self.amount, "amount")
        _check_currency(cur, self.written_off, "written_off")
        _check_currency(cur, self.disputed, "disputed")
        _check_currency(cur, self.cost, "cost")
        _check_currency(cur, self.net_amount, "net_amount")
        for payment in self.paid:
            _check_currency(cur, payment.amount, "paid")

    @property
    def term_days(self) -> int:
        """Granted payment term in days: due date minus issue date."""
        return (self.due_date - self.issue_date).days

    @property
    def revenue(self) -> Money:
        """Revenue of this invoice: *net_amount* when known, else *amount*."""
        return self.amount if self.net_amount is None else self.net_amount

    def paid_as_of(self, as_of: date) -> Money:
        """Sum of the payments dated on or before *as_of*."""
        return sum_money((p.amount for p in self.paid if p.paid_on <= as_of), self.currency)

    def written_off_as_of(self, as_of: date) -> Money:
        """The write-off if it is dated on or before *as_of*, else zero."""
        if self.written_off is None or self.written_off_date is None:
            return Money.zero(self.currency)
        return self.written_off if self.written_off_date <= as_of else Money.zero(self.currency)

    def open_as_of(self, as_of: date) -> Money:
        """Open amount at the end of *as_of*: amount - payments - write-off dated up to then.

        Zero before the issue date. Can be negative (an overpayment or an unused credit note).
        """
        if self.issue_date > as_of:
            return Money.zero(self.currency)
        return self.amount - self.paid_as_of(as_of) - self.written_off_as_of(as_of)


class Grouping(StrEnum):
    """The key a per-group KPI groups its facts by.

    Examples:
        >>> Grouping("segment") is Grouping.SEGMENT
        True
    """

    CUSTOMER = "customer"
    SEGMENT = "segment"
    SALESPERSON = "salesperson"


class DiscountKind(StrEnum):
    """Where a discount was given.

    Examples:
        >>> DiscountKind("early_payment")
        <DiscountKind.EARLY_PAYMENT: 'early_payment'>
    """

    QUOTE = "quote"
    """A price reduction granted on a quote or order line."""
    EARLY_PAYMENT = "early_payment"
    """A cash discount taken for paying before the discount date."""


@frozen
class DiscountFact:
    """One discount given to a customer.

    Attributes:
        document_id: The quote, order or invoice that carries the discount.
        kind: Quote discount or early-payment discount.
        customer_id: The customer.
        segment: The customer's segment.
        salesperson: The salesperson who granted it ("" when none).
        given_on: The day the discount was granted or taken.
        amount: The discount amount (positive).

    Examples:
        >>> DiscountFact("Q-1", "quote", "C1", "retail", "ann", date(2024, 1, 3),
        ...              Money(50, "EUR")).kind
        <DiscountKind.QUOTE: 'quote'>
    """

    document_id: str
    kind: DiscountKind = field(converter=DiscountKind)
    customer_id: str
    segment: str
    salesperson: str
    given_on: date
    amount: Money


@frozen
class OrderFulfilmentFact:
    """The outcome of one delivered order against the four perfect-order criteria.

    Attributes:
        order_id: The order.
        on_time: Delivered on the date promised to the customer.
        complete: Delivered in full: every line in the quantity ordered.
        damage_free: Delivered without damage.
        documentation_ok: Delivery note, invoice and labels were accurate.

    Examples:
        >>> OrderFulfilmentFact("O-1", on_time=True, complete=False, damage_free=True,
        ...                     documentation_ok=True).perfect
        False
    """

    order_id: str
    on_time: bool
    complete: bool
    damage_free: bool
    documentation_ok: bool

    @property
    def perfect(self) -> bool:
        """True when all four criteria are met."""
        return self.on_time and self.complete and self.damage_free and self.documentation_ok


def _aware(instance: object, attribute: Attribute[datetime], value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(
            f"{attribute.name} must be a timezone-aware datetime, got {value!r}",
            field=attribute.name,
            value=value,
        )


@frozen
class StageEvent:
    """One step of the event log: a case (lead, quote, order ...) reached a stage at a time.

    Attributes:
        case_id: The id that follows the chain from lead to cash.
        stage: The stage reached, e.g. ``"quote"``.
        at: When it was reached (timezone-aware).

    Examples:
        >>> from datetime import timezone
        >>> StageEvent("L-1", "quote", datetime(2024, 1, 2, 9, tzinfo=timezone.utc)).stage
        'quote'
    """

    case_id: str
    stage: str
    at: datetime = field(validator=_aware)
