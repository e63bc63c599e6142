"""SEPA direct debit through ``app.direct_debit``: mandates, pain.008 files, returns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import s2c_bank.plugin
from lxml import etree

from s2c_core import (
    S2C,
    BackendNotFoundError,
    BusinessRuleError,
    Company,
    ConfigurationError,
    FixedClock,
    Invoice,
    Line,
    Money,
    Policy,
    ValidationError,
    VatCategory,
)
from s2c_core.services.bank import Outcome

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
DEBTOR_IBAN = "NL91ABNA0417164300"
COMPANY = Company(
    "Groothandel Peeters BV",
    iban="BE71096123456769",
    bic="GKCCBEBB",
    creditor_id="BE68ZZZ0123456789",
)
DUE = date(2026, 4, 1)  # net30 from the clock's day


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))


@pytest.fixture
def app(clock: FixedClock) -> Iterator[S2C]:
    application = S2C.open(
        "memory://",
        clock=clock,
        policy=Policy.default_eu("BE", company=COMPANY),
        plugins=[s2c_bank.plugin],
        load_entry_points=False,
    )
    yield application
    application.close()


def _invoice(app: S2C, customer_id: str, amount: str) -> Invoice:
    line = Line(
        "svc",
        "Subscription",
        1,
        Money(amount, "EUR"),  # type: ignore[arg-type]
        vat_category=VatCategory.ZERO,
        vat_rate=0,
    )
    return app.invoices.create(customer_id, [line])


def _debits(xml: bytes) -> list[dict[str, str]]:
    root = etree.fromstring(xml)
    out = []
    for info in root.iterfind(".//p:PmtInf", NS):
        sequence = info.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS) or ""
        for tx in info.iterfind("p:DrctDbtTxInf", NS):
            out.append(
                {
                    "sequence": sequence,
                    "e2e": tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS) or "",
                    "amount": tx.findtext("p:InstdAmt", namespaces=NS) or "",
                    "mandate": tx.findtext(".//p:MndtId", namespaces=NS) or "",
                    "iban": tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) or "",
                    "ref": tx.findtext(".//p:CdtrRefInf/p:Ref", namespaces=NS) or "",
                }
            )
    return out


# -- mandates ---------------------------------------------------------------------------------


def test_a_registered_mandate_starts_first_and_active(app: S2C) -> None:
    customer = app.customers.register("Client Exemple BV").id
    mandate = app.direct_debit.register_mandate(
        customer, "nl91 abna 0417 1643 00", date(2026, 1, 15), "MNDT-0001"
    )
    assert (mandate.id, mandate.iban, mandate.sequence, mandate.active) == (
        "MNDT-0001",
        DEBTOR_IBAN,
        "FRST",
        True,
    )
    assert app.direct_debit.mandates(customer) == [mandate]
    assert "MandateRegistered" in [e.name for e in app.events()]


def test_a_mandate_reference_is_generated_when_not_given(app: S2C) -> None:
    customer = app.customers.register("Client Exemple BV").id
    mandate = app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15))
    assert mandate.id.startswith("MNDT-")
    assert len(mandate.id) <= 35


@pytest.mark.parametrize(
    ("iban", "mandate_id", "signed_on"),
    [
        ("NL91ABNA0417164301", "M1", date(2026, 1, 15)),  # IBAN check digits
        (DEBTOR_IBAN, "M_1", date(2026, 1, 15)),  # not an EPC character
        (DEBTOR_IBAN, "M//1", date(2026, 1, 15)),
        (DEBTOR_IBAN, "M" * 36, date(2026, 1, 15)),
        (DEBTOR_IBAN, "M1", date(2026, 3, 3)),  # signed tomorrow
    ],
)
def test_invalid_mandates_are_refused_and_nothing_is_stored(
    app: S2C, iban: str, mandate_id: str, signed_on: date
) -> None:
    customer = app.customers.register("Client Exemple BV").id
    with pytest.raises(ValidationError):
        app.direct_debit.register_mandate(customer, iban, signed_on, mandate_id)
    assert app.direct_debit.mandates(customer) == []


def test_a_mandate_reference_is_used_once(app: S2C) -> None:
    customer = app.customers.register("Client Exemple BV").id
    app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15), "M1")
    with pytest.raises(BusinessRuleError):
        app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 16), "M1")


def test_revoking_twice_is_refused(app: S2C) -> None:
    customer = app.customers.register("Client Exemple BV").id
    app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15), "M1")
    assert app.direct_debit.revoke_mandate("M1", reason="customer asked").active is False
    with pytest.raises(BusinessRuleError):
        app.direct_debit.revoke_mandate("M1")


# -- collections ------------------------------------------------------------------------------


def test_collect_writes_one_debit_per_due_invoice_with_its_reference(
    app: S2C, clock: FixedClock
) -> None:
    customer = app.customers.register("Client Exemple BV").id
    other = app.customers.register("No Mandate NV").id
    app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15), "MNDT-0001")
    one, two = _invoice(app, customer, "121.50"), _invoice(app, customer, "30.00")
    _invoice(app, other, "99.00")
    assert len(app.direct_debit.due(DUE, DUE)) == 2

    xml = app.direct_debit.collect(DUE, DUE, message_id="DD-2026-04")
    debits = _debits(xml)
    assert [d["amount"] for d in debits] == ["121.50", "30.00"]
    assert {d["sequence"] for d in debits} == {"FRST"}
    assert {d["mandate"] for d in debits} == {"MNDT-0001"}
    assert {d["iban"] for d in debits} == {DEBTOR_IBAN}
    assert [d["ref"] for d in debits] == [
        (i.payment_reference or "").strip("+").replace("/", "") for i in (one, two)
    ]
    assert debits[0]["e2e"] == f"SDD-{one.number}-20260401"
    assert app.direct_debit.mandates(customer)[0].sequence == "RCUR"
    names = [e.name for e in app.events()]
    assert names.count("InvoiceCollectionRequested") == 2
    assert "MandateFirstCollected" in names


def test_each_invoice_is_collected_once_and_later_ones_recur(app: S2C, clock: FixedClock) -> None:
    customer = app.customers.register("Client Exemple BV").id
    app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15), "M1")
    _invoice(app, customer, "10.00")
    assert len(_debits(app.direct_debit.collect(DUE, DUE))) == 1
    assert app.direct_debit.collect(DUE, DUE) == b""
    clock.advance(days=31)
    _invoice(app, customer, "11.00")
    later = date(2026, 5, 2)
    (debit,) = _debits(app.direct_debit.collect(later, later))
    assert (debit["amount"], debit["sequence"]) == ("11.00", "RCUR")


def test_invoices_of_a_revoked_mandate_or_not_yet_due_are_left_out(app: S2C) -> None:
    customer = app.customers.register("Client Exemple BV").id
    app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15), "M1")
    _invoice(app, customer, "10.00")
    assert app.direct_debit.collect(date(2026, 3, 31), date(2026, 3, 31)) == b""
    app.direct_debit.revoke_mandate("M1")
    assert app.direct_debit.collect(DUE, DUE) == b""


def test_the_collection_file_is_valid_against_the_pain008_schema(app: S2C) -> None:
    sepaxml = pytest.importorskip("sepaxml", reason="sepaxml ships the pain.008 XSD")
    schema_path = Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"
    customer = app.customers.register("Client Exemple BV").id
    app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15), "M1")
    _invoice(app, customer, "10.00")
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    schema.assertValid(etree.fromstring(app.direct_debit.collect(DUE, DUE)))


def test_a_collection_date_in_the_past_is_refused(app: S2C) -> None:
    with pytest.raises(ValidationError):
        app.direct_debit.collect(DUE, date(2026, 3, 1))


def test_collecting_needs_the_company_creditor_identifier(clock: FixedClock) -> None:
    bare = S2C.open("memory://", clock=clock, plugins=[s2c_bank.plugin], load_entry_points=False)
    with pytest.raises(ConfigurationError):
        bare.direct_debit.collect(DUE, DUE)


def test_collecting_needs_a_direct_debit_writer(clock: FixedClock) -> None:
    bare = S2C.open(
        "memory://",
        clock=clock,
        policy=Policy.default_eu("BE", company=COMPANY),
        load_entry_points=False,
    )
    with pytest.raises(BackendNotFoundError):
        bare.direct_debit.collect(DUE, DUE)


# -- results come back through camt.054 -------------------------------------------------------

_CAMT054 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>{id}</MsgId><CreDtTm>2026-04-02T06:00:00+00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>{id}</Id><CreDtTm>2026-04-02T06:00:00+00:00</CreDtTm>
<Acct><Id><IBAN>BE71096123456769</IBAN></Id><Ccy>EUR</Ccy></Acct>{entries}</Ntfctn>
</BkToCstmrDbtCdtNtfctn></Document>"""

