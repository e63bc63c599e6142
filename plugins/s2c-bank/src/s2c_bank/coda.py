"""Belgian CODA 2.x statements (Febelfin *Coded statement of account*, version 2.x).

A line-based reader of the fixed 128-character records of the Febelfin CODA 2.x standard:
``0`` header, ``1`` old balance, ``2.1``/``2.2``/``2.3`` movement, ``3.1``/``3.2``/``3.3``
information, ``4`` free communication, ``8`` new balance, ``9`` trailer. A file may hold
several statements (a ``0``...``9`` block each).

Strict checks, each a ParseError naming the file, the line (as *entry*) and the field:

* every record is at most 128 characters and starts with a known record code;
* amounts are a sign (``0`` credit, ``1`` debit) and 15 digits with 3 implied decimals; a
  non-zero digit finer than the currency's minor unit is refused;
* the trailer's record count and debit/credit totals match the movements, and the new balance
  equals the old balance plus credits minus debits (a truncated or edited file is refused);
* ``2.2``/``2.3``/``3.x`` continue the movement or information with the same sequence number.

Mapping to ``BankEntry``: a movement of type 0 or 3 is one entry. A globalisation (type 1,
totalised by the customer, or 2, by the bank) whose detail movements (types 5, 6, 7) add up
to it is expanded into one entry per detail; otherwise it stays one entry. Structured
communication type 101/102 gives the 12 OGM/VCS digits (issuer ``BBA``), type 100 an ISO 11649
reference (issuer ``ISO``), type 127 (SEPA direct debit) the mandate reference and its text.
The customer reference of record 2.2 is the SEPA end-to-end id; its R-transaction type and
ISO reason code mark returns. Account structure 0 (Belgian BBAN) is converted to its IBAN.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Final

from attrs import define, field
from stdnum import iban as _iban

from s2c_bank._common import (
    EntryKeys,
    Where,
    currency_of,
    open_binary,
    parse_yymmdd,
    source_label,
)
from s2c_core.entities.statement import BankEntry, BankStatement
from s2c_core.money import Currency, Money

__all__ = ["CodaParser"]

logger = logging.getLogger(__name__)

_RECORD: Final = 128
_AMOUNT: Final = re.compile(r"[01][0-9]{15}")
_TOP_TYPES: Final = frozenset("0123")
_DETAIL_TYPES: Final = frozenset("5678")
_EXPANDABLE: Final = frozenset("12")
_RETURN_TYPES: Final = frozenset("12345")
_NO_REFERENCE: Final = frozenset({"", "NOTPROVIDED"})
_REASON: Final = re.compile(r"[A-Z]{2}[A-Z0-9]{2}")  # ISO 20022 ExternalReturnReason1Code
_BIC: Final = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9](?:[A-Z0-9]{3})?")


def _decode(raw: bytes) -> str:
    """Decode one record: UTF-8 when it is valid non-ASCII UTF-8, else Windows-1252/Latin-1."""
    text = raw.rstrip(b"\r\n")
    if text.isascii():
        return text.decode("ascii")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return text.decode("cp1252")
        except UnicodeDecodeError:
            return text.decode("latin-1")


def _clean(text: str) -> str:
    return " ".join(text.split())


@define
class _Movement:
    """One movement (records 2.1-2.3) with its information records and details."""

    line: int
    sequence: str
    detail: str
    bank_reference: str
    amount: Money
    value_date: date | None
    code: str
    entry_date: date | None
    communication: str = ""
    customer_reference: str = ""
    bic: str = ""
    r_type: str = ""
    r_reason: str = ""
    account: str = ""
    name: str = ""
    info_name: str = ""
    details: list[_Movement] = field(factory=list)

    @property
    def kind(self) -> str:
        """The transaction type digit (first of the 8-digit transaction code)."""
        return self.code[:1]


@define
class _Statement:
    header_line: int
    created: date
    paper_sequence: str = ""
    account: str = ""
    currency: Currency | None = None
    old_balance: Money | None = None
    new_balance: Money | None = None
    records: int = 0
    movements: list[_Movement] = field(factory=list)


class _CodaReader:
    def __init__(self, where: Where) -> None:
        self._where = where
        self._statement: _Statement | None = None
        self._movement: _Movement | None = None
        self._info: _Movement | None = None
        self._count = 0

    def read(self, stream: IO[bytes]) -> Iterator[BankStatement]:
        where = self._where
        number = 0
        for number, raw in enumerate(stream, start=1):
            record = _decode(raw)
            if not record.strip():
                continue
            where.entry = f"line {number}"
            if len(record) > _RECORD:
                where.fail(
                    f"record is {len(record)} characters long, CODA records have 128",
                    field="record",
                )
            record = record.ljust(_RECORD)
            kind = record[0]
            if kind == "0":
                if self._statement is not None:
                    where.fail(
                        "header record 0 before the trailer 9 of the previous statement",
                        field="record",
                    )
                self._header(record, number)
                continue
            statement = self._statement
            if statement is None:
                where.fail(
                    f"record {kind} outside a statement (no header record 0)", field="record"
                )
            if kind == "9":
                yield self._trailer(record, statement)
                self._statement = self._movement = self._info = None
                continue
            if kind != "4":
                statement.records += 1
            if kind == "1":
                self._old_balance(record, statement)
            elif kind == "2":
                self._movement_record(record, statement, number)
            elif kind == "3":
                self._information_record(record, statement, number)
            elif kind == "8":
                self._new_balance(record, statement)
            elif kind != "4":
                where.fail(f"unknown record code {kind!r}", field="record", value=kind)
        if self._statement is not None:
            where.entry = f"line {number}"
            where.fail("file ends before the trailer record 9 (truncated?)", field="record")
        if self._count == 0:
            where.entry = None
            where.fail("no CODA statement in file", field="record")

    # -- statement records --------------------------------------------------------------------

    def _header(self, record: str, number: int) -> None:
        if record[127] != "2":
            self._where.fail(
                f"CODA version {record[127]!r} is not supported (only 2.x)",
                field="version",
                value=record[127],
            )
        created = parse_yymmdd(record[5:11], self._where, field="creation date", order="dmy")
        self._statement = _Statement(header_line=number, created=created)

    def _old_balance(self, record: str, st: _Statement) -> None:
        where = self._where
        structure = record[1]
        zone = record[5:42]
        if structure == "0":
            bban, code = zone[0:12], zone[13:16]
            account = f"BE{_iban.calc_check_digits('BE00' + bban)}{bban}" if bban.isdigit() else ""
        elif structure in ("1", "2", "3"):
            width = 31 if structure == "2" else 34
            account, code = zone[:width].strip(), zone[34:37]
        else:
            where.fail(f"unknown account structure {structure!r}", field="account structure")
        if not account:
            where.fail("account number is missing", field="account")
        st.account = "".join(account.split()).upper()
        st.currency = currency_of(code, where, field="currency")
        st.paper_sequence = record[2:5].strip()
        st.old_balance = self._amount(record[42:58], st.currency, "old balance")

    def _new_balance(self, record: str, st: _Statement) -> None:
        st.new_balance = self._amount(record[41:57], self._currency(st), "new balance")

    def _trailer(self, record: str, st: _Statement) -> BankStatement:
        where = self._where
        currency = self._currency(st)
        count = record[16:22]
        if not count.isdigit() or int(count) != st.records:
            where.fail(
                f"trailer counts {count.strip()!r} records, the statement has {st.records}",
                field="number of records",
                value=count,
            )
        debit = self._amount("0" + record[22:37], currency, "total debit")
        credit = self._amount("0" + record[37:52], currency, "total credit")
        top = [m.amount for m in st.movements]
        debits = sum((-a.amount for a in top if a.amount < 0), Decimal(0))
        credits = sum((a.amount for a in top if a.amount > 0), Decimal(0))
        if debits != debit.amount or credits != credit.amount:
            where.fail(
                f"trailer totals (debit {debit.amount}, credit {credit.amount}) differ "
                f"from the movements (debit {debits}, credit {credits})",
                field="totals",
            )
        if st.old_balance is not None and st.new_balance is not None:
            expected = st.old_balance.amount + credits - debits
            if expected != st.new_balance.amount:
                where.fail(
                    f"new balance {st.new_balance.amount} is not old balance "
                    f"{st.old_balance.amount} + credits - debits = {expected}",
                    field="new balance",
                )
        self._count += 1
        return self._build(st, currency)

    def _currency(self, st: _Statement) -> Currency:
        if st.currency is None:
            self._where.fail("old balance record 1 is missing", field="record")
        return st.currency

    def _amount(self, text: str, currency: Currency, field_name: str) -> Money:
        if not _AMOUNT.fullmatch(text):
            self._where.fail(
                f"amount {text!r} is not a sign and 15 digits", field=field_name, value=text
            )
        thousandths = int(text[1:])
        step = 10 ** max(0, 3 - currency.minor_unit)
        if thousandths % step:
            self._where.fail(
                f"amount {text[1:]} has more decimals than {currency.code} allows",
                field=field_name,
                value=text,
            )
        units = thousandths * 10**currency.minor_unit // 1000  # exact: checked just above
        value = Decimal(units).scaleb(-currency.minor_unit)
        # at the currency's exponent and never "-0": what Money's own checks would keep
        return Money._trusted(-value if text[0] == "1" and units else value, currency)

    def _date(self, text: str, field_name: str) -> date | None:
        if text.strip("0 ") == "":
            return None
        return parse_yymmdd(text, self._where, field=field_name, order="dmy")

    # -- movements ----------------------------------------------------------------------------

    def _movement_record(self, record: str, st: _Statement, number: int) -> None:
        where = self._where
        article = record[1]
        sequence, detail = record[2:6], record[6:10]
        if article == "1":
            currency = self._currency(st)
            movement = _Movement(
                line=number,
                sequence=sequence,
                detail=detail,
                bank_reference=record[10:31].strip(),
                amount=self._amount(record[31:47], currency, "amount"),
                value_date=self._date(record[47:53], "value date"),
                code=record[53:61],
                entry_date=self._date(record[115:121], "entry date"),
                communication=record[61:115],
            )
            if not movement.code.isdigit():
                where.fail(
                    f"transaction code {movement.code!r} is not 8 digits",
                    field="transaction code",
                    value=movement.code,
                )
            self._attach(movement, st)
            self._movement = movement
            return
        current = self._movement
        if current is None or (current.sequence, current.detail) != (sequence, detail):
            where.fail(
                f"record 2.{article} does not follow its record 2.1 ({sequence}/{detail})",
                field="sequence number",
            )
        movement = current
        if article == "2":
            movement.communication += record[10:63]
            movement.customer_reference = record[63:98].strip()
            movement.bic = record[98:109].strip()
            movement.r_type = record[112].strip()
            movement.r_reason = record[113:117].strip()
        elif article == "3":
            movement.communication = movement.communication.ljust(107) + record[82:125]
            movement.account = record[10:47].strip()
            movement.name = _clean(record[47:82])
        else:
            where.fail(f"unknown movement record 2.{article}", field="record")

    def _attach(self, movement: _Movement, st: _Statement) -> None:
        kind = movement.kind
        if kind in _TOP_TYPES:
            st.movements.append(movement)
            return
        parent = st.movements[-1] if st.movements else None
        if parent is None or parent.sequence != movement.sequence:
            self._where.fail(
                f"detail movement {movement.sequence}/{movement.detail} has no parent movement",
                field="sequence number",
            )
        if kind in _DETAIL_TYPES:
            parent.details.append(movement)
        elif kind != "9":
            self._where.fail(f"unknown transaction type {kind!r}", field="transaction code")

    def _information_record(self, record: str, st: _Statement, number: int) -> None:
        article = record[1]
        sequence = record[2:6]
        if article == "1":
            target = next((m for m in reversed(st.movements) if m.sequence == sequence), None)
            if target is None:
                self._where.fail(
                    f"information record for unknown movement {sequence}", field="sequence number"
                )
            self._info = target
            if record[39] == "1" and record[40:43] == "001" and not target.info_name:
                target.info_name = _clean(record[43:113])
        elif article not in "23" or self._info is None or self._info.sequence != sequence:
            self._where.fail(
                f"record 3.{article} does not follow its record 3.1", field="sequence number"
            )

    # -- mapping ------------------------------------------------------------------------------

    def _build(self, st: _Statement, currency: Currency) -> BankStatement:
        keys = EntryKeys(st.account)
        entries: list[BankEntry] = []
        for movement in st.movements:
            parts = [movement]
            if movement.kind in _EXPANDABLE and movement.details:
                total = sum((d.amount.amount for d in movement.details), Decimal(0))
                if total == movement.amount.amount and all(
                    d.kind in "567" for d in movement.details
                ):
                    parts = movement.details
                else:
                    logger.info(
                        "%s: globalisation %s does not add up to its details; kept whole",
                        self._where.source,
                        movement.sequence,
                    )
            entries.extend(self._entry(part, movement, st, keys) for part in parts)
        return BankStatement(
            statement_id=f"{st.created.year}-{st.paper_sequence}",
            account_iban=st.account,
            currency=currency.code,
            format="coda",
            source=self._where.source,
            created_at=None,
            opening_balance=st.old_balance,
            closing_balance=st.new_balance,
            entries=tuple(entries),
        )

    def _entry(
        self, movement: _Movement, parent: _Movement, st: _Statement, keys: EntryKeys
    ) -> BankEntry:
        communication = movement.communication.ljust(150)
        reference: str | None = None
        issuer: str | None = None
        mandate: str | None = None
        r_type, r_reason = movement.r_type, movement.r_reason
        if communication[0] == "1":
            kind, body = communication[1:4], communication[4:]
            if kind in ("101", "102"):
                reference, issuer = body[:12].strip() or None, "BBA"
                text = ""
            elif kind == "100":
                reference, issuer = body[:25].strip() or None, "ISO"
                text = ""
            elif kind == "127":
                mandate = communication[48:83].strip() or None
                text = communication[83:145]
                r_type = r_type or communication[145].strip()
                r_reason = r_reason or communication[146:150].strip()
            else:
                text = body
        else:
            text = communication[1:]
        booking = movement.entry_date or movement.value_date or parent.entry_date or st.created
        account = movement.account
        counterparty_iban = account.split()[0].upper() if account.strip("0 ") else None
        name = movement.name or movement.info_name
        end_to_end = movement.customer_reference
        text = _clean(text)
        # Before CODA 2.3 these positions held other data: only an R-type with an ISO reason
        # code marks a return.
        is_return = r_type in _RETURN_TYPES and _REASON.fullmatch(r_reason) is not None
        e2e = (
            None
            if end_to_end.upper() in _NO_REFERENCE or not end_to_end.strip("0")
            else (end_to_end)
        )
        bic = movement.bic if _BIC.fullmatch(movement.bic) else None
        key = keys.by_fingerprint(
            booking,
            movement.value_date,
            movement.amount,
            movement.bank_reference,
            movement.sequence,
            movement.detail,
            counterparty_iban,
            name,
            reference,
            text,
        )
        return BankEntry(
            entry_key=key,
            account_iban=st.account,
            booking_date=booking,
            value_date=movement.value_date,
            amount=movement.amount,
            counterparty_name=name or None,
            counterparty_iban=counterparty_iban,
            counterparty_bic=bic,
            structured_reference=reference,
            reference_issuer=issuer if reference else None,
            remittance_text=text,
            end_to_end_id=e2e,
            mandate_id=mandate,
            bank_reference=movement.bank_reference or None,
            bank_transaction_code=movement.code,
            is_return=is_return,
            return_reason=r_reason if is_return else None,
            original_end_to_end_id=e2e if is_return else None,
            position=movement.line,
        )


class CodaParser:
    """Belgian CODA 2.x statement files (Febelfin standard), one BankStatement per 0-9 block.

    Example:
        >>> CodaParser().sniff(b"0000002011520005D" + b" " * 110 + b"2\\n1")
        True
    """

    name: str = "coda"

    def sniff(self, head: bytes) -> bool:
        """True when *head* starts with a CODA header record followed by a record 1."""
        first, _, rest = head.partition(b"\n")
        return (
            re.match(rb"0{5}[0-9]{6}", first) is not None
            and len(first.rstrip(b"\r")) <= _RECORD + 2
            and rest[:1] == b"1"
        )

    def parse(
        self, source: IO[bytes] | bytes | str | os.PathLike[str], *, label: str | None = None
    ) -> Iterator[BankStatement]:
        """Parse a CODA file, yielding each statement once its trailer record 9 checks out.

        Args:
            source: A path, the file's bytes, or an open binary file.
            label: The name used in error messages and ``BankStatement.source``.

        Yields:
            One BankStatement per statement of the file.

        Raises:
            ParseError: on a malformed record, an over-precise amount, an unknown currency,
                or totals, counts or balances that do not add up.
        """
        where = Where(source_label(source, label))
        with open_binary(source) as stream:
            yield from _CodaReader(where).read(stream)
