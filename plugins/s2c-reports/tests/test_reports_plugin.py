"""The ``kpi-html`` renderer is offered through ``s2c_document_renderers``."""

from __future__ import annotations

import pytest
from s2c_reports import plugin

from s2c_core import S2C
from s2c_core.kpi import Period
from s2c_core.plugins import document_renderers, make_plugin_manager
from s2c_core.ports import DocumentRenderer


def test_kpi_html_renderer_is_registered_by_the_hook() -> None:
    pm = make_plugin_manager(plugins=[plugin], load_entry_points=False)
    renderer = document_renderers(pm)["kpi-html"]
    assert isinstance(renderer, DocumentRenderer)
    assert renderer.media_type == "text/html"


def test_renderer_renders_the_report_dict_as_utf8(books: S2C, quarter: Period) -> None:
    data = books.kpi.report(quarter.end, quarter).to_dict()
    body = plugin.KpiHtmlRenderer().render("kpi_report", data)
    assert body.startswith(b"<!DOCTYPE html>")
    assert "Café".encode() in body or b"Receivables" in body


def test_renderer_refuses_other_documents(books: S2C) -> None:
    with pytest.raises(ValueError):
        plugin.KpiHtmlRenderer().render("invoice", books.kpi.report().to_dict())
