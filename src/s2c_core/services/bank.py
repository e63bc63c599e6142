"""Bank statement import: parse a statement, turn credits into matched payments, handle returns.

``app.bank.import_statement(path)`` runs in three steps:

1. **Sniff and parse** the whole file with the installed parsers (the ``s2c_statement_parsers``
   hook, e.g. camt.053/054, CODA and MT940 from ``s2c-bank``). A file no parser accepts raises
   ``BackendNotFoundError``; a refused file raises ``ParseError`` (naming file, entry and
   field) and imports nothing.
2. **Apply** the entries in batches, one unit of work per batch: credits become payments that
   cash application ([matching][s2c_core.services.matching]) applies to invoices or leaves
   unapplied with ranked suggestions; returns and reversals find the original payment and
   un-apply it (its invoices reopen and go back into follow-up); other debits are reported.
3. **Exactly once**: each entry is claimed in the action log (``bank-entry:<entry_key>``) in the
   same unit of work as the payment it creates, so importing a file twice, or two imports of it
   running at once, applies every entry once. A batch that hits a conflict is retried entry by
   entry.

Every decision is an event on the payment: ``PaymentReceived``, then ``PaymentMatched``
(method, confidence, candidates) or ``PaymentUnmatched`` (reason and ranked candidates, which
[suggestions][s2c_core.services.bank.BankService.suggestions] lists for a person), and
``PaymentReturnMatched`` + ``PaymentReturned`` for returns.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, TypeAlias

from attrs import define, field, frozen

from s2c_core.entities.common import PaymentId, as_tuple, new_id
from s2c_core.entities.party import Customer
from s2c_core.entities.receivables import Invoice, Payment
from s2c_core.entities.statement import BankEntry, BankStatement
from s2c_core.errors import (
    BackendError,
    BackendNotFoundError,
    BusinessRuleError,
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    ParseError,
    S2CError,
    ValidationError,
)
from s2c_core.lifecycle.flows import PAYMENT_FLOW, InvoiceState, PaymentState
from s2c_core.money import Money
from s2c_core.plugins import statement_parsers
from s2c_core.ports import StatementParser
from s2c_core.services._base import Context, Tx
from s2c_core.services.matching import (
    APPLICABLE_STATES,
    Candidate,
    CustomerHit,
    Decision,
    EntryClues,
    MatchFacts,
    MatchMethod,
    clues_of,
    decide,
    greedy_plan,
    name_similarity,
    normalise_name,
)
from s2c_core.services.payments import PaymentService

__all__ = ["BankService", "EntryOutcome", "ImportResult", "Outcome", "Suggestion"]

log = logging.getLogger(__name__)

Source: TypeAlias = "str | os.PathLike[str] | bytes"

SNIFF_BYTES: Final = 4096
BATCH_SIZE: Final = 200
"""Entries per unit of work."""
PRELOAD_FACTOR: Final = 4
PRELOAD_MIN: Final = 5_000
"""Open invoices are keyed once per import from the invoice index (no invoice rebuilt)
when there are at most ``max(PRELOAD_MIN, PRELOAD_FACTOR x credits)`` of them; otherwise
each batch asks storage for what it needs."""
NAME_MIN_SIMILARITY: Final = 0.75
_COMMON_NAME_WORD: Final = 200  # a word shared by more customers says nothing about the payer
RETURN_CODES: Final = frozenset({"RRTN", "UPDD", "PRDD", "RPCR"})
"""ISO bank transaction sub-family codes of returns and reversals."""
_OPEN_STATES: Final = (*APPLICABLE_STATES, InvoiceState.DISPUTED)
_RETURNABLE: Final = (
    PaymentState.RECEIVED,
    PaymentState.UNAPPLIED,
    PaymentState.PARTIALLY_ALLOCATED,
    PaymentState.ALLOCATED,
)
_ACTOR: Final = "bank-import"


class Outcome(StrEnum):
    """What importing an entry did."""

    MATCHED = "matched"  # a payment applied to invoices (any rest is the customer's credit)
    UNMATCHED = "unmatched"  # a payment waiting unapplied, with suggestions
    RETURNED = "returned"  # a return/reversal un-applied its original payment
    RETURN_NOT_FOUND = "return_not_found"  # a return whose original payment is unknown
    IGNORED = "ignored"  # a debit that is not a return (fees, outgoing payments)
    DUPLICATE = "duplicate"  # imported before
    FAILED = "failed"  # refused by a business rule; not claimed, a re-import retries it


@frozen
class EntryOutcome:
    """The result of one bank entry.

    Attributes:
        entry_key: The entry's idempotency key.
        position: Its position in the file (1-based).
        amount: Its signed amount.
        outcome: What happened.
        payment_id: The payment created (or returned), if any.
        method: The matching method (``reference``, ``invoice_number``, ``amount``, ``none``).
        confidence: The matching confidence, for credits.
        invoice_ids: The invoices paid (or reopened by a return).
        unapplied: What is left on the payment (the customer's credit or waiting for a person).
        message: Detail for ignored, not found and failed entries.
    """

    entry_key: str
    position: int
    amount: Money
    outcome: Outcome
    payment_id: str | None = None
    method: str = ""
    confidence: Decimal | None = None
    invoice_ids: tuple[str, ...] = field(default=(), converter=as_tuple)
    unapplied: Money | None = None
    message: str = ""


@frozen
class ImportResult:
    """What ``import_statement`` did, entry by entry, in file order.

    Attributes:
        source: The file name or label.
        format: The parser that read it (``camt.053``, ``coda`` ...).
        statement_ids: The statements in the file.
        outcomes: One per entry.
    """

    source: str
    format: str
    statement_ids: tuple[str, ...] = field(converter=as_tuple)
    outcomes: tuple[EntryOutcome, ...] = field(converter=as_tuple)

    def count(self, outcome: Outcome | str) -> int:
        """Number of entries with *outcome*."""
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        """Entries per outcome (only outcomes that occurred)."""
        found: dict[str, int] = {}
        for item in self.outcomes:
            found[str(item.outcome)] = found.get(str(item.outcome), 0) + 1
        return found

    @property
    def matched(self) -> int:
        """Entries applied to invoices."""
        return self.count(Outcome.MATCHED)

    @property
    def duplicates(self) -> int:
        """Entries imported before."""
        return self.count(Outcome.DUPLICATE)


@frozen
class Suggestion:
    """An unapplied payment waiting for a person, with its ranked candidates.

    Attributes:
        payment_id: The payment.
        amount: What is unapplied on it.
        received_on: Booking date.
        payer_name: Payer name from the bank.
        payer_iban: Payer account.
        remittance_text: Free text from the payer.
        reference: Structured reference given, if valid.
        invalid_reference: A structured reference given with wrong check digits.
        customer_id: The payer, when known.
        reason: Why it was not applied (``below_threshold``, ``no_candidate``,
            ``amount_differs``, ``invoice_not_open``).
        candidates: Ranked candidates (best first); confirm one with ``confirm_suggestion``.
        suggested_at: When the suggestion was made.
    """

    payment_id: str
    amount: Money
    received_on: date
    payer_name: str
    payer_iban: str
    remittance_text: str
    reference: str
    invalid_reference: str
    customer_id: str | None
    reason: str
    candidates: tuple[Candidate, ...] = field(converter=as_tuple)
    suggested_at: datetime | None = None


# -- work items -----------------------------------------------------------------------------


class _Kind(StrEnum):
    CREDIT = "credit"
    RETURN = "return"
    OTHER = "other"


@frozen
class _Work:
    entry: BankEntry
    kind: _Kind
    clues: EntryClues
    note: str = ""


def _work(entry: BankEntry, series: Sequence[str]) -> _Work:
    kind, note = _kind_of(entry)
    clues = EntryClues() if kind is _Kind.OTHER else clues_of(entry, series=series)
    return _Work(entry, kind, clues, note)


def _kind_of(entry: BankEntry) -> tuple[_Kind, str]:
    code = (entry.bank_transaction_code or "").rpartition("/")[2]
    if entry.amount.is_negative():
        if entry.is_return or entry.return_reason or entry.original_end_to_end_id:
            return _Kind.RETURN, ""
        if code in RETURN_CODES:
            return _Kind.RETURN, ""
        return _Kind.OTHER, "debit that is not a return"
    if entry.amount.is_zero():
        return _Kind.OTHER, "zero amount"
    if entry.is_return:
        return _Kind.OTHER, "reversal of an outgoing payment"
    return _Kind.CREDIT, ""


@define
class _Learned:
    """Payments created by this import, so a return later in the file finds its original."""

    by_e2e: dict[str, list[str]] = field(factory=dict)
    e2e_of: dict[str, str] = field(factory=dict)

    def add(self, e2e: str | None, payment_id: str) -> None:
        if e2e:
            self.by_e2e.setdefault(e2e, []).append(payment_id)
            self.e2e_of[payment_id] = e2e

    def merge(self, other: _Learned) -> None:
        for key, ids in other.by_e2e.items():
            self.by_e2e.setdefault(key, []).extend(ids)
        self.e2e_of.update(other.e2e_of)


def _take(new: set[str], key: str) -> bool:
    """True for the first of an import's entries with *key* among those newly claimed."""
    if key in new:
        new.discard(key)
        return True
    return False


# -- lookups --------------------------------------------------------------------------------


class _Customers:
    """Customers by IBAN and by name word, read once per import when first needed."""

    def __init__(self, customers: Iterable[Customer]) -> None:
        self.by_iban: dict[str, list[str]] = {}
        self.by_word: dict[str, list[str]] = {}
        self.names: dict[str, str] = {}
        for customer in customers:
            if customer.iban:
                key = "".join(customer.iban.split()).upper()
                self.by_iban.setdefault(key, []).append(customer.id)
            self.names[customer.id] = customer.name
            for word in set(normalise_name(customer.name).split()):
                if len(word) >= 3:
                    self.by_word.setdefault(word, []).append(customer.id)

    def hits(self, clues: EntryClues) -> tuple[CustomerHit, ...]:
        found = [CustomerHit(cid, "iban") for cid in self.by_iban.get(clues.iban, ())]
        if clues.name:
            known = {hit.customer_id for hit in found}
            pool: set[str] = set()
            for word in normalise_name(clues.name).split():
                ids = self.by_word.get(word, ())
                if len(word) >= 3 and len(ids) <= _COMMON_NAME_WORD:
                    pool.update(ids)
            scored = sorted(
                ((name_similarity(clues.name, self.names[cid]), cid) for cid in pool - known),
                reverse=True,
            )
            found += [
                CustomerHit(cid, "name", s) for s, cid in scored[:3] if s >= NAME_MIN_SIMILARITY
            ]
        return tuple(found)


class _Snapshot:
    """Keys of the open invoices at the start of an import (ids only; entities read fresh).

    Built from the invoice index (``Repository.index_values``) without rebuilding a single
    invoice: reference, number, customer, currency, open amount and due date per open invoice.
    """

    FIELDS: Final = (
        "id",
        "payment_reference",
        "number",
        "customer_id",
        "currency",
        "open_amount",
        "due_date",
    )

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.by_reference: dict[str, str] = {}
        self.by_number: dict[str, str] = {}
        self.by_customer: dict[str, list[str]] = {}
        self._by_amount: dict[tuple[str, int], list[tuple[Any, str]]] = {}
        for invoice_id, reference, number, customer_id, currency, open_minor, due in rows:
            if reference:
                self.by_reference[reference] = invoice_id
            if number:
                self.by_number[number] = invoice_id
            self.by_customer.setdefault(customer_id, []).append(invoice_id)
            self._by_amount.setdefault((currency, open_minor), []).append((due, invoice_id))

    def by_amount(self, currency: str, minor: int) -> list[str]:
        """Open invoices of exactly *minor* units, earliest due first (ties by id)."""
        found = self._by_amount.get((currency, minor), [])
        found.sort(key=lambda pair: (pair[0] is None, pair[0] or date.min, pair[1]))
        return [invoice_id for _due, invoice_id in found]


@define
class _Run:
    """State of one import: lookups and what earlier batches created."""

    ctx: Context
    snapshot: _Snapshot | None
    learned: _Learned = field(factory=_Learned)
    customers: _Customers | None = None

    def customer_directory(self, tx: Tx) -> _Customers:
        if self.customers is None:
            self.customers = _Customers(tx.uow.repo("customer").query())
        return self.customers


class _BatchInvoices:
    """The invoices a batch needs, read in bulk inside its unit of work and kept fresh."""

    def __init__(self, tx: Tx, run: _Run) -> None:
        self._tx = tx
        self._run = run
        self._repo = tx.uow.repo("invoice")
        self.invoices: dict[str, Invoice] = {}
        self.opens: dict[str, Money] = {}
        self.by_reference: dict[str, list[str]] = {}
        self.by_number: dict[str, list[str]] = {}
        self.open_by_customer: dict[str, list[str]] = {}
        self.hits: dict[str, tuple[CustomerHit, ...]] = {}
        self.same_amount: dict[str, list[str]] = {}
        self._dirty: set[str] = set()

    # -- bulk reads -----------------------------------------------------------------------

    def _keep(self, invoices: Iterable[Invoice]) -> None:
        for invoice in invoices:
            self.invoices[invoice.id] = invoice
            self.opens.pop(invoice.id, None)

    def _open(self, invoice_id: str) -> Money:
        found = self.opens.get(invoice_id)
        if found is None:
            found = self.opens[invoice_id] = self.invoices[invoice_id].open_amount
        return found

    def _read_ids(self, ids: Iterable[str]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.invoices]
        if wanted:
            self._keep(self._repo.get_many(wanted).values())

    def prefetch(self, works: Sequence[_Work]) -> None:
        """Read what the credits of a batch point to: named invoices, payers, same amounts."""
        snapshot = self._run.snapshot
        refs = {r for w in works for r in w.clues.references}
        numbers = {n for w in works for n in w.clues.numbers}
        ids: list[str] = []
        missing_refs, missing_numbers = set(refs), set(numbers)
        if snapshot is not None:
            for ref in refs:
                if ref in snapshot.by_reference:
                    ids.append(snapshot.by_reference[ref])
                    missing_refs.discard(ref)
            for number in numbers:
                if number in snapshot.by_number:
                    ids.append(snapshot.by_number[number])
                    missing_numbers.discard(number)
            self._read_ids(ids)
        if missing_refs:
            self._keep(self._repo.query(payment_reference=tuple(sorted(missing_refs))))
        if missing_numbers:
            self._keep(self._repo.query(number=tuple(sorted(missing_numbers))))
        for invoice in list(self.invoices.values()):
            if invoice.payment_reference in refs:
                self.by_reference.setdefault(invoice.payment_reference, []).append(invoice.id)
            if invoice.number in numbers:
                self.by_number.setdefault(invoice.number or "", []).append(invoice.id)
        # payers: for entries that name no invoice we can apply at once
        customers: set[str] = set()
        unnamed: list[_Work] = []
        for work in works:
            named = self._named(work)
            if (
                named
                and all(i.status in APPLICABLE_STATES for i in named)
                and (work.clues.references or self._fits_exactly(named, work.entry.amount))
            ):
                continue
            customers.update(i.customer_id for i in named)
            if not named:
                unnamed.append(work)
        if unnamed:
            directory = self._run.customer_directory(self._tx)
            for work in unnamed:
                hits = directory.hits(work.clues)
                self.hits[work.entry.entry_key] = hits
                customers.update(hit.customer_id for hit in hits)
        self._read_customers(customers)
        for work in unnamed:
            if not self.hits.get(work.entry.entry_key):
                self._read_same_amount(work.entry.amount)

    def _read_customers(self, customers: set[str]) -> None:
        customers -= set(self.open_by_customer)
        if not customers:
            return
        snapshot = self._run.snapshot
        if snapshot is not None:
            self._read_ids(i for c in customers for i in snapshot.by_customer.get(c, ()))
            for cid in customers:
                self.open_by_customer[cid] = list(snapshot.by_customer.get(cid, ()))
            return
        found = self._repo.query(
            customer_id=tuple(sorted(customers)), kind="invoice", status=_OPEN_STATES
        )
        self._keep(found)
        for cid in customers:
            self.open_by_customer[cid] = []
        for invoice in found:
            self.open_by_customer[invoice.customer_id].append(invoice.id)

    def _read_same_amount(self, amount: Money) -> None:
        key = f"{amount.currency.code}:{amount.minor_units}"
        if key in self.same_amount:
            return
        snapshot = self._run.snapshot
        if snapshot is not None:
            ids = snapshot.by_amount(amount.currency.code, amount.minor_units)[:5]
            self._read_ids(ids)
            self.same_amount[key] = list(ids)
            return
        found = self._repo.query(
            open_amount=amount.minor_units,
            currency=amount.currency.code,
            kind="invoice",
            status=_OPEN_STATES,
            order_by="due_date",
            limit=5,
        )
        self._keep(found)
        self.same_amount[key] = [i.id for i in found]

    # -- per entry ------------------------------------------------------------------------

    def _get(self, invoice_id: str) -> Invoice | None:
        if invoice_id in self._dirty:
            self._dirty.discard(invoice_id)
            self._keep(self._repo.get_many([invoice_id]).values())
        return self.invoices.get(invoice_id)

    def _named(self, work: _Work) -> list[Invoice]:
        ids = [i for r in work.clues.references for i in self.by_reference.get(r, ())]
        if not ids:
            ids = [i for n in work.clues.numbers for i in self.by_number.get(n, ())]
        return [inv for inv in (self._get(i) for i in dict.fromkeys(ids)) if inv is not None]

    def _fits_exactly(self, invoices: Sequence[Invoice], amount: Money) -> bool:
        return sum(self._open(i.id).minor_units for i in invoices) == amount.minor_units

    def touch(self, invoice_ids: Iterable[str]) -> None:
        """Mark invoices changed in this unit of work; they are read again when next needed."""
        self._dirty.update(invoice_ids)

    def _many(self, ids: Iterable[str]) -> tuple[Invoice, ...]:
        return tuple(inv for inv in (self._get(i) for i in ids) if inv is not None)

    def facts_for(self, work: _Work) -> MatchFacts:
        """The facts of one entry, from what the batch read (fresh after earlier entries)."""
        clues = work.clues
        hits = self.hits.get(work.entry.entry_key, ())
        customers = {hit.customer_id for hit in hits}
        customers.update(i.customer_id for i in self._named(work))
        amount = work.entry.amount
        by_reference = {r: self._many(self.by_reference.get(r, ())) for r in clues.references}
        by_number = {n: self._many(self.by_number.get(n, ())) for n in clues.numbers}
        open_by_customer = {
            c: self._many(self.open_by_customer[c]) for c in customers if c in self.open_by_customer
        }
        same_amount = self._many(
            self.same_amount.get(f"{amount.currency.code}:{amount.minor_units}", ())
        )
        used = {
            i.id
            for group in (
                *by_reference.values(),
                *by_number.values(),
                *open_by_customer.values(),
                same_amount,
            )
            for i in group
        }
        return MatchFacts(
            by_reference=by_reference,
            by_number=by_number,
            customers=hits,
            open_by_customer=open_by_customer,
            same_amount=same_amount,
            open_amounts={i: self.opens[i] for i in used if i in self.opens},
        )


# -- the service ----------------------------------------------------------------------------


def _label(source: Source, label: str | None) -> str:
    if label:
        return label
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return "<bytes>"


def _head(source: Source) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source[:SNIFF_BYTES])
    with Path(source).open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def _candidates_data(candidates: Sequence[Candidate]) -> list[dict[str, object]]:
    return [c.as_data() for c in candidates]


