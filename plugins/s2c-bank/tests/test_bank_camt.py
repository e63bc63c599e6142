"""camt.053 / camt.054: our own fixtures, field by field."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from s2c_bank import Camt053Parser, Camt054Parser, parse_statement_file
from s2c_core.entities.statement import BankStatement
from s2c_core.errors import ParseError
from s2c_core.money import Money


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def only(statements: list[BankStatement]) -> BankStatement:
    assert len(statements) == 1
    return statements[0]


def test_v02_statement_header_and_balances_are_read(fixtures: Path) -> None:
    statement = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml")))
    assert statement.statement_id == "FIX-V02-STMT-1"
    assert statement.account_iban == "BE71096123456769"
    assert statement.currency == "EUR"
    assert statement.format == "camt.053.001.02"
    assert statement.source.endswith("camt053_v02_structured.xml")
    assert statement.created_at == datetime(2026, 11, 23, 6, tzinfo=timezone(timedelta(hours=1)))
    assert statement.opening_balance == eur("500.00")
    assert statement.closing_balance == eur("1375.00")  # CLAV (available) is not CLBD


def test_v02_entries_sum_to_the_balance_difference_and_skip_pending(fixtures: Path) -> None:
    statement = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml")))
    amounts = [e.amount for e in statement.entries]
    assert amounts == [
        eur("1210.00"), eur("605.00"), eur("120.00"), eur("180.00"),
        eur("-1210.00"), eur("-50.00"), eur("20.00"),
    ]  # fmt: skip
    total = sum((a.amount for a in amounts), statement.opening_balance.amount)  # type: ignore[union-attr]
    assert statement.closing_balance is not None
    assert total == statement.closing_balance.amount
    assert eur("999.99") not in amounts  # the PDNG entry


def test_v02_ogm_credit_maps_debtor_reference_and_agent(fixtures: Path) -> None:
    entry = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml"))).entries[0]
    assert entry.structured_reference == "090933755493"
    assert entry.reference_issuer == "BBA"
    assert entry.counterparty_name == "Client Exemple BV"  # whitespace collapsed
    assert entry.counterparty_iban == "NL91ABNA0417164300"
    assert entry.counterparty_bic == "ABNANL2A"
    assert entry.end_to_end_id == "E2E-F20260042"
    assert entry.bank_reference == "V02-0001"
    assert entry.bank_transaction_code == "PMNT/RCDT/ESCT"
    assert entry.booking_date == date(2026, 11, 22)
    assert entry.value_date == date(2026, 11, 21)
    assert entry.position == 1
    assert not entry.is_return


def test_rf_reference_keeps_unstructured_text_joined(fixtures: Path) -> None:
    entry = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml"))).entries[1]
    assert (entry.structured_reference, entry.reference_issuer) == ("RF73INV20260042", "ISO")
    assert entry.remittance_text == "Rechnung F-2026-0042"
    assert entry.end_to_end_id is None  # NOTPROVIDED


def test_batch_is_expanded_into_one_entry_per_transaction(fixtures: Path) -> None:
    entries = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml"))).entries
    first, second = entries[2], entries[3]
    assert (first.amount, second.amount) == (eur("120.00"), eur("180.00"))
    assert (first.counterparty_name, second.counterparty_name) == ("Payer One", "Payer Two")
    assert first.structured_reference == "202600004236"
    assert second.remittance_text == "Facture F-2026-0043"
    assert first.position == second.position == 3
    assert first.entry_key != second.entry_key


def test_return_carries_reason_and_original_end_to_end_id(fixtures: Path) -> None:
    entry = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml"))).entries[4]
    assert entry.amount == eur("-1210.00")
    assert entry.is_return
    assert entry.return_reason == "AC04"
    assert entry.original_end_to_end_id == "E2E-F20260042"
    assert entry.bank_transaction_code == "PMNT/RCDT/RRTN"


def test_reversal_indicator_marks_a_return_and_proprietary_code_is_kept(fixtures: Path) -> None:
    entry = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml"))).entries[5]
    assert entry.is_return
    assert entry.return_reason is None
    assert entry.bank_transaction_code == "REVERSAL"
    assert entry.remittance_text == "Correction of credit of 2026-11-20"  # AddtlNtryInf


def test_booking_date_time_gives_the_date_as_written(fixtures: Path) -> None:
    entry = only(list(Camt053Parser().parse(fixtures / "camt053_v02_structured.xml"))).entries[6]
    assert entry.booking_date == date(2026, 11, 22)
    assert entry.remittance_text == "Tip jar"


def test_v08_party_and_bicfi_and_mandate(fixtures: Path) -> None:
    statement = only(list(Camt053Parser().parse(fixtures / "camt053_v08_structured.xml")))
    assert statement.format == "camt.053.001.08"
    entry = statement.entries[0]
    assert entry.counterparty_name == "Client Exemple BV"  # Dbtr/Pty/Nm, not our Cdtr
    assert entry.counterparty_bic == "ABNANL2A"
    assert entry.mandate_id == "MNDT-0001"


def test_v08_batch_items_use_their_own_amounts_and_bank_references(fixtures: Path) -> None:
    entries = only(list(Camt053Parser().parse(fixtures / "camt053_v08_structured.xml"))).entries
    assert [e.amount for e in entries] == [
        eur("1210.00"), eur("605.00"), eur("120.00"), eur("180.00"), eur("-1210.00"),
        eur("-12.40"),
    ]  # fmt: skip
    assert [e.bank_reference for e in entries[2:4]] == ["V08-0003-1", "V08-0003-2"]


def test_v08_return_with_reversal_indicator(fixtures: Path) -> None:
    entry = only(list(Camt053Parser().parse(fixtures / "camt053_v08_structured.xml"))).entries[4]
    assert entry.is_return
    assert entry.return_reason == "AC04"
    assert entry.structured_reference == "090933755493"


def test_fee_without_details_takes_the_entry_information(fixtures: Path) -> None:
    entry = only(list(Camt053Parser().parse(fixtures / "camt053_v08_structured.xml"))).entries[5]
    assert entry.remittance_text == "Frais de tenue de compte"
    assert entry.bank_transaction_code == "ACMT/MDOP/CHRG"
    assert entry.counterparty_name is None


def test_camt054_notification_without_booking_date_uses_value_date(fixtures: Path) -> None:
    statement = only(list(Camt054Parser().parse(fixtures / "camt054_v08_notification.xml")))
    assert statement.format == "camt.054.001.08"
    assert statement.opening_balance is None
    (entry,) = statement.entries
    assert entry.booking_date == date(2026, 11, 22)
    assert entry.amount == eur("75.25")


def test_camt053_parser_refuses_a_camt054_file(fixtures: Path) -> None:
    with pytest.raises(ParseError, match=r"expected a camt\.053 message, found camt\.054"):
        list(Camt053Parser().parse(fixtures / "camt054_v08_notification.xml"))


def test_sniffing_tells_the_two_messages_apart(fixtures: Path) -> None:
    head53 = (fixtures / "camt053_v08_structured.xml").read_bytes()[:4096]
    head54 = (fixtures / "camt054_v08_notification.xml").read_bytes()[:4096]
    assert Camt053Parser().sniff(head53)
    assert not Camt053Parser().sniff(head54)
    assert Camt054Parser().sniff(head54)
    assert not Camt054Parser().sniff(head53)


def test_all_source_kinds_give_the_same_statements(fixtures: Path) -> None:
    path = fixtures / "camt053_v08_structured.xml"
    by_path = parse_statement_file(path)
    by_str = parse_statement_file(str(path))
    by_bytes = parse_statement_file(path.read_bytes(), label=str(path))
    with path.open("rb") as handle:
        by_file = parse_statement_file(handle)
    assert by_path == by_str == by_bytes == by_file


def test_label_names_the_source(fixtures: Path) -> None:
    data = (fixtures / "camt053_v08_structured.xml").read_bytes()
    (statement,) = parse_statement_file(data, label="upload-42.xml")
    assert statement.source == "upload-42.xml"


def _document(entries: str, *, namespace: str = "camt.053.001.08", account: str = "") -> bytes:
    account = account or "<Acct><Id><IBAN>BE71096123456769</IBAN></Id><Ccy>EUR</Ccy></Acct>"
    return (
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{namespace}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-23T06:00:00Z</CreDtTm></GrpHdr>"
        f"<Stmt><Id>S</Id>{account}{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def _entry(amount: str = "10.00", sign: str = "CRDT", details: str = "") -> str:
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-22</Dt></BookgDt>"
        f"<NtryDtls>{details}</NtryDtls></Ntry>"
    )


def test_batch_whose_items_do_not_add_up_is_kept_whole() -> None:
    details = (
        '<TxDtls><Amt Ccy="EUR">4.00</Amt><RmtInf><Ustrd>one</Ustrd></RmtInf></TxDtls>'
        '<TxDtls><Amt Ccy="EUR">5.00</Amt><RmtInf><Ustrd>two</Ustrd></RmtInf></TxDtls>'
    )
    (statement,) = parse_statement_file(_document(_entry("10.00", details=details)))
    (entry,) = statement.entries
    assert entry.amount == eur("10.00")
    assert entry.remittance_text == "one two"


def test_batch_items_with_their_own_debit_indicator_are_signed_individually() -> None:
    details = (
        '<TxDtls><Amt Ccy="EUR">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>'
        '<TxDtls><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>'
    )
    (statement,) = parse_statement_file(_document(_entry("10.00", details=details)))
    assert [e.amount for e in statement.entries] == [eur("12.00"), eur("-2.00")]


def test_account_other_id_and_currency_from_entries() -> None:
    account = "<Acct><Id><Othr><Id>acct-0099</Id></Othr></Id></Acct>"
    (statement,) = parse_statement_file(_document(_entry(), account=account))
    assert statement.account_iban == "ACCT-0099"
    assert statement.currency == "EUR"


def test_statement_without_account_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        parse_statement_file(_document(_entry(), account="<Acct/>"), label="x.xml")
    assert caught.value.field == "Acct"


def test_other_camt_versions_are_recognised_by_namespace() -> None:
    for version in ("camt.053.001.03", "camt.053.001.04", "camt.053.001.10"):
        (statement,) = parse_statement_file(_document(_entry(), namespace=version))
        assert statement.format == version
