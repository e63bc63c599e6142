"""SEPA direct debit pain.008.001.02: schema-valid output, exact sums, strict inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources

import pytest
from lxml import etree

from s2c_bank import Collection, Creditor, DirectDebit, DirectDebitWriter
from s2c_core.errors import InvalidAmountError, InvalidReferenceError, ValidationError
from s2c_core.money import Money

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
CREDITOR = Creditor("Atelier Exemple SRL", "BE71 0961 2345 6769", "GKCCBEBB", "BE68ZZZ0123456789")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The official pain.008.001.02 XSD as shipped inside the sepaxml package."""
    pytest.importorskip("sepaxml", reason="sepaxml (which ships the pain.008 XSD) not installed")
    xsd = resources.files("sepaxml") / "schemas" / "pain.008.001.02.xsd"
    if not xsd.is_file():
        pytest.skip("sepaxml has no schemas/pain.008.001.02.xsd")
    return etree.XMLSchema(etree.fromstring(xsd.read_bytes()))


def debit(number: int, value: str, seq: str = "RCUR", **changes: object) -> DirectDebit:
    values: dict[str, object] = {
        "end_to_end_id": f"E2E-{number:04d}",
        "amount": Money(value, "EUR"),
        "mandate_id": f"MNDT-{number:04d}",
        "mandate_signed": date(2025, 1, 15),
        "sequence": seq,
        "debtor_name": f"Client {number}",
        "debtor_iban": "NL91ABNA0417164300",
        "debtor_bic": "ABNANL2A",
        "remittance_reference": "+++090/9337/55493+++",
    }
    values.update(changes)
    return DirectDebit(**values)  # type: ignore[arg-type]


def collection(*debits: DirectDebit) -> Collection:
    return Collection(
        "S2C-DD-20261123-01", datetime(2026, 11, 23, 9, 30, tzinfo=UTC), date(2026, 12, 1),
        CREDITOR, debits,
    )  # fmt: skip


def test_output_is_valid_against_the_official_schema(schema: etree.XMLSchema) -> None:
    data = DirectDebitWriter().write(collection(
        debit(1, "121.50", "FRST"), debit(2, "0.01", "RCUR", debtor_bic=None),
        debit(3, "999999999.99", "OOFF", remittance_reference="RF18 5390 0754 7034"),
        debit(4, "10.00", "FNAL", debtor_name="Café Épée & Fils <Ltd>"),
    ))  # fmt: skip
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log


def test_one_payment_information_per_sequence_type_with_exact_control_sums() -> None:
    data = DirectDebitWriter().write(collection(
        debit(1, "0.10", "RCUR"), debit(2, "0.20", "FRST"), debit(3, "0.70", "RCUR"),
    ))  # fmt: skip
    doc = etree.fromstring(data)
    assert doc.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert doc.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "1.00"
    infos = doc.findall("p:CstmrDrctDbtInitn/p:PmtInf", namespaces=NS)
    summary = [
        (i.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS), i.findtext("p:NbOfTxs", namespaces=NS),
         i.findtext("p:CtrlSum", namespaces=NS))
        for i in infos
    ]  # fmt: skip
    assert summary == [("FRST", "1", "0.20"), ("RCUR", "2", "0.80")]
    assert [i.findtext("p:PmtInfId", namespaces=NS) for i in infos] == [
        "S2C-DD-20261123-01-FRST", "S2C-DD-20261123-01-RCUR",
    ]  # fmt: skip


def test_scheme_fields_follow_the_epc_guidelines() -> None:
    doc = etree.fromstring(DirectDebitWriter().write(collection(debit(1, "5.00"))))
    info = doc.find("p:CstmrDrctDbtInitn/p:PmtInf", namespaces=NS)
    assert info is not None
    get = lambda path: info.findtext(path, namespaces=NS)  # noqa: E731
    assert get("p:PmtTpInf/p:SvcLvl/p:Cd") == "SEPA"
    assert get("p:PmtTpInf/p:LclInstrm/p:Cd") == "CORE"
    assert get("p:ChrgBr") == "SLEV"
    assert get("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id") == "BE68ZZZ0123456789"
    assert get("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry") == "SEPA"
    assert get("p:CdtrAcct/p:Id/p:IBAN") == "BE71096123456769"
    tx = "p:DrctDbtTxInf/"
    assert get(tx + "p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr") == "2025-01-15"
    ref = tx + "p:RmtInf/p:Strd/p:CdtrRefInf/"
    assert get(ref + "p:Tp/p:CdOrPrtry/p:Cd") == "SCOR"
    assert get(ref + "p:Tp/p:Issr") == "BBA"
    assert get(ref + "p:Ref") == "090933755493"


