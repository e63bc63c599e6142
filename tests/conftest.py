"""Shared fixtures for core tests: an in-memory application on a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from s2c_core import S2C, Company, FixedClock, Money, Policy


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def policy() -> Policy:
    return Policy.default_eu(
        "BE",
        company=Company(
            "Groothandel Peeters BV", vat_number="BE0123456749", iban="BE71096123456769"
        ),
    )


@pytest.fixture
def app(clock: FixedClock, policy: Policy) -> Iterator[S2C]:
    application = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False)
    application.catalog.add_product(
        "beer", "Crate of Blonde", Money("24.50", "EUR"), cost=Money("15.20", "EUR")
    )
    application.catalog.add_product(
        "consult", "Consulting hour", Money("95.00", "EUR"), stocked=False, unit_code="HUR"
    )
    application.catalog.receive_stock("beer", 100)
    yield application
    application.close()
