"""Importing the externally authored bank files of ``../shared/testdata/bank``.

The folder sits beside the repository (never copied into it); ``S2C_SHARED_TESTDATA`` may point
to it (or to its parent ``testdata``). Tests skip, saying so, when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import s2c_bank.plugin

from s2c_core import (
    S2C,
    BackendNotFoundError,
    Company,
    FixedClock,
    Invoice,
    Line,
    Money,
    ParseError,
    Policy,
    VatCategory,
)
from s2c_core.services.bank import Outcome

REPO = Path(__file__).resolve().parents[2]


def _bank_folder() -> Path | None:
    configured = os.environ.get("S2C_SHARED_TESTDATA")
    candidates = [Path(configured), Path(configured) / "bank"] if configured else []
    candidates.append(REPO.parent / "shared" / "testdata" / "bank")
    for folder in candidates:
        if (folder / "authored").is_dir():
            return folder
    return None


BANK = _bank_folder()
needs_shared = pytest.mark.skipif(
    BANK is None,
    reason="shared bank test files not found (../shared/testdata/bank or S2C_SHARED_TESTDATA)",
)
AUTHORED = "authored/be-camt.053.001.08-structured-refs.xml"


def _app(policy: Policy | None = None) -> S2C:
    return S2C.open(
        "memory://",
        clock=FixedClock(datetime(2026, 11, 2, 9, tzinfo=UTC)),
        policy=policy or Policy.default_eu("BE", company=Company("Atelier Exemple SRL")),
        plugins=[s2c_bank.plugin],
        load_entry_points=False,
    )


def _invoice(app: S2C, customer_id: str, amount: str) -> Invoice:
    line = Line(
        "svc",  # type: ignore[arg-type]
        "Service",
        1,
        Money(amount, "EUR"),
        vat_category=VatCategory.ZERO,
        vat_rate=0,
    )
    return app.invoices.create(customer_id, [line])


def _set_reference(app: S2C, invoice: Invoice, reference: str) -> Invoice:
    """Give *invoice* a reference our generator would not make (the file was authored by hand)."""
    with app.storage.unit_of_work() as uow:
        stored = uow.repo("invoice").get(invoice.id)
        saved: Invoice = uow.repo("invoice").update(
            attrs.evolve(stored, payment_reference=reference)
        )
        uow.commit()
    return saved


@pytest.fixture
def authored() -> Iterator[tuple[S2C, dict[str, Invoice]]]:
    """Books matching the authored statement: invoices F-2026-000001 ... F-2026-000043."""
    app = _app(Policy.default_eu("BE", company=Company("Atelier Exemple SRL"), invoice_series="F"))
    client = app.customers.register("Client Exemple BV", iban="NL91ABNA0417164300").id
    kunde = app.customers.register("Kunde Beispiel GmbH", iban="DE89370400440532013000").id
    other = app.customers.register("Brasserie Dupont").id
    books = {"ogm": _invoice(app, client, "1210.00"), "rf": _invoice(app, kunde, "605.00")}
    books["same_amount"] = _invoice(app, other, "60.50")
    for _ in range(4, 42):
        _invoice(app, other, "10.00")
    books["batch_ogm"] = _invoice(app, other, "120.00")  # F-2026-000042: +++202/6000/04236+++
    books["batch_text"] = _invoice(app, other, "180.00")  # F-2026-000043
    books["ogm"] = _set_reference(app, books["ogm"], "+++090/9337/55493+++")
    books["rf"] = _set_reference(app, books["rf"], "RF73 INV2 0260 042")
    yield app, books
    app.close()


@needs_shared
def test_the_authored_statement_is_matched_entry_by_entry(
    authored: tuple[S2C, dict[str, Invoice]],
) -> None:
    app, books = authored
    assert BANK is not None
    assert books["batch_ogm"].payment_reference == "+++202/6000/04236+++"
    assert books["batch_text"].number == "F-2026-000043"
    result = app.bank.import_statement(BANK / AUTHORED)
    by_position = [(o.position, o.outcome, o.method) for o in result.outcomes]
    assert by_position == [
        (1, Outcome.MATCHED, "reference"),  # OGM in Strd
        (2, Outcome.MATCHED, "reference"),  # RF in Strd
        (3, Outcome.UNMATCHED, "none"),  # OGM with wrong check digits
        (4, Outcome.UNMATCHED, "none"),  # RF with wrong check digits
        (5, Outcome.MATCHED, "reference"),  # batch item 1: OGM
        (5, Outcome.MATCHED, "invoice_number"),  # batch item 2: "Facture F-2026-0043"
        (6, Outcome.RETURNED, "end_to_end_id"),  # return AC04 of entry 1
        (7, Outcome.IGNORED, ""),  # account fee
    ]
    outcomes = result.outcomes
    assert outcomes[0].invoice_ids == (books["ogm"].id,)
    assert outcomes[1].invoice_ids == (books["rf"].id,)
    assert outcomes[4].invoice_ids == (books["batch_ogm"].id,)
    assert outcomes[5].invoice_ids == (books["batch_text"].id,)
    assert outcomes[5].confidence == Decimal("0.95")
    assert outcomes[6].payment_id == outcomes[0].payment_id
    assert outcomes[6].message == "AC04"
    status = {k: app.invoices.get(v.id).status for k, v in books.items()}
    assert status == {
        "ogm": "issued",  # paid, then the payment came back
        "rf": "paid",
        "same_amount": "issued",
        "batch_ogm": "paid",
        "batch_text": "paid",
    }
    suggestions = {s.amount.amount: s for s in app.bank.suggestions()}
    assert suggestions[Decimal("60.50")].invalid_reference == "090933755494"
    assert suggestions[Decimal("60.50")].candidates[0].invoice_ids == (books["same_amount"].id,)
    assert suggestions[Decimal("121.00")].invalid_reference == "RF00INV20260042"
    assert suggestions[Decimal("121.00")].reason == "no_candidate"


@needs_shared
def test_the_authored_statement_imported_again_changes_nothing(
    authored: tuple[S2C, dict[str, Invoice]],
) -> None:
    app, _ = authored
    assert BANK is not None
    app.bank.import_statement(BANK / AUTHORED)
    before = len(app.events(limit=1_000_000))
    again = app.bank.import_statement(BANK / AUTHORED)
    assert again.counts == {"duplicate": 8}
    assert len(app.events(limit=1_000_000)) == before + 1  # BankStatementImported only


def _hostile() -> list[str]:
    if BANK is None:
        return []
    return sorted(p.name for p in (BANK / "hostile").glob("*.xml"))


@needs_shared
@pytest.mark.parametrize("name", _hostile() or ["-"])
def test_hostile_files_are_refused_and_import_nothing(name: str) -> None:
    assert BANK is not None
    app = _app()
    with pytest.raises((ParseError, BackendNotFoundError)):
        app.bank.import_statement(BANK / "hostile" / name)
    assert app.events() == []


def _samples() -> list[str]:
    if BANK is None:
        return []
    return sorted(
        str(p.relative_to(BANK))
        for folder in ("camt053", "camt054", "coda", "mt940")
        for p in (BANK / folder).iterdir()
        if p.is_file()
    )


@needs_shared
@pytest.mark.parametrize("name", _samples() or ["-"])
def test_real_world_samples_import_or_are_refused_cleanly_and_twice_is_once(name: str) -> None:
    assert BANK is not None
    app = _app()
    customer = app.customers.register("Some Customer").id
    _invoice(app, customer, "100.00")
    before = len(app.events())
    try:
        first = app.bank.import_statement(BANK / name)
    except (ParseError, BackendNotFoundError):
        assert len(app.events()) == before
        return
    assert first.count(Outcome.FAILED) == 0
    second = app.bank.import_statement(BANK / name)
    assert second.duplicates == len(first.outcomes)
