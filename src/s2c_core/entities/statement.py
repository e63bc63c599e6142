"""Bank statements as the core sees them, whatever file format they came in.

Statement parsers (camt.053/054, CODA, MT940 in the ``s2c-bank`` plugin) turn a file into
[BankStatement][s2c_core.entities.statement.BankStatement] records; cash application works on
these only. Amounts are signed from the account holder's view: a credit (money in) is positive,
a debit (money out, e.g. a returned direct debit) is negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from attrs import field, frozen

from s2c_core.money import Money

__all__ = ["BankEntry", "BankStatement"]


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@frozen
class BankEntry:
    """One booked transaction on a statement (a batch is expanded into one entry per item).

    Attributes:
        entry_key: A stable key unique per bank account and transaction; importing an entry
            whose key is already known does nothing (idempotent import).
        account_iban: The statement account (ours).
        booking_date: Booking date.
        value_date: Value date, when given.
        amount: Signed amount: positive = money received, negative = money paid out/returned.
        counterparty_name: Payer (for credits) or payee (for debits) name.
        counterparty_iban: Their account, when given.
        counterparty_bic: Their bank's BIC, when given.
        structured_reference: Creditor reference (Belgian OGM/VCS digits or ISO 11649 RF), as
            given in the file; validity is checked by cash application, not the parser.
        reference_issuer: Issuer of the structured reference (``BBA``, ``ISO``), when given.
        remittance_text: Unstructured remittance information, joined with spaces.
        end_to_end_id: The payer's end-to-end id (SEPA), when given.
        mandate_id: Direct-debit mandate id, when given.
        bank_reference: The bank's own reference (camt ``AcctSvcrRef``), when given.
        bank_transaction_code: Domain/family/sub-family or proprietary code, when given.
        is_return: True when the entry returns or reverses an earlier transaction.
        return_reason: ISO reason code of a return (e.g. ``AC04``, ``MD06``), when given.
        original_end_to_end_id: End-to-end id of the returned transaction, when given.
        position: 1-based position of the entry in the source file, for error messages.
    """

    entry_key: str
    account_iban: str
    booking_date: date
    amount: Money
    value_date: date | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    structured_reference: str | None = None
    reference_issuer: str | None = None
    remittance_text: str = ""
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    bank_reference: str | None = None
    bank_transaction_code: str | None = None
    is_return: bool = False
    return_reason: str | None = None
    original_end_to_end_id: str | None = None
    position: int = 0


@frozen
class BankStatement:
    """A statement (or notification) of one account, with its entries.

    Attributes:
        statement_id: The bank's statement/notification id.
        account_iban: The account the statement is for.
        currency: Account currency code.
        format: Source format, e.g. ``camt.053.001.08``, ``coda``, ``mt940``.
        source: File name or label the statement was read from.
        created_at: Creation time of the statement, when given.
        opening_balance: Opening booked balance, when given.
        closing_balance: Closing booked balance, when given.
        entries: The booked entries, batches expanded.
    """

    statement_id: str
    account_iban: str
    currency: str
    format: str
    source: str = ""
    created_at: datetime | None = None
    opening_balance: Money | None = None
    closing_balance: Money | None = None
    entries: tuple[BankEntry, ...] = field(default=(), converter=_tuple)