def _candidate_from(data: Mapping[str, Any]) -> Candidate:
    return Candidate(
        tuple(data.get("invoice_ids", ())),
        str(data.get("customer_id", "")),
        Money(str(data.get("amount", "0")), str(data.get("currency", "EUR"))),
        Decimal(str(data.get("confidence", "0"))),
        tuple(data.get("reasons", ())),
    )


class BankService:
    """Bank statement import, cash application and the suggestion queue (``app.bank``)."""

    def __init__(
        self, ctx: Context, payments: PaymentService, *, batch_size: int = BATCH_SIZE
    ) -> None:
        self._ctx = ctx
        self._payments = payments
        self._batch_size = max(1, batch_size)

    # -- import ---------------------------------------------------------------------------

    def parsers(self) -> list[StatementParser]:
        """The installed statement parsers, in sniffing order."""
        return statement_parsers(self._ctx.pm)

    def read_statements(
        self, source: Source, *, label: str | None = None
    ) -> tuple[str, list[BankStatement]]:
        """Sniff and parse *source* whole; nothing is imported. Returns (format, statements).

        Raises:
            BackendNotFoundError: no installed parser accepts the file.
            ParseError: the parser refused the file (names file, entry and field).
        """
        name = _label(source, label)
        parsers = self.parsers()
        head = _head(source)
        parser = next((p for p in parsers if p.sniff(head)), None)
        if parser is None:
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ParseError(
                    "DTD and entity declarations are refused in bank files (XXE, entity expansion)",
                    source=name,
                    field="DOCTYPE",
                )
            raise BackendNotFoundError(
                f"no installed statement parser reads {name!r}",
                url=name,
                installed=tuple(p.name for p in parsers),
            )
        try:
            statements = list(parser.parse(source, label=name))
        except S2CError:
            raise
        except Exception as exc:
            raise BackendError(f"statement parser {parser.name} failed on {name!r}") from exc
        return parser.name, statements

    def import_statement(self, source: Source, *, label: str | None = None) -> ImportResult:
        """Import a bank statement file: payments in, matched to invoices; returns un-applied.

        Args:
            source: A path (``str`` is always a path) or the file's bytes.
            label: Name used in errors, events and the result (default: the path).

        Returns:
            One outcome per entry, in file order.

        Raises:
            BackendNotFoundError: no installed parser accepts the file.
            ParseError: the file is refused; nothing was imported.
        """
        name = _label(source, label)
        fmt, statements = self.read_statements(source, label=name)
        series = (self._ctx.policy.invoice_series,)
        entries = [entry for statement in statements for entry in statement.entries]
        credits = sum(1 for entry in entries if _kind_of(entry)[0] is _Kind.CREDIT)
        run = _Run(self._ctx, self._snapshot(credits) if credits else None)
        outcomes: list[EntryOutcome] = []
        for start in range(0, len(entries), self._batch_size):
            chunk = [_work(e, series) for e in entries[start : start + self._batch_size]]
            outcomes.extend(self._apply_chunk(chunk, run))
        self._record_import(name, fmt, statements, outcomes)
        return ImportResult(name, fmt, tuple(s.statement_id for s in statements), outcomes)

    def _snapshot(self, credits: int) -> _Snapshot | None:
        """The open invoices' keys, read from the index, or None when there are too many."""
        cap = max(PRELOAD_MIN, PRELOAD_FACTOR * credits)
        with self._ctx.tx() as tx:
            repo = tx.uow.repo("invoice")
            if repo.count(kind="invoice", status=_OPEN_STATES) > cap:
                log.debug("more than %d open invoices: reading them batch by batch", cap)
                return None
            return _Snapshot(
                repo.index_values(_Snapshot.FIELDS, kind="invoice", status=_OPEN_STATES)
            )

    def _apply_chunk(self, chunk: Sequence[_Work], run: _Run) -> list[EntryOutcome]:
        def body(tx: Tx) -> tuple[list[EntryOutcome], _Learned]:
            return self._apply_batch(tx, chunk, run)

        try:
            outcomes, learned = self._ctx.run(body, actor=_ACTOR, retries=1)
        except (
            ConflictError,
            ValidationError,
            BusinessRuleError,
            InvalidTransitionError,
            NotFoundError,
        ) as exc:
            if len(chunk) == 1:
                return [self._failed(chunk[0], exc)]
            log.info("batch of %d entries refused (%s); applying them one by one", len(chunk), exc)
            return [o for work in chunk for o in self._apply_one(work, run)]
        run.learned.merge(learned)
        return outcomes

    def _apply_one(self, work: _Work, run: _Run) -> list[EntryOutcome]:
        def body(tx: Tx) -> tuple[list[EntryOutcome], _Learned]:
            return self._apply_batch(tx, [work], run)

        try:
            outcomes, learned = self._ctx.run(body, actor=_ACTOR, retries=3)
        except (
            ConflictError,
            ValidationError,
            BusinessRuleError,
            InvalidTransitionError,
            NotFoundError,
        ) as exc:
            return [self._failed(work, exc)]
        run.learned.merge(learned)
        return outcomes

    @staticmethod
    def _failed(work: _Work, exc: S2CError) -> EntryOutcome:
        log.warning(
            "bank entry %s (position %d) not applied: %s",
            work.entry.entry_key,
            work.entry.position,
            exc,
        )
        return EntryOutcome(
            work.entry.entry_key,
            work.entry.position,
            work.entry.amount,
            Outcome.FAILED,
            message=str(exc),
        )

    def _apply_batch(
        self, tx: Tx, works: Sequence[_Work], run: _Run
    ) -> tuple[list[EntryOutcome], _Learned]:
        learned = _Learned()
        claimed: list[_Work] = []
        outcomes: dict[str, EntryOutcome] = {}
        actions = tx.uow.actions
        claim_many = getattr(actions, "claim_many", None)  # optional (see ports.ActionLog)
        keys = [f"bank-entry:{work.entry.entry_key}" for work in works]
        new = claim_many(keys, tx.now) if claim_many is not None else None
        for work, key in zip(works, keys, strict=True):
            entry = work.entry
            if actions.claim(key, tx.now) if new is None else _take(new, key):
                claimed.append(work)
            else:
                outcomes[entry.entry_key] = EntryOutcome(
                    entry.entry_key, entry.position, entry.amount, Outcome.DUPLICATE
                )
        batch = _BatchInvoices(tx, run)
        batch.prefetch([w for w in claimed if w.kind is _Kind.CREDIT])
        for work in claimed:
            if work.kind is _Kind.CREDIT:
                outcome = self._apply_credit(tx, work, batch, learned)
            elif work.kind is _Kind.RETURN:
                outcome = self._apply_return(tx, work, batch, run, learned)
            else:
                outcome = self._ignore(tx, work)
            outcomes[work.entry.entry_key] = outcome
        return [outcomes[w.entry.entry_key] for w in works], learned

    def _apply_credit(
        self, tx: Tx, work: _Work, batch: _BatchInvoices, learned: _Learned
    ) -> EntryOutcome:
        entry, clues = work.entry, work.clues
        policy = tx.ctx.policy
        decision = decide(
            entry.amount,
            entry.booking_date,
            clues,
            batch.facts_for(work),
            threshold=policy.match_threshold,
            tolerance=policy.payment_tolerance,
        )
        payment = tx.add(
            "payment",
            Payment(
                PaymentId(new_id("pay")),
                entry.amount,
                entry.booking_date,
                customer_id=decision.customer_id,  # type: ignore[arg-type]
                payer_name=entry.counterparty_name or "",
                payer_iban=clues.iban,
                bank_reference=entry.bank_reference or "",
                entry_key=entry.entry_key,
                structured_reference=clues.references[0] if clues.references else "",
                remittance_text=entry.remittance_text,
                method="direct_debit" if entry.mandate_id else "transfer",
                created_at=tx.now,
            ),
        )
        case = decision.customer_id or payment.id
        tx.record(
            "payment",
            payment.id,
            "received",
            to_state=str(payment.status),
            case_id=case,
            data={
                "amount": entry.amount,
                "reference": payment.structured_reference,
                "entry_key": entry.entry_key,
                "end_to_end_id": entry.end_to_end_id or "",
                "bank_reference": entry.bank_reference or "",
            },
        )
        learned.add(entry.end_to_end_id, payment.id)
        if decision.applied:
            payment = self._payments.allocate_in(tx, payment, decision.plan)
            batch.touch(decision.invoice_ids)
            tx.record(
                "payment",
                payment.id,
                "matched",
                case_id=payment.customer_id or case,
                data={
                    "method": str(decision.method),
                    "confidence": decision.confidence,
                    "invoice_ids": list(decision.invoice_ids),
                    "unapplied": payment.unapplied,
                    "candidates": _candidates_data(decision.candidates),
                    "entry_key": entry.entry_key,
                },
            )
            outcome = Outcome.MATCHED
        else:
            payment = tx.move(
                "payment",
                payment,
                PAYMENT_FLOW,
                "park",
                case_id=case,
                data={"unapplied": payment.unapplied},
            )
            self._record_unmatched(tx, payment, decision, clues, case)
            outcome = Outcome.UNMATCHED
        return EntryOutcome(
            entry.entry_key,
            entry.position,
            entry.amount,
            outcome,
            payment.id,
            str(decision.method),
            decision.confidence,
            decision.invoice_ids,
            payment.unapplied,
            decision.reason,
        )

    @staticmethod
    def _record_unmatched(
        tx: Tx, payment: Payment, decision: Decision, clues: EntryClues, case: str
    ) -> None:
        tx.record(
            "payment",
            payment.id,
            "unmatched",
            case_id=case,
            data={
                "reason": decision.reason,
                "confidence": decision.confidence,
                "customer_id": decision.customer_id or "",
                "candidates": _candidates_data(decision.candidates),
                "invalid_reference": clues.invalid_reference,
                "entry_key": payment.entry_key or "",
            },
        )

    def _ignore(self, tx: Tx, work: _Work) -> EntryOutcome:
        entry = work.entry
        tx.record(
            "bank_entry",
            entry.entry_key,
            "ignored",
            data={
                "amount": entry.amount,
                "reason": work.note,
                "position": entry.position,
                "text": entry.remittance_text,
                "code": entry.bank_transaction_code or "",
            },
        )
        return EntryOutcome(
            entry.entry_key, entry.position, entry.amount, Outcome.IGNORED, message=work.note
        )

    # -- returns --------------------------------------------------------------------------

    def _apply_return(
        self, tx: Tx, work: _Work, batch: _BatchInvoices, run: _Run, learned: _Learned
    ) -> EntryOutcome:
        entry = work.entry
        found = self._find_original(tx, work, run, learned)
        if found is None:
            message = "original payment not found"
            tx.record(
                "bank_entry",
                entry.entry_key,
                "return_unmatched",
                data={
                    "amount": entry.amount,
                    "reason": entry.return_reason or "",
                    "end_to_end_id": entry.original_end_to_end_id or entry.end_to_end_id or "",
                    "reference": work.clues.references[0] if work.clues.references else "",
                },
            )
            return EntryOutcome(
                entry.entry_key,
                entry.position,
                entry.amount,
                Outcome.RETURN_NOT_FOUND,
                message=message,
            )
        original, matched_by = found
        reason = entry.return_reason or "returned"
        tx.record(
            "payment",
            original.id,
            "return_matched",
            case_id=original.customer_id or original.id,
            data={
                "entry_key": entry.entry_key,
                "matched_by": matched_by,
                "reason": reason,
                "end_to_end_id": entry.original_end_to_end_id or entry.end_to_end_id or "",
            },
        )
        invoice_ids = tuple(a.invoice_id for a in original.allocations)
        returned = self._payments.return_in(tx, original, reason=reason)
        batch.touch(invoice_ids)
        return EntryOutcome(
            entry.entry_key,
            entry.position,
            entry.amount,
            Outcome.RETURNED,
            returned.id,
            matched_by,
            None,
            invoice_ids,
            message=reason,
        )

    def _find_original(
        self, tx: Tx, work: _Work, run: _Run, learned: _Learned
    ) -> tuple[Payment, str] | None:
        """The payment a return gives back: by end-to-end id, then reference, then payer IBAN.

        Only payments of exactly the returned amount, not yet returned, are considered; the
        payer's IBAN alone decides only for a return that names neither an end-to-end id nor
        a reference, and only when one payment fits.
        """
        entry = work.entry
        amount = -entry.amount
        e2e = entry.original_end_to_end_id or entry.end_to_end_id or ""
        repo = tx.uow.repo("payment")
        ids = [*learned.by_e2e.get(e2e, ()), *run.learned.by_e2e.get(e2e, ())] if e2e else []
        if ids:
            for payment in repo.get_many(ids).values():
                if payment.status in _RETURNABLE and payment.amount == amount:
                    return payment, "end_to_end_id"
        candidates: list[Payment] = repo.query(
            amount=amount.minor_units,
            currency=amount.currency.code,
            status=_RETURNABLE,
            order_by="-received_on",
            limit=50,
        )
        if not candidates:
            return None
        if e2e:
            for payment in candidates[:10]:
                known = learned.e2e_of.get(payment.id) or run.learned.e2e_of.get(payment.id)
                if known is None:
                    known = self._recorded_e2e(tx, payment.id)
                if known == e2e:
                    return payment, "end_to_end_id"
        refs = set(work.clues.references)
        by_ref = [p for p in candidates if refs and p.structured_reference in refs]
        if by_ref:
            return by_ref[0], "reference"
        if e2e or refs:
            return None  # what the return names is not among them: do not guess
        iban = work.clues.iban
        by_iban = [p for p in candidates if iban and p.payer_iban == iban]
        if len(by_iban) == 1:
            return by_iban[0], "payer_iban"
        return None

    @staticmethod
    def _recorded_e2e(tx: Tx, payment_id: str) -> str:
        for event in tx.uow.events.read(aggregate_id=payment_id, limit=50):
            if event.name == "PaymentReceived":
                return str(event.data.get("end_to_end_id") or "")
        return ""

    def _record_import(
        self,
        name: str,
        fmt: str,
        statements: Sequence[BankStatement],
        outcomes: Sequence[EntryOutcome],
    ) -> None:
        by_key = {o.entry_key: o for o in outcomes}

        def body(tx: Tx) -> None:
            for statement in statements:
                counts: dict[str, int] = {}
                for entry in statement.entries:
                    outcome = by_key.get(entry.entry_key)
                    if outcome is not None:
                        counts[str(outcome.outcome)] = counts.get(str(outcome.outcome), 0) + 1
                tx.record(
                    "bank_statement",
                    f"{statement.account_iban}/{statement.statement_id}",
                    "imported",
                    data={
                        "source": name,
                        "format": fmt,
                        "entries": len(statement.entries),
                        "outcomes": counts,
                    },
                )

        self._ctx.run(body, actor=_ACTOR)

    # -- the suggestion queue ---------------------------------------------------------------

    def suggestions(self, *, limit: int = 100) -> list[Suggestion]:
        """Unapplied payments from bank imports waiting for a person, oldest first.

        Each carries the candidates cash application ranked when it could not decide; confirm
        one with [confirm_suggestion][s2c_core.services.bank.BankService.confirm_suggestion].
        """
        with self._ctx.tx() as tx:
            payments: list[Payment] = tx.uow.repo("payment").query(
                status=PaymentState.UNAPPLIED, order_by="received_on", limit=limit
            )
            out = []
            for payment in payments:
                last = None
                for event in tx.uow.events.read(aggregate_id=payment.id, limit=1000):
                    if event.name == "PaymentUnmatched":
                        last = event
                if last is None:
                    continue
                data = last.data
                out.append(
                    Suggestion(
                        payment.id,
                        payment.unapplied,
                        payment.received_on,
                        payment.payer_name,
                        payment.payer_iban,
                        payment.remittance_text,
                        payment.structured_reference,
                        str(data.get("invalid_reference", "")),
                        payment.customer_id or (str(data.get("customer_id", "")) or None),
                        str(data.get("reason", "")),
                        tuple(_candidate_from(c) for c in data.get("candidates", ())),
                        last.at,
                    )
                )
            return out

    def confirm_suggestion(
        self, payment_id: str, invoice_ids: Sequence[str], *, actor: str = ""
    ) -> Payment:
        """Apply an unapplied payment to *invoice_ids*, in that order, as a person decided.

        Each invoice receives at most its open amount; what is left stays as the customer's
        credit. Records ``PaymentMatched`` with method ``manual``.

        Raises:
            ValidationError: no invoice given.
            BusinessRuleError: nothing is unapplied on the payment, or an invoice is not open.
            NotFoundError: unknown payment or invoice.
        """
        if not invoice_ids:
            raise ValidationError("name at least one invoice", field="invoice_ids", value=())

        def body(tx: Tx) -> Payment:
            payment: Payment = tx.get("payment", payment_id)
            if (
                payment.status
                not in (
                    PaymentState.RECEIVED,
                    PaymentState.UNAPPLIED,
                    PaymentState.PARTIALLY_ALLOCATED,
                )
                or not payment.unapplied.is_positive()
            ):
                raise BusinessRuleError(
                    f"payment {payment_id} has nothing unapplied ({payment.status})",
                    rule="nothing_unapplied",
                    payment_id=payment_id,
                )
            invoices: list[Invoice] = [tx.get("invoice", i) for i in dict.fromkeys(invoice_ids)]
            for invoice in invoices:
                if invoice.status not in APPLICABLE_STATES or invoice.kind != "invoice":
                    raise BusinessRuleError(
                        f"invoice {invoice.number or invoice.id} is not open ({invoice.status})",
                        rule="invoice_not_open",
                        invoice_id=invoice.id,
                    )
            plan = greedy_plan(invoices, payment.unapplied)
            if not plan:
                raise BusinessRuleError(
                    "nothing to apply to these invoices",
                    rule="nothing_to_apply",
                    payment_id=payment_id,
                )
            applied = self._payments.allocate_in(tx, payment, plan)
            tx.record(
                "payment",
                applied.id,
                "matched",
                case_id=applied.customer_id or applied.id,
                data={
                    "method": str(MatchMethod.MANUAL),
                    "confidence": Decimal("1.00"),
                    "invoice_ids": [i for i, _ in plan],
                    "unapplied": applied.unapplied,
                    "candidates": [],
                    "entry_key": applied.entry_key or "",
                },
            )
            return applied

        return self._ctx.run(body, actor=actor)
