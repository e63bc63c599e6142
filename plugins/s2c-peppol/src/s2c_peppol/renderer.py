"""The ``peppol-ubl`` [DocumentRenderer][s2c_core.ports.DocumentRenderer]."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from s2c_core.entities.party import Company, Customer
from s2c_core.entities.receivables import DocumentKind, Invoice
from s2c_core.errors import ValidationError
from s2c_peppol.render import render_invoice

__all__ = ["PeppolRenderer"]

_DOCUMENTS: Final = ("invoice", "credit_note")


def _typed(data: Mapping[str, Any], key: str, kind: type[Any], *, required: bool = True) -> Any:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, kind):
        raise ValidationError(
            f"data[{key!r}] must be a {kind.__name__}, got {type(value).__name__}",
            field=key,
            value=value,
        )
    return value


class PeppolRenderer:
    """Renders invoices and credit notes as Peppol BIS Billing 3.0 UBL 2.1.

    ``data`` carries ``invoice`` ([Invoice][s2c_core.entities.receivables.Invoice]),
    ``customer`` ([Customer][s2c_core.entities.party.Customer]), ``seller``
    ([Company][s2c_core.entities.party.Company]) and optionally ``credited_invoice``,
    ``delivery_date``, ``purchase_order``, ``payment_terms_note``, ``payment_means_code``
    (see [render_invoice][s2c_peppol.render.render_invoice]). ``language`` is ignored: UBL is
    read by machines.
    """

    name = "peppol-ubl"
    media_type = "application/xml"
    documents = _DOCUMENTS

    def render(self, document: str, data: Mapping[str, Any]) -> bytes:
        """Render *document* (``"invoice"`` or ``"credit_note"``) from *data*."""
        if document not in _DOCUMENTS:
            raise ValidationError(
                f"peppol-ubl renders {_DOCUMENTS}, not {document!r}",
                field="document",
                value=document,
            )
        invoice: Invoice = _typed(data, "invoice", Invoice)
        expected = DocumentKind.CREDIT_NOTE if document == "credit_note" else DocumentKind.INVOICE
        if invoice.kind is not expected:
            raise ValidationError(
                f"document {document!r} does not match the invoice kind {invoice.kind.value!r}",
                field="document",
                value=document,
            )
        return render_invoice(
            invoice,
            _typed(data, "customer", Customer),
            _typed(data, "seller", Company),
            credited_invoice=_typed(data, "credited_invoice", Invoice, required=False),
            delivery_date=_typed(data, "delivery_date", date, required=False),
            purchase_order=str(data.get("purchase_order") or ""),
            payment_terms_note=data.get("payment_terms_note"),
            payment_means_code=data.get("payment_means_code"),
        )
