"""camt entries read through shared shapes: every value comes from its own entry, exactly."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from s2c_bank import Camt053Parser, parse_statement_file
from s2c_bank.testing import make_camt053, make_payments
from s2c_core.entities.statement import BankEntry, BankStatement
from s2c_core.errors import ParseError
from s2c_core.money import Money

ACCOUNT = "BE71096123456769"
HEADER = (
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
    "<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-23T06:00:00Z</CreDtTm></GrpHdr>"
    f"<Stmt><Id>S</Id><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
)
FOOTER = "</Stmt></BkToCstmrStmt></Document>"


def statement(*entries: str) -> BankStatement:
    (only,) = parse_statement_file((HEADER + "".join(entries) + FOOTER).encode(), label="t.xml")
    return only


def entry(amount: str = "10.00", sign: str = "CRDT", details: str = "", ccy: str = "EUR") -> str:
    return (
        f'<Ntry><Amt Ccy="{ccy}">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-22</Dt></BookgDt>"
        f"<NtryDtls><TxDtls>{details}</TxDtls></NtryDtls></Ntry>"
    )


def reference_key(reference: str) -> str:
    """``entry_key`` of an entry with a bank reference, from its documented definition."""
    return hashlib.sha256(f"ref\x1f{ACCOUNT}\x1f{reference}\x1f".encode()).hexdigest()


def test_benchmark_style_statement_reads_back_field_by_field() -> None:
    payments = make_payments(30, start=date(2026, 3, 9))  # OGM, RF and free text, in turn
    returns = [(0, "AC04"), (4, "MD06"), (29, "AC04")]
    data = make_camt053(payments=payments, returns=returns, statement_id="BENCH-30")
    (read,) = list(Camt053Parser().parse(data, label="bench.xml"))

    expected = []
    credits = [(i, payments[i], None) for i in range(len(payments))]
    for position, (index, payment, reason) in enumerate(
        credits + [(i, payments[i], r) for i, r in returns], start=1
    ):
        amount, text, name, iban, day = payment
        structured = text if text.isdigit() or text.startswith("RF") else None
        issuer = None if structured is None else ("BBA" if text.isdigit() else "ISO")
        bank_reference = f"BENCH-30-{position:07d}"
        end_to_end = f"E2E-{index + 1:06d}"
        expected.append(
            BankEntry(
                entry_key=reference_key(bank_reference),
                account_iban=ACCOUNT,
                booking_date=day,
                value_date=day,
                amount=amount if reason is None else -amount,
                counterparty_name=name,
                counterparty_iban=iban,
                structured_reference=structured,
                reference_issuer=issuer,
                remittance_text="" if structured else text,
                end_to_end_id=end_to_end,
                bank_reference=bank_reference,
                bank_transaction_code="PMNT/RCDT/" + ("ESCT" if reason is None else "RRTN"),
                is_return=reason is not None,
                return_reason=reason,
                original_end_to_end_id=None if reason is None else end_to_end,
                position=position,
            )
        )
    assert list(read.entries) == expected
    assert [e.amount.amount.as_tuple().exponent for e in read.entries] == [-2] * len(expected)
    total = sum((p[0].amount for p in payments), Decimal(0)) - sum(
        (payments[i][0].amount for i, _ in returns), Decimal(0)
    )
    assert (read.statement_id, read.account_iban, read.currency) == ("BENCH-30", ACCOUNT, "EUR")
    assert (read.format, read.source) == ("camt.053.001.08", "bench.xml")
    assert read.created_at == datetime(2026, 3, 10, 6, tzinfo=UTC)
    assert read.opening_balance == Money("0.00", "EUR")
    assert read.closing_balance == Money(total, "EUR")


def test_entries_of_one_shape_are_each_read_from_their_own_elements() -> None:
    details = (
        "<Refs><EndToEndId>E{n}</EndToEndId></Refs><RltdPties><Dbtr><Nm>Payer {n}</Nm></Dbtr>"
        "</RltdPties><RmtInf><Ustrd>Invoice {n}</Ustrd></RmtInf>"
    )
    read = statement(*(entry(f"{n}.00", details=details.format(n=n)) for n in range(1, 6)))
    assert [(e.amount, e.end_to_end_id, e.counterparty_name, e.remittance_text) for e in
            read.entries] == [
        (Money(f"{n}.00", "EUR"), f"E{n}", f"Payer {n}", f"Invoice {n}") for n in range(1, 6)
    ]  # fmt: skip


def test_an_entry_nested_like_an_earlier_one_but_with_other_tags_is_read_for_itself() -> None:
    debtor = "<RltdPties><Dbtr><Nm>Payer</Nm></Dbtr></RltdPties>"
    creditor = "<RltdPties><Cdtr><Nm>Payee</Nm></Cdtr></RltdPties>"
    read = statement(entry(details=debtor), entry(details=creditor), entry(details=debtor))
    # a credit names its debtor: the creditor of the second entry is not its counterparty
    assert [e.counterparty_name for e in read.entries] == ["Payer", None, "Payer"]


def test_fields_are_matched_by_local_name_in_any_namespace() -> None:
    details = (
        '<o:RmtInf xmlns:o="urn:example:other"><o:Ustrd>from another namespace</o:Ustrd>'
        '</o:RmtInf><RltdPties xmlns=""><Dbtr><Nm>no namespace</Nm></Dbtr></RltdPties>'
    )
    (read,) = statement(entry(details=details)).entries
    assert (read.remittance_text, read.counterparty_name) == (
        "from another namespace",
        "no namespace",
    )


def test_only_the_first_element_of_a_path_counts_across_repeated_parents() -> None:
    details = (
        "<RltdPties><Cdtr><Nm>Payee</Nm></Cdtr></RltdPties>"
        "<RltdPties><Dbtr><Nm>First payer</Nm></Dbtr></RltdPties>"
        "<RltdPties><Dbtr><Nm>Second payer</Nm></Dbtr></RltdPties>"
    )
    (read,) = statement(entry(details=details)).entries
    assert read.counterparty_name == "First payer"


@pytest.mark.parametrize(
    ("text", "currency", "kept"),
    [
        ("10.5", "EUR", "10.50"),
        ("7", "EUR", "7.00"),
        ("007.25", "EUR", "7.25"),
        ("0.00", "EUR", "0.00"),
        ("100", "JPY", "100"),
        ("1.5", "CLF", "1.5000"),
        ("2.125", "BHD", "2.125"),
    ],
)
def test_amounts_are_kept_at_the_currency_exponent(text: str, currency: str, kept: str) -> None:
    credit, debit = statement(entry(text, ccy=currency), entry(text, "DBIT", ccy=currency)).entries
    assert str(credit.amount.amount) == kept
    assert credit.amount == Money(kept, currency)
    assert debit.amount == -Money(kept, currency)
    assert str(debit.amount.amount) == (kept if kept == "0.00" else "-" + kept)  # no "-0.00"


def test_an_amount_accepted_in_one_currency_is_checked_again_in_another() -> None:
    with pytest.raises(ParseError, match="JPY has 0") as caught:
        statement(entry("100.50"), entry("100.50", ccy="JPY"))
    assert (caught.value.entry, caught.value.field) == ("2", "Amt")


def test_a_refused_value_is_refused_wherever_it_appears() -> None:
    bad_date = entry().replace("2026-11-22", "2026-02-30")
    for entries in ([bad_date], [entry(), bad_date], [entry(), entry(), bad_date]):
        with pytest.raises(ParseError, match="does not exist") as caught:
            statement(*entries)
        assert caught.value.entry == str(len(entries))


def test_coda_and_mt940_amounts_are_at_the_currency_exponent(fixtures: Path) -> None:
    for name in ("coda_structured.cod", "mt940_dialects.sta"):
        for read in parse_statement_file(fixtures / name):
            for found in read.entries:
                amount = found.amount
                assert amount.amount.as_tuple().exponent == -amount.currency.minor_unit, name
                assert amount == Money(amount.amount, amount.currency), name
                assert not (amount.is_zero() and amount.amount.is_signed()), name
