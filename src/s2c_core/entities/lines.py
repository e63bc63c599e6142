"""Document lines and EN 16931 totals, shared by quotes, orders, invoices and credit notes.

Totals follow EN 16931-1 (and Peppol BIS Billing 3.0, which checks them):

* line net amount (BT-131) = round(quantity × unit price) − round(line allowance), each rounded
  half-up to the currency's minor unit; the line allowance is the line discount percentage
  applied to the line gross amount (BT-136);
* sum of line nets (BT-106); document allowances (BT-107) and charges (BT-108);
* per VAT category and rate (BG-23): taxable amount (BT-116) = line nets + charges −
  allowances of that category; VAT (BT-117) = round(taxable × rate / 100) — VAT is computed on
  the category sums, never summed from rounded line VAT (BR-CO-17);
* tax exclusive (BT-109) = BT-106 − BT-107 + BT-108; tax inclusive (BT-112) = BT-109 + Σ BT-117;
  amount due (BT-115) = BT-112 − prepaid (BT-113).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from s2c_core.entities.common import ProductId, VatCategory, as_decimal, positive_quantity
from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.money import Currency, Money, Rounding, get_currency, sum_money

__all__ = [
    "AllowanceCharge",
    "DocumentTotals",
    "Line",
    "VatSubtotal",
    "document_totals",
]

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


def _check_percent(instance: object, attribute: object, value: Decimal) -> None:
    if not _ZERO <= value <= _HUNDRED:
        name = getattr(attribute, "name", "percent")
        raise ValidationError(f"{name} must be within 0..100, got {value}", field=name, value=value)


def _check_price(instance: object, attribute: object, value: Money) -> None:
    if value.is_negative():
        raise ValidationError(
            f"unit price must not be negative, got {value}", field="unit_price", value=value
        )


def _check_vat(category: VatCategory, rate: Decimal, where: str) -> None:
    """EN 16931 BR-S-05 / BR-Z-05 / BR-E-05 / BR-AE-05 / BR-IC-05 / BR-G-05 / BR-O-05:
    standard-rated lines need a rate above zero, every other category a zero rate."""
    if category == VatCategory.STANDARD:
        if rate <= 0:
            raise ValidationError(
                f"{where}: VAT category S needs a rate above 0, got {rate}",
                field="vat_rate",
                value=rate,
            )
    elif rate != 0:
        raise ValidationError(
            f"{where}: VAT category {category.value} needs a 0 % rate, got {rate}",
            field="vat_rate",
            value=rate,
        )


@frozen
class Line:
    """One line of a quote, order, invoice or credit note.

    Attributes:
        product_id: The product sold (services are products too).
        description: Line text shown on documents.
        quantity: Quantity, above zero (credit notes are negative at document level, not here).
        unit_price: Net unit price excluding VAT, never negative.
        discount_percent: Line discount, 0..100, applied to quantity × unit price.
        vat_category: VAT category code (BT-151).
        vat_rate: VAT percentage (BT-152); zero for categories other than S.
        exemption_reason: VAT exemption reason text (BT-120), required for E, AE, K, G, O.
        unit_code: UN/ECE Rec 20 unit code.
    """

    product_id: ProductId
    description: str
    quantity: Decimal = field(converter=as_decimal, validator=positive_quantity)
    unit_price: Money = field(validator=_check_price)
    discount_percent: Decimal = field(
        default=Decimal(0), converter=as_decimal, validator=_check_percent
    )
    vat_category: VatCategory = VatCategory.STANDARD
    vat_rate: Decimal = field(default=Decimal(21), converter=as_decimal)
    exemption_reason: str = ""
    unit_code: str = "C62"
    cost: Money | None = None

    def __attrs_post_init__(self) -> None:
        _check_vat(self.vat_category, self.vat_rate, "line")

    @property
    def gross_amount(self) -> Money:
        """round(quantity × unit price), half-up."""
        return self.unit_price.multiply(self.quantity, rounding=Rounding.HALF_UP)

    @property
    def discount_amount(self) -> Money:
        """The line allowance: round(quantity × unit price × discount / 100), half-up."""
        exact = self.quantity * self.unit_price.amount * self.discount_percent / _HUNDRED
        return Money.rounded(exact, self.unit_price.currency, rounding=Rounding.HALF_UP)

    @property
    def net_amount(self) -> Money:
        """Line net amount (BT-131): gross amount minus the line allowance."""
        if not self.discount_percent:  # no allowance: the gross amount, exactly
            return self.gross_amount
        return self.gross_amount - self.discount_amount


@frozen
class AllowanceCharge:
    """A document-level allowance (discount) or charge (BG-20 / BG-21)."""

    amount: Money
    reason: str
    is_charge: bool = False
    vat_category: VatCategory = VatCategory.STANDARD
    vat_rate: Decimal = field(default=Decimal(21), converter=as_decimal)

    def __attrs_post_init__(self) -> None:
        _check_vat(self.vat_category, self.vat_rate, "allowance/charge")
        if self.amount.is_negative():
            raise ValidationError(
                "allowance/charge amount must not be negative", field="amount", value=self.amount
            )


@frozen
class VatSubtotal:
    """One VAT breakdown row (BG-23)."""

    category: VatCategory
    rate: Decimal
    taxable_amount: Money
    tax_amount: Money
    exemption_reason: str = ""


@frozen
class DocumentTotals:
    """Document totals per EN 16931 (see the module docstring for the formulas)."""

    currency: Currency
    line_total: Money
    allowance_total: Money
    charge_total: Money
    tax_exclusive: Money
    vat: tuple[VatSubtotal, ...]
    tax_total: Money
    tax_inclusive: Money
    prepaid: Money
    payable: Money


_REMEMBERED: dict[tuple[int, int, str], tuple[object, object, DocumentTotals]] = {}
_REMEMBER_AT_MOST = 4096


def remembered_totals(
    lines: tuple[Line, ...], currency: str, allowances: tuple[AllowanceCharge, ...] = ()
) -> DocumentTotals:
    """`document_totals` of an entity's own (immutable) line and allowance tuples, memoised.

    Invoices, orders and quotes are frozen and copied on every change of status or settlement
    (``attrs.evolve``); the copies share the very same ``lines`` tuple. The memo is keyed by the
    identity of those tuples and keeps them alive while remembered, so an identity match can
    only be the same immutable lines: the totals are computed once per document version read,
    not once per copy. Bounded: the memo starts afresh after ``_REMEMBER_AT_MOST`` documents.
    """
    key = (id(lines), id(allowances), currency)
    found = _REMEMBERED.get(key)
    if found is not None and found[0] is lines and found[1] is allowances:
        return found[2]
    content = _content_key(lines, currency, allowances)
    totals = _BY_CONTENT.get(content)
    if totals is None:
        totals = document_totals(lines, currency, allowances)
        if len(_BY_CONTENT) >= _REMEMBER_AT_MOST:
            _BY_CONTENT.clear()
        _BY_CONTENT[content] = totals
    if len(_REMEMBERED) >= _REMEMBER_AT_MOST:
        _REMEMBERED.clear()
    _REMEMBERED[key] = (lines, allowances, totals)
    return totals


# second memo, by what the totals are computed from: an order copies its quote's lines and an
# invoice its order's, as new line objects with the same figures
_BY_CONTENT: dict[tuple[Any, ...], DocumentTotals] = {}


def _content_key(
    lines: tuple[Line, ...], currency: str, allowances: tuple[AllowanceCharge, ...]
) -> tuple[Any, ...]:
    """Everything `document_totals` reads of *lines* and *allowances*, as a hashable key.

    Equal keys give equal totals: every amount is rounded to the currency's minor unit, so
    numerically equal decimals (``3`` and ``3.0``) give the same money.
    """
    return (
        currency,
        tuple(
            (
                ln.quantity,
                ln.unit_price.amount,
                ln.unit_price.currency.code,
                ln.discount_percent,
                ln.vat_category,
                ln.vat_rate,
                ln.exemption_reason,
            )
            for ln in lines
        ),
        allowances,
    )


def _group_key(item: tuple[tuple[VatCategory, Decimal], list[Money]]) -> tuple[str, Decimal]:
    return (item[0][0], item[0][1])


def document_totals(
    lines: Sequence[Line],
    currency: Currency | str,
    allowances: Iterable[AllowanceCharge] = (),
    *,
    prepaid: Money | None = None,
) -> DocumentTotals:
    """Compute EN 16931 totals for *lines* and document *allowances* (charges included).

    Examples:
        >>> from s2c_core.money import EUR
        >>> line = Line(ProductId("p"), "Widget", 3, Money("9.99", EUR), discount_percent=10)
        >>> t = document_totals([line], EUR)
        >>> str(t.line_total), str(t.tax_total), str(t.payable)
        ('EUR 26.97', 'EUR 5.66', 'EUR 32.63')
    """
    cur = get_currency(currency)
    zero = Money.zero(cur)
    groups: dict[tuple[VatCategory, Decimal], list[Money]] = {}
    reasons: dict[tuple[VatCategory, Decimal], str] = {}
    nets: list[Money] = []
    for line in lines:
        if line.unit_price.currency is not cur and line.unit_price.currency != cur:
            raise CurrencyMismatchError(cur.code, line.unit_price.currency.code, operation="total")
        net = line.net_amount
        nets.append(net)
        key = (line.vat_category, line.vat_rate.normalize())
        groups.setdefault(key, []).append(net)
        if line.exemption_reason:
            reasons.setdefault(key, line.exemption_reason)
    allowance_total = zero
    charge_total = zero
    for ac in allowances:
        if ac.amount.currency != cur:
            raise CurrencyMismatchError(cur.code, ac.amount.currency.code, operation="total")
        key = (ac.vat_category, ac.vat_rate.normalize())
        groups.setdefault(key, [])
        groups[key].append(ac.amount if ac.is_charge else -ac.amount)
        if ac.is_charge:
            charge_total += ac.amount
        else:
            allowance_total += ac.amount
    line_total = sum_money(nets, cur)
    vat_rows: list[VatSubtotal] = []
    ordered = sorted(groups.items(), key=_group_key) if len(groups) > 1 else groups.items()
    for (category, rate), amounts in ordered:
        taxable = sum_money(amounts, cur)
        tax = Money.rounded(taxable.amount * rate / _HUNDRED, cur, rounding=Rounding.HALF_UP)
        vat_rows.append(
            VatSubtotal(category, rate, taxable, tax, reasons.get((category, rate), ""))
        )
    tax_exclusive = line_total - allowance_total + charge_total
    tax_total = sum_money((r.tax_amount for r in vat_rows), cur)
    tax_inclusive = tax_exclusive + tax_total
    paid = prepaid if prepaid is not None else zero
    return DocumentTotals(
        currency=cur,
        line_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        vat=tuple(vat_rows),
        tax_total=tax_total,
        tax_inclusive=tax_inclusive,
        prepaid=paid,
        payable=tax_inclusive - paid,
    )
