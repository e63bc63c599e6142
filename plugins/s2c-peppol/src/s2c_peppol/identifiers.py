"""Identifier schemes and code lists used in Peppol BIS Billing 3.0 documents.

* Electronic addresses (BT-34 seller, BT-49 buyer) carry a scheme from the Peppol
  "Electronic Address Scheme" (EAS) code list: ``0208`` Belgian enterprise number,
  ``0106`` Dutch KvK number, ``99xx`` national VAT numbers (``9925`` Belgium, ``9944``
  the Netherlands ...). Peppol rule PEPPOL-EN16931-CL008 refuses other schemes.
* Legal registration identifiers (BT-30, BT-47) carry an ISO 6523 ICD scheme (``0208``,
  ``0106``); Peppol rule NL-R-003 requires ``0106`` (or ``0190``) for Dutch sellers.
* VAT exemption reason codes (BT-121) come from the CEF VATEX list (``VATEX-EU-AE`` reverse
  charge, ``VATEX-EU-IC`` intra-community supply, ``VATEX-EU-G`` export, ``VATEX-EU-O`` not
  subject to VAT); Peppol rules PEPPOL-EN16931-P0104..P0111 tie each code to its category.
"""

from __future__ import annotations

import re
from typing import Final

from s2c_core.entities.common import VatCategory
from s2c_core.errors import InvalidReferenceError, ValidationError
from s2c_core.references import enterprise, vat

__all__ = [
    "ELECTRONIC_ADDRESS_SCHEMES",
    "EXEMPTION_CODES",
    "EXEMPTION_TEXTS",
    "VAT_EAS",
    "compact_vat",
    "electronic_address",
    "legal_entity_id",
    "split_electronic_address",
]

_EAS_CODES: Final = (
    "0002 0007 0009 0060 0088 0096 0097 0106 0130 0135 0142 0151 0183 0184 0188 0190 0191 "
    "0192 0195 0196 0198 0199 0200 0201 0204 0208 0209 0210 0211 0216 0218 0221 0225 0230 "
    "0235 0240 0242 0244 0245 0246 0248 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 "
    "9925 9926 9927 9928 9929 9930 9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 "
    "9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 9957 9959"
)
#: EAS codes accepted by Peppol BIS Billing 3.0.21 (rule PEPPOL-EN16931-CL008).
ELECTRONIC_ADDRESS_SCHEMES: Final = frozenset(_EAS_CODES.split())

#: EAS code of a national VAT number, by the VAT number's two-letter prefix.
VAT_EAS: Final[dict[str, str]] = {
    "AD": "9922",
    "AL": "9923",
    "AT": "9914",
    "BA": "9924",
    "BE": "9925",
    "BG": "9926",
    "CH": "9927",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "EE": "9931",
    "EL": "9933",
    "ES": "9920",
    "FR": "9957",
    "GB": "9932",
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "LI": "9936",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MC": "9940",
    "ME": "9941",
    "MK": "9942",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "RS": "9948",
    "SI": "9949",
    "SK": "9950",
    "SM": "9951",
    "TR": "9952",
    "VA": "9953",
}

#: ICD scheme of a national company register number, by country (BT-30 / BT-47 scheme).
_REGISTER_ICD: Final[dict[str, str]] = {"BE": "0208", "NL": "0106"}

#: VATEX code per category (BT-121); E has many legal bases, so it gets text only.
EXEMPTION_CODES: Final[dict[VatCategory, str]] = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.INTRA_EU: "VATEX-EU-IC",
    VatCategory.EXPORT: "VATEX-EU-G",
    VatCategory.OUTSIDE_SCOPE: "VATEX-EU-O",
}

#: Default exemption reason text (BT-120) when the lines carry none.
EXEMPTION_TEXTS: Final[dict[VatCategory, str]] = {
    VatCategory.EXEMPT: "Exempt from VAT",
    VatCategory.REVERSE_CHARGE: "Reverse charge",
    VatCategory.INTRA_EU: "Intra-community supply",
    VatCategory.EXPORT: "Export outside the EU",
    VatCategory.OUTSIDE_SCOPE: "Not subject to VAT",
}


def split_electronic_address(value: str) -> tuple[str, str]:
    """Split a Peppol participant id ``"scheme:id"`` (e.g. ``"0208:0123456749"``).

    Raises:
        ValidationError: When the scheme is not an EAS code Peppol accepts.

    Example:
        >>> split_electronic_address("0208:0123456749")
        ('0208', '0123456749')
    """
    scheme, sep, ident = value.strip().partition(":")
    if value.lower().startswith("iso6523-actorid-upis::"):
        scheme, _, ident = value.split("::", 1)[1].partition(":")
    if not sep or not ident.strip() or scheme not in ELECTRONIC_ADDRESS_SCHEMES:
        raise ValidationError(
            f"electronic address {value!r} is not 'scheme:id' with a Peppol EAS scheme",
            field="electronic_address",
            value=value,
        )
    return scheme, ident.strip()


def electronic_address(
    *, explicit: str, enterprise_number: str, vat_number: str, country: str
) -> tuple[str, str] | None:
    """The EndpointID (scheme, id) of a party, or None when nothing qualifies.

    Order: the explicit Peppol id; the Belgian (``0208``) or Dutch (``0106``) register
    number; the VAT number under its national ``99xx`` scheme.
    """
    if explicit:
        return split_electronic_address(explicit)
    icd = legal_entity_id(enterprise_number, country)
    if icd is not None and icd[0]:
        return icd[0], icd[1]
    if vat_number:
        number = compact_vat(vat_number)
        scheme = VAT_EAS.get(number[:2])
        if scheme:
            return scheme, number
    return None


def compact_vat(number: str) -> str:
    """A VAT number without separators, prefix upper-cased (EU numbers via python-stdnum).

    Non-EU numbers (``GB``, ``NO``, ``CH`` ...) are cleaned of blanks, dots and dashes only.

    Example:
        >>> compact_vat("be 0403.019.261")
        'BE0403019261'
    """
    try:
        return vat.compact(number)
    except InvalidReferenceError:
        return re.sub(r"[\s.\-]", "", number).upper()


def legal_entity_id(number: str, country: str) -> tuple[str, str] | None:
    """The legal registration id (ICD scheme or ``""``, compact id) of *number*, or None.

    Belgian and Dutch numbers are validated (mod 97 for ``0208``, as Peppol rule
    PEPPOL-COMMON-R043 checks) and get their ICD scheme; others are passed through bare.
    """
    if not number.strip():
        return None
    scheme = _REGISTER_ICD.get(country.upper())
    if scheme == "0208":
        return scheme, enterprise.validate(number, country="BE")
    if scheme == "0106":
        return scheme, enterprise.validate(number, country="NL")
    return "", number.strip()
