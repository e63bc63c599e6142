"""The cash-application decision on its own: tiers, confidence, plans and candidates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from s2c_core import Invoice, Line, Money, VatCategory
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.services.matching import (
    CustomerHit,
    EntryClues,
    MatchFacts,
    MatchMethod,
    amount_fits,
    decide,
    greedy_plan,
)

ON = date(2026, 3, 20)
THRESHOLD = Decimal("0.80")
TOLERANCE = Money("0.05", "EUR")


def _invoice(
    n: int,
    amount: str,
    *,
    customer: str = "cus_a",
    status: InvoiceState = InvoiceState.ISSUED,
    paid: str | None = None,
    due: date = date(2026, 4, 1),
    discount: str = "",
    discount_until: date | None = None,
) -> Invoice:
    return Invoice(
        f"inv_{n}",  # type: ignore[arg-type]
        customer,  # type: ignore[arg-type]
        "EUR",
        [
            Line(
                "svc",
                "Service",
                1,
                Money(amount, "EUR"),
                vat_category=VatCategory.ZERO,  # type: ignore[arg-type]
                vat_rate=0,
            )
        ],
        status=status,
        number=f"INV-2026-{n:06d}",
        issue_date=date(2026, 3, 2),
        due_date=due,
        payment_reference=f"REF{n}",
        paid=Money(paid, "EUR") if paid else None,
        discount_percent=discount,
        discount_until=discount_until,
    )


def _decide(amount: str, clues: EntryClues, facts: MatchFacts):  # type: ignore[no-untyped-def]
    return decide(Money(amount, "EUR"), ON, clues, facts, threshold=THRESHOLD, tolerance=TOLERANCE)


def test_a_reference_applies_with_full_confidence() -> None:
    inv = _invoice(1, "100.00")
    decision = _decide("100.00", EntryClues(references=("REF1",)), MatchFacts({"REF1": [inv]}))
    assert decision.method is MatchMethod.REFERENCE
    assert decision.confidence == Decimal("1.00")
    assert decision.plan == (("inv_1", Money("100.00", "EUR")),)
    assert decision.customer_id == "cus_a"


def test_an_overpayment_by_reference_pays_the_invoice_and_leaves_the_rest() -> None:
    inv = _invoice(1, "100.00")
    decision = _decide("130.00", EntryClues(references=("REF1",)), MatchFacts({"REF1": [inv]}))
    assert decision.plan == (("inv_1", Money("100.00", "EUR")),)


def test_several_references_settle_several_invoices_in_the_order_given() -> None:
    one, two = _invoice(1, "100.00"), _invoice(2, "40.00")
    facts = MatchFacts({"REF1": [one], "REF2": [two]})
    decision = _decide("120.00", EntryClues(references=("REF2", "REF1")), facts)
    assert decision.plan == (("inv_2", Money("40.00", "EUR")), ("inv_1", Money("80.00", "EUR")))


def test_a_reference_to_a_settled_invoice_keeps_the_money_as_credit_for_a_person() -> None:
    paid = _invoice(1, "100.00", status=InvoiceState.PAID, paid="100.00")
    other = _invoice(2, "100.00")
    facts = MatchFacts({"REF1": [paid]}, open_by_customer={"cus_a": [other]})
    decision = _decide("100.00", EntryClues(references=("REF1",)), facts)
    assert not decision.applied
    assert decision.reason == "invoice_not_open"
    assert decision.customer_id == "cus_a"
    assert decision.candidates[0].invoice_ids == ("inv_2",)
    assert decision.candidates[0].confidence < THRESHOLD


def test_an_invoice_number_with_a_fitting_amount_applies_at_095() -> None:
    inv = _invoice(7, "250.00")
    facts = MatchFacts(by_number={"INV-2026-000007": [inv]})
    decision = _decide("250.00", EntryClues(numbers=("INV-2026-000007",)), facts)
    assert (decision.method, decision.confidence) == (MatchMethod.INVOICE_NUMBER, Decimal("0.95"))
    assert decision.applied


def test_an_invoice_number_with_another_amount_waits_for_a_person() -> None:
    inv = _invoice(7, "250.00")
    facts = MatchFacts(by_number={"INV-2026-000007": [inv]})
    decision = _decide("200.00", EntryClues(numbers=("INV-2026-000007",)), facts)
    assert not decision.applied
    assert decision.reason == "amount_differs"
    assert decision.candidates[0].invoice_ids == ("inv_7",)
    assert decision.candidates[0].confidence == Decimal("0.60")


def test_a_reference_beats_an_invoice_number() -> None:
    by_ref, by_number = _invoice(1, "100.00"), _invoice(2, "100.00")
    facts = MatchFacts({"REF1": [by_ref]}, {"INV-2026-000002": [by_number]})
    clues = EntryClues(references=("REF1",), numbers=("INV-2026-000002",))
    assert _decide("100.00", clues, facts).invoice_ids == ("inv_1",)


def test_amount_and_iban_apply_to_the_invoice_whose_open_amount_fits() -> None:
    fits, other = _invoice(1, "75.00"), _invoice(2, "120.00")
    facts = MatchFacts(
        customers=[CustomerHit("cus_a", "iban")], open_by_customer={"cus_a": [other, fits]}
    )
    decision = _decide("75.00", EntryClues(iban="BE71096123456769"), facts)
    assert decision.method is MatchMethod.AMOUNT
    assert decision.invoice_ids == ("inv_1",)
    assert decision.confidence >= THRESHOLD


def test_one_transfer_settling_several_invoices_is_found_by_their_sum() -> None:
    invoices = [_invoice(1, "10.00"), _invoice(2, "25.00"), _invoice(3, "40.00")]
    facts = MatchFacts(
        customers=[CustomerHit("cus_a", "iban")], open_by_customer={"cus_a": invoices}
    )
    decision = _decide("50.00", EntryClues(), facts)
    assert decision.applied
    assert sorted(decision.invoice_ids) == ["inv_1", "inv_3"]
    assert sum(a.amount for _, a in decision.plan) == Decimal("50.00")


def test_two_equally_good_invoices_are_left_to_a_person() -> None:
    twins = [_invoice(1, "60.00"), _invoice(2, "60.00")]
    facts = MatchFacts(customers=[CustomerHit("cus_a", "iban")], open_by_customer={"cus_a": twins})
    decision = _decide("60.00", EntryClues(), facts)
    assert not decision.applied
    assert decision.reason == "below_threshold"
    assert {c.invoice_ids for c in decision.candidates[:2]} == {("inv_1",), ("inv_2",)}
    assert "ambiguous" in decision.candidates[0].reasons


def test_a_name_that_only_looks_alike_is_not_enough() -> None:
    inv = _invoice(1, "60.00")
    facts = MatchFacts(
        customers=[CustomerHit("cus_a", "name", 0.76)], open_by_customer={"cus_a": [inv]}
    )
    decision = _decide("60.00", EntryClues(name="Dupond"), facts)
    assert not decision.applied
    assert decision.candidates[0].invoice_ids == ("inv_1",)


def test_an_unknown_payer_gets_the_invoices_of_that_exact_amount_as_candidates() -> None:
    inv = _invoice(1, "60.00", customer="cus_b")
    decision = _decide("60.00", EntryClues(), MatchFacts(same_amount=[inv]))
    assert not decision.applied
    assert decision.candidates[0].invoice_ids == ("inv_1",)
    assert decision.candidates[0].customer_id == "cus_b"
    assert decision.customer_id is None


def test_nothing_at_all_is_no_candidate() -> None:
    decision = _decide("60.00", EntryClues(), MatchFacts())
    assert (decision.applied, decision.reason, decision.candidates) == (False, "no_candidate", ())


def test_disputed_invoices_are_never_applied_automatically() -> None:
    inv = _invoice(1, "100.00", status=InvoiceState.DISPUTED)
    decision = _decide("100.00", EntryClues(references=("REF1",)), MatchFacts({"REF1": [inv]}))
    assert not decision.applied


def test_amount_fits_within_tolerance_and_at_the_early_payment_discount() -> None:
    inv = _invoice(1, "100.00", discount="2", discount_until=date(2026, 3, 12))
    assert amount_fits(inv, Money("100.00", "EUR"), ON, tolerance=TOLERANCE)
    assert amount_fits(inv, Money("99.96", "EUR"), ON, tolerance=TOLERANCE)
    assert not amount_fits(inv, Money("98.00", "EUR"), ON, tolerance=TOLERANCE)
    assert amount_fits(inv, Money("98.00", "EUR"), date(2026, 3, 12), tolerance=TOLERANCE)
    assert not amount_fits(inv, Money("100.01", "EUR"), ON, tolerance=TOLERANCE)


def test_greedy_plan_never_gives_an_invoice_more_than_it_owes() -> None:
    plan = greedy_plan([_invoice(1, "30.00"), _invoice(2, "30.00")], Money("45.00", "EUR"))
    assert plan == (("inv_1", Money("30.00", "EUR")), ("inv_2", Money("15.00", "EUR")))
