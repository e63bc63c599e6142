"""The HTML report: self-contained, well-formed charts, escaped text, the report's figures."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from s2c_reports import render_html
from s2c_reports.charts import aging_bars, compact, dso_trend, forecast_weeks, funnel, nice_ticks
from s2c_reports.html import amount

from s2c_core import S2C
from s2c_core.kpi import Period


def _report(app: S2C, quarter: Period) -> dict[str, object]:
    return app.kpi.report(quarter.end, quarter, trend_months=4).to_dict()


def test_page_needs_no_network_and_no_script(books: S2C, quarter: Period) -> None:
    page = render_html(books.kpi.report(quarter.end, quarter))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "@import" not in page
    assert "url(" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    external = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert external <= {"http://www.w3.org/2000/svg"}


def test_every_chart_is_well_formed_svg_with_a_title(books: S2C, quarter: Period) -> None:
    page = render_html(books.kpi.report(quarter.end, quarter))
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 4
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find("{http://www.w3.org/2000/svg}title") is not None


def test_page_shows_the_report_figures(books: S2C, quarter: Period) -> None:
    report = books.kpi.report(quarter.end, quarter, trend_months=4)
    page = render_html(report)
    assert report.dso is not None
    assert report.cei is not None
    assert f"{report.dso.dso}<small>days" in page
    assert f"{report.cei.cei:.1f}%" in page
    assert amount(str(report.aging.total.amount)) in page
    assert "Receivables aging" in page
    assert "Cash forecast" in page
    assert "What moved DSO" in page
    for point in report.dso_trend[1:]:
        assert point.dso is None or f"{point.dso}" in page


def test_customer_names_are_escaped(books: S2C, quarter: Period) -> None:
    page = render_html(books.kpi.report(quarter.end, quarter))
    assert "Alpha &lt;b&gt;&amp;&lt;/b&gt; Co" in page
    assert "<b>&</b>" not in page


def test_dict_and_json_forms_render_the_same_page(books: S2C, quarter: Period) -> None:
    report = books.kpi.report(quarter.end, quarter, trend_months=4)
    from_object = render_html(report)
    assert render_html(report.to_dict()) == from_object
    assert render_html(json.loads(report.to_json())) == from_object


def test_empty_books_render_with_dashes(books: S2C) -> None:
    empty = S2C.open("memory://", load_entry_points=False)
    page = render_html(empty.kpi.report())
    assert "Nothing open." in page
    assert "No driver analysis" in page


def test_something_else_than_a_report_is_refused() -> None:
    with pytest.raises(ValueError):
        render_html({"kind": "invoice"})


def test_chart_helpers_handle_edges() -> None:
    assert compact(-1_500_000) == "-1.5M"
    assert nice_ticks(0, 7)[-1] >= 7
    for svg in (
        aging_bars([("current", 0.0), ("1-30", -20.0)]),
        dso_trend([("Jan", None, None), ("Feb", 30.0, 20.0)]),
        dso_trend([]),
        funnel([("Quotes", 0, ""), ("Orders", 0, "")]),
        forecast_weeks([("1 Jan", 0.0, 0.0, 0.0)]),
        forecast_weeks([]),
    ):
        ET.fromstring(svg)
