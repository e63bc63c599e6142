"""camt entries read by shape (serialised and matched) read exactly as when walked element by
element, and generated statements read back to what they were generated from."""

from __future__ import annotations

import string
from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s2c_bank import parse_statement_file
from s2c_bank.testing import make_camt053
from s2c_core.entities.statement import BankEntry, BankStatement
from s2c_core.errors import ParseError
from s2c_core.money import Money

HEADER = (
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
    "<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-23T06:00:00Z</CreDtTm></GrpHdr>"
    "<Stmt><Id>S</Id><Acct><Id><IBAN>BE71096123456769</IBAN></Id><Ccy>EUR</Ccy></Acct>"
)
FOOTER = "</Stmt></BkToCstmrStmt></Document>"

# texts as they may be written in XML: references, blanks of all kinds, non-ASCII, markup
_PLAIN = st.sampled_from(["Payer", "A1", " ", "  ", "\t", "\n", "é", "😀", "&#x20AC;", "'"])
_REFERENCES = st.sampled_from(["&amp;", "&lt;x&gt;", "&#13;", "&quot;"])
_XML_TEXT = st.one_of(
    st.lists(_PLAIN, max_size=5).map("".join),
    st.just(""),
    st.lists(st.one_of(_PLAIN, _REFERENCES), max_size=5).map("".join),
)
"""Mostly texts serialised as written (read by shape), some with references (walked)."""


def _read(*entries: str) -> BankStatement:
    (only,) = parse_statement_file((HEADER + "".join(entries) + FOOTER).encode(), label="s.xml")
    return only


def _without_place(entry: BankEntry) -> dict[str, object]:
    """The entry's fields other than its key and position (which differ between copies)."""
    fields = attrs.asdict(entry, recurse=False)
    del fields["entry_key"], fields["position"]
    return fields


@st.composite
def _entries(draw: st.DrawFn) -> str:
    """An ``Ntry`` in one of many shapes: optional elements, texts with references and blanks,
    empty and self-closing elements, layout blanks between elements."""
    blank = draw(st.sampled_from(["", "\n  ", " "]))

    def element(name: str, text: str, optional: bool = True) -> str:
        if optional and draw(st.booleans()):
            return ""
        if text == "" and draw(st.booleans()):
            return f"<{name}/>{blank}"
        return f"<{name}>{text}</{name}>{blank}"

    sign = draw(st.sampled_from(["CRDT", "DBIT"]))
    amount = draw(st.sampled_from(["10.00", "7.5", "0.00", "123"]))
    party_role = draw(st.sampled_from(["Dbtr", "Cdtr"]))
    party = (
        f"<RltdPties><{party_role}>{element('Nm', draw(_XML_TEXT), False)}</{party_role}>"
        f"<{party_role}Acct><Id>{element('IBAN', draw(_XML_TEXT))}</Id></{party_role}Acct>"
        "</RltdPties>"
    )
    remittance = draw(
        st.sampled_from(
            [
                "",
                "<RmtInf>{u}{u2}</RmtInf>",
                "<RmtInf><Strd><CdtrRefInf><Tp><Issr>{t}</Issr></Tp><Ref>{t2}</Ref>"
                "</CdtrRefInf></Strd></RmtInf>",
            ]
        )
    ).format(
        u=element("Ustrd", draw(_XML_TEXT), False),
        u2=element("Ustrd", draw(_XML_TEXT)),
        t=draw(_XML_TEXT),
        t2=draw(_XML_TEXT),
    )
    details = (
        "<NtryDtls><TxDtls>"
        + element("Refs", element("EndToEndId", draw(_XML_TEXT)))
        + f'<Amt Ccy="EUR">{amount}</Amt>{blank}'
        + party
        + remittance
        + element("RtrInf", element("Rsn", element("Cd", draw(_XML_TEXT), False)))
        + element("AddtlTxInf", draw(_XML_TEXT))
        + "</TxDtls></NtryDtls>"
    )
    return (
        f'<Ntry>{blank}<Amt Ccy="EUR">{amount}</Amt>{blank}<CdtDbtInd>{sign}</CdtDbtInd>{blank}'
        + element("RvslInd", draw(st.sampled_from(["true", "false", ""])))
        + element("Sts", draw(st.sampled_from(["BOOK", "<Cd>BOOK</Cd>", ""])), False)
        + f"<BookgDt><Dt>2026-11-22</Dt></BookgDt>{blank}"
        + element("AddtlNtryInf", draw(_XML_TEXT))
        + element("BkTxCd", "<Domn><Cd>PMNT</Cd></Domn>")
        + details
        + "</Ntry>"
    )


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(_entries(), min_size=1, max_size=4), copies=st.integers(2, 4))
def test_an_entry_reads_the_same_however_often_its_shape_comes_back(
    entries: list[str], copies: int
) -> None:
    # the first copy of each shape is walked element by element, later ones are matched
    read = _read(*(entry for entry in entries for _ in range(copies)))
    assert len(read.entries) == len(entries) * copies
    for first in range(0, len(read.entries), copies):
        alike = read.entries[first : first + copies]
        assert [_without_place(e) for e in alike] == [_without_place(alike[0])] * copies


