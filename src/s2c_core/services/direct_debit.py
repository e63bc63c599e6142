"""SEPA Core direct debit: mandates, and collection files for the invoices that fall due.

Flow (EPC SEPA Direct Debit Core rulebook):

1. ``register_mandate`` stores the customer's signed mandate (IBAN, signature date, mandate
   reference); ``revoke_mandate`` ends it.
2. ``collect(due_by, collection_date)`` takes the open invoices due by ``due_by`` of customers
   with an active mandate and returns a pain.008 file (written by the plugin behind the
   ``s2c_direct_debit_writer`` hook, e.g. ``s2c-bank``) to upload to the bank. Each debit
   carries the invoice's structured reference and the end-to-end id ``SDD-<number>-<due>``.
   The first collection under a mandate is ``FRST``, later ones ``RCUR``. Each invoice due
   date is collected once (natural key ``sdd:<invoice id>:<due date>``), whatever happens to
   the file afterwards.
3. The bank credits the collection: importing its statement or notification (camt.053/054)
   matches each credit by its structured reference. A returned direct debit (R-transaction,
   e.g. ``MD06`` or ``AM04``) comes back as a debit with the original end-to-end id; the
   import un-applies the payment and reopens the invoice, which goes back into follow-up.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from s2c_core.entities.common import CustomerId, MandateId, replace
from s2c_core.entities.party import Customer
from s2c_core.entities.receivables import Invoice, Mandate
from s2c_core.entities.registry import Range
from s2c_core.errors import (
    BackendError,
    BusinessRuleError,
    ConfigurationError,
    S2CError,
    ValidationError,
)
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.plugins import direct_debit_writer
from s2c_core.references import iban as iban_ref
from s2c_core.services._base import Context, Tx

__all__ = ["DirectDebitService"]

log = logging.getLogger(__name__)

_EPC_ID: Final = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
_COLLECTIBLE: Final = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID)


def _check_epc_id(value: str, field_name: str) -> str:
    """EPC identifier rules: 1-35 Latin characters, no leading, trailing or double slash."""
    if (
        not _EPC_ID.fullmatch(value)
        or value != value.strip()
        or value.startswith("/")
        or value.endswith("/")
        or "//" in value
    ):
        raise ValidationError(
            f"{field_name} {value!r} must be 1-35 characters of A-Z a-z 0-9 / - ? : ( ) . , ' + "
            "and space, without a leading, trailing or double '/'",
            field=field_name,
            value=value,
        )
    return value


def _record_types(writer: object) -> tuple[Any, Any, Any]:
    """The writer's input records (``Collection``, ``Creditor``, ``DirectDebit``).

    Looked up on the writer, else in the module that defines it, so core does not import the
    plugin by name.
    """
    module = sys.modules.get(type(writer).__module__)
    found = [
        getattr(writer, n, None) or getattr(module, n, None)
        for n in ("Collection", "Creditor", "DirectDebit")
    ]
    if any(item is None for item in found):
        raise BackendError(
            f"{type(writer).__name__} does not expose Collection, Creditor and DirectDebit "
            "records to write from"
        )
    return found[0], found[1], found[2]


def end_to_end_id(invoice: Invoice) -> str:
    """The end-to-end id of an invoice's collection: ``SDD-<number>-<due date>``."""
    due = invoice.due_date.strftime("%Y%m%d") if invoice.due_date else "0"
    candidate = f"SDD-{invoice.number}-{due}"
    if len(candidate) <= 35 and _EPC_ID.fullmatch(candidate):
        return candidate
    return f"SDD-{uuid.uuid5(uuid.NAMESPACE_URL, invoice.id + due).hex[:24].upper()}"


