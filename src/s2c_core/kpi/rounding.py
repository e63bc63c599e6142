"""Named rounding for KPI results, and the percentile rule every KPI uses.

KPIs are computed with exact ``Decimal`` arithmetic (the default 28-digit context) and rounded
once, at the end, with a named quantum and ``ROUND_HALF_UP`` (commercial rounding):

* days (DSO, days late, cycle times): [DAYS_QUANTUM][s2c_core.kpi.rounding.DAYS_QUANTUM], 0.1 day;
* percentages (CEI, margins, rates): [PERCENT_QUANTUM][s2c_core.kpi.rounding.PERCENT_QUANTUM],
  0.01 percentage point;
* money: the currency's minor unit, through ``Money.rounded``.

Examples:
    >>> quantize_days(Decimal("30.41666"))
    Decimal('30.4')
    >>> quantize_percent(Decimal("79.62962"))
    Decimal('79.63')
    >>> percentile([Decimal(1), Decimal(2), Decimal(3), Decimal(4)], Decimal("0.5"))
    Decimal('2.5')
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from s2c_core.errors import ValidationError

__all__ = [
    "DAYS_QUANTUM",
    "PERCENT_QUANTUM",
    "ROUNDING",
    "percentile",
    "quantize_days",
    "quantize_percent",
    "ratio",
]

DAYS_QUANTUM: Final = Decimal("0.1")
"""Day-valued KPIs are reported to a tenth of a day."""

PERCENT_QUANTUM: Final = Decimal("0.01")
"""Percent-valued KPIs are reported to a hundredth of a percentage point."""

ROUNDING: Final = decimal.ROUND_HALF_UP
"""The rounding mode of every KPI quantization (half away from zero)."""

_HUNDRED: Final = Decimal(100)


def quantize_days(value: Decimal) -> Decimal:
    """Round a number of days to [DAYS_QUANTUM][s2c_core.kpi.rounding.DAYS_QUANTUM], half up.

    Examples:
        >>> quantize_days(Decimal("-0.05"))
        Decimal('-0.1')
    """
    return value.quantize(DAYS_QUANTUM, rounding=ROUNDING)


def quantize_percent(value: Decimal) -> Decimal:
    """Round a percentage to [PERCENT_QUANTUM][s2c_core.kpi.rounding.PERCENT_QUANTUM], half up.

    Examples:
        >>> quantize_percent(Decimal("55.929487"))
        Decimal('55.93')
    """
    return value.quantize(PERCENT_QUANTUM, rounding=ROUNDING)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """Return ``part / whole x 100`` rounded to a percentage, or None when *whole* is zero.

    Examples:
        >>> ratio(Decimal(1), Decimal(3))
        Decimal('33.33')
        >>> ratio(Decimal(1), Decimal(0)) is None
        True
    """
    if whole == 0:
        return None
    return quantize_percent(part * _HUNDRED / whole)


def percentile(values: Sequence[Decimal], q: Decimal) -> Decimal:
    """Return the *q*-quantile (0 <= q <= 1) of *values* by linear interpolation, unrounded.

    The rule is Hyndman and Fan's type 7 (the default of R, NumPy and spreadsheet
    ``PERCENTILE.INC``): sort the n values, take position ``h = (n - 1) q`` and interpolate
    between the values at ``floor(h)`` and ``floor(h) + 1``. ``q = 0.5`` is the usual median.

    Raises:
        ValidationError: *values* is empty or *q* is outside [0, 1].

    Examples:
        >>> percentile([Decimal(v) for v in (10, 1, 5)], Decimal("0.9"))
        Decimal('9.0')
    """
    if not values:
        raise ValidationError("a percentile needs at least one value", field="values", value=[])
    if not Decimal(0) <= q <= Decimal(1):
        raise ValidationError(f"quantile {q} is outside [0, 1]", field="q", value=q)
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position.to_integral_value(rounding=decimal.ROUND_FLOOR))
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction
