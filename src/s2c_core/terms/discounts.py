"""Early-payment (cash) discounts: "2/10 net 30", their VAT treatment and their cost.

A cash discount lets the customer deduct *percent* % when paying within *days* days of the
invoice date ("2/10 net 30": 2 % if paid within 10 days, otherwise the full amount at 30 days).

VAT treatment differs by country and practice;
[DiscountVatTreatment][s2c_core.terms.DiscountVatTreatment] names the four ways this module
computes:

* ``EXCLUDING_VAT``: the discount is a percentage of the net amount; the VAT stays as invoiced
  on the full net whether or not the discount is taken. Dutch practice when the discount is
  *not* deducted on the invoice, under the approved simplification that no credit note is
  issued (supplier pays, customer deducts, the full invoiced VAT): example net 102.00,
  VAT 21 % = 21.42, invoice 123.42, prompt payer deducts 3 % of 102.00 = 3.06 and pays 120.36
  (vwg.nl, "Betalingskorting en BTW", 10 Aug 2015; art. 29(3) Wet OB 1968 with art. 2(1)
  Uitvoeringsbesluit OB 1968).
* ``INCLUDING_VAT``: the discount is a percentage of the gross (VAT-inclusive) amount and, when
  taken, reduces the VAT pro rata (the VAT correction of a price reduction after the supply:
  EU VAT Directive 2006/112/EC art. 90; e.g. German "Skonto", § 17 UStG).
* ``DISCOUNTED_BASE``: Belgian practice: VAT is computed on the net *minus* the discount
  whether or not the discount is taken (Belgian VAT Code, art. 28, 2°: cash discounts are not
  part of the taxable amount). Example: net 100.00, 2 %, VAT 21 % on 98.00 = 20.58; 118.58 if
  paid in time, 120.58 otherwise (onfact.be, "Wat betekent 'korting contant'?", 2021).
* ``DISCOUNTED_BASE_UNLESS_LATE``: Dutch practice when the discount *is* deducted on the
  invoice: VAT on the discounted base; a late payer owes the discount plus VAT on it through a
  supplementary invoice. Example net 102.00 − 3.06 = 98.94, VAT 20.78, invoice 119.72; late:
  123.42 (vwg.nl, same article; rendement.nl "BTW berekenen bij betalingskorting", 2015).

The cost of *not* taking a discount, as an annual rate, is the textbook formula (e.g. Brigham
& Ehrhardt, *Financial Management*, ch. "Working capital", cost of trade credit): with
``d = percent / 100`` and ``Δ = net_days − discount_days``

* nominal: ``d / (1 − d) × Y / Δ`` with ``Y`` = 365 or 360 (named by a
  [DayCount][s2c_core.terms.DayCount]);
* effective (compounded): ``(1 + d / (1 − d)) ** (Y / Δ) − 1``.
"""

from __future__ import annotations

import decimal
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from attrs import field, frozen

from s2c_core.errors import ValidationError
from s2c_core.money import Money, Rounding, to_decimal
from s2c_core.terms.daycount import DayCount

__all__ = [
    "CashDiscount",
    "CashDiscountTotals",
    "DiscountVatTreatment",
    "EarlyPaymentOffer",
    "cash_discount_totals",
    "discount_cost_effective",
    "discount_cost_nominal",
    "early_payment_offer",
]

_HUNDRED = Decimal(100)


def _percent(value: Decimal | int | str) -> Decimal:
    return to_decimal(value, field_name="percent")


def _check_discount_percent(instance: object, attribute: object, value: Decimal) -> None:
    if not Decimal(0) < value < _HUNDRED:
        raise ValidationError(
            f"a cash discount must be above 0 % and below 100 %, got {value} %",
            field="percent",
            value=value,
        )


