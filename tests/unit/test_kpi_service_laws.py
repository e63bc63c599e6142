"""Laws of ``app.kpi`` on random books (in-memory backend, hypothesis).

* a fact's open amount at a far date is the document's stored open amount (the fact rules
  agree with what the services store);
* every KPI the storage computes (aging, DSO and CEI inputs and reports, countback DSO,
  balances per customer, DSO drivers, the cash forecast rebuilt from aggregated inputs) equals
  the pure calculator on the facts, at dates before, inside and after the books;
* the report is JSON-safe and its aging buckets add up to its total.
"""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from kpi_books import (
    START,
    Step,
    as_of_dates,
    assert_service_matches_calculators,
    open_books,
    play,
    steps,
    stored_open_matches_facts,
)

from s2c_core import S2C, FixedClock

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _books(plan: list[Step]) -> tuple[S2C, FixedClock]:
    clock = FixedClock(START)
    app = S2C.open("memory://", clock=clock, load_entry_points=False)
    play(app, clock, open_books(app), plan)
    return app, clock


@SETTINGS
@given(plan=steps())
def test_facts_reproduce_the_stored_open_amounts(plan: list[Step]) -> None:
    app, _ = _books(plan)
    stored_open_matches_facts(app, list(app.kpi.invoice_facts()))


@SETTINGS
@given(plan=steps())
def test_storage_side_kpis_equal_the_pure_calculators(plan: list[Step]) -> None:
    app, clock = _books(plan)
    for day in as_of_dates(clock.today()):
        assert_service_matches_calculators(app, day)


@settings(SETTINGS, max_examples=10)
@given(plan=steps())
def test_report_is_json_safe_and_its_aging_adds_up(plan: list[Step]) -> None:
    app, _ = _books(plan)
    data = json.loads(app.kpi.report(trend_months=3, forecast_weeks=4).to_json())
    buckets = sum(Decimal(b["amount"]) for b in data["aging"]["buckets"])
    assert buckets == Decimal(data["aging"]["total"])
    weeks = data["forecast"]["weeks"]
    expected = sum(Decimal(w["expected"]) for w in weeks) + Decimal(
        data["forecast"]["beyond_expected"]
    )
    assert expected == Decimal(data["forecast"]["total_open"])
