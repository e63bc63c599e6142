"""EPC QR codes: "SEPA credit transfer" payment data a banking app scans (EPC069-12).

EPC069-12 ("Quick Response Code: Guidelines to Enable Data Capture for the Initiation of a
SEPA Credit Transfer", version 002) fixes the payload, one field per line (LF separated):

====  ==========================  =========================================================
line  field                       content
====  ==========================  =========================================================
1     service tag                 ``BCD``
2     version                     ``002`` (BIC optional inside the EEA)
3     character set               ``1`` = UTF-8
4     identification              ``SCT``
5     BIC                         8 or 11 characters, may be empty
6     beneficiary name            at most 70 characters
7     beneficiary IBAN            compact
8     amount                      ``EUR`` + 0.01 .. 999999999.99, e.g. ``EUR1234.5``
9     purpose                     4-letter ISO 20022 purpose code, may be empty
10    structured reference        at most 35 characters (ISO 11649 RF, or the Belgian
                                  structured communication whose 12 digits Belgian banks
                                  accept here)
11    unstructured remittance     at most 140 characters; only when line 10 is empty
12    beneficiary to originator   at most 70 characters, shown to the payer
====  ==========================  =========================================================

The whole payload is at most 331 bytes; trailing empty lines are left out. The QR code uses
error-correction level M and at most version 13; the printed code should be at least 2 cm.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import segno

from s2c_core.errors import ValidationError
from s2c_core.money import Money
from s2c_core.references import iban as iban_ref
from s2c_core.references.schemes import detect_reference

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "epc_payload",
    "epc_qr_data_uri",
    "epc_qr_svg",
    "structured_reference",
]

MAX_PAYLOAD_BYTES: Final = 331
_MAX_AMOUNT: Final = Decimal("999999999.99")


def structured_reference(reference: str) -> str:
    """The compact structured reference (OGM/VCS digits or RF), or ``""`` when *reference* is
    none of them.

    Example:
        >>> structured_reference("+++090/9337/55493+++")
        '090933755493'
    """
    found = detect_reference(reference) if reference.strip() else None
    return found[1] if found else ""


def _limit(value: str, size: int, name: str) -> str:
    text = " ".join(value.split())
    if len(text) > size:
        raise ValidationError(
            f"EPC QR {name} is limited to {size} characters", field=name, value=value
        )
    return text


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Money,
    bic: str = "",
    reference: str = "",
    text: str = "",
    purpose: str = "",
    information: str = "",
) -> str:
    """The EPC069-12 (version 002) payload of a SEPA credit transfer.

    Args:
        name: Beneficiary name (max. 70 characters).
        iban: Beneficiary IBAN (validated, written compact).
        amount: A EUR amount from 0.01 to 999 999 999.99.
        bic: Beneficiary BIC; optional in version 002.
        reference: A structured reference (OGM/VCS ``+++090/9337/55493+++`` or RF); written
            compact in the structured field. Anything else goes to the unstructured field.
        text: Unstructured remittance information (max. 140), used only without a
            structured reference (the two are exclusive).
        purpose: ISO 20022 purpose code (4 characters), optional.
        information: Beneficiary-to-originator information shown to the payer (max. 70).

    Raises:
        ValidationError: Not EUR, amount out of range, a field too long, a bad IBAN.

    Example:
        >>> from s2c_core.money import Money
        >>> print(epc_payload(name="Brouwerij De Kroon", iban="BE71 0961 2345 6769",
        ...                   amount=Money("1234.50", "EUR"), reference="+++090/9337/55493+++"))
        BCD
        002
        1
        SCT
        <BLANKLINE>
        Brouwerij De Kroon
        BE71096123456769
        EUR1234.5
        <BLANKLINE>
        090933755493
    """
    if amount.currency.code != "EUR":
        raise ValidationError(
            f"an EPC QR code pays euros only, not {amount.currency.code}",
            field="currency",
            value=amount.currency.code,
        )
    if not Decimal("0.01") <= amount.amount <= _MAX_AMOUNT:
        raise ValidationError(
            "an EPC QR amount must be between 0.01 and 999999999.99",
            field="amount",
            value=amount,
        )
    structured = structured_reference(reference)
    unstructured = "" if structured else (text or reference)
    figure = format(amount.amount.normalize(), "f")
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        _limit(bic.replace(" ", "").upper(), 11, "bic"),
        _limit(name, 70, "name"),
        iban_ref.validate(iban),
        f"EUR{figure}",
        _limit(purpose.upper(), 4, "purpose"),
        _limit(structured, 35, "reference"),
        _limit(unstructured, 140, "text"),
        _limit(information, 70, "information"),
    ]
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValidationError(
            f"EPC QR payload is longer than {MAX_PAYLOAD_BYTES} bytes", field="payload"
        )
    return payload


def _qr(payload: str) -> segno.QRCode:
    qr = segno.make_qr(payload, error="m", encoding="utf-8", boost_error=False)
    # 331 bytes always fit in version 13 at level M; checked all the same (EPC069-12 limit).
    if not isinstance(qr.version, int) or qr.version > 13:  # pragma: no cover
        raise ValidationError("EPC QR payload needs a QR version above 13", field="payload")
    return qr


def epc_qr_svg(payload: str, *, scale: int = 3, dark: str = "#000") -> str:
    """The QR code of *payload* as an SVG document (error correction M, quiet zone 4).

    Drawn by segno (pure Python); version 13 at most, as EPC069-12 requires.
    """
    svg: str = _qr(payload).svg_inline(scale=scale, border=4, dark=dark, light="#fff")
    return svg


def epc_qr_data_uri(payload: str, *, dark: str = "#000") -> str:
    """The QR code of *payload* as an SVG ``data:`` URI, for an ``<img>`` in a template."""
    uri: str = _qr(payload).svg_data_uri(scale=1, border=4, dark=dark, light="#fff")
    return uri
