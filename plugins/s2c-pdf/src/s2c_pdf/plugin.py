"""The ``s2c_core`` hooks of s2c-pdf (found through the ``s2c_core`` entry-point group).

Only thin factories live here; see [s2c_pdf.render][].
"""

from __future__ import annotations

from s2c_core._markers import hookimpl
from s2c_pdf.render import PdfRenderer

__all__ = ["s2c_document_renderers"]


@hookimpl
def s2c_document_renderers() -> list[PdfRenderer]:
    """The ``pdf`` renderer: invoices, credit notes, payment reminders, statements."""
    return [PdfRenderer()]
