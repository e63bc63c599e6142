"""SWIFT MT940 customer statements, with the Dutch and German ``:86:`` dialects.

Fields read (SWIFT *Standards MT, Category 9, MT940 Customer Statement Message*):
``:20:`` reference, ``:25:`` account, ``:28C:``/``:28:`` statement number, ``:60F:``/``:60M:``
opening balance, ``:61:`` statement line, ``:86:`` information to the account owner,
``:62F:``/``:62M:`` closing balance. SWIFT envelope blocks (``{1:...}{4:``), bank banners and
the ``-`` terminator are skipped. Each ``:20:`` starts a statement.

``:61:`` is ``YYMMDD[MMDD](C|D|RC|RD)[funds code]amount,type[customer ref][//bank ref]``; the
entry date (booking date) takes its year from the value date. ``RC``/``RD`` (reversals) are
booked with the opposite sign and marked as returns. Amounts use a decimal comma, at most 15
characters, no more decimals than the currency (from ``:60F:``) allows.

``:86:`` dialects:

* German (DFÜ/DK *Verwendungszweck* subfields, ``166?00...?20...``): ``?20``-``?29`` and
  ``?60``-``?63`` are the remittance lines (SEPA keys ``EREF+``, ``MREF+``, ``SVWZ+``,
  ``RTRN+``), ``?30`` BIC, ``?31`` IBAN, ``?32``/``?33`` name; transaction codes (GVC) 108,
  109 and 159 are returns;
* Dutch structured (Rabobank, ING, ABN AMRO SEPA): ``/EREF/``, ``/MARF/``, ``/CNTP/``,
  ``/BENM//NAME/``, ``/ORDP//NAME/``, ``/REMI/`` (``USTD//`` text or ``STRD/CUR/`` reference),
  ``/IBAN/``, ``/BIC/``, ``/RTRN/``;
* anything else is kept as remittance text, its lines joined with spaces. Structured
  (German and Dutch) fields wrap anywhere, so their lines are joined without a separator.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from datetime import date
from typing import IO, Final

from attrs import define, field

from s2c_bank._common import (
    Decimals,
    EntryKeys,
    Where,
    check_minor_unit,
    currency_of,
    decimals_option,
    open_binary,
    parse_yymmdd,
    source_label,
)
from s2c_core.entities.statement import BankEntry, BankStatement
from s2c_core.money import Currency, Money

__all__ = ["Mt940Parser"]

logger = logging.getLogger(__name__)

_TAG: Final = re.compile(r":([0-9]{2}[A-Z]?):(.*)")
_BALANCE: Final = re.compile(r"([CD])([0-9]{6})([A-Z]{3})([0-9][0-9,]*)")
_LINE: Final = re.compile(
    r"(?P<value>[0-9]{6})(?P<entry>[0-9]{4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>[0-9][0-9,]*)(?P<type>[NFS][A-Z0-9]{3})(?P<rest>.*)"
)
_AMOUNT: Final = re.compile(r"([0-9]+)(?:,([0-9]*))?")  # Knab omits ",": lossless
_IBAN: Final = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}")
_SEPA_KEYS: Final = re.compile(
    r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT|SQTP|PURP|RTRN)\+"
)
_DUTCH_KEYS: Final = re.compile(
    r"/(EREF|MARF|CSID|CNTP|REMI|BENM|ORDP|ISDT|RTRN|PURP|ULTC|ULTD|ULTB|IBAN|BIC|NAME|ADDR|"
    r"TRCD|PREF|BUSP|NRTX|ATOS|CHGS|EXCH|SVCL|OCMT)/"
)
_GERMAN_START: Final = re.compile(r"[0-9]{3}\?")
_MESSAGE_END: Final = re.compile(r"-[A-Z]{0,3}")
_GERMAN_RETURNS: Final = frozenset({"108", "109", "159"})
_NO_REFERENCE: Final = frozenset({"", "NONREF", "NOTPROVIDED"})


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _reference(text: str | None) -> str | None:
    value = _clean(text)
    return None if value.upper() in _NO_REFERENCE else value


@define
class _Field:
    tag: str
    line: int
    lines: list[str]


@define
class _Info:
    """What an ``:86:`` field says."""

    text: str = ""
    name: str | None = None
    iban: str | None = None
    bic: str | None = None
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    reference: str | None = None
    issuer: str | None = None
    return_reason: str | None = None
    is_return: bool = False
    code: str | None = None


@define
class _Statement:
    reference: str = ""
    account: str = ""
    number: str = ""
    currency: Currency | None = None
    opening: Money | None = None
    closing: Money | None = None
    keys: EntryKeys | None = None
    entries: list[BankEntry] = field(factory=list)


def _parse_information(lines: list[str]) -> _Info:
    """Interpret the lines of an ``:86:`` field (German, Dutch or free text)."""
    first = lines[0] if lines else ""
    if _GERMAN_START.match(first):
        return _german("".join(lines))
    if first.startswith("/") and _DUTCH_KEYS.search("".join(lines)):
        return _dutch("".join(lines))
    return _Info(text=_clean(" ".join(lines)))


def _german(text: str) -> _Info:
    info = _Info(code=text[:3])
    subfields: dict[str, list[str]] = {}
    for match in re.finditer(r"\?([0-9]{2})([^?]*)", text[3:]):
        subfields.setdefault(match.group(1), []).append(match.group(2))

    def joined(*codes: str) -> str:
        return "".join("".join(subfields.get(code, [])) for code in codes)

    purpose = joined(*(str(n) for n in (*range(20, 30), *range(60, 64))))
    info.name = _clean(joined("32", "33")) or None
    info.bic = _clean(joined("30")) or None
    account = _clean(joined("31")).replace(" ", "")
    info.iban = account if _IBAN.fullmatch(account) else None
    parts = _SEPA_KEYS.split(purpose)
    keyed: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        keyed.setdefault(key, value)
    info.end_to_end_id = _reference(keyed.get("EREF"))
    info.mandate_id = _reference(keyed.get("MREF"))
    info.return_reason = _clean(keyed.get("RTRN")) or None
    info.text = _clean(keyed.get("SVWZ") or purpose) or _clean(joined("00"))
    info.is_return = info.code in _GERMAN_RETURNS or info.return_reason is not None
    if not info.iban and keyed.get("IBAN"):
        info.iban = _clean(keyed["IBAN"]).replace(" ", "") or None
    return info


def _dutch(text: str) -> _Info:
    info = _Info()
    matches = list(_DUTCH_KEYS.finditer(text))
    values: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        values.setdefault(match.group(1), text[match.end() : end].rstrip("/"))
    info.end_to_end_id = _reference(values.get("EREF"))
    info.mandate_id = _reference(values.get("MARF"))
    info.return_reason = _clean(values.get("RTRN")) or None
    info.is_return = info.return_reason is not None
    counterparty = values.get("CNTP")
    if counterparty:
        iban, _, rest = counterparty.partition("/")
        bic, _, rest = rest.partition("/")
        name, _, _ = rest.partition("/")
        info.iban, info.bic, info.name = iban or None, bic or None, _clean(name) or None
    info.name = info.name or _clean(values.get("NAME")) or None
    info.iban = info.iban or _clean(values.get("IBAN")) or None
    info.bic = info.bic or _clean(values.get("BIC")) or None
    remittance = values.get("REMI", "")
    if remittance.startswith("STRD/"):
        _, issuer, reference = [*remittance.split("/", 2), "", ""][:3]
        info.reference = _clean(reference).rstrip("/") or None
        info.issuer = issuer or None
    else:
        info.text = _clean(remittance.removeprefix("USTD//").removeprefix("USTD/"))
    return info


class _Mt940Reader:
    def __init__(self, where: Where) -> None:
        self._where = where

    def _fields(self, stream: IO[bytes]) -> Iterator[_Field]:
        current: _Field | None = None
        for number, raw in enumerate(stream, start=1):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            match = _TAG.match(line)
            if match is not None:
                if current is not None:
                    yield current
                current = _Field(match.group(1), number, [match.group(2)])
            elif line.startswith(("-}", "{")) or _MESSAGE_END.fullmatch(line.strip()):
                if current is not None:
                    yield current
                current = None
            elif current is not None:
                current.lines.append(line)
        if current is not None:
            yield current

    def read(self, stream: IO[bytes]) -> Iterator[BankStatement]:
        where = self._where
        statement: _Statement | None = None
        pending: tuple[_Field, re.Match[str]] | None = None
        count = 0
        for item in self._fields(stream):
            where.entry = f"line {item.line}"
            tag = item.tag
            if tag == "20":
                if statement is not None:
                    self._flush(statement, pending)
                    yield self._finish(statement)
                    count += 1
                statement, pending = _Statement(reference=_clean(item.lines[0])), None
                continue
            if statement is None:
                where.fail(f"field :{tag}: before the statement's :20:", field=tag)
            if tag == "86" and pending is not None:
                self._entry(statement, pending, item.lines)
                pending = None
                continue
            if pending is not None:
                self._entry(statement, pending, [])
                pending = None
            if tag == "25":
                statement.account = "".join(item.lines[0].split()).upper()
                statement.keys = EntryKeys(statement.account)
            elif tag in ("28C", "28"):
                statement.number = _clean(item.lines[0])
            elif tag in ("60F", "60M"):
                statement.opening = self._balance(item.lines[0], tag, statement)
            elif tag in ("62F", "62M"):
                statement.closing = self._balance(item.lines[0], tag, statement)
            elif tag == "61":
                match = _LINE.fullmatch(item.lines[0].strip())
                if match is None:
                    where.fail(
                        f"statement line {item.lines[0]!r} is not valid :61:",
                        field="61",
                        value=item.lines[0],
                    )
                pending = (item, match)
        if statement is None:
            where.entry = None
            where.fail("no MT940 statement (:20:) in file", field="20")
        self._flush(statement, pending)
        yield self._finish(statement)

    def _flush(self, statement: _Statement, pending: tuple[_Field, re.Match[str]] | None) -> None:
        if pending is not None:
            self._entry(statement, pending, [])

    def _balance(self, text: str, tag: str, statement: _Statement) -> Money:
        match = _BALANCE.fullmatch(text.strip())
        if match is None:
            self._where.fail(
                f"balance {text!r} is not [C|D]YYMMDD CCY amount", field=tag, value=text
            )
        currency = currency_of(match.group(3), self._where, field=tag)
        if statement.currency is None:
            statement.currency = currency
        parse_yymmdd(match.group(2), self._where, field=tag)
        amount = self._amount(match.group(4), currency, tag)
        return amount if match.group(1) == "C" else -amount

    def _amount(self, text: str, currency: Currency, tag: str) -> Money:
        match = _AMOUNT.fullmatch(text)
        if match is None or len(text) > 15:
            self._where.fail(
                f"amount {text!r} is not digits with one decimal comma (max 15)",
                field=tag,
                value=text,
            )
        return check_minor_unit(
            match.group(1), match.group(2) or "", currency, self._where, field=tag, text=text
        )

    def _entry(
        self, st: _Statement, pending: tuple[_Field, re.Match[str]], information: list[str]
    ) -> None:
        where = self._where
        item, match = pending
        where.entry = f"line {item.line}"
        if st.currency is None or st.keys is None:
            where.fail(
                "statement line before the account :25: and opening balance :60F:", field="61"
            )
        value_date = parse_yymmdd(match["value"], where, field="61")
        booking = value_date
        if match["entry"]:
            month, day = int(match["entry"][:2]), int(match["entry"][2:])
            year = value_date.year
            if month - value_date.month > 6:
                year -= 1
            elif value_date.month - month > 6:
                year += 1
            try:
                booking = date(year, month, day)
            except ValueError:
                where.fail(
                    f"entry date {match['entry']!r} does not exist",
                    field="61",
                    value=match["entry"],
                )
        amount = self._amount(match["amount"], st.currency, "61")
        mark = match["mark"]
        credit = mark in ("C", "EC", "RD")
        signed = amount if credit else -amount
        customer_ref, _, bank_ref = match["rest"].partition("//")
        supplementary = _clean(" ".join(item.lines[1:]))
        info = _parse_information(information)
        iban = info.iban
        if iban is None and _IBAN.fullmatch(supplementary.replace(" ", "")):
            iban = supplementary.replace(" ", "")
        is_return = mark.startswith("R") or info.is_return
        end_to_end = info.end_to_end_id
        text = info.text
        code = match["type"] + (f"/{info.code}" if info.code else "")
        bank_reference = _reference(bank_ref)
        key = st.keys.by_fingerprint(
            booking,
            value_date,
            signed,
            bank_reference,
            _reference(customer_ref),
            iban,
            info.name,
            info.reference,
            end_to_end,
            text,
        )
        st.entries.append(
            BankEntry(
                entry_key=key,
                account_iban=st.account,
                booking_date=booking,
                value_date=value_date,
                amount=signed,
                counterparty_name=info.name,
                counterparty_iban=iban,
                counterparty_bic=info.bic,
                structured_reference=info.reference,
                reference_issuer=info.issuer,
                remittance_text=text,
                end_to_end_id=end_to_end,
                mandate_id=info.mandate_id,
                bank_reference=bank_reference,
                bank_transaction_code=code,
                is_return=is_return,
                return_reason=info.return_reason,
                original_end_to_end_id=end_to_end if is_return else None,
                position=item.line,
            )
        )

    def _finish(self, st: _Statement) -> BankStatement:
        where = self._where
        if not st.account:
            where.fail("statement has no account :25:", field="25")
        if st.currency is None or st.opening is None:
            where.fail("statement has no opening balance :60F:", field="60F")
        if st.closing is None:
            where.fail("statement has no closing balance :62F: (truncated?)", field="62F")
        number = f"/{st.number}" if st.number else ""
        return BankStatement(
            statement_id=f"{st.reference}{number}",
            account_iban=st.account,
            currency=st.currency.code,
            format="mt940",
            source=where.source,
            opening_balance=st.opening,
            closing_balance=st.closing,
            entries=tuple(st.entries),
        )


class Mt940Parser:
    """SWIFT MT940 statements (one BankStatement per ``:20:`` block).

    Example:
        >>> Mt940Parser().sniff(b":20:STMT\\r\\n:25:NL91ABNA0417164300\\r\\n:28C:1/1\\r\\n")
        True
    """

    name: str = "mt940"

    def __init__(self, *, decimals: Decimals | str = Decimals.EXACT_VALUE) -> None:
        """*decimals*: how amounts with more decimals than their currency are read."""
        self.decimals = decimals_option(decimals)

    def sniff(self, head: bytes) -> bool:
        """True when *head* has the ``:20:`` and ``:25:`` tags at line starts."""
        return (
            re.search(rb"(?:^|[\r\n]):20:", head) is not None
            and re.search(rb"[\r\n]:25:", head) is not None
        )

    def parse(
        self, source: IO[bytes] | bytes | str | os.PathLike[str], *, label: str | None = None
    ) -> Iterator[BankStatement]:
        """Parse an MT940 file statement by statement.

        Args:
            source: A path, the file's bytes, or an open binary file.
            label: The name used in error messages and ``BankStatement.source``.

        Yields:
            One BankStatement per ``:20:`` block.

        Raises:
            ParseError: on a malformed ``:61:`` line or balance, an amount with more decimals
                than the currency, a missing account, opening or closing balance.
        """
        where = Where(source_label(source, label), decimals=self.decimals)
        with open_binary(source) as stream:
            yield from _Mt940Reader(where).read(stream)
