"""s2c-peppol: Peppol BIS Billing 3.0 (UBL 2.1) invoices and credit notes for s2c_core.

* [render_invoice][s2c_peppol.render.render_invoice]: an invoice or credit note as UBL that
  passes the UBL 2.1 XSD, the EN 16931 rules and the Peppol BIS Billing 3.0 rules;
* [parse_invoice][s2c_peppol.parse.parse_invoice]: incoming UBL back into entities;
* [Transmitter][s2c_peppol.transmit.Transmitter]: the port for access-point providers, with
  the [FolderTransmitter][s2c_peppol.transmit.FolderTransmitter] reference.
"""

from __future__ import annotations

from s2c_peppol._ubl import CUSTOMIZATION_ID, PROFILE_ID
from s2c_peppol.identifiers import split_electronic_address
from s2c_peppol.parse import ParsedInvoice, parse_invoice
from s2c_peppol.render import render_invoice
from s2c_peppol.renderer import PeppolRenderer
from s2c_peppol.transmit import (
    TRANSMISSION_FLOW,
    FolderTransmitter,
    TransmissionReceipt,
    TransmissionState,
    Transmitter,
)

__all__ = [
    "CUSTOMIZATION_ID",
    "PROFILE_ID",
    "TRANSMISSION_FLOW",
    "FolderTransmitter",
    "ParsedInvoice",
    "PeppolRenderer",
    "TransmissionReceipt",
    "TransmissionState",
    "Transmitter",
    "parse_invoice",
    "render_invoice",
    "split_electronic_address",
]
