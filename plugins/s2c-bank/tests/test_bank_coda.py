"""Belgian CODA 2.x: our authored file, and corrupted copies of it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from s2c_bank import CodaParser, parse_statement_file
from s2c_core.errors import ParseError
from s2c_core.money import Money


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


@pytest.fixture
def coda_lines(fixtures: Path) -> list[str]:
    return (fixtures / "coda_structured.cod").read_text("ascii").splitlines()


def as_bytes(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def replace(line: str, start: int, text: str) -> str:
    return line[:start] + text + line[start + len(text) :]


def test_statement_header_and_balances(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "coda_structured.cod")
    assert statement.format == "coda"
    assert statement.account_iban == "BE71096123456769"
    assert statement.currency == "EUR"
    assert statement.statement_id == "2026-322"
    assert statement.opening_balance == eur("1000.00")
    assert statement.closing_balance == eur("2376.10")


def test_movements_map_to_entries_with_globalisation_expanded(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "coda_structured.cod")
    assert [e.amount for e in statement.entries] == [
        eur("1210.00"), eur("120.00"), eur("180.00"), eur("-121.50"), eur("-12.40"),
    ]  # fmt: skip
    assert all(e.booking_date == date(2026, 11, 22) for e in statement.entries)


def test_structured_communication_101_is_an_ogm(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "coda_structured.cod")
    first, detail, free = statement.entries[:3]
    assert (first.structured_reference, first.reference_issuer) == ("090933755493", "BBA")
    assert first.counterparty_name == "CLIENT EXEMPLE BV"
    assert first.counterparty_iban == "BE68539007547034"
    assert first.counterparty_bic == "GKCCBEBB"
    assert first.end_to_end_id == "E2E-F20260042"
    assert first.bank_reference == "S2CREF0001"
    assert first.bank_transaction_code == "00150000"
    assert detail.structured_reference == "202600004236"
    assert detail.counterparty_name == "KLANT VOORBEELD NV"
    assert free.structured_reference is None
    assert free.remittance_text == "FACTURE F-2026-0043 / FACTUUR F-2026-0043"
    assert free.end_to_end_id is None  # NOTPROVIDED


def test_r_transaction_with_iso_reason_is_a_return(fixtures: Path) -> None:
    (statement,) = parse_statement_file(fixtures / "coda_structured.cod")
    entry = statement.entries[3]
    assert entry.is_return
    assert entry.return_reason == "MD06"
    assert entry.original_end_to_end_id == "E2E-DD-0007"
    assert not statement.entries[4].is_return


def test_sniff_recognises_the_header_record(fixtures: Path) -> None:
    head = (fixtures / "coda_structured.cod").read_bytes()[:4096]
    assert CodaParser().sniff(head)
    assert not CodaParser().sniff(b":20:REF\r\n:25:X\r\n")
    assert not CodaParser().sniff(b"<Document/>")


def test_wrong_trailer_totals_are_refused(coda_lines: list[str]) -> None:
    coda_lines[-1] = replace(coda_lines[-1], 37, f"{151001 * 10:015d}")
    with pytest.raises(ParseError, match="trailer totals") as caught:
        parse_statement_file(as_bytes(coda_lines), label="x.cod")
    assert caught.value.field == "totals"
    assert caught.value.entry == f"line {len(coda_lines)}"


def test_edited_amount_breaks_the_balance_and_is_refused(coda_lines: list[str]) -> None:
    coda_lines[2] = replace(coda_lines[2], 32, f"{121100 * 10:015d}")  # 1211.00 instead of 1210
    with pytest.raises(ParseError, match="trailer totals"):
        parse_statement_file(as_bytes(coda_lines))


def test_missing_record_is_refused_by_the_record_count(coda_lines: list[str]) -> None:
    del coda_lines[5]  # the information record 3.1
    with pytest.raises(ParseError, match="records") as caught:
        parse_statement_file(as_bytes(coda_lines))
    assert caught.value.field == "number of records"


def test_truncated_file_is_refused(coda_lines: list[str]) -> None:
    with pytest.raises(ParseError, match="truncated"):
        parse_statement_file(as_bytes(coda_lines[:-3]))


def test_over_precise_amount_is_refused(coda_lines: list[str]) -> None:
    coda_lines[2] = replace(coda_lines[2], 32, f"{1210005:015d}")  # 1210.005
    with pytest.raises(ParseError, match="more decimals than EUR") as caught:
        parse_statement_file(as_bytes(coda_lines))
    assert (caught.value.entry, caught.value.field) == ("line 3", "amount")


def test_non_numeric_amount_is_refused(coda_lines: list[str]) -> None:
    coda_lines[2] = replace(coda_lines[2], 32, "00000000012l000")
    with pytest.raises(ParseError, match="sign and 15 digits"):
        parse_statement_file(as_bytes(coda_lines))


def test_continuation_record_of_another_movement_is_refused(coda_lines: list[str]) -> None:
    coda_lines[3] = replace(coda_lines[3], 2, "0009")
    with pytest.raises(ParseError, match="does not follow"):
        parse_statement_file(as_bytes(coda_lines))


def test_old_coda_version_is_refused(coda_lines: list[str]) -> None:
    coda_lines[0] = replace(coda_lines[0], 127, "1")
    with pytest.raises(ParseError, match="version") as caught:
        parse_statement_file(as_bytes(coda_lines))
    assert caught.value.field == "version"


def test_overlong_record_is_refused(coda_lines: list[str]) -> None:
    coda_lines[4] += "X"
    with pytest.raises(ParseError, match="129 characters"):
        parse_statement_file(as_bytes(coda_lines))


def test_two_statements_in_one_file(coda_lines: list[str]) -> None:
    statements = parse_statement_file(as_bytes(coda_lines + coda_lines))
    assert len(statements) == 2
    first, second = ([e.entry_key for e in s.entries] for s in statements)
    assert first == second  # the same movements re-sent give the same keys


def test_agrees_with_febelfin_coda(fixtures: Path) -> None:
    coda = pytest.importorskip("coda", reason="febelfin-coda not installed")
    theirs = coda.CODA(str(fixtures / "coda_structured.cod")).statements[0]
    (ours,) = parse_statement_file(fixtures / "coda_structured.cod")
    assert ours.opening_balance is not None
    assert ours.closing_balance is not None
    assert ours.opening_balance.amount == theirs.old_balance
    assert ours.closing_balance.amount == theirs.new_balance
