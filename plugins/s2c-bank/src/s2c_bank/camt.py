"""ISO 20022 cash-management statements: camt.053 (statement) and camt.054 (notification).

Follows the *ISO 20022 Message Definition Report, Bank-to-Customer Cash Management*
(``BankToCustomerStatementV02``...``V08``, ``BankToCustomerDebitCreditNotificationV02``...)
and the common implementation guidance for SEPA account reporting (EPC/ERPB, SIX and
Febelfin camt guides). Versions are recognised from the namespace
``urn:iso:std:iso:20022:tech:xsd:camt.05N.001.NN``; files without any namespace are read by
element names. Elements are matched by local name, so the paths below hold in every version:

================================  ============================================================
``BankEntry`` field               camt source
================================  ============================================================
``amount``                        ``Ntry/Amt`` signed by ``CdtDbtInd`` (``CRDT`` +, ``DBIT`` -);
                                  a batch item's ``TxDtls/Amt`` or ``AmtDtls/TxAmt/Amt``
``booking_date``/``value_date``   ``BookgDt``/``ValDt`` (``Dt`` or ``DtTm``, date as written)
``counterparty_*``                credits: ``RltdPties/Dbtr/Nm`` (``Dbtr/Pty/Nm`` from V08),
                                  ``DbtrAcct/Id/IBAN``, ``RltdAgts/DbtrAgt``; debits: ``Cdtr``
``structured_reference``          ``RmtInf/Strd/CdtrRefInf/Ref`` (issuer ``Tp/Issr``)
``remittance_text``               ``RmtInf/Ustrd`` joined, else ``AddtlTxInf``/``AddtlNtryInf``
``end_to_end_id``/``mandate_id``  ``Refs/EndToEndId`` (not ``NOTPROVIDED``)/``Refs/MndtId``
``bank_reference``                ``Ntry/AcctSvcrRef`` (else ``TxDtls/Refs/AcctSvcrRef``)
``is_return``/``return_reason``   ``RvslInd`` true or ``RtrInf`` present/``RtrInf/Rsn/Cd``
================================  ============================================================

A batch (several ``TxDtls`` in one ``Ntry``) becomes one entry per ``TxDtls`` when every item
carries an amount in the entry's currency and the items add up to the entry; otherwise the
entry stays whole (its amount is what was booked) and the items' texts are joined. Entries
whose status is pending or informational (``PDNG``, ``INFO``, ``FUTR``) are validated and
skipped: only booked entries become ``BankEntry`` records.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Final

import attrs
from attrs import define, field
from lxml import etree

from s2c_bank._camt_fields import CODES, ENTRY_FIELDS, TX_AMOUNTS, TX_FIELDS, Entry, Fields, Shapes
from s2c_bank._common import (
    Decimals,
    EntryKeys,
    Readable,
    Where,
    currency_of,
    decimals_option,
    open_binary,
    parse_decimal_amount,
    parse_iso_date,
    parse_iso_datetime,
    source_label,
)
from s2c_bank._xml import iter_xml_events, local_name
from s2c_core.entities.statement import BankEntry, BankStatement
from s2c_core.money import Currency, Money

__all__ = ["Camt053Parser", "Camt054Parser"]

logger = logging.getLogger(__name__)

_NAMESPACE: Final = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(camt\.05[0-9])\.001\.([0-9]{2})")
_MESSAGES: Final = {
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
    "BkToCstmrAcctRpt": ("camt.052", "Rpt"),
}
_DOCUMENT: Final = re.compile(rb"<(?:[A-Za-z0-9_.-]+:)?Document[\s>]")
_NOT_BOOKED: Final = frozenset({"PDNG", "INFO", "FUTR"})
_NO_REFERENCE: Final = frozenset({"", "NOTPROVIDED", "NONREF"})


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _opt(text: str | None) -> str | None:
    return " ".join(text.split()) or None if text else None


class _Paths:
    """Namespace-qualified ElementPath strings, built once per path."""

    def __init__(self, namespace: str | None) -> None:
        self._prefix = f"{{{namespace}}}" if namespace else ""
        self._cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        found = self._cache.get(path)
        if found is None:
            found = "/".join(self._prefix + step for step in path.split("/"))
            self._cache[path] = found
        return found


@define
class _Tx:
    """What one ``TxDtls`` says (amount unsigned; sign in ``credit``)."""

    amount: Money | None = None
    credit: bool | None = None
    name: str | None = None
    iban: str | None = None
    bic: str | None = None
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    bank_reference: str | None = None
    references: list[tuple[str, str | None]] = field(factory=list)
    texts: list[str] = field(factory=list)
    additional: str = ""
    is_return: bool = False
    return_reason: str | None = None
    transaction_code: str | None = None


@define
class _Statement:
    """A statement being read: its header (read once) and the entries so far."""

    element: etree._Element
    header_read: bool = False
    statement_id: str = ""
    account: str = ""
    currency: str | None = None
    created_at: datetime | None = None
    opening: Money | None = None
    closing: Money | None = None
    keys: EntryKeys | None = None
    entries: list[BankEntry] = field(factory=list)


_EVENT_TAGS: Final = (
    "{*}Document",
    *(f"{{*}}{name}" for name in _MESSAGES),
    *(f"{{*}}{kind[1]}" for kind in _MESSAGES.values()),
    "{*}GrpHdr",
    "{*}Ntry",
)
_TX_AMOUNT_FIELDS: Final = tuple((f"TxDtls/{path}", f"TxDtls/{path}/@Ccy") for path in TX_AMOUNTS)
_REMEMBERED: Final = 1024
_REMEMBERED_LENGTH: Final = 64


class _CamtReader:
    """Reads one camt file, statement by statement, clearing what it has processed.

    The parser reports the start and end of the ``Document``, the message, each ``Stmt`` or
    ``Ntfctn``, ``GrpHdr`` and each ``Ntry`` only (filtered in C); an ``Ntry`` is read when it
    ends (its fields found by shape, see ``_camt_fields``), then cleared and detached, so
    memory holds one entry's elements at a time, whatever the file's size.

    Currency codes, amounts, dates (``Dt`` and ``DtTm``) and bank transaction codes repeat from
    entry to entry: each distinct text is checked once and its value remembered (at most
    ``_REMEMBERED`` texts of ``_REMEMBERED_LENGTH`` characters of each kind; a refused text is
    never remembered, so it is refused wherever it appears).
    """

    def __init__(self, expected: str, where: Where) -> None:
        self._expected = expected
        self._where = where
        self._p = _Paths(None)
        self._format = expected
        self._group_created: datetime | None = None
        self._entry_tag = "Ntry"
        self._shapes = Shapes()
        self._currencies: dict[str, Currency] = {}
        self._amounts: dict[tuple[str, str], Money] = {}
        self._dates: dict[str, date] = {}
        self._moments: dict[str, date] = {}
        self._codes: dict[tuple[str | None, ...], str | None] = {}

    # -- the event loop -------------------------------------------------------------------------

    def read(self, stream: Readable) -> Iterator[BankStatement]:
        where = self._where
        statement_tag = ""
        message: etree._Element | None = None
        statement: _Statement | None = None
        position = 0
        count = 0
        read_entry = self._shapes.read
        for event, element in iter_xml_events(stream, where, tags=_EVENT_TAGS):
            parent = element.getparent()
            if statement is not None and parent is statement.element:
                if element.tag != self._entry_tag and local_name(element) != "Ntry":
                    continue
                if event == "start":
                    position += 1
                    where.entry = str(position)
                else:
                    if not statement.header_read:
                        self._read_header(statement)
                    where.entry = str(position)  # reading the header named the statement
                    self._read_entry(read_entry(element), statement, position)
                    element.clear()  # free the processed entry (see _forget)
                    parent.remove(element)
            elif event == "start":
                if parent is None:
                    self._check_root(element)
                elif message is None and parent.getparent() is None:
                    statement_tag = self._check_message(element)
                    message = element
                elif parent is message and local_name(element) == statement_tag:
                    statement = _Statement(element)
                    count += 1
                    where.entry = f"statement {count}"
            elif statement is not None and element is statement.element:
                self._read_header(statement)
                yield self._finish(statement)
                _forget(element)
                statement = None
            elif parent is message and local_name(element) == "GrpHdr":
                created = element.findtext(self._p("CreDtTm"))
                if created:
                    where.entry = "GrpHdr"
                    self._group_created = parse_iso_datetime(created, where, field="CreDtTm")
        if count == 0:
            where.entry = None
            where.fail(
                f"{self._expected} message has no {statement_tag or 'statement'}",
                field=statement_tag or None,
            )

    def _check_root(self, element: etree._Element) -> None:
        qname = etree.QName(element)
        if qname.localname != "Document":
            self._where.fail(
                f"root element is {qname.localname!r}, not 'Document'", field="Document"
            )
        namespace = qname.namespace
        if namespace:
            match = _NAMESPACE.fullmatch(namespace)
            if match is None:
                self._where.fail(
                    f"not a {self._expected} message: namespace {namespace!r}",
                    field="Document",
                    value=namespace,
                )
            if match.group(1) != self._expected:
                self._where.fail(
                    f"expected a {self._expected} message, found {match.group(1)}",
                    field="Document",
                    value=namespace,
                )
            self._format = f"{match.group(1)}.001.{match.group(2)}"
            self._entry_tag = f"{{{namespace}}}Ntry"
        self._p = _Paths(namespace)

    def _check_message(self, element: etree._Element) -> str:
        name = local_name(element)
        kind = _MESSAGES.get(name)
        if kind is None or kind[0] != self._expected:
            found = kind[0] if kind else repr(name)
            self._where.fail(f"expected a {self._expected} message, found {found}", field=name)
        return kind[1]

    # -- values -------------------------------------------------------------------------------

    def _currency(self, code: str | None, field_name: str) -> Currency:
        currency = self._currencies.get(code) if code else None
        if currency is None:
            currency = currency_of(code, self._where, field=field_name)
            if code and len(code) <= _REMEMBERED_LENGTH and len(self._currencies) < _REMEMBERED:
                self._currencies[code] = currency
        return currency

    def _amount(self, text: str | None, currency: Currency, field_name: str) -> Money:
        if text is None or len(text) > _REMEMBERED_LENGTH:
            return parse_decimal_amount(text, currency, self._where, field=field_name)
        key = (text, currency.code)
        money = self._amounts.get(key)
        if money is None:
            money = parse_decimal_amount(text, currency, self._where, field=field_name)
            if len(self._amounts) >= _REMEMBERED:
                self._amounts.clear()  # the most recent ones are the likeliest to come back
            self._amounts[key] = money
        return money

    def _date(
        self, day: str | None, moment: str | None, day_field: str, moment_field: str
    ) -> date | None:
        """The date of ``Dt`` (*day*) if there is one, else of ``DtTm`` (*moment*), else None."""
        if day is not None:
            found = self._dates.get(day)
            if found is None:
                found = parse_iso_date(day, self._where, field=day_field)
                if len(day) <= _REMEMBERED_LENGTH and len(self._dates) < _REMEMBERED:
                    self._dates[day] = found
            return found
        if moment is not None:
            found = self._moments.get(moment)
            if found is None:
                found = parse_iso_datetime(moment, self._where, field=moment_field).date()
                if len(moment) <= _REMEMBERED_LENGTH and len(self._moments) < _REMEMBERED:
                    self._moments[moment] = found
            return found
        return None

    def _code(
        self, domain: str | None, family: str | None, sub: str | None, proprietary: str | None
    ) -> str | None:
        """``_transaction_code`` of these ``BkTxCd`` texts, remembered."""
        code = _transaction_code(domain, family, sub, proprietary)
        if len(self._codes) >= _REMEMBERED:
            self._codes.clear()
        self._codes[domain, family, sub, proprietary] = code
        return code

    def _signed_amount(self, element: etree._Element, amount_field: str, sign_field: str) -> Money:
        p = self._p
        amount_el = element.find(p("Amt"))
        if amount_el is None:
            self._where.fail("amount is missing", field=amount_field)
        currency = self._currency(amount_el.get("Ccy"), f"{amount_field}/@Ccy")
        money = self._amount(amount_el.text, currency, amount_field)
        credit = self._indicator(element.findtext(p("CdtDbtInd")), sign_field)
        return money if credit else -money

    def _indicator(self, text: str | None, field_name: str) -> bool:
        value = (text or "").strip()
        if value == "CRDT":
            return True
        if value == "DBIT":
            return False
        self._where.fail(
            f"credit/debit indicator {value!r} is not CRDT or DBIT", field=field_name, value=value
        )

    def _boolean(self, text: str | None, field_name: str) -> bool:
        value = (text or "").strip()
        if value in ("", "false", "0"):
            return False
        if value in ("true", "1"):
            return True
        self._where.fail(f"{value!r} is not a boolean", field=field_name, value=value)

    # -- statement header ---------------------------------------------------------------------

    def _read_header(self, st: _Statement) -> None:
        if st.header_read:
            return
        st.header_read = True
        p, where, el = self._p, self._where, st.element
        st.statement_id = _clean(el.findtext(p("Id")))
        where.entry = f"statement {st.statement_id or '?'}"
        if not st.statement_id:
            where.fail("statement has no Id", field="Id")
        account = el.findtext(p("Acct/Id/IBAN")) or el.findtext(p("Acct/Id/Othr/Id"))
        st.account = "".join((account or "").split()).upper()
        if not st.account:
            where.fail(
                "statement has no account id (Acct/Id/IBAN or Acct/Id/Othr/Id)", field="Acct"
            )
        st.keys = EntryKeys(st.account)
        st.currency = _opt(el.findtext(p("Acct/Ccy")))
        if st.currency:
            currency_of(st.currency, where, field="Acct/Ccy")
        created = el.findtext(p("CreDtTm"))
        st.created_at = (
            parse_iso_datetime(created, where, field="CreDtTm") if created else self._group_created
        )
        for balance in el.iterfind(p("Bal")):
            code = _clean(balance.findtext(p("Tp/CdOrPrtry/Cd"))) or _clean(
                balance.findtext(p("Tp/CdOrPrtry/Prtry"))
            )
            amount = self._signed_amount(balance, "Bal/Amt", "Bal/CdtDbtInd")
            if code in ("OPBD", "PRCD", "CLBD") and st.currency is None:
                st.currency = amount.currency.code
            if code in ("OPBD", "PRCD", "CLBD") and amount.currency.code != st.currency:
                logger.warning(
                    "%s: statement %s: %s balance in %s ignored (account in %s)",
                    where.source,
                    st.statement_id,
                    code,
                    amount.currency.code,
                    st.currency,
                )
            elif code == "OPBD" or (code == "PRCD" and st.opening is None):
                st.opening = amount
            elif code == "CLBD":
                st.closing = amount

    def _finish(self, st: _Statement) -> BankStatement:
        if st.currency is None:
            if st.entries:
                st.currency = st.entries[0].amount.currency.code
            else:
                self._where.fail(
                    "statement currency unknown: no Acct/Ccy, balance or entry", field="Acct/Ccy"
                )
        return BankStatement(
            statement_id=st.statement_id,
            account_iban=st.account,
            currency=st.currency,
            format=self._format,
            source=self._where.source,
            created_at=st.created_at,
            opening_balance=st.opening,
            closing_balance=st.closing,
            entries=tuple(st.entries),
        )

    # -- entries ------------------------------------------------------------------------------

    def _read_entry(self, entry: Entry, st: _Statement, position: int) -> None:
        """Check one ``Ntry`` and add its booked entries (one per batch item) to *st*.

        The checks run in a fixed order (amount, indicator, reversal, dates, items), so a file
        with several faults is always refused for the same one. Values already checked in this
        file are looked up before any method is called (see the class docstring).
        """
        fields, item_fields = entry
        where = self._where
        texts = fields.texts
        (
            amount_text,
            indicator,
            reversal_text,
            account_reference,
            entry_info,
            status,
            status_code,
            booking_day,
            booking_moment,
            value_day,
            value_moment,
        ) = texts[:_ENTRY_CODES_AT]
        bank_reference = _opt(account_reference)
        if bank_reference:
            where.entry = f"{position} (AcctSvcrRef {bank_reference})"
        if amount_text is None:
            where.fail("entry has no amount", field="Amt")
        code = fields.currencies[0]
        currency = self._currencies.get(code)  # type: ignore[arg-type]
        if currency is None:
            currency = self._currency(code, "Amt/@Ccy")
        amount = self._amounts.get((amount_text, currency.code))
        if amount is None:
            amount = self._amount(amount_text, currency, "Amt")
        if indicator == "CRDT":
            credit = True
        elif indicator == "DBIT":
            credit = False
        else:
            credit = self._indicator(indicator, "CdtDbtInd")
        reversal = False if reversal_text is None else self._boolean(reversal_text, "RvslInd")
        value_date = self._dates.get(value_day)  # type: ignore[arg-type]
        if value_date is None:
            value_date = self._date(value_day, value_moment, "ValDt/Dt", "ValDt/DtTm")
        booking = self._dates.get(booking_day)  # type: ignore[arg-type]
        if booking is None:
            booking = (
                self._date(booking_day, booking_moment, "BookgDt/Dt", "BookgDt/DtTm") or value_date
            )
        codes = texts[_ENTRY_CODES_AT:]
        entry_code = self._codes[codes] if codes in self._codes else self._code(*codes)
        txs = [
            self._read_tx(item, currency, credit, reversal, entry_code is None)
            for item in item_fields
        ]
        status = _clean(status) or _clean(status_code)
        if status in _NOT_BOOKED:
            logger.debug("%s: entry %s skipped, status %s", where.source, position, status)
            return
        if booking is None:
            fallback = st.created_at or self._group_created
            if fallback is None:
                where.fail("entry has no booking date", field="BookgDt")
            booking = fallback.date()
        signed = amount if credit else -amount
        items = [(txs[0], signed)] if len(txs) == 1 else self._split(txs, signed, credit)
        keys = st.keys
        assert keys is not None  # set by _read_header
        single = len(items) == 1
        for item_number, (tx, item_amount) in enumerate(items, start=1):
            remittance = " ".join(tx.texts) or tx.additional or _clean(entry_info)
            references = tx.references
            structured: str | None
            issuer: str | None
            if references:
                structured, issuer = references[0]
                if len(references) > 1:
                    remittance += " " + " ".join([ref for ref, _ in references[1:]])
            else:
                structured = issuer = None
            text = _clean(remittance)
            is_return = reversal or tx.is_return
            if bank_reference:
                key = keys.by_reference(bank_reference, None if single else item_number)
            elif tx.bank_reference:
                key = keys.by_reference(tx.bank_reference, None)
            else:
                key = keys.by_fingerprint(
                    booking,
                    value_date,
                    item_amount,
                    tx.iban,
                    tx.name,
                    structured,
                    tx.end_to_end_id,
                    tx.mandate_id,
                    text,
                )
            st.entries.append(
                _bank_entry(
                    key,
                    st.account,
                    booking,
                    item_amount,
                    value_date,
                    tx.name,
                    tx.iban,
                    tx.bic,
                    structured,
                    issuer,
                    text,
                    tx.end_to_end_id,
                    tx.mandate_id,
                    tx.bank_reference or bank_reference,
                    entry_code or tx.transaction_code,
                    is_return,
                    tx.return_reason,
                    tx.end_to_end_id if is_return else None,
                    position,
                )
            )

    def _split(self, txs: list[_Tx], signed: Money, credit: bool) -> list[tuple[_Tx, Money]]:
        """Pair each item with its signed amount, or keep the entry whole."""
        if len(txs) == 1:
            return [(txs[0], signed)]
        if not txs:
            return [(_Tx(), signed)]
        amounts: list[Money] = []
        for tx in txs:
            if tx.amount is None:
                break
            item_credit = credit if tx.credit is None else tx.credit
            amounts.append(tx.amount if item_credit else -tx.amount)
        total = sum((a.amount for a in amounts), Decimal(0))
        if len(amounts) == len(txs) and total == signed.amount:
            return list(zip(txs, amounts, strict=True))
        logger.info(
            "%s: entry %s: %d batch items do not add up to the entry amount %s; kept whole",
            self._where.source,
            self._where.entry,
            len(txs),
            signed,
        )
        return [(_merge(txs), signed)]

    def _read_tx(
        self, fields: Fields, entry_currency: Currency, credit: bool, reversal: bool, coded: bool
    ) -> _Tx:
        """What one ``TxDtls`` says. Its ``BkTxCd`` is read only when *coded* is True: when the
        entry has no code of its own (the entry's code wins)."""
        texts = fields.texts
        amount = None
        for at in _TX_AMOUNTS_AT:
            text = texts[at]
            if text is None:
                continue
            amount_field, currency_field = _TX_AMOUNT_FIELDS[at]
            code = fields.currencies[at]
            currency = self._currencies.get(code)  # type: ignore[arg-type]
            if currency is None:
                currency = self._currency(code, currency_field)
            money = self._amounts.get((text, currency.code))  # often the entry's, just read
            if money is None:
                money = self._amount(text, currency, amount_field)
            if amount is None and (currency is entry_currency or currency == entry_currency):
                amount = money
        (
            indicator,
            end_to_end,
            mandate,
            account_reference,
            additional,
            return_info,
            return_code,
            return_proprietary,
        ) = texts[_INDICATOR_AT:_CODES_AT]
        item_credit = None if indicator is None else self._indicator(indicator, "TxDtls/CdtDbtInd")
        end_to_end_id = _reference(end_to_end)
        mandate_id = _reference(mandate)
        bank_reference = _opt(account_reference)
        references: list[tuple[str, str | None]] = []
        remittance: list[str] = []
        for names, texts_of_parts in fields.structured:
            ref = issuer = None
            for part, text in zip(names, texts_of_parts, strict=True):
                if part == "Ref":
                    ref = _opt(text)
                elif part == "Issr":
                    issuer = _opt(text)
                else:
                    cleaned = _clean(text)
                    if cleaned:
                        remittance.append(cleaned)
            if ref:
                references.append((ref, issuer))
        for line in fields.unstructured:
            cleaned = _clean(line)
            if cleaned:
                remittance.append(cleaned)
        is_return = return_info is not None
        return_reason = (_opt(return_code) or _opt(return_proprietary)) if is_return else None
        code = None
        if coded:
            codes = texts[_CODES_AT : _CODES_AT + 4]
            code = self._codes[codes] if codes in self._codes else self._code(*codes)
        name, iban, bic = _party(
            texts, credit if item_credit is None else item_credit, reversal or is_return
        )
        return _Tx(
            amount,
            item_credit,
            name,
            iban,
            bic,
            end_to_end_id,
            mandate_id,
            bank_reference,
            references,
            remittance,
            _clean(additional),
            is_return,
            return_reason,
            code,
        )


_PARTY_AT: Final = {role: TX_FIELDS.index(f"RltdPties/{role}/Nm") for role in ("Dbtr", "Cdtr")}
_NO_PARTY: Final = (None, None, None)


def _party(
    texts: tuple[str | None, ...], credit: bool, is_return: bool
) -> tuple[str | None, str | None, str | None]:
    """The counterparty's name, IBAN and BIC: the debtor of a credit, the creditor of a debit.

    For a return the other role is tried too, since banks differ in which party they repeat.
    """
    roles = ("Dbtr", "Cdtr") if credit else ("Cdtr", "Dbtr")
    for role in roles[: 2 if is_return else 1]:
        at = _PARTY_AT[role]
        name_text, v08_name_text, iban_text, other_text, bic_text, bicfi_text = texts[at : at + 6]
        name = _opt(name_text) or _opt(v08_name_text)
        iban = iban_text or other_text
        if name or iban:
            return (
                name,
                "".join(iban.split()).upper() if iban else None,
                _opt(bic_text or bicfi_text),
            )
    return _NO_PARTY


_CODES_AT: Final = TX_FIELDS.index(CODES[0])
_ENTRY_CODES_AT: Final = ENTRY_FIELDS.index(CODES[0])
_BANK_ENTRY_ORDER: Final = (
    "entry_key",
    "account_iban",
    "booking_date",
    "amount",
    "value_date",
    "counterparty_name",
    "counterparty_iban",
    "counterparty_bic",
    "structured_reference",
    "reference_issuer",
    "remittance_text",
    "end_to_end_id",
    "mandate_id",
    "bank_reference",
    "bank_transaction_code",
    "is_return",
    "return_reason",
    "original_end_to_end_id",
    "position",
)


def _keywords(*values: Any) -> BankEntry:
    return BankEntry(**dict(zip(_BANK_ENTRY_ORDER, values, strict=True)))


_bank_entry: Final[Callable[..., BankEntry]] = (
    BankEntry if tuple(f.name for f in attrs.fields(BankEntry)) == _BANK_ENTRY_ORDER else _keywords
)
"""``BankEntry`` from its fields in ``_BANK_ENTRY_ORDER``: positional arguments (cheaper than
keywords) while that is the class's own field order, keywords should it ever change."""
_INDICATOR_AT: Final = len(TX_AMOUNTS)
_TX_AMOUNTS_AT: Final = range(len(TX_AMOUNTS))


def _transaction_code(
    domain_text: str | None, family_text: str | None, sub_text: str | None, proprietary: str | None
) -> str | None:
    """``Domain/Family/SubFamily`` of ``BkTxCd``, else its proprietary code."""
    domain = _clean(domain_text)
    if domain:
        family = _clean(family_text)
        sub = _clean(sub_text)
        return "/".join([part for part in (domain, family, sub) if part])
    return _opt(proprietary)


def _reference(text: str | None) -> str | None:
    if not text:
        return None
    value = " ".join(text.split())
    return None if value.upper() in _NO_REFERENCE else value


def _merge(txs: list[_Tx]) -> _Tx:
    """One description for a batch kept whole: common party, all references and texts."""
    merged = _Tx()
    names = {tx.name for tx in txs}
    ibans = {tx.iban for tx in txs}
    if len(names) == 1 and len(ibans) == 1:
        merged.name, merged.iban, merged.bic = txs[0].name, txs[0].iban, txs[0].bic
    for tx in txs:
        merged.references.extend(tx.references)
        merged.texts.extend(tx.texts or ([tx.additional] if tx.additional else []))
        merged.is_return = merged.is_return or tx.is_return
        merged.return_reason = merged.return_reason or tx.return_reason
        merged.transaction_code = merged.transaction_code or tx.transaction_code
    return merged


def _forget(element: etree._Element) -> None:
    """Free a processed element: clear it and detach it from its parent."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


class _CamtParser:
    """Shared implementation of the camt.053 and camt.054 parsers."""

    name: str = ""
    _root_names: tuple[bytes, ...] = ()

    def __init__(self, *, decimals: Decimals | str = Decimals.EXACT_VALUE) -> None:
        """*decimals*: how amounts with more decimals than their currency are read."""
        self.decimals = decimals_option(decimals)

    def sniff(self, head: bytes) -> bool:
        """True when *head* opens a ``Document`` in this message's namespace, or names the
        message element of a namespace-less camt file."""
        if _DOCUMENT.search(head) is None:
            return False
        if b"urn:iso:std:iso:20022:tech:xsd:" + self.name.encode() + b".001." in head:
            return True
        return b"urn:iso:std:iso:20022" not in head and any(
            re.search(rb"<(?:[A-Za-z0-9_]+:)?" + root + rb"[\s>]", head)
            for root in self._root_names
        )

    def parse(
        self,
        source: IO[bytes] | bytes | str | os.PathLike[str],
        *,
        label: str | None = None,
    ) -> Iterator[BankStatement]:
        """Parse *source* statement by statement.

        Args:
            source: A path, the file's bytes, or an open binary file.
            label: The name used in error messages and ``BankStatement.source``.

        Yields:
            One BankStatement per ``Stmt`` (camt.053) or ``Ntfctn`` (camt.054), as soon as it
            has been read; the XML is parsed incrementally and processed parts are freed.

        Raises:
            ParseError: on a DTD, malformed XML, another message type, or any invalid amount,
                indicator, date or currency; the error names the file, entry and field.
        """
        where = Where(source_label(source, label), decimals=self.decimals)
        with open_binary(source) as stream:
            yield from _CamtReader(self.name, where).read(stream)


class Camt053Parser(_CamtParser):
    """ISO 20022 camt.053 *BankToCustomerStatement* (``BkToCstmrStmt/Stmt``), any version.

    Example:
        >>> parser = Camt053Parser()
        >>> parser.sniff(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">')
        True
    """

    name = "camt.053"
    _root_names = (b"BkToCstmrStmt",)


class Camt054Parser(_CamtParser):
    """ISO 20022 camt.054 *BankToCustomerDebitCreditNotification* (``Ntfctn``), any version.

    Each ``Ntfctn`` becomes one BankStatement (without balances: notifications have none).
    """

    name = "camt.054"
    _root_names = (b"BkToCstmrDbtCdtNtfctn",)
