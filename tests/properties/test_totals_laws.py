"""Laws of the remembered document totals: a memo never answers other totals than the formula.

``remembered_totals`` (what ``Quote.totals``, ``Order.totals`` and ``Invoice.totals`` read)
answers from two memos: by the identity of a document's line tuple, and by the figures the
totals are computed from (an order copies its quote's lines, an invoice its order's). Whatever
it answers must be what ``document_totals`` computes for those very lines, including lines
that are equal in value but written differently (``3`` and ``3.00``).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from s2c_core.entities.common import ProductId, VatCategory
from s2c_core.entities.lines import AllowanceCharge, Line, document_totals, remembered_totals
from s2c_core.money import Money

_VAT = st.sampled_from(
    [
        (VatCategory.STANDARD, Decimal(21), ""),
        (VatCategory.STANDARD, Decimal(6), ""),
        (VatCategory.STANDARD, Decimal("5.5"), ""),
        (VatCategory.EXEMPT, Decimal(0), "Exempt under article 44"),
        (VatCategory.ZERO, Decimal(0), ""),
    ]
)


@st.composite
def _line(draw: st.DrawFn, currency: str) -> Line:
    category, rate, reason = draw(_VAT)
    return Line(
        ProductId(draw(st.sampled_from(["beer", "water", "crate"]))),
        "item",
        Decimal(draw(st.integers(1, 500))) / draw(st.sampled_from([1, 4, 100])),
        Money(Decimal(draw(st.integers(0, 10**6))) / (1 if currency == "JPY" else 100), currency),
        discount_percent=Decimal(draw(st.integers(0, 1000))) / 10,
        vat_category=category,
        vat_rate=rate,
        exemption_reason=reason,
    )


def _rewritten(line: Line) -> Line:
    """The same line with every decimal written with more digits (equal values)."""
    return Line(
        line.product_id,
        line.description,
        line.quantity.quantize(Decimal("0.000001")),
        Money(line.unit_price.amount.quantize(Decimal("0.0001")), line.unit_price.currency),
        discount_percent=line.discount_percent.quantize(Decimal("0.001")),
        vat_category=line.vat_category,
        vat_rate=line.vat_rate.quantize(Decimal("0.01")),
        exemption_reason=line.exemption_reason,
    )


@given(
    currency=st.sampled_from(["EUR", "JPY"]),
    data=st.data(),
    allowance=st.integers(0, 500),
)
def test_remembered_totals_are_the_formula_for_equal_lines_however_written(
    currency: str, data: st.DataObject, allowance: int
) -> None:
    lines = tuple(data.draw(st.lists(_line(currency), min_size=1, max_size=5)))
    allowances = (
        (AllowanceCharge(Money(allowance, currency), "volume discount"),) if allowance else ()
    )
    rewritten = tuple(_rewritten(line) for line in lines)
    first = remembered_totals(lines, currency, allowances)
    second = remembered_totals(rewritten, currency, allowances)
    assert first == document_totals(lines, currency, allowances)
    assert second == document_totals(rewritten, currency, allowances)
    assert first == second
    # the identity memo answers again for the very same tuple
    assert remembered_totals(lines, currency, allowances) is first


@given(data=st.data())
def test_lines_differing_in_one_figure_get_their_own_totals(data: st.DataObject) -> None:
    lines = tuple(data.draw(st.lists(_line("EUR"), min_size=1, max_size=4)))
    bumped = (
        Line(
            lines[0].product_id,
            lines[0].description,
            lines[0].quantity + 1,
            lines[0].unit_price,
            discount_percent=lines[0].discount_percent,
            vat_category=lines[0].vat_category,
            vat_rate=lines[0].vat_rate,
            exemption_reason=lines[0].exemption_reason,
        ),
        *lines[1:],
    )
    remembered_totals(lines, "EUR")
    assert remembered_totals(bumped, "EUR") == document_totals(bumped, "EUR")