def test_field_texts_with_references_are_read_as_the_parser_resolves_them() -> None:
    plain = "<RmtInf><Ustrd>Invoice 12</Ustrd></RmtInf>"
    entry = (
        '<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-22</Dt>'
        "</BookgDt><NtryDtls><TxDtls>{}</TxDtls></NtryDtls></Ntry>"
    )
    with_reference = "<RmtInf><Ustrd>A &amp; B &lt;1&gt;&#13;</Ustrd></RmtInf>"
    read = _read(*(entry.format(d) for d in (plain, plain, with_reference, with_reference)))
    assert [e.remittance_text for e in read.entries] == ["Invoice 12"] * 2 + ["A & B <1>"] * 2


@pytest.mark.parametrize("bad", ["1e3", "-1.00", "0.001", "", " 1.00", "NaN"])
def test_a_refused_amount_in_an_entry_of_a_known_shape_is_refused_for_that_entry(
    bad: str,
) -> None:
    entry = (
        '<Ntry><Amt Ccy="EUR">{}</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-22</Dt>'
        "</BookgDt></Ntry>"
    )
    if bad == " 1.00":  # blanks around an amount are allowed (XSD collapse)
        assert _read(entry.format("1.00"), entry.format(bad)).entries[1].amount == Money(
            "1.00", "EUR"
        )
        return
    with pytest.raises(ParseError) as caught:
        _read(entry.format("1.00"), entry.format("2.00"), entry.format(bad))
    assert (caught.value.entry, caught.value.field) == ("3", "Amt")


_NAMES = st.text(alphabet=string.ascii_letters + " &<>'\"éß\t\n", min_size=1, max_size=30)
_TEXTS = st.text(alphabet=string.ascii_letters + string.digits + " &<>'\"é\t", max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    payments=st.lists(
        st.tuples(
            st.integers(1, 10**9),
            _TEXTS,
            _NAMES,
            st.sampled_from(["BE71096123456769", "NL91ABNA0417164300", "be71 0961 2345 6769"]),
            st.integers(0, 60),
        ),
        min_size=1,
        max_size=12,
    ),
    returned=st.sets(st.integers(0, 11), max_size=3),
)
def test_generated_statements_read_back_to_what_they_were_generated_from(
    payments: list[tuple[int, str, str, str, int]], returned: set[int]
) -> None:
    start = date(2026, 3, 2)
    generated = [
        (Money.from_minor(cents, "EUR"), text, name, iban, start + timedelta(days=days))
        for cents, text, name, iban, days in payments
    ]
    returns = [(i, "AC04") for i in sorted(returned) if i < len(generated)]
    data = make_camt053(payments=generated, returns=returns, statement_id="PROP")
    (read,) = parse_statement_file(data, label="prop.xml")

    expected = [(p, False) for p in generated] + [(generated[i], True) for i, _ in returns]
    assert len(read.entries) == len(expected)
    for position, (entry, ((amount, text, name, iban, day), is_return)) in enumerate(
        zip(read.entries, expected, strict=True), start=1
    ):
        assert entry.position == position
        assert entry.amount == (-amount if is_return else amount)
        assert entry.amount.amount.as_tuple().exponent == -2
        assert (entry.booking_date, entry.value_date) == (day, day)
        assert entry.counterparty_name == (" ".join(name[:140].split()) or None)
        assert entry.counterparty_iban == "".join(iban.split()).upper()
        assert entry.remittance_text == " ".join(text[:140].split())
        assert entry.structured_reference is None
        assert (entry.is_return, entry.return_reason) == (
            is_return,
            "AC04" if is_return else None,
        )
        assert entry.bank_reference == f"PROP-{position:07d}"
    total = sum((e.amount.amount for e in read.entries), Decimal(0))
    assert read.closing_balance == Money(total, "EUR")


def test_entries_of_more_shapes_than_are_kept_are_each_read_for_themselves() -> None:
    entry = (
        '<Ntry><Amt Ccy="EUR">{n}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-22'
        "</Dt></BookgDt><NtryDtls><TxDtls><RmtInf>{lines}</RmtInf>{extra}</TxDtls></NtryDtls>"
        "</Ntry>"
    )
    # 80 numbers of Ustrd lines (more shapes than a file keeps), then 20 shapes with the same
    # number of tags (more than are tried per number of tags), each twice
    texts = [[f"line {n}.{i}" for i in range(n)] for n in range(1, 81)]
    extras = [f"<Extra{k}>x</Extra{k}>" for k in range(20)]
    entries = [
        entry.format(n=n, lines="".join(f"<Ustrd>{t}</Ustrd>" for t in lines), extra="")
        for n, lines in enumerate(texts, start=1)
    ] + [
        entry.format(n=n, lines="<Ustrd>same</Ustrd>", extra=extra)
        for n, extra in enumerate(extras * 2, start=81)
    ]
    read = _read(*entries)
    assert [e.remittance_text for e in read.entries] == [" ".join(t) for t in texts] + ["same"] * 40
    assert [e.amount for e in read.entries] == [Money(f"{n}.00", "EUR") for n in range(1, 121)]
