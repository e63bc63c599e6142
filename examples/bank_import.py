"""Bank import and cash application: a camt.053 statement matched to open invoices.

Issues invoices, builds the bank's camt.053 statement of how customers paid them (structured
reference, invoice number in the free text, amount from a known IBAN, two invoices in one
transfer, an overpayment, an unknown payer, a returned payment), imports it and prints what
cash application decided for each entry; then a person confirms a suggestion, and a SEPA
direct-debit collection file is written for a customer with a mandate.

Run: ``python examples/bank_import.py [--out DIR]`` (SQLite in DIR when s2c-sqlalchemy is
installed, else in memory; needs the s2c-bank plugin).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import s2c_bank.plugin
from s2c_bank.testing import make_camt053

from s2c_core import S2C, Company, FixedClock, Invoice, Line, Money, Policy, VatCategory

COMPANY = Company(
    "Atelier Exemple SRL",
    vat_number="BE0123456749",
    iban="BE71096123456769",
    bic="GKCCBEBB",
    creditor_id="BE68ZZZ0123456789",
)
PAID_ON = date(2026, 3, 20)


def open_app(out: Path, clock: FixedClock) -> S2C:
    """A fresh SQLite file in *out* when s2c-sqlalchemy is installed, else in memory."""
    policy = Policy.default_eu("BE", company=COMPANY)
    plugins: list[object] = [s2c_bank.plugin]
    url = "memory://"
    try:
        import s2c_sqlalchemy.plugin
    except ImportError:
        pass
    else:
        db = out / "bank_import.db"
        if db.exists():
            db.unlink()
        plugins.append(s2c_sqlalchemy.plugin)
        url = f"sqlite:///{db}"
    return S2C.open(url, clock=clock, policy=policy, plugins=plugins, load_entry_points=False)


def invoice(app: S2C, customer_id: str, amount: str, text: str) -> Invoice:
    line = Line(
        "svc",  # type: ignore[arg-type]
        text,
        1,
        Money(amount, "EUR"),
        vat_category=VatCategory.ZERO,
        vat_rate=0,
    )
    return app.invoices.create(customer_id, [line])


def main(argv: list[str] | None = None) -> S2C:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    args = parser.parse_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="s2c-bank-"))
    out.mkdir(parents=True, exist_ok=True)

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = open_app(out, clock)
    print(f"Storage: {app.storage.name}")

    dupont = app.customers.register("Brasserie Dupont", iban="BE62510007547061").id
    lambert = app.customers.register("Garage Lambert").id
    client = app.customers.register("Client Exemple BV", iban="NL91ABNA0417164300").id
    kunde = app.customers.register("Kunde Beispiel GmbH", iban="DE89370400440532013000").id
    books = {
        "a": invoice(app, dupont, "1210.00", "Renovation works"),
        "b": invoice(app, dupont, "96.80", "Parts"),
        "c": invoice(app, client, "605.00", "Consulting"),
        "d": invoice(app, client, "250.00", "Training"),
        "e": invoice(app, client, "75.00", "Travel costs"),
        "f": invoice(app, kunde, "330.00", "Licence"),
        "g": invoice(app, lambert, "420.00", "Repair"),
        "h": invoice(app, lambert, "418.00", "Service"),
    }
    numbers: dict[str, str | None] = {inv.id: inv.number for inv in books.values()}
    for key, inv in books.items():
        print(f"  issued {inv.number}  {inv.total}  ref {inv.payment_reference}  ({key})")

    def pay(amount: str, text: str, name: str, iban: str) -> tuple[Money, str, str, str, date]:
        return (Money(amount, "EUR"), text, name, iban, PAID_ON)

    statement = make_camt053(
        payments=[
            pay("1210.00", books["a"].payment_reference, "Brasserie Dupont", "BE62510007547061"),
            pay(
                "605.00",
                f"Factuur {numbers[books['c'].id]}",
                "Client Exemple",
                "NL91ABNA0417164300",
            ),
            pay("96.80", "bedankt", "Brasserie Dupont", "BE62510007547061"),
            pay(
                "325.00",
                f"{books['d'].payment_reference} {books['e'].payment_reference}",
                "Client Exemple BV",
                "NL91ABNA0417164300",
            ),
            pay(
                "350.00",
                books["f"].payment_reference,
                "Kunde Beispiel GmbH",
                "DE89370400440532013000",
            ),
            pay("420.00", "garage", "G. Lambert", "FR7630006000011234567890189"),
        ],
        returns=[(0, "AC04")],
        statement_id="STMT-2026-03-20",
    )
    path = out / "statement.xml"
    path.write_bytes(statement)

    result = app.bank.import_statement(path)
    print(f"\nImported {path.name} ({result.format}): {result.counts}")
    print(f"{'#':>2}  {'amount':>10}  {'outcome':<10} {'method':<15} {'conf':>5}  invoices / note")
    for o in result.outcomes:
        names = ", ".join(str(numbers.get(i, i)) for i in o.invoice_ids)
        note = f"  ({o.message})" if o.message else ""
        if o.outcome == "matched" and o.unapplied and o.unapplied.is_positive():
            note = f"  (customer credit {o.unapplied})"
        conf = f"{o.confidence}" if o.confidence is not None else "-"
        print(
            f"{o.position:>2}  {o.amount.amount!s:>10}  {o.outcome!s:<10} {o.method:<15} "
            f"{conf:>5}  {names}{note}"
        )

    print("\nSuggestions waiting for a person:")
    for suggestion in app.bank.suggestions():
        print(f"  {suggestion.amount} from {suggestion.payer_name!r} ({suggestion.reason}):")
        for candidate in suggestion.candidates:
            invoices = ", ".join(str(numbers.get(i, i)) for i in candidate.invoice_ids)
            print(f"    {candidate.confidence}  {invoices}  {', '.join(candidate.reasons)}")
        best = suggestion.candidates[0]
        app.bank.confirm_suggestion(suggestion.payment_id, best.invoice_ids, actor="anna")
        print(f"  anna confirmed {', '.join(str(numbers[i]) for i in best.invoice_ids)}")

    print("\nInvoices now:")
    for inv in books.values():
        fresh = app.invoices.get(inv.id)
        print(f"  {fresh.number}  {fresh.status:<15} open {fresh.open_amount}")

    again = app.bank.import_statement(path)
    print(f"\nImported again: {again.counts} (each entry is applied once)")

    app.direct_debit.register_mandate(
        kunde, "DE89370400440532013000", date(2026, 1, 10), "MNDT-KB-1"
    )
    invoice(app, kunde, "49.00", "Monthly subscription")
    pain = app.direct_debit.collect(date(2026, 4, 30), date(2026, 4, 2))
    (out / "pain008.xml").write_bytes(pain)
    print(
        f"\nSEPA direct debit: {pain.count(b'<DrctDbtTxInf>')} collection(s) written to pain008.xml"
    )
    print(f"Output folder: {out}")
    return app


if __name__ == "__main__":
    main()
