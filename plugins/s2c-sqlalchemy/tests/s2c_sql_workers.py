"""Worker functions for the multi-process tests (importable by ``spawn`` children)."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
from s2c_sqlalchemy import open_sql_storage

from s2c_core.entities import CustomerId, Invoice, InvoiceId, Line, ProductId
from s2c_core.events import OutboxMessage, OutboxStatus
from s2c_core.lifecycle import InvoiceState
from s2c_core.money import Money

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_invoice(n: int) -> Invoice:
    """A small issued invoice (like the conformance suite's, without importing pytest and
    hypothesis into every worker process)."""
    return Invoice(
        id=InvoiceId(f"inv_{n}"),
        customer_id=CustomerId("cus_1"),
        currency="EUR",
        lines=(Line(ProductId("p1"), "Widget", Decimal(1), Money("100.00", "EUR")),),
        status=InvoiceState.ISSUED,
        issue_date=date(2026, 1, 5),
        due_date=date(2026, 2, 4),
        created_at=T0,
    )


def issue_numbers(url: str, worker: int, count: int) -> list[int]:
    """Issue *count* invoices, each numbered in its own unit of work; return the numbers."""
    numbers = []
    with open_sql_storage(url) as storage:
        for i in range(count):
            with storage.unit_of_work() as uow:
                number = uow.counters.next("INV", 2026)
                invoice = attrs.evolve(
                    make_invoice(1), id=f"inv_{worker}_{i}", number=f"INV-2026-{number:06d}"
                )
                uow.repo("invoice").add(invoice)
                uow.commit()
            numbers.append(number)
    return numbers


def write_then_die(url: str, commit: bool) -> None:
    """Store an invoice and its outbox message in one unit of work, then get killed."""
    storage = open_sql_storage(url)
    with storage.unit_of_work() as uow:
        uow.repo("invoice").add(make_invoice(1))
        uow.outbox.put(
            [
                OutboxMessage(
                    id="msg_crash",
                    key="invoice-issued:inv_1",
                    topic="notification",
                    payload={"invoice": "inv_1"},
                    created_at=T0,
                    next_attempt_at=T0,
                )
            ]
        )
        if commit:
            uow.commit()
        os.kill(os.getpid(), signal.SIGKILL)  # before any delivery (or before the commit)


def deliver_all(url: str) -> list[str]:
    """A dispatcher loop: claim one due message, 'deliver' it, commit; until none is left."""
    delivered = []
    with open_sql_storage(url) as storage:
        while True:
            with storage.unit_of_work() as uow:
                claimed = uow.outbox.claim_due(T0, limit=1)
                if not claimed:
                    break
                message = claimed[0]
                time.sleep(0.002)  # the delivery itself
                uow.outbox.save(
                    attrs.evolve(
                        message,
                        status=OutboxStatus.DELIVERED,
                        delivered_at=T0,
                        attempts=message.attempts + 1,
                    )
                )
                uow.commit()
            delivered.append(message.id)
    return delivered