def test_rf_reference_is_issued_by_iso_and_missing_bic_is_notprovided() -> None:
    doc = etree.fromstring(DirectDebitWriter().write(collection(
        debit(1, "5.00", remittance_reference="rf18539007547034", debtor_bic=None)
    )))  # fmt: skip
    tx = doc.find("p:CstmrDrctDbtInitn/p:PmtInf/p:DrctDbtTxInf", namespaces=NS)
    assert tx is not None
    assert tx.findtext("p:RmtInf/p:Strd/p:CdtrRefInf/p:Tp/p:Issr", namespaces=NS) == "ISO"
    assert tx.findtext("p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref", namespaces=NS) == "RF18539007547034"
    assert tx.findtext("p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=NS) == "NOTPROVIDED"


def test_control_sum_is_exact_for_many_cents() -> None:
    debits = [debit(i, "0.01") for i in range(1, 1001)]
    assert collection(*debits).control_sum == Decimal("10.00")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"amount": Money("10.00", "USD")}, InvalidAmountError),
        ({"amount": Money("0.00", "EUR")}, InvalidAmountError),
        ({"amount": Money("1000000000.00", "EUR")}, InvalidAmountError),
        ({"sequence": "ONCE"}, ValidationError),
        ({"debtor_iban": "NL91ABNA0417164301"}, InvalidReferenceError),
        ({"debtor_bic": "NOTABIC"}, InvalidReferenceError),
        ({"remittance_reference": "+++090/9337/55494+++"}, InvalidReferenceError),
        ({"remittance_reference": "RF00INV20260042"}, InvalidReferenceError),
        ({"remittance_reference": "Invoice 42"}, InvalidReferenceError),
        ({"end_to_end_id": "E2E/ÄÖ"}, ValidationError),
        ({"end_to_end_id": "/E2E"}, ValidationError),
        ({"end_to_end_id": "A//B"}, ValidationError),
        ({"mandate_id": "M" * 36}, ValidationError),
        ({"debtor_name": ""}, ValidationError),
        ({"debtor_name": "x" * 71}, ValidationError),
    ],
)
def test_invalid_direct_debits_are_refused_on_construction(
    changes: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        debit(1, "1.00", **changes)  # type: ignore[arg-type]


def test_invalid_creditor_identifier_is_refused() -> None:
    with pytest.raises(InvalidReferenceError, match="creditor identifier"):
        Creditor("Atelier", "BE71096123456769", None, "BE69ZZZ0123456789")


def test_collection_rules() -> None:
    with pytest.raises(ValidationError, match="used twice"):
        collection(debit(1, "1.00"), debit(1, "2.00"))
    with pytest.raises(ValidationError, match="at least one"):
        collection()
    with pytest.raises(ValidationError, match="signed after"):
        collection(debit(1, "1.00", mandate_signed=date(2027, 1, 1)))
    with pytest.raises(ValidationError, match="timezone-aware"):
        Collection("M", datetime(2026, 11, 23), date(2026, 12, 1), CREDITOR, [debit(1, "1.00")])
    with pytest.raises(ValidationError, match="before the creation date"):
        Collection("M", datetime(2026, 11, 23, tzinfo=UTC), date(2026, 11, 1), CREDITOR,
                   [debit(1, "1.00")])  # fmt: skip


def test_writing_is_deterministic() -> None:
    one = collection(debit(1, "1.00"), debit(2, "2.00", "FRST"))
    assert DirectDebitWriter().write(one) == DirectDebitWriter().write(one)


def test_output_is_utf8_with_declaration_and_default_namespace() -> None:
    data = DirectDebitWriter().write(collection(debit(1, "1.00", debtor_name="Zoë")))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02">' in data
    assert "Zoë".encode() in data
