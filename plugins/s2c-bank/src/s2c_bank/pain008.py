"""SEPA Core direct-debit collections as ISO 20022 pain.008.001.02 files.

Follows the *EPC SEPA Direct Debit Core Scheme Rulebook* and the *EPC SDD Core Customer-to-Bank
Implementation Guidelines* (EPC130-08) for pain.008.001.02: service level ``SEPA``, local
instrument ``CORE``, charge bearer ``SLEV``, one payment information block per sequence type
(``FRST``, ``RCUR``, ``FNAL``, ``OOFF``), euro only, the creditor identifier under
``CdtrSchmeId`` with scheme name ``SEPA``, and the structured creditor reference under
``RmtInf/Strd/CdtrRefInf`` with type ``SCOR`` and issuer ``BBA`` (Belgian OGM/VCS) or ``ISO``
(ISO 11649 RF). A missing BIC is written as ``Othr/Id`` ``NOTPROVIDED`` (IBAN-only, allowed
since the 2016 guidelines).

Inputs are frozen attrs records validated on construction (IBAN, BIC, SEPA creditor identifier
and references through python-stdnum; identifiers restricted to the EPC Latin character set),
so an invalid collection never reaches the writer.

Example:
    >>> from datetime import date, datetime, timezone
    >>> from s2c_core.money import Money
    >>> creditor = Creditor("Atelier Exemple SRL", "BE71096123456769", "GKCCBEBB",
    ...                     "BE68ZZZ0123456789")
    >>> debit = DirectDebit("E2E-F20260042", Money("121.50", "EUR"), "MNDT-0001",
    ...                     date(2025, 1, 15), "RCUR", "Client Exemple BV",
    ...                     "NL91ABNA0417164300", None, "+++090/9337/55493+++")
    >>> collection = Collection("S2C-DD-0001", datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc),
    ...                         date(2026, 12, 1), creditor, (debit,))
    >>> DirectDebitWriter().write(collection).count(b"<DrctDbtTxInf>")
    1
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, Literal

from attrs import Attribute, field, frozen
from lxml import etree
from stdnum import bic as _bic
from stdnum import iban as _iban
from stdnum import iso11649 as _rf
from stdnum.be import ogm_vcs as _ogm
from stdnum.eu import at_02 as _creditor_id
from stdnum.exceptions import ValidationError as _StdnumError

from s2c_core.errors import InvalidAmountError, InvalidReferenceError, ValidationError
from s2c_core.money import Money

__all__ = [
    "NAMESPACE",
    "SEQUENCE_TYPES",
    "Collection",
    "Creditor",
    "DirectDebit",
    "DirectDebitWriter",
    "SequenceType",
]

NAMESPACE: Final = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"
"""The XML namespace of the messages written."""

SequenceType = Literal["FRST", "RCUR", "OOFF", "FNAL"]
SEQUENCE_TYPES: Final[tuple[SequenceType, ...]] = ("FRST", "RCUR", "FNAL", "OOFF")
"""Sequence types, in the order their payment information blocks are written."""

_NSMAP: Final[dict[Any, str]] = {None: NAMESPACE}  # default namespace (either lxml stubs)
_EPC_ID: Final = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]+")
_MAX_AMOUNT: Final = Decimal("999999999.99")


def _check_id(instance: object, attribute: Attribute[str], value: str) -> None:
    """EPC identifier rules: 1-35 Latin characters, no leading/trailing or double slash."""
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= 35
        or not _EPC_ID.fullmatch(value)
        or value.startswith("/")
        or value.endswith("/")
        or "//" in value
        or value != value.strip()
    ):
        raise ValidationError(
            f"{attribute.name} {value!r} must be 1-35 characters of the EPC Latin set "
            "(A-Z a-z 0-9 / - ? : ( ) . , ' + space), not start or end with '/' nor hold '//'",
            field=attribute.name,
            value=value,
        )


def _check_name(instance: object, attribute: Attribute[str], value: str) -> None:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > 70
        or any(ord(ch) < 32 for ch in value)
    ):
        raise ValidationError(
            f"{attribute.name} must be 1-70 printable characters, got {value!r}",
            field=attribute.name,
            value=value,
        )


def _compact_iban(value: str) -> str:
    return "".join(str(value).split()).upper()


def _check_iban(instance: object, attribute: Attribute[str], value: str) -> None:
    try:
        _iban.validate(value)
    except _StdnumError as exc:
        raise InvalidReferenceError(
            f"{attribute.name} {value!r} is not a valid IBAN: {exc}",
            field=attribute.name,
            value=value,
        ) from None


def _compact_bic(value: str | None) -> str | None:
    return None if value is None else "".join(str(value).split()).upper() or None


def _check_bic(instance: object, attribute: Attribute[str | None], value: str | None) -> None:
    if value is None:
        return
    try:
        _bic.validate(value)
    except _StdnumError as exc:
        raise InvalidReferenceError(
            f"{attribute.name} {value!r} is not a valid BIC: {exc}",
            field=attribute.name,
            value=value,
        ) from None


def _compact_creditor_id(value: str) -> str:
    return "".join(str(value).split()).upper()


def _check_creditor_id(instance: object, attribute: Attribute[str], value: str) -> None:
    try:
        _creditor_id.validate(value)
    except _StdnumError as exc:
        raise InvalidReferenceError(
            f"creditor_id {value!r} is not a valid SEPA creditor identifier: {exc}",
            field="creditor_id",
            value=value,
        ) from None


def _compact_reference(value: str) -> str:
    """OGM/VCS to its 12 digits, RF to its compact upper-case form; others unchanged."""
    text = str(value).strip()
    if text[:2].upper() == "RF":
        return "".join(text.split()).upper()
    try:
        return str(_ogm.compact(text.replace("*", "")))
    except _StdnumError:
        return text


def _check_reference(instance: object, attribute: Attribute[str], value: str) -> None:
    if _reference_issuer(value) is None:
        raise InvalidReferenceError(
            f"remittance_reference {value!r} is neither a valid Belgian OGM/VCS nor a valid "
            "ISO 11649 RF creditor reference",
            field="remittance_reference",
            value=value,
        )


def _reference_issuer(value: str) -> str | None:
    if value.startswith("RF"):
        return "ISO" if _rf.is_valid(value) else None
    return "BBA" if value.isdigit() and _ogm.is_valid(value) else None


def _check_amount(instance: object, attribute: Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money) or value.currency.code != "EUR":
        raise InvalidAmountError(
            f"a SEPA direct debit is in EUR, got {value!r}", field="amount", value=value
        )
    if not Decimal("0.01") <= value.amount <= _MAX_AMOUNT:
        raise InvalidAmountError(
            f"a SEPA direct debit amount is 0.01 to 999999999.99 EUR, got {value}",
            field="amount",
            value=value,
        )


def _check_sequence(instance: object, attribute: Attribute[str], value: str) -> None:
    if value not in SEQUENCE_TYPES:
        raise ValidationError(
            f"sequence must be one of {', '.join(SEQUENCE_TYPES)}, got {value!r}",
            field="sequence",
            value=value,
        )


@frozen
class Creditor:
    """The collecting creditor.

    Attributes:
        name: Creditor name (1-70 characters).
        iban: The account credited.
        bic: The creditor bank's BIC, or None (written as ``NOTPROVIDED``).
        creditor_id: SEPA creditor identifier (AT-02), e.g. ``BE68ZZZ0123456789``.
    """

    name: str = field(validator=_check_name)
    iban: str = field(converter=_compact_iban, validator=_check_iban)
    bic: str | None = field(converter=_compact_bic, validator=_check_bic)
    creditor_id: str = field(converter=_compact_creditor_id, validator=_check_creditor_id)


@frozen
class DirectDebit:
    """One collection from one debtor under a signed mandate.

    Attributes:
        end_to_end_id: Unique reference returned with the payment (EPC AT-10).
        amount: Amount in EUR, 0.01 to 999,999,999.99.
        mandate_id: The mandate reference (AT-01).
        mandate_signed: Date the mandate was signed (AT-25).
        sequence: ``FRST``, ``RCUR``, ``FNAL`` or ``OOFF``.
        debtor_name: Debtor name (1-70 characters).
        debtor_iban: The account debited.
        debtor_bic: The debtor bank's BIC, or None.
        remittance_reference: Belgian OGM/VCS (any notation) or ISO 11649 RF reference;
            kept compact (12 digits or ``RF..``).
    """

    end_to_end_id: str = field(validator=_check_id)
    amount: Money = field(validator=_check_amount)
    mandate_id: str = field(validator=_check_id)
    mandate_signed: date = field()
    sequence: SequenceType = field(validator=_check_sequence)
    debtor_name: str = field(validator=_check_name)
    debtor_iban: str = field(converter=_compact_iban, validator=_check_iban)
    debtor_bic: str | None = field(converter=_compact_bic, validator=_check_bic)
    remittance_reference: str = field(converter=_compact_reference, validator=_check_reference)

    @property
    def reference_issuer(self) -> str:
        """``BBA`` for an OGM/VCS reference, ``ISO`` for an RF reference."""
        return "ISO" if self.remittance_reference.startswith("RF") else "BBA"


def _as_debits(value: Iterable[DirectDebit]) -> tuple[DirectDebit, ...]:
    return tuple(value)


@frozen
class Collection:
    """A message: one creditor's collections due on one date.

    Attributes:
        message_id: Unique message id (1-35 EPC characters).
        created_at: Creation time, timezone-aware.
        collection_date: Requested collection date (not before the creation date).
        creditor: The creditor.
        debits: The direct debits, at least one, with distinct end-to-end ids.
    """

    message_id: str = field(validator=_check_id)
    created_at: datetime = field()
    collection_date: date = field()
    creditor: Creditor = field()
    debits: tuple[DirectDebit, ...] = field(converter=_as_debits)

    def __attrs_post_init__(self) -> None:
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValidationError(
                "created_at must be timezone-aware", field="created_at", value=self.created_at
            )
        if self.collection_date < self.created_at.date():
            raise ValidationError(
                f"collection date {self.collection_date} is before the creation date "
                f"{self.created_at.date()}",
                field="collection_date",
                value=self.collection_date,
            )
        if not self.debits:
            raise ValidationError(
                "a collection needs at least one direct debit", field="debits", value=()
            )
        seen: set[str] = set()
        for debit in self.debits:
            if not isinstance(debit, DirectDebit):
                raise ValidationError(f"not a DirectDebit: {debit!r}", field="debits", value=debit)
            if debit.end_to_end_id in seen:
                raise ValidationError(
                    f"end-to-end id {debit.end_to_end_id!r} is used twice",
                    field="end_to_end_id",
                    value=debit.end_to_end_id,
                )
            seen.add(debit.end_to_end_id)
            if debit.mandate_signed > self.collection_date:
                raise ValidationError(
                    f"mandate {debit.mandate_id!r} is signed after the collection date",
                    field="mandate_signed",
                    value=debit.mandate_signed,
                )

    @property
    def control_sum(self) -> Decimal:
        """The exact sum of all amounts."""
        return sum((d.amount.amount for d in self.debits), Decimal(0))


def _sub(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")


def _text(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    element.text = text
    return element


def _path(parent: etree._Element, path: str, text: str | None = None) -> etree._Element:
    element = parent
    for tag in path.split("/"):
        element = _sub(element, tag)
    if text is not None:
        element.text = text
    return element


def _agent(parent: etree._Element, tag: str, bic: str | None) -> None:
    institution = _path(parent, f"{tag}/FinInstnId")
    if bic:
        _text(institution, "BIC", bic)
    else:
        _path(institution, "Othr/Id", "NOTPROVIDED")


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):f}"


class DirectDebitWriter:
    """Writes a [Collection][s2c_bank.pain008.Collection] as a pain.008.001.02 document.

    Attributes:
        name: The message version written, ``pain.008.001.02``.
    """

    name: str = "pain.008.001.02"

    def write(self, collection: Collection) -> bytes:
        """Return the UTF-8 XML bytes of *collection*.

        Args:
            collection: A validated collection.

        Returns:
            A pain.008.001.02 document (XML declaration, default namespace), valid against the
            ISO schema, grouped into one ``PmtInf`` per sequence type with exact control sums.
        """
        if not isinstance(collection, Collection):
            raise ValidationError(
                "write() takes a Collection", field="collection", value=collection
            )
        root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap=_NSMAP)
        message = _sub(root, "CstmrDrctDbtInitn")
        header = _sub(message, "GrpHdr")
        _text(header, "MsgId", collection.message_id)
        _text(header, "CreDtTm", collection.created_at.isoformat(timespec="seconds"))
        _text(header, "NbOfTxs", str(len(collection.debits)))
        _text(header, "CtrlSum", _money(collection.control_sum))
        _path(header, "InitgPty/Nm", collection.creditor.name)
        for sequence in SEQUENCE_TYPES:
            debits = [d for d in collection.debits if d.sequence == sequence]
            if debits:
                self._payment_information(message, collection, sequence, debits)
        body: bytes = etree.tostring(
            root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
        return body

    def _payment_information(
        self,
        message: etree._Element,
        collection: Collection,
        sequence: SequenceType,
        debits: list[DirectDebit],
    ) -> None:
        creditor = collection.creditor
        info = _sub(message, "PmtInf")
        _text(info, "PmtInfId", f"{collection.message_id[:30]}-{sequence}")
        _text(info, "PmtMtd", "DD")
        _text(info, "BtchBookg", "true")
        _text(info, "NbOfTxs", str(len(debits)))
        _text(info, "CtrlSum", _money(sum((d.amount.amount for d in debits), Decimal(0))))
        kind = _sub(info, "PmtTpInf")
        _path(kind, "SvcLvl/Cd", "SEPA")
        _path(kind, "LclInstrm/Cd", "CORE")
        _text(kind, "SeqTp", sequence)
        _text(info, "ReqdColltnDt", collection.collection_date.isoformat())
        _path(info, "Cdtr/Nm", creditor.name)
        _path(info, "CdtrAcct/Id/IBAN", creditor.iban)
        _agent(info, "CdtrAgt", creditor.bic)
        _text(info, "ChrgBr", "SLEV")
        scheme = _path(info, "CdtrSchmeId/Id/PrvtId/Othr")
        _text(scheme, "Id", creditor.creditor_id)
        _path(scheme, "SchmeNm/Prtry", "SEPA")
        for debit in debits:
            tx = _sub(info, "DrctDbtTxInf")
            _path(tx, "PmtId/EndToEndId", debit.end_to_end_id)
            _text(tx, "InstdAmt", _money(debit.amount.amount), Ccy="EUR")
            mandate = _path(tx, "DrctDbtTx/MndtRltdInf")
            _text(mandate, "MndtId", debit.mandate_id)
            _text(mandate, "DtOfSgntr", debit.mandate_signed.isoformat())
            _agent(tx, "DbtrAgt", debit.debtor_bic)
            _path(tx, "Dbtr/Nm", debit.debtor_name)
            _path(tx, "DbtrAcct/Id/IBAN", debit.debtor_iban)
            reference = _path(tx, "RmtInf/Strd/CdtrRefInf")
            kind_of_ref = _sub(reference, "Tp")
            _path(kind_of_ref, "CdOrPrtry/Cd", "SCOR")
            _text(kind_of_ref, "Issr", debit.reference_issuer)
            _text(reference, "Ref", debit.remittance_reference)
