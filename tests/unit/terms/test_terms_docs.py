"""The worked examples of the terms concept pages run and state what the code computes."""

from __future__ import annotations

import doctest
from datetime import date
from pathlib import Path

import pytest

from s2c_core.terms import (
    due_on_receipt,
    end_of_month,
    end_of_month_plus_months,
    end_of_month_then_days,
    end_of_next_month,
    fixed_day_of_next_month,
    installments,
    net_days,
    net_days_then_end_of_month,
)

CONCEPTS = Path(__file__).resolve().parents[3] / "docs" / "concepts"


@pytest.mark.parametrize("page", ["payment-terms.md", "discounts.md", "late-interest-and-fees.md"])
def test_concept_page_examples_run(page: str) -> None:
    result = doctest.testfile(str(CONCEPTS / page), module_relative=False, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_presets_table_of_the_payment_terms_page() -> None:
    invoice = date(2025, 3, 10)
    table = [
        (due_on_receipt(), [date(2025, 3, 10)]),
        (net_days(30), [date(2025, 4, 9)]),
        (end_of_month(), [date(2025, 3, 31)]),
        (net_days_then_end_of_month(45), [date(2025, 4, 30)]),
        (end_of_month_then_days(45), [date(2025, 5, 15)]),
        (end_of_month_plus_months(2), [date(2025, 5, 31)]),
        (end_of_next_month(), [date(2025, 4, 30)]),
        (fixed_day_of_next_month(10), [date(2025, 4, 10)]),
        (installments((30, 0), (70, 60)), [date(2025, 3, 10), date(2025, 5, 9)]),
    ]
    for term, expected in table:
        assert list(term.due_dates(invoice)) == expected, term.name
