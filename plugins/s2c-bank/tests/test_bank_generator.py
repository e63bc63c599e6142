"""s2c_bank.testing.make_camt053: valid camt.053.001.08 of any size, read back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from s2c_bank import parse_statement_file
from s2c_bank.testing import make_camt053, make_payments
from s2c_core.errors import ValidationError
from s2c_core.money import Money


def test_payments_round_trip_with_references_and_texts() -> None:
    payments = [
        (Money("1210.00", "EUR"), "+++090/9337/55493+++", "Client Exemple BV",
         "NL91ABNA0417164300", date(2026, 11, 22)),
        (Money("605.00", "EUR"), "RF73 INV2 0260 042", "Kunde Beispiel GmbH",
         "DE89370400440532013000", date(2026, 11, 22)),
        (Money("9.99", "EUR"), "Facture <F-43> & co", "Zoë", "BE68539007547034",
         date(2026, 11, 23)),
    ]  # fmt: skip
    (statement,) = parse_statement_file(make_camt053(payments=payments, returns=[(0, "AC04")]))
    entries = statement.entries
    assert [e.amount for e in entries] == [
        Money("1210.00", "EUR"), Money("605.00", "EUR"), Money("9.99", "EUR"),
        Money("-1210.00", "EUR"),
    ]  # fmt: skip
    assert (entries[0].structured_reference, entries[0].reference_issuer) == (
        "090933755493", "BBA",
    )  # fmt: skip
    assert (entries[1].structured_reference, entries[1].reference_issuer) == (
        "RF73INV20260042", "ISO",
    )  # fmt: skip
    assert entries[2].remittance_text == "Facture <F-43> & co"
    assert entries[2].counterparty_name == "Zoë"
    assert entries[3].is_return
    assert entries[3].return_reason == "AC04"
    assert entries[3].end_to_end_id == entries[0].end_to_end_id
    assert statement.opening_balance == Money("0.00", "EUR")
    assert statement.closing_balance == Money("614.99", "EUR")


def test_generated_payments_balance_and_keys_are_unique() -> None:
    (statement,) = parse_statement_file(make_camt053(900, opening_balance="100.00"))
    assert len(statement.entries) == 900
    total = sum((e.amount.amount for e in statement.entries), Decimal("100.00"))
    assert statement.closing_balance is not None
    assert statement.closing_balance.amount == total
    assert len({e.entry_key for e in statement.entries}) == 900
    kinds = {e.reference_issuer for e in statement.entries}
    assert kinds == {"BBA", "ISO", None}


def test_generated_references_are_valid_check_digit_wise() -> None:
    from stdnum import iban, iso11649
    from stdnum.be import ogm_vcs

    for amount, ref, _name, account, _day in make_payments(30):
        assert amount.amount > 0
        assert iban.is_valid(account)
        if ref.startswith("RF"):
            assert iso11649.is_valid(ref)
        elif ref.isdigit():
            assert ogm_vcs.is_valid(ref)


def test_mismatched_count_is_refused() -> None:
    with pytest.raises(ValidationError):
        make_camt053(2, payments=make_payments(3))


def test_output_is_valid_against_the_iso_schema(shared_bank: Path) -> None:
    xsd = shared_bank / "xsd" / "camt.053.001.08.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    document = etree.fromstring(make_camt053(12, returns=[(0, "AC04"), (5, "MD06")]))
    assert schema.validate(document), schema.error_log


def test_large_file_parses_incrementally_and_quickly() -> None:
    data = make_camt053(5_000)
    (statement,) = parse_statement_file(data)
    assert len(statement.entries) == 5_000