class DirectDebitService:
    """SEPA direct-debit mandates and collections (``app.direct_debit``)."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # -- mandates -------------------------------------------------------------------------

    def register_mandate(
        self,
        customer_id: str,
        iban: str,
        signed_on: date,
        mandate_id: str | None = None,
        *,
        bic: str = "",
    ) -> Mandate:
        """Store a customer's signed SEPA Core mandate (sequence ``FRST`` until first used).

        Args:
            customer_id: The debtor.
            iban: The account to debit.
            signed_on: Date of signature (not in the future).
            mandate_id: The mandate reference (1-35 EPC characters); generated when None.
            bic: The debtor bank's BIC, if known.

        Raises:
            ValidationError: invalid IBAN, mandate reference or date.
            NotFoundError: unknown customer.
            BusinessRuleError: a mandate with this reference exists.
        """
        compact = iban_ref.validate(iban)
        reference = mandate_id or f"MNDT-{uuid.uuid4().hex[:16].upper()}"
        _check_epc_id(reference, "mandate_id")
        if signed_on > self._ctx.today():
            raise ValidationError(
                f"mandate signed on {signed_on} is in the future",
                field="signed_on",
                value=signed_on,
            )

        def body(tx: Tx) -> Mandate:
            customer: Customer = tx.get("customer", customer_id)
            repo = tx.uow.repo("mandate")
            if repo.find(reference) is not None:
                raise BusinessRuleError(
                    f"mandate {reference!r} exists", rule="mandate_exists", mandate_id=reference
                )
            mandate = tx.add(
                "mandate",
                Mandate(
                    MandateId(reference),
                    CustomerId(customer.id),
                    compact,
                    signed_on,
                    bic="".join(bic.split()).upper(),
                ),
            )
            tx.record(
                "mandate",
                mandate.id,
                "registered",
                case_id=customer.id,
                data={"iban": compact, "signed_on": signed_on},
            )
            return mandate

        return self._ctx.run(body)

    def revoke_mandate(self, mandate_id: str, *, reason: str = "") -> Mandate:
        """End a mandate: its customer's invoices are no longer collected with it.

        Raises:
            NotFoundError: unknown mandate.
            BusinessRuleError: already revoked.
        """

        def body(tx: Tx) -> Mandate:
            mandate: Mandate = tx.get("mandate", mandate_id)
            if not mandate.active:
                raise BusinessRuleError(
                    f"mandate {mandate_id!r} is already revoked",
                    rule="mandate_revoked",
                    mandate_id=mandate_id,
                )
            saved = tx.save("mandate", replace(mandate, active=False))
            tx.record(
                "mandate",
                mandate.id,
                "revoked",
                case_id=mandate.customer_id,
                data={"reason": reason},
            )
            return saved

        return self._ctx.run(body)

    def mandates(self, customer_id: str) -> list[Mandate]:
        """The customer's mandates, active or not, latest signed first."""
        with self._ctx.tx() as tx:
            found: list[Mandate] = tx.uow.repo("mandate").query(customer_id=customer_id)
        return sorted(found, key=lambda m: (m.signed_on, m.id), reverse=True)

    # -- collections ----------------------------------------------------------------------

    def collect(
        self, due_by: date, collection_date: date, *, message_id: str | None = None
    ) -> bytes:
        """Write the pain.008 collection of the open invoices due by *due_by*.

        Invoices of customers with an active mandate signed by *collection_date* are collected
        for their open amount (euro only; disputed invoices are left out), each due date once.
        Mandates used for the first time move from ``FRST`` to ``RCUR``. Everything is recorded
        in one unit of work with the file written, so a refused file changes nothing.

        Args:
            due_by: Last due date included.
            collection_date: Requested collection date (not before today).
            message_id: The file's message id (generated when None).

        Returns:
            The pain.008 XML, or ``b""`` when nothing is due.

        Raises:
            ConfigurationError: the company has no IBAN or SEPA creditor identifier.
            BackendNotFoundError: no installed plugin writes direct-debit files.
            ValidationError: a date or identifier the rulebook refuses.
        """
        company = self._ctx.policy.company
        if not company.iban or not company.creditor_id:
            raise ConfigurationError(
                "direct debit needs Policy.company.iban and Policy.company.creditor_id"
            )
        today = self._ctx.today()
        if collection_date < today:
            raise ValidationError(
                f"collection date {collection_date} is before today {today}",
                field="collection_date",
                value=collection_date,
            )
        writer = direct_debit_writer(self._ctx.pm)
        collection_cls, creditor_cls, debit_cls = _record_types(writer)
        creditor = creditor_cls(
            company.name[:70], company.iban, company.bic or None, company.creditor_id
        )

        def body(tx: Tx) -> bytes:
            msg_id = _check_epc_id(
                message_id or f"S2C-DD-{tx.now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6].upper()}",
                "message_id",
            )
            debits: list[Any] = []
            first_used: dict[str, Mandate] = {}
            for invoice, mandate, customer in self._due(tx, due_by, collection_date):
                due = invoice.due_date.isoformat() if invoice.due_date else ""
                if not tx.uow.actions.claim(f"sdd:{invoice.id}:{due}", tx.now):
                    continue
                e2e = end_to_end_id(invoice)
                amount = invoice.open_amount
                debits.append(
                    debit_cls(
                        e2e,
                        amount,
                        mandate.id,
                        mandate.signed_on,
                        mandate.sequence,
                        customer.name[:70],
                        mandate.iban,
                        mandate.bic or None,
                        invoice.payment_reference,
                    )
                )
                tx.record(
                    "invoice",
                    invoice.id,
                    "collection_requested",
                    case_id=invoice.customer_id,
                    data={
                        "end_to_end_id": e2e,
                        "amount": amount,
                        "mandate_id": mandate.id,
                        "sequence": mandate.sequence,
                        "message_id": msg_id,
                        "collection_date": collection_date,
                    },
                )
                if mandate.sequence == "FRST":
                    first_used[mandate.id] = mandate
            if not debits:
                return b""
            for mandate in first_used.values():
                tx.save("mandate", replace(mandate, sequence="RCUR"))
                tx.record(
                    "mandate",
                    mandate.id,
                    "first_collected",
                    case_id=mandate.customer_id,
                    data={"message_id": msg_id, "collection_date": collection_date},
                )
            collection = collection_cls(msg_id, tx.now, collection_date, creditor, tuple(debits))
            try:
                data: bytes = writer.write(collection)
            except S2CError:
                raise
            except Exception as exc:
                raise BackendError(f"direct-debit writer failed: {exc}") from exc
            return data

        data = self._ctx.run(body)
        if not data:
            log.info("no invoice due by %s to collect by direct debit", due_by)
        return data

    def due(self, due_by: date, collection_date: date) -> list[tuple[Invoice, Mandate]]:
        """What ``collect`` would take now (nothing is recorded): (invoice, mandate) pairs."""
        with self._ctx.tx() as tx:
            return [
                (invoice, mandate)
                for invoice, mandate, _ in self._due(tx, due_by, collection_date)
                if not tx.uow.actions.exists(
                    f"sdd:{invoice.id}:{invoice.due_date.isoformat() if invoice.due_date else ''}"
                )
            ]

    @staticmethod
    def _due(
        tx: Tx, due_by: date, collection_date: date
    ) -> list[tuple[Invoice, Mandate, Customer]]:
        invoices: Sequence[Invoice] = tx.uow.repo("invoice").query(
            kind="invoice",
            status=_COLLECTIBLE,
            currency="EUR",
            due_date=Range(None, due_by),
            order_by="due_date",
        )
        customer_ids = sorted({i.customer_id for i in invoices})
        if not customer_ids:
            return []
        mandates: dict[str, Mandate] = {}
        for mandate in tx.uow.repo("mandate").query(customer_id=tuple(customer_ids)):
            if not mandate.active or mandate.signed_on > collection_date:
                continue
            best = mandates.get(mandate.customer_id)
            if best is None or (mandate.signed_on, mandate.id) > (best.signed_on, best.id):
                mandates[mandate.customer_id] = mandate
        customers = tx.uow.repo("customer").get_many(sorted(mandates))
        out = []
        for invoice in sorted(invoices, key=lambda i: (i.due_date or due_by, i.number or i.id)):
            mandate = mandates.get(invoice.customer_id)
            if mandate is None or not invoice.payment_reference:
                continue
            if invoice.open_amount.is_positive():
                out.append((invoice, mandate, customers[invoice.customer_id]))
        return out
