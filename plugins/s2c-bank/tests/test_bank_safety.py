"""Hostile and malformed input: refused with a ParseError naming file, entry and field."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from s2c_bank import Camt053Parser, Decimals, parse_statement_file
from s2c_core.errors import ConfigurationError, ParseError
from s2c_core.money import Money

HEADER = (
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
    "<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-23T06:00:00Z</CreDtTm></GrpHdr>"
    "<Stmt><Id>S</Id><Acct><Id><IBAN>BE71096123456769</IBAN></Id><Ccy>EUR</Ccy></Acct>"
)
FOOTER = "</Stmt></BkToCstmrStmt></Document>"


def document(*entries: str, prolog: str = "") -> bytes:
    return (prolog + HEADER + "".join(entries) + FOOTER).encode()


def entry(amount: str = "10.00", sign: str = "CRDT", currency: str = "EUR") -> str:
    return (
        f'<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-22</Dt></BookgDt></Ntry>"
    )


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket use during these tests is a failure."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE Document [<!ENTITY x "y">]>',
        '<?xml version="1.0"?>\n<!-- note -->\n<!DOCTYPE Document SYSTEM "http://127.0.0.1:9/d">',
        '<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
        "<!DOCTYPE Document>",
        '<!ENTITY x "y">',
    ],
    ids=["internal-entity", "external-dtd", "parameter-entity", "bare-doctype", "stray-entity"],
)
def test_any_doctype_or_declaration_is_refused_before_parsing(prolog: str) -> None:
    with pytest.raises(ParseError, match="refused") as caught:
        list(Camt053Parser().parse(document(entry(), prolog=prolog), label="evil.xml"))
    assert caught.value.source == "evil.xml"


def test_doctype_is_refused_in_utf16_too() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Document [<!ENTITY x "y">]>'
    data = (text + HEADER + entry() + FOOTER).encode("utf-16")
    with pytest.raises(ParseError, match="DOCTYPE refused"):
        parse_statement_file(data, label="evil16.xml")


def test_doctype_after_a_long_comment_is_still_refused() -> None:
    prolog = "<!--" + "x" * 50_000 + '--><!DOCTYPE Document [<!ENTITY x "y">]>'
    with pytest.raises(ParseError, match="DOCTYPE refused"):
        list(Camt053Parser().parse(document(entry(), prolog=prolog)))


def test_doctype_hidden_behind_4kb_of_entity_is_refused_by_the_dispatcher() -> None:
    prolog = '<!DOCTYPE Document [<!ENTITY a "' + "x" * 8000 + '">]>'
    with pytest.raises(ParseError, match="DOCTYPE refused"):
        parse_statement_file(document(entry(), prolog=prolog), label="blowup.xml")


def test_external_entity_fixture_is_refused(fixtures: Path) -> None:
    with pytest.raises(ParseError, match="DOCTYPE refused"):
        parse_statement_file(fixtures / "hostile_external_entity.xml")


def test_undeclared_entity_is_not_well_formed(fixtures: Path) -> None:
    with pytest.raises(ParseError, match="not well-formed") as caught:
        parse_statement_file(fixtures / "hostile_undeclared_entity.xml")
    assert caught.value.entry == "1"


def test_truncated_file_yields_nothing_and_names_the_entry() -> None:
    data = document(entry("1.00"), entry("2.00"))[:-60]
    parser = Camt053Parser()
    statements = []
    with pytest.raises(ParseError, match="not well-formed") as caught:
        statements.extend(parser.parse(data, label="cut.xml"))
    assert statements == []
    assert caught.value.entry == "2"


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-100.00", "not an unsigned decimal"),
        ("+100.00", "not an unsigned decimal"),
        ("NaN", "not an unsigned decimal"),
        ("Infinity", "not an unsigned decimal"),
        ("1e309", "not an unsigned decimal"),
        ("1E2", "not an unsigned decimal"),
        ("12,50", "not an unsigned decimal"),
        ("12..34", "not an unsigned decimal"),
        ("", "not an unsigned decimal"),
        (" 1 000.00 ", "not an unsigned decimal"),
        ("0x1F", "not an unsigned decimal"),
        ("١٢.٣٤", "not an unsigned decimal"),  # Arabic-Indic digits
        ("12345678901234567890.00", "more than 18 digits"),
        ("1.123456", "more than 5 decimals"),
        ("0.001", "3 decimals but EUR has 2"),
        ("8.851", "3 decimals but EUR has 2"),
        ("1.00001", "5 decimals but EUR has 2"),
    ],
)
def test_bad_amounts_are_refused_naming_file_entry_and_field(amount: str, reason: str) -> None:
    data = document(entry("1.00"), entry(amount))
    with pytest.raises(ParseError, match=reason) as caught:
        parse_statement_file(data, label="bad.xml")
    error = caught.value
    assert (error.source, error.entry, error.field) == ("bad.xml", "2", "Amt")
    assert "bad.xml" in str(error)
    assert "'Amt'" in str(error)


def test_surrounding_whitespace_is_allowed_as_in_xsd_decimal() -> None:
    (statement,) = parse_statement_file(document(entry("\n  10.50\n ")))
    assert str(statement.entries[0].amount) == "EUR 10.50"


def test_zero_decimal_currency_refuses_any_fraction_but_zeros() -> None:
    with pytest.raises(ParseError, match="JPY has 0"):
        parse_statement_file(document(entry("100.5", currency="JPY")))
    for written in ("100", "100.0", "100.000"):
        (statement,) = parse_statement_file(document(entry(written, currency="JPY")))
        assert statement.entries[0].amount == Money("100", "JPY")


@pytest.mark.parametrize(("written", "value"), [("8.850", "8.85"), ("1.00000", "1.00")])
def test_zeros_beyond_the_minor_unit_are_the_exact_amount_by_default(
    written: str, value: str
) -> None:
    (statement,) = parse_statement_file(document(entry(written)))
    amount = statement.entries[0].amount
    assert amount == Money(value, "EUR")
    assert str(amount.amount) == value  # kept at the currency's exponent


@pytest.mark.parametrize(
    "parser", [Camt053Parser(decimals="as_written"), Camt053Parser(decimals=Decimals.AS_WRITTEN)]
)
def test_as_written_refuses_even_zeros_beyond_the_minor_unit(parser: Camt053Parser) -> None:
    with pytest.raises(ParseError, match="3 decimals but EUR has 2") as caught:
        parse_statement_file(document(entry("1.00"), entry("8.850")), parsers=[parser])
    assert (caught.value.entry, caught.value.field) == ("2", "Amt")
    (statement,) = parse_statement_file(document(entry("8.85")), parsers=[parser])
    assert statement.entries[0].amount == Money("8.85", "EUR")


def test_mt940_reads_decimals_the_same_way() -> None:
    from s2c_bank import Mt940Parser

    text = (
        b":20:STMT\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n:60F:C261122EUR100,000\r\n"
        b":61:2611221122C8,850NTRFNONREF\r\n:86:payment\r\n:62F:C261122EUR108,85\r\n-\r\n"
    )
    (statement,) = parse_statement_file(text)
    assert statement.entries[0].amount == Money("8.85", "EUR")
    with pytest.raises(ParseError, match="3 decimals but EUR has 2"):
        parse_statement_file(text, parsers=[Mt940Parser(decimals="as_written")])


def test_an_unknown_decimals_option_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="'exact_value', 'as_written'"):
        Camt053Parser(decimals="exact")


@pytest.mark.parametrize("indicator", ["CRED", "", "crdt", "DEBIT"])
def test_unknown_credit_debit_indicator_is_refused(indicator: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_statement_file(document(entry(sign=indicator)))
    assert caught.value.field == "CdtDbtInd"


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ParseError, match="unknown currency 'XXY'") as caught:
        parse_statement_file(document(entry(currency="XXY")))
    assert caught.value.field == "Amt/@Ccy"


def test_bad_dates_are_refused() -> None:
    bad = entry().replace("2026-11-22", "2026-02-30")
    with pytest.raises(ParseError, match="does not exist") as caught:
        parse_statement_file(document(bad))
    assert caught.value.field == "BookgDt/Dt"


def test_empty_message_is_refused() -> None:
    data = (
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        b"<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-23T06:00:00Z</CreDtTm></GrpHdr>"
        b"</BkToCstmrStmt></Document>"
    )
    with pytest.raises(ParseError, match="has no Stmt"):
        parse_statement_file(data)


def test_other_iso20022_messages_are_refused() -> None:
    data = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><x/></Document>'
    with pytest.raises(ParseError, match=r"not a camt\.053 or camt\.054"):
        parse_statement_file(data)
    with pytest.raises(ParseError, match=r"not a camt\.053 message"):
        list(Camt053Parser().parse(data))


def test_unknown_file_format_is_refused() -> None:
    with pytest.raises(ParseError, match="unrecognised bank file format"):
        parse_statement_file(b"date;amount\n2026-11-22;10.00\n", label="export.csv")


def test_a_bad_second_statement_stops_the_stream_and_the_file_returns_nothing() -> None:
    good, bad = document(entry()), document(entry("1,00"))
    two_statements = good.replace(FOOTER.encode(), b"</Stmt>") + bad[bad.index(b"<Stmt>") :]
    stream = Camt053Parser().parse(two_statements)
    first = next(stream)  # streaming: the first statement is complete and valid
    assert len(first.entries) == 1
    with pytest.raises(ParseError):
        next(stream)
    with pytest.raises(ParseError):
        parse_statement_file(two_statements)  # all or nothing
