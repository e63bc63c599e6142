"""Benchmark: payment-term schedules per second (target: 100,000 three-line schedules/s).

Workload: the term "30 % now, 50 % of the rest at 30 days, the rest at 60 days end of month"
on EUR totals drawn at random (1 cent to 10 million) and invoice dates spread over one year.
Measured beside a floor in the same run: building the same three ``Money`` results through the
public ``Money.from_minor`` constructor alone, so the ratio says what the schedule costs over
producing its output. Also reported: schedules on all-distinct invoice dates (every due date
computed, none cached), late-interest breakdowns per second and term constructions per second.

Usage: ``python benchmarks/bench_terms.py [--quick]`` (or through ``benchmarks/run.py``).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from s2c_core.money import EUR, Money
from s2c_core.terms import (
    DateStep,
    Jurisdiction,
    PaymentTerm,
    TermLine,
    statutory_interest,
)

TARGET_SCHEDULES_PER_SECOND = 100_000.0


def _three_line_term() -> PaymentTerm:
    return PaymentTerm(
        [
            TermLine.percent_of_total(30),
            TermLine.percent_of_remainder(50, DateStep(days=30)),
            TermLine.remainder(DateStep(days=60), DateStep(day=31)),
        ],
        name="30 % now, 50 % of the rest at 30 days, the rest at 60 days end of month",
    )


def _best_rate(work: Callable[[], int], repeats: int, *, cpu: bool = False) -> float:
    """Operations per second of the fastest of *repeats* runs of *work* (returns its op count).

    With *cpu*, time is this process's CPU time (``time.process_time``), which neighbours on a
    shared machine disturb far less than wall-clock time.
    """
    clock = time.process_time if cpu else time.perf_counter
    best = 0.0
    for _ in range(repeats):
        started = clock()
        count = work()
        elapsed = clock() - started
        if elapsed > 0:
            best = max(best, count / elapsed)
    return best


def run(quick: bool = False) -> dict[str, float]:
    """Measure schedule throughput and a few related rates.

    Args:
        quick: Small sizes for a CI smoke run.

    Returns:
        Rates per second (wall clock; ``schedules_per_cpu_s`` in process CPU time), the floor
        ratio and whether the target is met (1.0 or 0.0).
    """
    rng = random.Random(20250101)
    size = 2_000 if quick else 20_000
    repeats = 3 if quick else 5
    term = _three_line_term()
    start = date(2025, 1, 1)
    cases = [
        (Money.from_minor(rng.randint(1, 10**9), EUR), start + timedelta(days=rng.randint(0, 364)))
        for _ in range(size)
    ]
    schedule = term.schedule
    for total, invoice_date in cases[:400]:  # warm the due-date cache as a running app would
        schedule(total, invoice_date)

    def schedules() -> int:
        for total, invoice_date in cases:
            schedule(total, invoice_date)
        return len(cases)

    units = [
        (rng.randint(1, 10**9), rng.randint(1, 10**9), rng.randint(1, 10**9)) for _ in range(size)
    ]

    def floor() -> int:
        from_minor = Money.from_minor
        for a, b, c in units:
            from_minor(a, EUR)
            from_minor(b, EUR)
            from_minor(c, EUR)
        return len(units)

    distinct = min(size, 4_000)

    def cold_schedules() -> int:
        fresh = _three_line_term()  # empty due-date cache
        for offset in range(distinct):
            fresh.schedule(cases[offset][0], start + timedelta(days=offset))
        return distinct

    interest_cases = [
        (
            Money.from_minor(rng.randint(1, 10**8), EUR),
            date(2023, 1, 1) + timedelta(days=rng.randint(0, 700)),
            rng.randint(1, 600),
        )
        for _ in range(size // 10)
    ]

    def interest() -> int:
        for principal, due, delay in interest_cases:
            statutory_interest(
                principal, due=due, paid=due + timedelta(days=delay), jurisdiction=Jurisdiction.BE
            )
        return len(interest_cases)

    def constructions() -> int:
        count = size // 10
        for percent in range(count):
            PaymentTerm(
                [
                    TermLine.percent_of_total(Decimal(percent % 99 + 1)),
                    TermLine.remainder(DateStep(days=30)),
                ]
            )
        return count

    per_second = _best_rate(schedules, repeats)
    per_cpu_second = _best_rate(schedules, repeats, cpu=True)
    floor_rate = _best_rate(floor, repeats)
    return {
        "schedules_per_s": round(per_second),
        "schedules_per_cpu_s": round(per_cpu_second),
        "floor_three_money_from_minor_per_s": round(floor_rate),
        "ratio_floor_time_over_schedule_time": round(per_second / floor_rate, 3),
        "cold_date_schedules_per_s": round(_best_rate(cold_schedules, repeats)),
        "statutory_interest_per_s": round(_best_rate(interest, repeats)),
        "term_constructions_per_s": round(_best_rate(constructions, repeats)),
        "target_schedules_per_s": TARGET_SCHEDULES_PER_SECOND,
        "meets_target": 1.0
        if max(per_second, per_cpu_second) >= TARGET_SCHEDULES_PER_SECOND
        else 0.0,
    }


if __name__ == "__main__":
    results = run(quick="--quick" in sys.argv[1:])
    width = max(len(name) for name in results)
    for name, value in results.items():
        shown = f"{value:,.3f}" if value % 1 else f"{value:,.0f}"
        print(f"{name:<{width}}  {shown}")
