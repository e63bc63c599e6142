"""Structured payment references and identifiers, as thin wrappers over python-stdnum.

Every identifier module has the same four functions, after python-stdnum:

* ``compact(number)``: strip separators and normalise case, no check;
* ``validate(number)``: the compact value, or
  [InvalidReferenceError][s2c_core.errors.InvalidReferenceError] whose ``reason`` is
  ``"format"``, ``"length"``, ``"checksum"`` or ``"component"``;
* ``is_valid(number)``: a bool, never raises;
* ``format(number)``: the printed form.

Modules: [ogm_vcs][s2c_core.references.ogm_vcs] (Belgian structured communication),
[rf_creditor][s2c_core.references.rf_creditor] (ISO 11649), [iban][s2c_core.references.iban],
[vat][s2c_core.references.vat] (EU VAT numbers), [enterprise][s2c_core.references.enterprise]
(Belgian KBO/BCE and Dutch KvK). Scheme-level helpers sit at the package level.

Examples:
    >>> from s2c_core.references import ReferenceScheme, generate_reference, ogm_vcs
    >>> ogm_vcs.format(generate_reference(ReferenceScheme.OGM_VCS, 42))
    '+++000/0000/04242+++'
"""

from __future__ import annotations

from s2c_core.references import (
    enterprise,
    iban,
    ogm_vcs,
    rf_creditor,
    vat,
)
from s2c_core.references.schemes import (
    ReferenceMatch,
    ReferenceScheme,
    detect_reference,
    find_references_in_text,
    generate_reference,
)

__all__ = [
    "ReferenceMatch",
    "ReferenceScheme",
    "detect_reference",
    "enterprise",
    "find_references_in_text",
    "generate_reference",
    "iban",
    "ogm_vcs",
    "rf_creditor",
    "vat",
]
