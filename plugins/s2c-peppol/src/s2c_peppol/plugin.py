"""The ``s2c_core`` hooks of s2c-peppol (found through the ``s2c_core`` entry-point group).

Only thin factories live here; see [s2c_peppol.render][] and [s2c_peppol.renderer][].
"""

from __future__ import annotations

from s2c_core._markers import hookimpl
from s2c_peppol.renderer import PeppolRenderer

__all__ = ["s2c_document_renderers"]


@hookimpl
def s2c_document_renderers() -> list[PeppolRenderer]:
    """The ``peppol-ubl`` renderer (Peppol BIS Billing 3.0 invoices and credit notes)."""
    return [PeppolRenderer()]
