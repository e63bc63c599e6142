"""SWIFT MT940 with Dutch and German :86: dialects."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from s2c_bank import Mt940Parser, parse_statement_file
from s2c_core.errors import ParseError
from s2c_core.money import Money


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def test_statement_fields(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "mt940_dialects.sta")
    assert statement.format == "mt940"
    assert statement.statement_id == "S2C-MT940-1/00322/1"
    assert statement.account_iban == "NL91ABNA0417164300"
    assert statement.opening_balance == eur("1000.00")
    assert statement.closing_balance == eur("655.00")
    assert [e.amount for e in statement.entries] == [
        eur("1210.00"), eur("605.00"), eur("50.00"), eur("-1210.00"),
    ]  # fmt: skip


def test_dutch_structured_information(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "mt940_dialects.sta")
    entry = statement.entries[0]
    assert entry.end_to_end_id == "E2E-F20260042"
    assert entry.counterparty_iban == "BE68539007547034"
    assert entry.counterparty_bic == "GKCCBEBB"
    assert entry.counterparty_name == "CLIENT EXEMPLE BV"  # wrapped line joined
    assert (entry.structured_reference, entry.reference_issuer) == ("090933755493", "CUR")
    assert entry.bank_reference == "BANKREF0001"
    assert entry.booking_date == date(2026, 11, 22)


def test_german_subfields_and_sepa_keywords(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "mt940_dialects.sta")
    entry = statement.entries[1]
    assert entry.end_to_end_id == "E2E-KUNDE-0042"
    assert entry.remittance_text == "Rechnung F-2026-0042 RF73INV20260042"
    assert entry.counterparty_name == "Kunde Beispiel GmbH"
    assert entry.counterparty_iban == "DE89370400440532013000"
    assert entry.counterparty_bic == "COBADEFFXXX"
    assert entry.bank_transaction_code == "NTRF/166"


def test_reversal_mark_and_dutch_return_code(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "mt940_dialects.sta")
    reversal, returned = statement.entries[2], statement.entries[3]
    assert reversal.is_return
    assert reversal.amount == eur("50.00")
    assert returned.is_return
    assert returned.return_reason == "AC04"
    assert returned.remittance_text == "RETOUR FACTURE F-2026-0042"
    assert returned.counterparty_name == "CLIENT EXEMPLE BV"
    assert returned.booking_date == date(2026, 11, 23)


def test_sniff(fixtures: Path) -> None:
    assert Mt940Parser().sniff((fixtures / "mt940_dialects.sta").read_bytes()[:4096])
    assert not Mt940Parser().sniff(b"<Document/>")


MINIMAL = ":20:X\n:25:NL91ABNA0417164300\n:60F:C261121EUR0,00\n{line}\n:62F:C261121EUR0,00\n"


@pytest.mark.parametrize(
    ("line", "match"),
    [
        (":61:2611221122C1,005NTRFNONREF", "decimals but EUR has 2"),
        (":61:2611221122C1.00NTRFNONREF", "not valid :61:"),
        (":61:2611221122X1,00NTRFNONREF", "not valid :61:"),
        (":61:2613221122C1,00NTRFNONREF", "does not exist"),
        (":61:2611221122C1,00,00NTRFNONREF", "one decimal comma"),
    ],
)
def test_bad_statement_lines_are_refused(line: str, match: str) -> None:
    with pytest.raises(ParseError, match=match) as caught:
        parse_statement_file(MINIMAL.format(line=line).encode(), label="x.sta")
    assert caught.value.source == "x.sta"
    assert caught.value.entry == "line 4"
    assert caught.value.field == "61"


def test_missing_closing_balance_is_refused() -> None:
    data = b":20:X\n:25:NL91ABNA0417164300\n:60F:C261121EUR0,00\n:61:2611221122C1,00NTRF\n"
    with pytest.raises(ParseError, match="closing balance"):
        parse_statement_file(data)


def test_year_wrap_of_the_entry_date() -> None:
    data = MINIMAL.format(line=":61:2701021231D1,00NTRFNONREF").encode()
    (statement,) = parse_statement_file(data)
    assert statement.entries[0].booking_date == date(2026, 12, 31)
    assert statement.entries[0].value_date == date(2027, 1, 2)
