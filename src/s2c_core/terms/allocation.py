"""Splitting amounts over invoice lines and installments without losing a minor unit.

Everything here is built on [Money.allocate][s2c_core.money.Money.allocate], the
largest-remainder (Hamilton) method: each part first gets the floor of its exact share in
minor units, then the units left over go one each to the parts with the largest remainders;
**ties go to the earlier part**. The parts always sum exactly to the amount split.
"""

from __future__ import annotations

from collections.abc import Sequence

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.money import Money

__all__ = ["allocate_over_lines", "allocate_schedule_over_lines"]


def _weights(amount: Money, line_amounts: Sequence[Money]) -> list[int]:
    if not line_amounts:
        raise ValidationError("allocation needs at least one line", field="line_amounts", value=[])
    weights = []
    for line in line_amounts:
        if not isinstance(line, Money):
            raise ValidationError(
                f"line amounts must be Money, got {type(line).__name__}",
                field="line_amounts",
                value=line,
            )
        if line.currency != amount.currency:
            raise CurrencyMismatchError(
                amount.currency.code, line.currency.code, operation="allocate"
            )
        weights.append(abs(line.minor_units))
    if not any(weights):
        raise ValidationError(
            "cannot allocate over lines that are all zero",
            field="line_amounts",
            value=list(line_amounts),
        )
    return weights


def allocate_over_lines(amount: Money, line_amounts: Sequence[Money]) -> list[Money]:
    """Split *amount* over invoice lines in proportion to their amounts.

    Formula: ``share_i = amount × |line_i| / Σ|line|`` by largest remainder in minor units
    (ties to the earlier line); the shares sum exactly to *amount*. Use it to spread an
    invoice-level discount, a payment or a fee over the lines.

    Args:
        amount: The amount to spread (may be negative).
        line_amounts: The line amounts, same currency; signs are ignored for the weights.

    Returns:
        One share per line, in order.

    Examples:
        >>> [str(m) for m in allocate_over_lines(Money("10.00", "EUR"),
        ...     [Money("100.00", "EUR"), Money("100.00", "EUR"), Money("100.00", "EUR")])]
        ['EUR 3.34', 'EUR 3.33', 'EUR 3.33']
    """
    return amount.allocate(_weights(amount, line_amounts))


def allocate_schedule_over_lines(
    installments: Sequence[Money],
    line_amounts: Sequence[Money],
) -> list[list[Money]]:
    """Split each installment over the invoice lines so rows *and* columns add up.

    Row ``i`` is installment ``i`` spread over the lines by
    [allocate_over_lines][s2c_core.terms.allocate_over_lines]; the last row takes, per line,
    what the line has left, so every row sums to its installment and every column sums to its
    line exactly (given that the installments sum to the lines' total).

    Args:
        installments: Installment amounts (e.g. from a schedule), summing to the lines' total.
        line_amounts: Invoice line amounts.

    Returns:
        ``result[i][j]`` = the part of installment ``i`` for line ``j``.

    Examples:
        >>> rows = allocate_schedule_over_lines(
        ...     [Money("30.00", "EUR"), Money("70.01", "EUR")],
        ...     [Money("33.33", "EUR"), Money("66.68", "EUR")])
        >>> [[str(m.amount) for m in row] for row in rows]
        [['10.00', '20.00'], ['23.33', '46.68']]
    """
    if not installments:
        raise ValidationError(
            "allocation needs at least one installment", field="installments", value=[]
        )
    currency = installments[0].currency
    total = Money.zero(currency)
    for part in installments:
        total += part
    lines_total = Money.zero(currency)
    for line in line_amounts:
        lines_total += line
    if total != lines_total:
        raise ValidationError(
            f"installments sum to {total} but the lines to {lines_total}",
            field="installments",
            value=total,
        )
    rows: list[list[Money]] = []
    left = list(line_amounts)
    for part in installments[:-1]:
        row = allocate_over_lines(part, line_amounts)
        rows.append(row)
        left = [rest - share for rest, share in zip(left, row, strict=True)]
    rows.append(left)
    return rows
