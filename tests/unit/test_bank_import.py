"""Importing bank statements through ``app.bank``: matching, credit, returns, exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import s2c_bank.plugin
from s2c_bank.testing import make_camt053

from s2c_core import (
    S2C,
    BackendNotFoundError,
    BusinessRuleError,
    Company,
    ConflictError,
    FixedClock,
    Invoice,
    Line,
    Money,
    ParseError,
    Policy,
    VatCategory,
)
from s2c_core.services.bank import Outcome

PAID_ON = date(2026, 3, 10)
IBAN_DUPONT = "BE71096123456769"
IBAN_OTHER = "NL91ABNA0417164300"


@pytest.fixture
def app() -> Iterator[S2C]:
    application = S2C.open(
        "memory://",
        clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
        policy=Policy.default_eu("BE", company=Company("Groothandel Peeters BV")),
        plugins=[s2c_bank.plugin],
        load_entry_points=False,
    )
    yield application
    application.close()


def _customer(app: S2C, name: str = "Brasserie Dupont", iban: str = IBAN_DUPONT) -> str:
    return app.customers.register(name, iban=iban).id


def _invoice(app: S2C, customer_id: str, amount: str) -> Invoice:
    line = Line(
        "svc",
        "Service",
        1,
        Money(amount, "EUR"),
        vat_category=VatCategory.ZERO,  # type: ignore[arg-type]
        vat_rate=0,
    )
    return app.invoices.create(customer_id, [line])


def _pay(
    amount: str,
    text: str,
    name: str = "Brasserie Dupont",
    iban: str = IBAN_DUPONT,
    day: date = PAID_ON,
) -> tuple[Money, str, str, str, date]:
    return (Money(amount, "EUR"), text, name, iban, day)


def _names(app: S2C) -> list[str]:
    return [e.name for e in app.events(limit=100_000)]


# -- matching ---------------------------------------------------------------------------------


def test_a_payment_with_the_structured_reference_pays_its_invoice(app: S2C) -> None:
    invoice = _invoice(app, _customer(app), "121.00")
    result = app.bank.import_statement(
        make_camt053(payments=[_pay("121.00", invoice.payment_reference)]), label="day.xml"
    )
    (outcome,) = result.outcomes
    assert (outcome.outcome, outcome.method, outcome.confidence) == (
        Outcome.MATCHED,
        "reference",
        Decimal("1.00"),
    )
    assert outcome.invoice_ids == (invoice.id,)
    assert app.invoices.get(invoice.id).status == "paid"
    payment = app.payments.get(outcome.payment_id or "")
    assert payment.status == "allocated"
    assert payment.entry_key == outcome.entry_key
    assert result.format == "camt.053"
    assert result.source == "day.xml"


def test_an_invoice_number_in_the_free_text_pays_its_invoice(app: S2C) -> None:
    invoice = _invoice(app, _customer(app), "80.00")
    compact = (invoice.number or "").replace("-", "")
    result = app.bank.import_statement(
        make_camt053(payments=[_pay("80.00", f"factuur {compact} bedankt", iban=IBAN_OTHER)])
    )
    (outcome,) = result.outcomes
    assert (outcome.method, outcome.confidence) == ("invoice_number", Decimal("0.95"))
    assert app.invoices.get(invoice.id).status == "paid"


def test_amount_and_payer_iban_pay_the_invoice_that_fits(app: S2C) -> None:
    customer = _customer(app)
    other = _invoice(app, customer, "300.00")
    fits = _invoice(app, customer, "75.50")
    result = app.bank.import_statement(make_camt053(payments=[_pay("75.50", "merci")]))
    (outcome,) = result.outcomes
    assert outcome.method == "amount"
    assert outcome.invoice_ids == (fits.id,)
    assert outcome.confidence is not None
    assert outcome.confidence >= Decimal("0.80")
    assert app.invoices.get(other.id).status == "issued"


def test_one_transfer_can_settle_several_invoices(app: S2C) -> None:
    customer = _customer(app)
    one, two, three = (_invoice(app, customer, a) for a in ("100.00", "40.00", "25.00"))
    by_refs = f"{one.payment_reference} {two.payment_reference}"
    result = app.bank.import_statement(
        make_camt053(payments=[_pay("140.00", by_refs), _pay("25.00", "rest", iban=IBAN_DUPONT)])
    )
    assert result.outcomes[0].invoice_ids == (one.id, two.id)
    assert result.outcomes[1].invoice_ids == (three.id,)
    assert {app.invoices.get(i.id).status for i in (one, two, three)} == {"paid"}


def test_several_invoices_found_by_their_sum_from_the_payer_iban(app: S2C) -> None:
    customer = _customer(app)
    a, b, c = (_invoice(app, customer, x) for x in ("10.00", "25.00", "40.00"))
    (outcome,) = app.bank.import_statement(make_camt053(payments=[_pay("50.00", "x")])).outcomes
    assert outcome.outcome is Outcome.MATCHED
    assert sorted(outcome.invoice_ids) == sorted([a.id, c.id])
    assert app.invoices.get(b.id).status == "issued"


def test_an_overpayment_pays_the_invoice_and_the_rest_becomes_customer_credit(app: S2C) -> None:
    customer = _customer(app)
    invoice = _invoice(app, customer, "100.00")
    (outcome,) = app.bank.import_statement(
        make_camt053(payments=[_pay("130.00", invoice.payment_reference)])
    ).outcomes
    assert outcome.unapplied == Money("30.00", "EUR")
    payment = app.payments.get(outcome.payment_id or "")
    assert payment.status == "partially_allocated"
    assert payment.customer_id == customer
    assert app.invoices.get(invoice.id).status == "paid"
    later = _invoice(app, customer, "30.00")
    app.payments.apply_credit(customer)
    assert app.invoices.get(later.id).status == "paid"


def test_every_decision_is_an_event_with_method_and_confidence(app: S2C) -> None:
    invoice = _invoice(app, _customer(app), "50.00")
    app.bank.import_statement(
        make_camt053(
            payments=[
                _pay("50.00", invoice.payment_reference),
                _pay("9.99", "unknown", name="Nobody", iban=IBAN_OTHER),
            ]
        )
    )
    events = app.events(limit=100_000)
    matched = [e for e in events if e.name == "PaymentMatched"]
    unmatched = [e for e in events if e.name == "PaymentUnmatched"]
    assert [e.data["method"] for e in matched] == ["reference"]
    assert matched[0].data["confidence"] == "1.00"
    assert matched[0].data["invoice_ids"] == [invoice.id]
    assert [e.data["reason"] for e in unmatched] == ["no_candidate"]
    assert any(e.name == "BankStatementImported" for e in events)
    assert all(e.actor == "bank-import" for e in matched + unmatched)


# -- suggestions ------------------------------------------------------------------------------


def test_an_uncertain_payment_waits_unapplied_with_ranked_suggestions(app: S2C) -> None:
    customer = _customer(app, "Garage Lambert", iban="")
    small = _invoice(app, customer, "60.00")
    big = _invoice(app, customer, "61.00")
    (outcome,) = app.bank.import_statement(
        make_camt053(payments=[_pay("60.00", "garage", name="G. Lambert", iban=IBAN_OTHER)])
    ).outcomes
    assert outcome.outcome is Outcome.UNMATCHED
    assert app.payments.get(outcome.payment_id or "").status == "unapplied"
    (suggestion,) = app.bank.suggestions()
    assert suggestion.payment_id == outcome.payment_id
    assert suggestion.reason == "below_threshold"
    assert suggestion.amount == Money("60.00", "EUR")
    assert suggestion.candidates[0].invoice_ids == (small.id,)
    assert big.id in {i for c in suggestion.candidates for i in c.invoice_ids}
    assert suggestion.candidates[0].confidence > suggestion.candidates[-1].confidence

    payment = app.bank.confirm_suggestion(suggestion.payment_id, [small.id], actor="anna")
    assert payment.status == "allocated"
    assert app.invoices.get(small.id).status == "paid"
    assert app.bank.suggestions() == []
    manual = [e for e in app.events(limit=100_000) if e.name == "PaymentMatched"]
    assert manual[-1].data["method"] == "manual"
    assert manual[-1].actor == "anna"


def test_a_wrong_check_digit_reference_is_shown_to_the_person(app: S2C) -> None:
    invoice = _invoice(app, _customer(app, iban=""), "77.00")
    wrong = (invoice.payment_reference or "")[:-5] + "00000+++"
    app.bank.import_statement(
        make_camt053(payments=[_pay("12.00", wrong, name="X", iban=IBAN_OTHER)])
    )
    (suggestion,) = app.bank.suggestions()
    assert suggestion.reference == ""
    assert suggestion.reason == "no_candidate"


def test_confirming_a_suggestion_twice_is_refused(app: S2C) -> None:
    invoice = _invoice(app, _customer(app, iban=""), "60.00")
    (outcome,) = app.bank.import_statement(
        make_camt053(payments=[_pay("60.00", "?", name="Someone", iban=IBAN_OTHER)])
    ).outcomes
    app.bank.confirm_suggestion(outcome.payment_id or "", [invoice.id])
    with pytest.raises(Exception, match="nothing unapplied"):
        app.bank.confirm_suggestion(outcome.payment_id or "", [invoice.id])


# -- returns and other debits -----------------------------------------------------------------


def test_a_return_in_the_same_file_reopens_the_invoice(app: S2C) -> None:
    invoice = _invoice(app, _customer(app), "121.00")
    result = app.bank.import_statement(
        make_camt053(payments=[_pay("121.00", invoice.payment_reference)], returns=[(0, "AC04")])
    )
    assert [o.outcome for o in result.outcomes] == [Outcome.MATCHED, Outcome.RETURNED]
    returned = result.outcomes[1]
    assert returned.invoice_ids == (invoice.id,)
    assert returned.message == "AC04"
    assert app.payments.get(returned.payment_id or "").status == "returned"
    assert app.invoices.get(invoice.id).status == "issued"
    assert "InvoiceReopened" in _names(app)


def _only_debits(xml: bytes) -> bytes:
    """*xml* without its credit entries (a later statement carrying only the returns)."""
    head, *entries = xml.split(b"<Ntry>")
    kept = [e for e in entries if b"<CdtDbtInd>DBIT</CdtDbtInd>" in e]
    tail = entries[-1][entries[-1].index(b"</Ntry>") + len(b"</Ntry>") :]
    body = b"".join(b"<Ntry>" + e[: e.index(b"</Ntry>") + len(b"</Ntry>")] for e in kept)
    return head + body + tail


def test_a_return_in_a_later_statement_finds_the_original_payment(app: S2C) -> None:
    invoice = _invoice(app, _customer(app), "121.00")
    payments = [_pay("121.00", invoice.payment_reference)]
    first = app.bank.import_statement(make_camt053(payments=payments, statement_id="S1"))
    assert app.invoices.get(invoice.id).status == "paid"
    later = make_camt053(payments=payments, returns=[(0, "MD06")], statement_id="S2")
    (returned,) = app.bank.import_statement(_only_debits(later)).outcomes
    assert returned.outcome is Outcome.RETURNED
    assert returned.method == "end_to_end_id"
    assert returned.payment_id == first.outcomes[0].payment_id
    assert app.invoices.get(invoice.id).status == "issued"


def test_a_return_without_end_to_end_id_is_found_by_its_reference(app: S2C) -> None:
    invoice = _invoice(app, _customer(app), "121.00")
    payments = [_pay("121.00", invoice.payment_reference)]
    app.bank.import_statement(make_camt053(payments=payments, statement_id="S1"))
    later = _only_debits(make_camt053(payments=payments, returns=[(0, "AC04")], statement_id="S2"))
    later = later.replace(
        b"<EndToEndId>E2E-000001</EndToEndId>", b"<EndToEndId>NOTPROVIDED</EndToEndId>"
    )
    (outcome,) = app.bank.import_statement(later).outcomes
    assert (outcome.outcome, outcome.method) == (Outcome.RETURNED, "reference")


def test_a_return_naming_another_payment_is_not_matched_by_payer_alone(app: S2C) -> None:
    customer = _customer(app)
    one, two = _invoice(app, customer, "121.00"), _invoice(app, customer, "50.00")
    app.bank.import_statement(make_camt053(payments=[_pay("121.00", one.payment_reference)]))
    other = make_camt053(
        payments=[_pay("121.00", two.payment_reference)], returns=[(0, "AC04")], statement_id="S9"
    )
    other = _only_debits(other).replace(b"E2E-000001", b"E2E-UNKNOWN")
    (outcome,) = app.bank.import_statement(other).outcomes
    assert outcome.outcome is Outcome.RETURN_NOT_FOUND
    assert app.invoices.get(one.id).status == "paid"


def test_a_return_whose_original_is_unknown_is_reported_not_guessed(app: S2C) -> None:
    _invoice(app, _customer(app), "121.00")
    xml = make_camt053(payments=[_pay("121.00", "abc")], returns=[(0, "AC04")])
    (outcome,) = app.bank.import_statement(_only_debits(xml)).outcomes
    assert outcome.outcome is Outcome.RETURN_NOT_FOUND
    assert "BankEntryReturnUnmatched" in _names(app)


def test_fees_and_other_debits_are_ignored_and_reported(app: S2C) -> None:
    xml = make_camt053(payments=[_pay("5.00", "x")])
    fee = xml.replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>DBIT</CdtDbtInd>")
    (outcome,) = app.bank.import_statement(fee).outcomes
    assert outcome.outcome is Outcome.IGNORED
    assert outcome.amount == Money("-5.00", "EUR")
    assert app.payments.unapplied() == []


# -- exactly once -----------------------------------------------------------------------------


def test_importing_the_same_file_twice_applies_each_entry_once(app: S2C) -> None:
    customer = _customer(app)
    invoices = [_invoice(app, customer, f"{10 + n}.00") for n in range(5)]
    xml = make_camt053(
        payments=[_pay(f"{10 + n}.00", i.payment_reference) for n, i in enumerate(invoices)]
    )
    first = app.bank.import_statement(xml)
    events = len(app.events(limit=100_000))
    second = app.bank.import_statement(xml)
    assert first.matched == 5
    assert second.duplicates == 5
    new = [e.name for e in app.events(after=events, limit=100_000)]
    assert new == ["BankStatementImported"]
    assert len(app.payments.unapplied()) == 0
    assert sum(1 for e in app.events(limit=100_000) if e.name == "PaymentReceived") == 5


def test_two_imports_of_one_file_at_once_apply_each_entry_once(app: S2C) -> None:
    customer = _customer(app)
    invoices = [_invoice(app, customer, f"{100 + n}.00") for n in range(30)]
    xml = make_camt053(
        payments=[_pay(f"{100 + n}.00", i.payment_reference) for n, i in enumerate(invoices)]
    )
    app.bank._batch_size = 4  # many small units of work, so the two imports interleave
    results = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        results.append(app.bank.import_statement(xml))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.matched for r in results) == 30
    assert sum(r.duplicates for r in results) == 30
    received = [e for e in app.events(limit=100_000) if e.name == "PaymentReceived"]
    assert len(received) == 30
    assert {app.invoices.get(i.id).status for i in invoices} == {"paid"}


def test_small_batches_give_the_same_result_as_one_big_batch(app: S2C) -> None:
    customer = _customer(app)
    invoices = [_invoice(app, customer, f"{20 + n}.00") for n in range(7)]
    xml = make_camt053(
        payments=[_pay(f"{20 + n}.00", i.payment_reference) for n, i in enumerate(invoices)],
        returns=[(1, "AC04")],
    )
    app.bank._batch_size = 2  # the return lands in another unit of work than its payment
    result = app.bank.import_statement(xml)
    assert result.counts == {"matched": 7, "returned": 1}
    assert app.invoices.get(invoices[1].id).status == "issued"


# -- refused files ----------------------------------------------------------------------------


def test_a_file_refused_half_way_imports_nothing(app: S2C) -> None:
    invoice = _invoice(app, _customer(app), "10.00")
    xml = make_camt053(
        payments=[_pay("10.00", invoice.payment_reference), _pay("11.00", "x"), _pay("12.00", "y")]
    )
    parts = xml.split(b'<Amt Ccy="EUR">11.00</Amt>')
    hostile = (
        parts[0] + b'<Amt Ccy="EUR">1e309</Amt>' + b'<Amt Ccy="EUR">11.00</Amt>'.join(parts[1:])
    )
    before = len(app.events(limit=100_000))
    with pytest.raises(ParseError) as info:
        app.bank.import_statement(hostile, label="hostile.xml")
    assert info.value.source == "hostile.xml"  # type: ignore[attr-defined]
    assert info.value.field  # type: ignore[attr-defined]
    assert len(app.events(limit=100_000)) == before
    assert app.invoices.get(invoice.id).status == "issued"


def test_an_xml_file_with_a_doctype_is_refused(app: S2C) -> None:
    xml = make_camt053(payments=[_pay("10.00", "x")])
    head, _, rest = xml.partition(b"\n")
    evil = head + b'\n<!DOCTYPE Document [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' + rest
    with pytest.raises(ParseError):
        app.bank.import_statement(evil.replace(b">x<", b">&e;<"))
    assert app.payments.unapplied() == []


def test_a_file_no_parser_reads_is_refused_naming_the_installed_parsers(app: S2C) -> None:
    with pytest.raises(BackendNotFoundError) as info:
        app.bank.import_statement(b"hello, this is not a bank statement", label="notes.txt")
    assert "camt.053" in str(info.value)


def test_without_a_bank_plugin_no_file_can_be_read() -> None:
    bare = S2C.open("memory://", load_entry_points=False)
    with pytest.raises(BackendNotFoundError):
        bare.bank.import_statement(make_camt053(1))


def test_a_statement_file_on_disk_is_read_by_path(app: S2C, tmp_path: object) -> None:
    from pathlib import Path

    invoice = _invoice(app, _customer(app), "10.00")
    path = Path(str(tmp_path)) / "statement.xml"
    path.write_bytes(make_camt053(payments=[_pay("10.00", invoice.payment_reference)]))
    result = app.bank.import_statement(path)
    assert result.source == str(path)
    assert result.matched == 1


# -- failures inside a batch ------------------------------------------------------------------


def test_a_batch_hit_by_conflicts_is_applied_entry_by_entry(
    app: S2C, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = _customer(app)
    invoices = [_invoice(app, customer, f"{30 + n}.00") for n in range(4)]
    xml = make_camt053(
        payments=[_pay(f"{30 + n}.00", i.payment_reference) for n, i in enumerate(invoices)]
    )
    real = app.payments.allocate_in
    calls = {"n": 0}

    def flaky(tx, payment, plan):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] <= 2:  # the batch and its one retry
            raise ConflictError("invoice", plan[0][0], reason="a concurrent update won")
        return real(tx, payment, plan)

    monkeypatch.setattr(app.payments, "allocate_in", flaky)
    result = app.bank.import_statement(xml)
    assert result.counts == {"matched": 4}
    assert {app.invoices.get(i.id).status for i in invoices} == {"paid"}
    assert sum(1 for e in app.events(limit=100_000) if e.name == "PaymentReceived") == 4


def test_an_entry_refused_by_a_rule_fails_alone_and_a_reimport_retries_it(
    app: S2C, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = _customer(app)
    good, bad = _invoice(app, customer, "10.00"), _invoice(app, customer, "20.00")
    xml = make_camt053(
        payments=[_pay("10.00", good.payment_reference), _pay("20.00", bad.payment_reference)]
    )
    real = app.payments.allocate_in

    def refuse_bad(tx, payment, plan):  # type: ignore[no-untyped-def]
        if plan[0][0] == bad.id:
            raise BusinessRuleError("refused for the test", rule="test")
        return real(tx, payment, plan)

    monkeypatch.setattr(app.payments, "allocate_in", refuse_bad)
    first = app.bank.import_statement(xml)
    assert [o.outcome for o in first.outcomes] == [Outcome.MATCHED, Outcome.FAILED]
    assert "refused for the test" in first.outcomes[1].message
    monkeypatch.setattr(app.payments, "allocate_in", real)
    second = app.bank.import_statement(xml)
    assert [o.outcome for o in second.outcomes] == [Outcome.DUPLICATE, Outcome.MATCHED]
    assert app.invoices.get(bad.id).status == "paid"


# -- lookups: read once per import, or asked per unit of work ---------------------------------


@pytest.mark.parametrize("mode", ["snapshot", "per_batch"])
def test_invoices_are_found_the_same_way_whatever_the_lookup(
    app: S2C, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    import s2c_core.services.bank as bank

    if mode == "per_batch":
        monkeypatch.setattr(bank, "PRELOAD_MIN", 0)
        monkeypatch.setattr(bank, "PRELOAD_FACTOR", 0)
    dupont = _customer(app)
    lambert = _customer(app, "Garage Lambert", iban=IBAN_OTHER)
    by_ref, by_number, by_amount = (_invoice(app, dupont, a) for a in ("10.00", "20.00", "30.00"))
    unknown_payer = _invoice(app, lambert, "44.00")
    extra = [_invoice(app, lambert, f"{50 + n}.00") for n in range(5)]
    xml = make_camt053(
        payments=[
            _pay("10.00", by_ref.payment_reference),
            _pay("20.00", f"re {by_number.number}", iban="BE68539007547034"),
            _pay("30.00", "thanks"),
            _pay("44.00", "?", name="Someone Else", iban="FR7630006000011234567890189"),
            _pay(f"{52}.00", extra[2].payment_reference, name="Garage Lambert", iban=IBAN_OTHER),
        ]
    )
    result = app.bank.import_statement(xml)
    assert [(o.outcome, o.method) for o in result.outcomes] == [
        (Outcome.MATCHED, "reference"),
        (Outcome.MATCHED, "invoice_number"),
        (Outcome.MATCHED, "amount"),
        (Outcome.UNMATCHED, "none"),
        (Outcome.MATCHED, "reference"),
    ]
    assert [o.invoice_ids for o in result.outcomes] == [
        (by_ref.id,),
        (by_number.id,),
        (by_amount.id,),
        (),
        (extra[2].id,),
    ]
    (suggestion,) = app.bank.suggestions()
    assert suggestion.candidates[0].invoice_ids == (unknown_payer.id,)


def test_a_file_whose_dtd_hides_its_format_is_refused_as_hostile(tmp_path: Path) -> None:
    """A DOCTYPE long enough to push the root element past the sniffed head is still a
    DTD: it is refused with ParseError, not reported as an unknown format."""
    import s2c_bank.plugin

    from s2c_core import S2C, FixedClock, ParseError

    app = S2C.open(
        "memory://",
        clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)),
        plugins=[s2c_bank.plugin],
        load_entry_points=False,
    )
    hostile = tmp_path / "padded.xml"
    hostile.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE d [' + b"<!-- pad -->" * 600 + b"]>\n<Document/>"
    )
    with pytest.raises(ParseError):
        app.bank.import_statement(hostile)