_TX = """<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId><MndtId>{mandate}</MndtId></Refs>
<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>Client Exemple BV</Nm></Pty></Dbtr>
<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>
<Ref>{ref}</Ref></CdtrRefInf></Strd></RmtInf>{rtr}</TxDtls>"""


def _entry(ref: str, sign: str, code: str, total: str, txs: list[str]) -> str:
    return (
        f'<Ntry><Amt Ccy="EUR">{total}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Sts><Cd>BOOK</Cd>'
        f"</Sts><BookgDt><Dt>2026-04-01</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>{code}</SubFmlyCd></Fmly>"
        f"</Domn></BkTxCd><NtryDtls>{''.join(txs)}</NtryDtls></Ntry>"
    )


def test_a_collected_then_returned_direct_debit_reopens_the_invoice(app: S2C) -> None:
    customer = app.customers.register("Client Exemple BV").id
    app.direct_debit.register_mandate(customer, DEBTOR_IBAN, date(2026, 1, 15), "M1")
    one, two = _invoice(app, customer, "121.50"), _invoice(app, customer, "30.00")
    debits = _debits(app.direct_debit.collect(DUE, DUE))

    credits = [
        _TX.format(
            e2e=d["e2e"],
            mandate="M1",
            amount=d["amount"],
            sign="CRDT",
            iban=DEBTOR_IBAN,
            ref=d["ref"],
            rtr="",
        )
        for d in debits
    ]
    booked = _CAMT054.format(id="N-1", entries=_entry("N-1-1", "CRDT", "ESDD", "151.50", credits))
    result = app.bank.import_statement(booked.encode(), label="n1.xml")
    assert result.format == "camt.054"
    assert [o.method for o in result.outcomes] == ["reference", "reference"]
    assert {app.invoices.get(i.id).status for i in (one, two)} == {"paid"}
    assert all(
        app.payments.get(o.payment_id or "").method == "direct_debit" for o in result.outcomes
    )

    first = debits[0]
    rtr = "<RtrInf><Rsn><Cd>MD06</Cd></Rsn></RtrInf>"
    back = _TX.format(
        e2e=first["e2e"],
        mandate="M1",
        amount=first["amount"],
        sign="DBIT",
        iban=DEBTOR_IBAN,
        ref=first["ref"],
        rtr=rtr,
    )
    returned = _CAMT054.format(
        id="N-2", entries=_entry("N-2-1", "DBIT", "UPDD", first["amount"], [back])
    )
    (outcome,) = app.bank.import_statement(returned.encode(), label="n2.xml").outcomes
    assert (outcome.outcome, outcome.method, outcome.message) == (
        Outcome.RETURNED,
        "end_to_end_id",
        "MD06",
    )
    assert app.invoices.get(one.id).status == "issued"
    assert app.invoices.get(two.id).status == "paid"
    # the reopened invoice is not collected again by itself: a person decides
    assert app.direct_debit.collect(DUE, DUE) == b""
