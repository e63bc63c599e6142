"""Bank import on real databases: a SQLite file, and PostgreSQL with imports running at once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import s2c_bank.plugin
from s2c_bank.testing import make_camt053

from s2c_core import S2C, Company, FixedClock, Invoice, Line, Money, Policy, VatCategory
from s2c_core.services.bank import ImportResult, Outcome

pytest.importorskip("s2c_sqlalchemy")

import s2c_sqlalchemy.plugin
from s2c_sqlalchemy import migrate
from s2c_sqlalchemy.testing import fresh_database

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
PAID_ON = date(2026, 3, 10)
IBAN = "BE71096123456769"
POLICY = Policy.default_eu("BE", company=Company("Groothandel Peeters BV"))


def _open(url: str) -> S2C:
    return S2C.open(
        url,
        clock=FixedClock(START),
        policy=POLICY,
        plugins=[s2c_sqlalchemy.plugin, s2c_bank.plugin],
        load_entry_points=False,
    )


def _books(app: S2C, n: int) -> tuple[list[Invoice], bytes]:
    customer = app.customers.register("Brasserie Dupont", iban=IBAN).id
    invoices = []
    for k in range(n):
        line = Line(
            "svc",  # type: ignore[arg-type]
            "Service",
            1,
            Money(f"{100 + k}.00", "EUR"),
            vat_category=VatCategory.ZERO,
            vat_rate=0,
        )
        invoices.append(app.invoices.create(customer, [line]))
    payments = []
    for k, invoice in enumerate(invoices):
        if k % 3 == 0:
            text = invoice.payment_reference
        elif k % 3 == 1:
            text = f"invoice {(invoice.number or '').replace('-', '')}"
        else:
            text = "thanks"  # amount + payer IBAN
        payments.append((Money(f"{100 + k}.00", "EUR"), text, "Brasserie Dupont", IBAN, PAID_ON))
    statement = f"SQL-{uuid.uuid4().hex[:12]}"
    return invoices, make_camt053(payments=payments, returns=[(0, "AC04")], statement_id=statement)


def _check_once(app: S2C, invoices: list[Invoice], results: list[ImportResult]) -> None:
    entries = len(invoices) + 1
    assert sum(len(r.outcomes) for r in results) == entries * len(results)
    assert sum(r.duplicates for r in results) == entries * (len(results) - 1)
    assert sum(r.matched for r in results) == len(invoices)
    assert sum(r.count(Outcome.RETURNED) for r in results) == 1
    received = [e for e in app.events(limit=1_000_000) if e.name == "PaymentReceived"]
    assert len(received) == len(invoices)
    status = [app.invoices.get(i.id).status for i in invoices]
    assert status == ["issued"] + ["paid"] * (len(invoices) - 1)


def _import_at_once(apps: list[S2C], data: bytes) -> list[ImportResult]:
    results: list[ImportResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(apps))

    def worker(app: S2C) -> None:
        try:
            barrier.wait()
            results.append(app.bank.import_statement(data))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(a,)) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_importing_twice_into_a_sqlite_file_applies_each_entry_once(tmp_path: Path) -> None:
    app = _open(f"sqlite:///{tmp_path / 'books.db'}")
    assert app.storage.name != "memory"
    invoices, data = _books(app, 12)
    first = app.bank.import_statement(data)
    assert [o.method for o in first.outcomes[:3]] == ["reference", "invoice_number", "amount"]
    second = app.bank.import_statement(data)
    _check_once(app, invoices, [first, second])
    app.close()


def test_two_apps_importing_one_file_into_sqlite_at_once_apply_it_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    owner = _open(url)
    invoices, data = _books(owner, 12)
    other = _open(url)
    owner.bank._batch_size = other.bank._batch_size = 3
    results = _import_at_once([owner, other], data)
    _check_once(owner, invoices, results)
    owner.close()
    other.close()


@pytest.fixture
def pg_books(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database with the s2c schema (``postgres_url`` from conftest.py)."""
    try:
        server = request.getfixturevalue("postgres_url")
    except pytest.FixtureLookupError:
        pytest.skip("no postgres_url fixture (repo-root conftest.py)")
    with fresh_database(server, prefix="s2c_bank") as url:
        migrate(url)
        yield url


@pytest.mark.postgres
def test_four_imports_of_one_file_at_once_on_postgresql_apply_it_once(pg_books: str) -> None:
    owner = _open(pg_books)
    invoices, data = _books(owner, 24)
    apps = [owner, *(_open(pg_books) for _ in range(3))]
    for app in apps:
        app.bank._batch_size = 5
    results = _import_at_once(apps, data)
    _check_once(owner, invoices, results)
    again = owner.bank.import_statement(data)
    assert again.duplicates == len(invoices) + 1
    for app in apps:
        app.close()
