"""Validation and compilation of payment terms (internal).

A [PaymentTerm][s2c_core.terms.PaymentTerm] is checked once, when built, and compiled into a
``Plan``: integer ratios per line, checked ``relativedelta`` chains and a bounded cache of due
dates per invoice date. Errors name the line (``err.line``), the step (``err.step``) and the
problem (``err.problem``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from dateutil.relativedelta import relativedelta

from s2c_core.errors import ValidationError
from s2c_core.money import Money
from s2c_core.terms.lines import DateStep, LineKind, TermLine, Weekday

__all__ = ["FIXED", "PERCENT", "PERCENT_TOTAL", "REMAINDER", "Plan", "problem"]

_HUNDRED: Final = Decimal(100)
_DATE_CACHE_SIZE: Final = 4096
_MAX_DAYS: Final = 36_600
_MAX_WEEKS: Final = 5_230
_MAX_MONTHS: Final = 1_200


def problem(
    line: int, code: str, message: str, *, field: str, value: object, step: int | None = None
) -> ValidationError:
    """A ValidationError naming the *line* (and *step*) and the problem *code*."""
    where = f"line {line}" if step is None else f"line {line}, step {step}"
    return ValidationError(
        f"payment term {where}: {message}",
        field=field,
        value=value,
        line=line,
        step=step,
        problem=code,
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_step(index: int, position: int, step: object) -> relativedelta:
    if not isinstance(step, DateStep):
        raise problem(
            index,
            "not_a_step",
            f"expected a DateStep, got {type(step).__name__}",
            field="steps",
            value=step,
            step=position,
        )
    for name, bound in (("days", _MAX_DAYS), ("weeks", _MAX_WEEKS), ("months", _MAX_MONTHS)):
        value = getattr(step, name)
        if not _is_int(value) or abs(value) > bound:
            raise problem(
                index,
                f"invalid_{name}",
                f"{name} must be an int within ±{bound}, got {value!r}",
                field=name,
                value=value,
                step=position,
            )
    if step.day is not None and (not _is_int(step.day) or not 1 <= step.day <= 31):
        raise problem(
            index,
            "invalid_day",
            f"day of month must be 1..31 (31 = end of month), got {step.day!r}",
            field="day",
            value=step.day,
            step=position,
        )
    if step.month is not None and (not _is_int(step.month) or not 1 <= step.month <= 12):
        raise problem(
            index,
            "invalid_month",
            f"month must be 1..12, got {step.month!r}",
            field="month",
            value=step.month,
            step=position,
        )
    if step.weekday is not None and not isinstance(step.weekday, Weekday):
        raise problem(
            index,
            "invalid_weekday",
            f"weekday must be a Weekday, got {step.weekday!r}",
            field="weekday",
            value=step.weekday,
            step=position,
        )
    return step.as_relativedelta()


class Plan:
    """A validated, compiled term: what ``schedule`` runs (internal)."""

    __slots__ = ("compiled", "date_cache", "deltas", "fixed")

    def __init__(self, lines: tuple[TermLine, ...]) -> None:
        if not lines:
            raise ValidationError(
                "a payment term needs at least one line (a remainder)",
                field="lines",
                value=(),
                line=None,
                problem="no_lines",
            )
        kinds: list[int] = []
        ratios: list[tuple[int, int]] = []
        fixed: list[Money | None] = []
        deltas: list[tuple[relativedelta, ...]] = []
        total_percent = Decimal(0)
        remainder_at: int | None = None
        for index, line in enumerate(lines):
            if not isinstance(line, TermLine):
                raise problem(
                    index,
                    "not_a_line",
                    f"expected a TermLine, got {type(line).__name__}",
                    field="lines",
                    value=line,
                )
            if remainder_at is not None:
                raise problem(
                    index,
                    "line_after_remainder",
                    f"comes after the remainder line {remainder_at}; the remainder "
                    "must be the last line",
                    field="kind",
                    value=line.kind,
                )
            try:
                kind = LineKind(line.kind)
            except ValueError:
                raise problem(
                    index,
                    "invalid_kind",
                    f"unknown line kind {line.kind!r}",
                    field="kind",
                    value=line.kind,
                ) from None
            if kind is LineKind.FIXED:
                if not isinstance(line.amount, Money) or not line.amount.is_positive():
                    raise problem(
                        index,
                        "invalid_amount",
                        f"a fixed line needs a positive Money amount, got {line.amount!r}",
                        field="amount",
                        value=line.amount,
                    )
            elif line.amount is not None:
                raise problem(
                    index,
                    "unexpected_amount",
                    f"a {kind.value} line takes no amount",
                    field="amount",
                    value=line.amount,
                )
            if kind in (LineKind.PERCENT_OF_REMAINDER, LineKind.PERCENT_OF_TOTAL):
                if not Decimal(0) < line.percent <= _HUNDRED:
                    raise problem(
                        index,
                        "percent_out_of_range",
                        f"percentage must be above 0 and at most 100, got {line.percent}",
                        field="percent",
                        value=line.percent,
                    )
                if kind is LineKind.PERCENT_OF_TOTAL:
                    total_percent += line.percent
                    if total_percent > _HUNDRED:
                        raise problem(
                            index,
                            "percent_over_100",
                            f"percentages of the total reach {total_percent} %, over 100 %",
                            field="percent",
                            value=line.percent,
                        )
            elif line.percent != 0:
                raise problem(
                    index,
                    "unexpected_percent",
                    f"a {kind.value} line takes no percentage",
                    field="percent",
                    value=line.percent,
                )
            if kind is LineKind.REMAINDER:
                remainder_at = index
            kinds.append(_KIND_CODE[kind])
            numerator, denominator = line.percent.as_integer_ratio()  # exact
            ratios.append((numerator, denominator * 100))
            fixed.append(line.amount if kind is LineKind.FIXED else None)
            deltas.append(
                tuple(
                    _check_step(index, position, step) for position, step in enumerate(line.steps)
                )
            )
        if remainder_at is None:
            last = len(lines) - 1
            raise problem(
                last,
                "no_remainder",
                "the last line must be the remainder, so the schedule always sums to the total",
                field="kind",
                value=lines[last].kind,
            )
        self.compiled = tuple(
            (index, kind, numerator, denominator)
            for index, (kind, (numerator, denominator)) in enumerate(
                zip(kinds, ratios, strict=True)
            )
        )
        self.fixed = tuple(fixed)
        self.deltas = tuple(deltas)
        self.date_cache: dict[date, tuple[date, ...]] = {}

    def due_dates(self, invoice_date: date) -> tuple[date, ...]:
        cached = self.date_cache.get(invoice_date)
        if cached is not None:
            return cached
        dates: list[date] = []
        for index, chain in enumerate(self.deltas):
            day = invoice_date
            try:
                for delta in chain:
                    day = day + delta
            except (OverflowError, ValueError) as exc:
                raise problem(
                    index,
                    "date_out_of_range",
                    f"due date from {invoice_date} is out of range ({exc})",
                    field="steps",
                    value=invoice_date,
                ) from None
            dates.append(day)
        result = tuple(dates)
        if len(self.date_cache) >= _DATE_CACHE_SIZE:
            self.date_cache.clear()
        self.date_cache[invoice_date] = result
        return result


FIXED, PERCENT, PERCENT_TOTAL, REMAINDER = range(4)

_KIND_CODE: Final = {
    LineKind.FIXED: FIXED,
    LineKind.PERCENT_OF_REMAINDER: PERCENT,
    LineKind.PERCENT_OF_TOTAL: PERCENT_TOTAL,
    LineKind.REMAINDER: REMAINDER,
}
