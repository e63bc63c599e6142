"""entry_key: stable across re-reads, unique per account and transaction."""

from __future__ import annotations

from pathlib import Path

from s2c_bank import parse_statement_file
from s2c_bank.testing import make_camt053

NO_REFS = (
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
    "<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-23T06:00:00Z</CreDtTm></GrpHdr>"
    "<Stmt><Id>{stmt}</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{entries}</Stmt>"
    "</BkToCstmrStmt></Document>"
)
COFFEE = (
    '<Ntry><Amt Ccy="EUR">4.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>'
    "<BookgDt><Dt>2026-04-07</Dt></BookgDt><NtryDtls><TxDtls><RltdPties><Cdtr>"
    "<Nm>CITY COFFEE</Nm></Cdtr></RltdPties><RmtInf><Ustrd>CARD PAYMENT</Ustrd></RmtInf>"
    "</TxDtls></NtryDtls></Ntry>"
)


def keys(data: bytes) -> list[str]:
    return [e.entry_key for s in parse_statement_file(data) for e in s.entries]


def test_identical_entries_on_one_day_get_distinct_keys() -> None:
    data = NO_REFS.format(stmt="S1", iban="DE89370400440532013000", entries=COFFEE * 3)
    found = keys(data.encode())
    assert len(found) == len(set(found)) == 3


def test_rereading_gives_the_same_keys() -> None:
    data = NO_REFS.format(stmt="S1", iban="DE89370400440532013000", entries=COFFEE * 2).encode()
    assert keys(data) == keys(data)


def test_keys_do_not_depend_on_the_statement_id_or_neighbours() -> None:
    other = COFFEE.replace("4.50", "9.99")
    alone = NO_REFS.format(stmt="DAILY", iban="DE89370400440532013000", entries=COFFEE)
    with_more = NO_REFS.format(stmt="MONTHLY", iban="DE89370400440532013000",
                               entries=other + COFFEE)  # fmt: skip
    assert keys(alone.encode())[0] == keys(with_more.encode())[1]


def test_same_transaction_on_another_account_has_another_key() -> None:
    one = NO_REFS.format(stmt="S", iban="DE89370400440532013000", entries=COFFEE)
    two = NO_REFS.format(stmt="S", iban="NL91ABNA0417164300", entries=COFFEE)
    assert keys(one.encode()) != keys(two.encode())


def test_bank_reference_keys_survive_a_changed_text() -> None:
    data = make_camt053(3)
    changed = data.replace(b"Invoice INV-000002", b"Invoice INV-000002 (corrected)")
    assert changed != data
    assert keys(data) == keys(changed)


def test_keys_are_unique_in_every_fixture(fixtures: Path) -> None:
    for path in sorted(fixtures.iterdir()):
        if path.suffix in (".xml", ".cod", ".sta") and not path.name.startswith("hostile"):
            found = keys(path.read_bytes())
            assert len(found) == len(set(found)), path.name
            assert all(len(k) == 64 for k in found)
