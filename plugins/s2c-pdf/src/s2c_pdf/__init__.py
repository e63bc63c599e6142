"""s2c-pdf: PDF invoices, credit notes, reminders and statements with EPC QR codes.

* [render_pdf][s2c_pdf.render.render_pdf]: one document with the default theme;
* [PdfRenderer][s2c_pdf.render.PdfRenderer]: the ``pdf`` document renderer, with your own
  templates, CSS and wording;
* [epc_payload][s2c_pdf.epc.epc_payload]: the EPC069-12 "SEPA credit transfer" QR payload.
"""

from __future__ import annotations

from s2c_pdf.epc import epc_payload, epc_qr_data_uri, epc_qr_svg, structured_reference
from s2c_pdf.i18n import LANGUAGES, LOCALES, TRANSLATIONS, Formatter
from s2c_pdf.render import DOCUMENTS, PdfRenderer, render_html, render_pdf

__all__ = [
    "DOCUMENTS",
    "LANGUAGES",
    "LOCALES",
    "TRANSLATIONS",
    "Formatter",
    "PdfRenderer",
    "epc_payload",
    "epc_qr_data_uri",
    "epc_qr_svg",
    "render_html",
    "render_pdf",
    "structured_reference",
]
