"""The ``s2c_core`` hooks of s2c-reports (found through the ``s2c_core`` entry-point group).

Only a thin factory lives here: the ``kpi-html`` document renderer, so a host application can
render a KPI report through the same renderer registry as its invoices::

    renderer = document_renderers(app.pm)["kpi-html"]
    page = renderer.render("kpi_report", app.kpi.report().to_dict())
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from s2c_core import hookimpl
from s2c_reports.html import render_html

__all__ = ["KpiHtmlRenderer", "s2c_document_renderers"]


class KpiHtmlRenderer:
    """A [DocumentRenderer][s2c_core.ports.DocumentRenderer] of the ``kpi_report`` document.

    Attributes:
        name: ``"kpi-html"``.
        media_type: ``"text/html"``.
    """

    name: Final = "kpi-html"
    media_type: Final = "text/html"
    documents: Final = ("kpi_report",)

    def render(self, document: str, data: Mapping[str, Any]) -> bytes:
        """Render *document* (``kpi_report``) from ``KpiReport.to_dict()`` *data*, as UTF-8.

        Raises:
            ValueError: Another document, or data that is not a KPI report.
        """
        if document not in self.documents:
            raise ValueError(f"kpi-html renders {self.documents}, not {document!r}")
        return render_html(data).encode("utf-8")


@hookimpl
def s2c_document_renderers() -> list[KpiHtmlRenderer]:
    """The ``kpi-html`` renderer (KPI report as a self-contained HTML page)."""
    return [KpiHtmlRenderer()]
