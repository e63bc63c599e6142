"""Hypothesis strategies for s2c_core values (public, for host apps and plugin authors)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from s2c_core.money import Currency, Money, get_currency

__all__ = ["st_currency", "st_money", "st_weights"]

_CODES = ("EUR", "USD", "JPY", "BHD", "GBP", "CLF")


def st_currency() -> st.SearchStrategy[Currency]:
    """Currencies with 0, 2, 3 and 4 decimals."""
    return st.sampled_from([get_currency(c) for c in _CODES])


@st.composite
def st_money(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    min_units: int = -(10**12),
    max_units: int = 10**12,
) -> Money:
    """Money in *currency* (or any) between the given minor-unit bounds."""
    cur = currency or draw(st_currency())
    units = draw(st.integers(min_value=min_units, max_value=max_units))
    return Money(Decimal(units).scaleb(-cur.minor_unit), cur)


def st_weights(max_size: int = 12) -> st.SearchStrategy[list[int]]:
    """Allocation weights: non-negative ints with at least one positive."""
    return st.lists(st.integers(0, 1000), min_size=1, max_size=max_size).filter(
        lambda w: sum(w) > 0
    )
