"""Render a KPI report as one self-contained HTML page.

[render_html][s2c_reports.html.render_html] takes a core
[KpiReport][s2c_core.kpi.report.KpiReport] (or the dict of its ``to_dict()``, e.g. read back
from JSON) and fills a Jinja2 template shipped in the package: inline CSS, inline SVG charts
from [charts][s2c_reports.charts], no JavaScript, no web font, no network access. The page is
laid out for a screen and for A4 printing (sections never split across pages).

Jinja2 autoescaping is on; only the SVG produced by ``charts`` (which escapes its own text) is
inserted unescaped.

Examples:
    >>> from datetime import datetime, UTC
    >>> from s2c_core import S2C, FixedClock
    >>> app = S2C.open("memory://", clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
    ...                load_entry_points=False)
    >>> page = render_html(app.kpi.report())
    >>> page.startswith("<!DOCTYPE html>") and "<script" not in page
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from s2c_reports import charts

__all__ = ["amount", "build_context", "render_html"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def amount(value: Any, decimals: int = 0) -> str:
    """A decimal string as ``1,234,568`` (or with *decimals*); an en dash for None.

    Examples:
        >>> amount("1234567.891"), amount("-12.5", 2), amount(None)
        ('1,234,568', '-12.50', '–')
    """
    number = _dec(value)
    if number is None:
        return "–"
    return f"{number:,.{decimals}f}"


def _days(value: Any) -> str:
    number = _dec(value)
    return "–" if number is None else f"{number:.1f}"


def _percent(value: Any, decimals: int = 1) -> str:
    number = _dec(value)
    return "–" if number is None else f"{number:.{decimals}f}%"


def _signed(value: Any) -> str:
    number = _dec(value)
    if number is None:
        return "–"
    return f"{number:+.1f}"


def _day(value: Any) -> str:
    if not value:
        return "–"
    day = date.fromisoformat(str(value)[:10])
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short_day(value: str) -> str:
    day = date.fromisoformat(value[:10])
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _month(period: Mapping[str, Any]) -> str:
    start = date.fromisoformat(period["start"])
    return f"{_MONTHS[start.month - 1]} {start.year % 100:02d}"


def _f(value: Any) -> float:
    number = _dec(value)
    return 0.0 if number is None else float(number)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("s2c_reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        amount=amount,
        days=_days,
        percent=_percent,
        signed=_signed,
        day=_day,
        tone=_days_tone,
    )
    return env


def _days_tone(value: Any) -> str:
    """CSS class of a change in days of DSO: up is bad, down is good."""
    return _tone(_dec(value), higher_is_better=False)


def _tone(change: Decimal | None, *, higher_is_better: bool) -> str:
    if change is None or change == 0:
        return "flat"
    good = (change > 0) == higher_is_better
    return "good" if good else "bad"


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    """The template context for a report dict: the dict itself, tiles, tables and charts."""
    names: Mapping[str, str] = data.get("customer_names") or {}

    def name(customer_id: str) -> str:
        return names.get(customer_id, customer_id)

    dso = data.get("dso") or {}
    previous = data.get("dso_previous") or {}
    change = None
    if dso.get("dso") is not None and previous.get("dso") is not None:
        change = Decimal(dso["dso"]) - Decimal(previous["dso"])
    aging = data["aging"]
    buckets = aging["buckets"]
    total_open = _f(aging["total"])
    current = _f(buckets[0]["amount"]) if buckets and buckets[0]["label"] == "current" else 0.0
    overdue = total_open - current
    weeks = data["forecast"]["weeks"]
    next_four = sum(_f(w["expected"]) for w in weeks[:4])
    trend = data["dso_trend"]
    funnel = data["funnel"]
    stages = [
        ("Quotes sent", funnel["quotes"], ""),
        ("Orders", funnel["orders"], _conversion(funnel["quote_to_order"], "of quotes")),
        ("Paid", funnel["paid"], _conversion(funnel["order_to_cash"], "of orders")),
    ]
    aging_rows = [
        {
            **bucket,
            "colour": charts.AGING_COLOURS[min(i, len(charts.AGING_COLOURS) - 1)],
            "share": _f(bucket["amount"]) / total_open * 100 if total_open else None,
        }
        for i, bucket in enumerate(buckets)
    ]
    drivers = data.get("drivers")
    context: dict[str, Any] = {
        "r": data,
        "name": name,
        "dso_change": change,
        "dso_tone": _tone(change, higher_is_better=False),
        "overdue": overdue,
        "overdue_share": overdue / total_open * 100 if total_open else None,
        "next_four": next_four,
        "next_four_share": next_four / total_open * 100 if total_open else None,
        "trend_notes": [
            {
                "month": _month(point["period"]),
                "change": point["change"],
                "tone": _tone(_dec(point["change"]), higher_is_better=False),
                "drivers": [(name(c["customer_id"]), c["contribution"]) for c in point["drivers"]],
            }
            for point in trend
            if point["change"] is not None
        ][-3:],
        "drivers": drivers,
        "aging_rows": aging_rows,
        "charts": {
            "trend": Markup(
                charts.dso_trend(
                    [
                        (
                            _month(p["period"]),
                            None if p["dso"] is None else _f(p["dso"]),
                            None if p["best_possible_dso"] is None else _f(p["best_possible_dso"]),
                        )
                        for p in trend
                    ]
                )
            ),
            "aging": Markup(charts.aging_bars([(b["label"], _f(b["amount"])) for b in buckets])),
            "funnel": Markup(charts.funnel(stages)),
            "forecast": Markup(
                charts.forecast_weeks(
                    [
                        (
                            _short_day(w["week_start"]),
                            _f(w["expected"]),
                            _f(w["early"]),
                            _f(w["late"]),
                        )
                        for w in weeks
                    ]
                )
            ),
        },
    }
    return context


def _conversion(value: Any, of: str) -> str:
    return "" if value is None else f"{Decimal(value):.1f}% {of}"


def render_html(report: Any) -> str:
    """The report as a self-contained HTML page.

    Args:
        report: A [KpiReport][s2c_core.kpi.report.KpiReport], or the dict of its ``to_dict()``.

    Returns:
        The page, as text (encode as UTF-8 to write it).
    """
    data = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    if data.get("kind") != "s2c.kpi-report":
        raise ValueError("render_html needs a KpiReport or its to_dict() data")
    template = _environment().get_template("kpi_report.html.j2")
    page: str = template.render(**build_context(data))
    return page