def _check_days(instance: object, attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 36600:
        raise ValidationError(
            f"discount days must be an int from 0 to 36600, got {value!r}",
            field="days",
            value=value,
        )


@frozen
class CashDiscount:
    """An early-payment discount: *percent* % off when paid within *days* days.

    The deadline is ``invoice date + days`` (inclusive): a payment received on that day still
    earns the discount.

    Attributes:
        percent: The discount in percent (``Decimal("2")`` is 2 %), strictly between 0 and 100.
        days: Days after the invoice date during which the discount may be taken.

    Examples:
        >>> two_ten = CashDiscount(Decimal("2"), 10)
        >>> two_ten.deadline(date(2025, 3, 25))
        datetime.date(2025, 4, 4)
    """

    percent: Decimal = field(converter=_percent, validator=_check_discount_percent)
    days: int = field(validator=_check_days)

    def deadline(self, invoice_date: date) -> date:
        """The last day on which the discount may be taken: ``invoice_date + days``."""
        return invoice_date + timedelta(days=self.days)

    def amount_on(self, base: Money, *, rounding: Rounding = Rounding.HALF_UP) -> Money:
        """The discount on *base*: ``base × percent / 100`` rounded with *rounding*.

        Examples:
            >>> CashDiscount(Decimal("2"), 10).amount_on(Money("1234.56", "EUR"))
            Money('24.69', 'EUR')
        """
        return base.multiply(self.percent / _HUNDRED, rounding=rounding)


class DiscountVatTreatment(StrEnum):
    """How VAT and a cash discount interact; see the module documentation for sources.

    Examples:
        >>> DiscountVatTreatment("discounted_base").name
        'DISCOUNTED_BASE'
    """

    EXCLUDING_VAT = "excluding_vat"
    INCLUDING_VAT = "including_vat"
    DISCOUNTED_BASE = "discounted_base"
    DISCOUNTED_BASE_UNLESS_LATE = "discounted_base_unless_late"


@frozen
class EarlyPaymentOffer:
    """What a customer pays by the deadline instead of the full total.

    Attributes:
        deadline: Last day (inclusive) to pay with the discount.
        total: The full amount due without discount.
        discount: The amount deducted when paying by the deadline.
        payable: ``total − discount``.
    """

    deadline: date
    total: Money
    discount: Money
    payable: Money


def early_payment_offer(
    total: Money,
    invoice_date: date,
    discount: CashDiscount,
    *,
    rounding: Rounding = Rounding.HALF_UP,
) -> EarlyPaymentOffer:
    """The discount deadline, discount amount and amount to pay by the deadline.

    Formula: ``discount = round(total × percent / 100)``, ``payable = total − discount``,
    ``deadline = invoice_date + days`` (no VAT question: *total* is whatever the discount
    applies to; use [cash_discount_totals][s2c_core.terms.cash_discount_totals] to split VAT).

    Args:
        total: The amount the discount applies to (a credit note's negative total works too).
        invoice_date: The invoice date the discount days run from.
        discount: The cash discount.
        rounding: Rounding of the discount to the minor unit.

    Returns:
        The [EarlyPaymentOffer][s2c_core.terms.EarlyPaymentOffer].

    Examples:
        >>> offer = early_payment_offer(Money("1000.00", "EUR"), date(2025, 1, 31),
        ...                             CashDiscount(Decimal("2"), 10))
        >>> offer.deadline, str(offer.discount), str(offer.payable)
        (datetime.date(2025, 2, 10), 'EUR 20.00', 'EUR 980.00')
    """
    amount = discount.amount_on(total, rounding=rounding)
    return EarlyPaymentOffer(
        deadline=discount.deadline(invoice_date),
        total=total,
        discount=amount,
        payable=total - amount,
    )


@frozen
class CashDiscountTotals:
    """Invoice totals under a cash discount and a VAT treatment.

    Attributes:
        treatment: The VAT treatment used.
        deadline: Last day (inclusive) to pay with the discount.
        net: Net amount (excluding VAT) before the discount.
        vat: VAT shown on the invoice.
        gross: Invoice total shown on the invoice (for ``DISCOUNTED_BASE_UNLESS_LATE`` the
            discount is already deducted on the invoice).
        discount: What the customer deducts when paying by the deadline (VAT included where
            the treatment reduces VAT).
        payable_with_discount: Amount that settles the invoice by the deadline.
        payable_without_discount: Amount that settles the invoice after the deadline.
        vat_with_discount: VAT finally due when the discount is taken.
        vat_without_discount: VAT finally due when it is not.
    """

    treatment: DiscountVatTreatment
    deadline: date
    net: Money
    vat: Money
    gross: Money
    discount: Money
    payable_with_discount: Money
    payable_without_discount: Money
    vat_with_discount: Money
    vat_without_discount: Money


def cash_discount_totals(
    net: Money,
    vat_percent: Decimal | int | str,
    discount: CashDiscount,
    *,
    invoice_date: date,
    treatment: DiscountVatTreatment,
    rounding: Rounding = Rounding.HALF_UP,
) -> CashDiscountTotals:
    """Net, VAT, gross and both payable amounts for one VAT rate under a VAT *treatment*.

    Formulas (``r`` = *vat_percent* / 100, ``d`` = discount percent / 100, every product
    rounded to the minor unit with *rounding*):

    * ``EXCLUDING_VAT``: ``vat = net·r``; ``discount = net·d``; with = ``net + vat − discount``;
      without = ``net + vat``; VAT unchanged either way.
    * ``INCLUDING_VAT``: ``vat = net·r``; ``discount = (net + vat)·d``, split over net and VAT
      by largest remainder; with = ``gross − discount``, VAT with = ``vat − VAT part``.
    * ``DISCOUNTED_BASE`` (BE): ``discount = net·d``; ``vat = (net − discount)·r`` in both cases;
      with = ``net − discount + vat``; without = ``net + vat``.
    * ``DISCOUNTED_BASE_UNLESS_LATE`` (NL): ``discount = net·d``; ``vat = (net − discount)·r``;
      invoice total = with = ``net − discount + vat``; without adds ``discount + discount·r``.

    For an invoice with several VAT rates, call once per rate and add the results.

    Args:
        net: Net amount before the discount (negative for a credit note).
        vat_percent: VAT rate in percent (``21`` for 21 %), 0 to 100.
        discount: The cash discount.
        invoice_date: Invoice date the discount days run from.
        treatment: The VAT treatment.
        rounding: Rounding of each product to the minor unit.

    Returns:
        The [CashDiscountTotals][s2c_core.terms.CashDiscountTotals].

    Examples:
        >>> t = cash_discount_totals(Money("100.00", "EUR"), 21, CashDiscount(Decimal(2), 8),
        ...     invoice_date=date(2025, 1, 1), treatment=DiscountVatTreatment.DISCOUNTED_BASE)
        >>> str(t.vat), str(t.payable_with_discount), str(t.payable_without_discount)
        ('EUR 20.58', 'EUR 118.58', 'EUR 120.58')
    """
    rate = to_decimal(vat_percent, field_name="vat_percent")
    if not Decimal(0) <= rate <= _HUNDRED:
        raise ValidationError(
            f"VAT rate must be 0..100 %, got {rate} %", field="vat_percent", value=rate
        )
    treatment = DiscountVatTreatment(treatment)
    r = rate / _HUNDRED
    deadline = discount.deadline(invoice_date)

    def vat_on(base: Money) -> Money:
        return base.multiply(r, rounding=rounding)

    if treatment is DiscountVatTreatment.EXCLUDING_VAT:
        vat = vat_on(net)
        gross = net + vat
        off = discount.amount_on(net, rounding=rounding)
        return CashDiscountTotals(
            treatment, deadline, net, vat, gross, off, gross - off, gross, vat, vat
        )
    if treatment is DiscountVatTreatment.INCLUDING_VAT:
        vat = vat_on(net)
        gross = net + vat
        off = discount.amount_on(gross, rounding=rounding)
        weights = [abs(net.minor_units), abs(vat.minor_units)]
        vat_part = off.allocate(weights)[1] if any(weights) else Money.zero(net.currency)
        return CashDiscountTotals(
            treatment, deadline, net, vat, gross, off, gross - off, gross, vat - vat_part, vat
        )
    off = discount.amount_on(net, rounding=rounding)
    base = net - off
    vat = vat_on(base)
    with_discount = base + vat
    if treatment is DiscountVatTreatment.DISCOUNTED_BASE:
        return CashDiscountTotals(
            treatment, deadline, net, vat, net + vat, off, with_discount, net + vat, vat, vat
        )
    vat_on_discount = vat_on(off)
    return CashDiscountTotals(
        treatment,
        deadline,
        net,
        vat,
        with_discount,
        off,
        with_discount,
        with_discount + off + vat_on_discount,
        vat,
        vat + vat_on_discount,
    )


def _cost_inputs(discount: CashDiscount, net_days: int) -> tuple[Decimal, Decimal]:
    if isinstance(net_days, bool) or not isinstance(net_days, int):
        raise ValidationError("net_days must be an int", field="net_days", value=net_days)
    if net_days <= discount.days:
        raise ValidationError(
            f"net days ({net_days}) must be after the discount days ({discount.days})",
            field="net_days",
            value=net_days,
        )
    d = discount.percent / _HUNDRED
    return d / (1 - d), Decimal(net_days - discount.days)


def discount_cost_nominal(
    discount: CashDiscount,
    net_days: int,
    *,
    day_count: DayCount = DayCount.ACT_365,
    places: int = 2,
    rounding: Rounding = Rounding.HALF_UP,
) -> Decimal:
    """Nominal annual cost of *not* taking the discount, in percent.

    Formula: ``d / (1 − d) × Y / (net_days − discount_days) × 100`` with ``Y`` the year length
    of *day_count* (365 for ``ACT_365``/``ACT_ACT``, 360 for ``ACT_360``). Source: the cost of
    trade credit in Brigham & Ehrhardt, *Financial Management: Theory and Practice*.

    Args:
        discount: The cash discount (percent and discount days).
        net_days: Days after the invoice date at which the full amount is due.
        day_count: Names the year length.
        places: Decimal places of the returned percentage.
        rounding: Rounding of the returned percentage.

    Returns:
        The annual rate in percent.

    Examples:
        >>> discount_cost_nominal(CashDiscount(Decimal(2), 10), 30)
        Decimal('37.24')
        >>> discount_cost_nominal(CashDiscount(Decimal(2), 10), 30, day_count=DayCount.ACT_360)
        Decimal('36.73')
    """
    k, span = _cost_inputs(discount, net_days)
    year = Decimal(DayCount(day_count).fixed_year_days())
    value = k * year / span * _HUNDRED
    return value.quantize(Decimal(1).scaleb(-places), rounding=str(rounding))


def discount_cost_effective(
    discount: CashDiscount,
    net_days: int,
    *,
    day_count: DayCount = DayCount.ACT_365,
    places: int = 2,
    rounding: Rounding = Rounding.HALF_UP,
) -> Decimal:
    """Effective (compounded) annual cost of *not* taking the discount, in percent.

    Formula: ``((1 + d / (1 − d)) ** (Y / (net_days − discount_days)) − 1) × 100``, the same
    inputs as [discount_cost_nominal][s2c_core.terms.discount_cost_nominal] but compounding
    the per-period cost over the year (Brigham & Ehrhardt, effective annual rate).

    Examples:
        >>> discount_cost_effective(CashDiscount(Decimal(2), 10), 30)
        Decimal('44.59')
    """
    k, span = _cost_inputs(discount, net_days)
    year = Decimal(DayCount(day_count).fixed_year_days())
    with decimal.localcontext() as ctx:
        ctx.prec = 34
        value = ((1 + k) ** (year / span) - 1) * _HUNDRED
    return value.quantize(Decimal(1).scaleb(-places), rounding=str(rounding))
