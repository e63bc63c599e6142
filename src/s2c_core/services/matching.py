"""Cash application: decide which invoices a bank entry pays. Pure decision logic, no storage.

The bank import service ([BankService][s2c_core.services.bank.BankService]) reads the clues of
an entry ([clues_of][s2c_core.services.matching.clues_of]), fetches what storage knows about
them in bulk ([MatchFacts][s2c_core.services.matching.MatchFacts]) and asks
[decide][s2c_core.services.matching.decide] what to do. Matching order:

1. **Structured reference** (OGM/VCS or RF, from the structured field or found in the free
   text) equal to an invoice's ``payment_reference``: confidence 1.0. Several references settle
   several invoices, in the order given; what is left is the customer's credit.
2. **Invoice number** in the free text (``INV-2026-000123``, ``INV2026000123``,
   ``inv 2026/123`` ...): confidence 0.95 when the amount fits the invoices' open amount
   (exactly, within the payment tolerance, or at the early-payment discount), 0.60 otherwise.
3. **Amount and payer**: the payer is found by IBAN (``Customer.iban``) or by name similarity;
   candidates are the customer's open invoices, a single one whose open amount fits, or several
   whose open amounts add up to the entry (one transfer settling several invoices). Without a
   known payer, open invoices of exactly that amount are still offered as candidates. Confidence
   is ``0.9 x (0.55 amount + 0.30 payer + 0.15 date)`` where the payer counts 1 when found by
   IBAN and ``0.85 x (similarity - 0.6) / 0.4`` by name, lowered by a fifth when two candidates
   are equally good, so it never reaches the certainty of a reference or invoice number (with
   the default threshold 0.80, a name needs a similarity of about 0.9 to apply on its own).

A decision below ``Policy.match_threshold`` applies nothing: the payment waits unapplied, with
its ranked candidates, for a person.

Example:
    >>> from s2c_core.money import Money
    >>> from s2c_core.services.matching import find_invoice_numbers
    >>> find_invoice_numbers("Factuur INV 2026/42 en inv2026000043", series=("INV",))
    ('INV-2026-000042', 'INV-2026-000043')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher
from enum import StrEnum
from functools import lru_cache
from typing import Final

from attrs import field, frozen

from s2c_core.entities.common import as_tuple
from s2c_core.entities.receivables import Invoice
from s2c_core.entities.statement import BankEntry
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.money import Money
from s2c_core.references import (
    ReferenceScheme,
    detect_reference,
    find_references_in_text,
    ogm_vcs,
    rf_creditor,
)

__all__ = [
    "APPLICABLE_STATES",
    "Candidate",
    "CustomerHit",
    "Decision",
    "EntryClues",
    "MatchFacts",
    "MatchMethod",
    "amount_fits",
    "clues_of",
    "decide",
    "find_invoice_numbers",
    "greedy_plan",
    "name_similarity",
    "normalise_name",
]

APPLICABLE_STATES: Final = frozenset(
    {InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.WRITTEN_OFF}
)
"""Invoice states cash is applied to automatically (disputed invoices wait for a person)."""

REFERENCE_CONFIDENCE: Final = Decimal("1.00")
NUMBER_CONFIDENCE: Final = Decimal("0.95")
NUMBER_MISFIT_CONFIDENCE: Final = Decimal("0.60")
MAX_CANDIDATES: Final = 5
_SUBSET_LIMIT: Final = 20  # invoices looked at when searching several that add up
_SUBSET_BUDGET: Final = 20_000  # search nodes, so a customer with many invoices stays cheap
_CENT: Final = Decimal("0.01")


class MatchMethod(StrEnum):
    """How a payment was matched."""

    REFERENCE = "reference"
    INVOICE_NUMBER = "invoice_number"
    AMOUNT = "amount"
    MANUAL = "manual"
    NONE = "none"


# -- clues ----------------------------------------------------------------------------------


@frozen
class EntryClues:
    """What a bank entry says about the invoices it pays.

    Attributes:
        references: Valid structured references, printed form (``+++090/9337/55493+++``,
            ``RF73 INV2 0260 042``), the structured field first, then those in the text.
        numbers: Invoice numbers found in the text, in our canonical form.
        invalid_reference: A structured reference given whose check digits are wrong.
        iban: The payer's IBAN, compact, upper case.
        name: The payer's name as given.
    """

    references: tuple[str, ...] = field(default=(), converter=as_tuple)
    numbers: tuple[str, ...] = field(default=(), converter=as_tuple)
    invalid_reference: str = ""
    iban: str = ""
    name: str = ""


def _printed(scheme: ReferenceScheme, compact: str) -> str:
    return (
        ogm_vcs.format(compact)
        if scheme is ReferenceScheme.OGM_VCS
        else rf_creditor.format(compact)
    )


@lru_cache(maxsize=64)
def _number_pattern(series: str) -> re.Pattern[str]:
    # series, optional separators, a 4-digit year (19xx/20xx), separators, 1-9 digits
    return re.compile(
        r"(?<![0-9A-Za-z])"
        + re.escape(series)
        + r"[\s\-_/.#:]{0,3}((?:19|20)\d{2})[\s\-_/.]{0,3}(\d{1,9})(?!\d)",
        re.IGNORECASE,
    )


def find_invoice_numbers(text: str, *, series: Sequence[str]) -> tuple[str, ...]:
    """Invoice numbers of *series* in *text*, canonical (``INV-2026-000123``), in text order.

    Our numbers are ``<series>-<year>-<6 digits>``; payers also write them without dashes, with
    blanks or slashes, or without the leading zeros. Each number is returned once.

    Example:
        >>> find_invoice_numbers("F-2026-0043 / Factuur F-2026-0043", series=("F",))
        ('F-2026-000043',)
    """
    found: list[tuple[int, str]] = []
    for name in series:
        if not name:
            continue
        for match in _number_pattern(name).finditer(text):
            number = int(match.group(2))
            if number > 0:
                found.append((match.start(), f"{name}-{match.group(1)}-{number:06d}"))
    found.sort()
    seen: dict[str, None] = {}
    for _, number_text in found:
        seen.setdefault(number_text, None)
    return tuple(seen)


def clues_of(entry: BankEntry, *, series: Sequence[str]) -> EntryClues:
    """The clues of *entry*: valid references, invoice numbers of *series*, payer IBAN and name.

    A structured reference whose check digits are wrong is kept as ``invalid_reference`` (for
    the person who looks at the payment) and searched for invoice numbers like free text.
    """
    references: list[str] = []
    invalid = ""
    text = entry.remittance_text or ""
    if entry.structured_reference:
        found = detect_reference(entry.structured_reference)
        if found is None:
            invalid = entry.structured_reference
            text = f"{entry.structured_reference} {text}"
        else:
            references.append(_printed(*found))
    masked = text
    for match in find_references_in_text(text):
        printed = _printed(match.scheme, match.value)
        if printed not in references:
            references.append(printed)
        masked = masked[: match.start] + " " * (match.end - match.start) + masked[match.end :]
    numbers = find_invoice_numbers(masked, series=series) if masked.strip() else ()
    iban = "".join((entry.counterparty_iban or "").split()).upper()
    return EntryClues(tuple(references), numbers, invalid, iban, entry.counterparty_name or "")


# -- names ----------------------------------------------------------------------------------

_LEGAL_FORMS: Final = frozenset(
    {
        "ag", "asbl", "bv", "bvba", "co", "cv", "cvba", "ev", "gcv", "gmbh", "inc", "kg",
        "llc", "ltd", "nv", "plc", "sa", "sarl", "sas", "sc", "scrl", "sl", "snc", "spa",
        "sprl", "srl", "vof", "vzw",
    }
)  # fmt: skip
_NON_WORD: Final = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=4096)
def normalise_name(name: str) -> str:
    """*name* folded for comparison: no accents, lower case, no punctuation or legal forms.

    Example:
        >>> normalise_name("Brasserie Dupont S.A.")
        'brasserie dupont'
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = folded.replace(".", "")
    words = [w for w in _NON_WORD.split(folded) if w and w not in _LEGAL_FORMS]
    return " ".join(words)


def name_similarity(a: str, b: str) -> float:
    """Similarity of two names from 0 to 1: the better of word overlap and character ratio.

    Example:
        >>> name_similarity("Brasserie Dupont S.A.", "DUPONT BRASSERIE")
        1.0
        >>> name_similarity("Brasserie Dupont", "Garage Lambert") < 0.5
        True
    """
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    words_l, words_r = set(left.split()), set(right.split())
    overlap = len(words_l & words_r) / len(words_l | words_r)
    left_sorted, right_sorted = " ".join(sorted(words_l)), " ".join(sorted(words_r))
    ratio = SequenceMatcher(None, left_sorted, right_sorted).ratio()
    return round(max(overlap, ratio), 4)


# -- facts and decisions --------------------------------------------------------------------


@frozen
class CustomerHit:
    """A customer who may be the payer.

    Attributes:
        customer_id: The customer.
        via: ``"iban"`` (the payer's account is the customer's) or ``"name"``.
        similarity: 1.0 for an IBAN, else the name similarity.
    """

    customer_id: str
    via: str
    similarity: float = 1.0


def _frozen_map(value: Mapping[str, Sequence[Invoice]]) -> Mapping[str, tuple[Invoice, ...]]:
    return {key: tuple(items) for key, items in value.items()}


@frozen
class MatchFacts:
    """What storage knows about an entry's clues, read fresh in the same unit of work.

    Attributes:
        by_reference: Invoices by payment reference (any state; settled ones tell the payer).
        by_number: Invoices by number (any state).
        customers: Possible payers, best first.
        open_by_customer: Each possible payer's open invoices.
        same_amount: Open invoices whose open amount equals the entry amount (a few at most),
            used when nothing else points to an invoice.
        open_amounts: Open amount by invoice id, when the caller has it already (computing it
            sums the invoice's lines); computed from the invoice when absent.
    """

    by_reference: Mapping[str, tuple[Invoice, ...]] = field(factory=dict, converter=_frozen_map)
    by_number: Mapping[str, tuple[Invoice, ...]] = field(factory=dict, converter=_frozen_map)
    customers: tuple[CustomerHit, ...] = field(default=(), converter=as_tuple)
    open_by_customer: Mapping[str, tuple[Invoice, ...]] = field(factory=dict, converter=_frozen_map)
    same_amount: tuple[Invoice, ...] = field(default=(), converter=as_tuple)
    open_amounts: Mapping[str, Money] = field(factory=dict)


@frozen
class Candidate:
    """One way to apply an entry: an invoice, or several that add up, with its confidence.

    Attributes:
        invoice_ids: The invoices, oldest due first.
        customer_id: Their customer.
        amount: Their open amount together.
        confidence: 0 to 1, two decimals.
        reasons: Why it is a candidate (``reference``, ``iban``, ``exact_amount`` ...).
    """

    invoice_ids: tuple[str, ...] = field(converter=as_tuple)
    customer_id: str
    amount: Money
    confidence: Decimal
    reasons: tuple[str, ...] = field(default=(), converter=as_tuple)

    def as_data(self) -> dict[str, object]:
        """JSON-safe form, for events."""
        return {
            "invoice_ids": list(self.invoice_ids),
            "customer_id": self.customer_id,
            "amount": str(self.amount.amount),
            "currency": self.amount.currency.code,
            "confidence": str(self.confidence),
            "reasons": list(self.reasons),
        }


@frozen
class Decision:
    """What to do with a received amount.

    Attributes:
        method: How it was matched (``none`` when nothing was applied nor identified).
        confidence: Confidence of the best candidate (1.0 for a reference), 0 when none.
        plan: ``(invoice_id, amount)`` to apply; empty when the payment waits for a person.
        candidates: Ranked candidates (the applied one first when applied).
        customer_id: The payer when known (from the invoices, or by IBAN).
        reason: Why nothing (or not everything) was applied, e.g. ``below_threshold``.
    """

    method: MatchMethod
    confidence: Decimal
    plan: tuple[tuple[str, Money], ...] = field(default=(), converter=as_tuple)
    candidates: tuple[Candidate, ...] = field(default=(), converter=as_tuple)
    customer_id: str | None = None
    reason: str = ""

    @property
    def applied(self) -> bool:
        """True when the plan applies something."""
        return bool(self.plan)

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        """The invoices the plan applies to."""
        return tuple(invoice_id for invoice_id, _ in self.plan)


def _q(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(_CENT)


class _Opens:
    """Open amounts of the invoices of one decision, each computed once."""

    def __init__(self, known: Mapping[str, Money]) -> None:
        self._known = dict(known)

    def __call__(self, invoice: Invoice) -> Money:
        found = self._known.get(invoice.id)
        if found is None:
            found = self._known[invoice.id] = invoice.open_amount
        return found


def _applicable(invoice: Invoice, currency: str) -> bool:
    return (
        invoice.kind == "invoice"
        and invoice.status in APPLICABLE_STATES
        and invoice.currency == currency
    )


def amount_fits(
    invoice: Invoice,
    amount: Money,
    on: date,
    *,
    tolerance: Money,
    open_amount: Money | None = None,
) -> bool:
    """True when *amount* settles *invoice*: its open amount, short by at most the tolerance,
    or the total less the early-payment discount when paid in the discount window.

    *open_amount* is the invoice's open amount when the caller has it already.
    """
    if open_amount is None:
        open_amount = invoice.open_amount
    if amount.currency != open_amount.currency or amount > open_amount:
        return False
    if amount == open_amount:
        return True
    if tolerance.currency == amount.currency and open_amount - amount <= tolerance:
        return True
    if (
        invoice.discount_percent
        and invoice.discount_until
        and invoice.paid is None
        and on <= invoice.discount_until
    ):
        offered = invoice.total.multiply(Decimal(invoice.discount_percent) / 100)
        return open_amount - amount <= offered
    return False


def greedy_plan(
    invoices: Iterable[Invoice],
    amount: Money,
    *,
    open_amounts: Mapping[str, Money] | None = None,
) -> tuple[tuple[str, Money], ...]:
    """Apply *amount* to *invoices* in order, each up to its open amount: ``(id, amount)``.

    *open_amounts* gives invoices' open amounts by id when the caller has them already.
    """
    return _greedy(invoices, amount, _Opens(open_amounts or {}))


def _greedy(
    invoices: Iterable[Invoice], amount: Money, opens: _Opens
) -> tuple[tuple[str, Money], ...]:
    plan: list[tuple[str, Money]] = []
    left = amount
    for invoice in invoices:
        if not left.is_positive():
            break
        open_amount = opens(invoice)
        take = left if left <= open_amount else open_amount
        if take.is_positive():
            plan.append((invoice.id, take))
            left -= take
    return tuple(plan)


def _unique(invoices: Iterable[Invoice]) -> list[Invoice]:
    seen: dict[str, Invoice] = {}
    for invoice in invoices:
        seen.setdefault(invoice.id, invoice)
    return list(seen.values())


def _date_score(invoice: Invoice, on: date) -> float:
    """1 when paid between issue and due date (plus a week), then down to 0 over 90 days."""
    due = invoice.due_date or invoice.issue_date
    if due is None:
        return 0.5
    if invoice.issue_date is not None and on < invoice.issue_date:
        return 0.3
    late = (on - due).days - 7
    if late <= 0:
        return 1.0
    return max(0.0, 1.0 - late / 90)


def _due_key(invoice: Invoice) -> tuple[date, str]:
    return (invoice.due_date or invoice.issue_date or date.min, invoice.id)


def _subset(invoices: Sequence[Invoice], target: int, opens: _Opens) -> tuple[Invoice, ...] | None:
    """Two or more of *invoices* (oldest due first) whose open amounts add up to *target* cents.

    The oldest-first run is tried first (a customer settling everything up to some date), then
    a bounded depth-first search that prefers older invoices.
    """
    items = [(inv, opens(inv).minor_units) for inv in invoices[:_SUBSET_LIMIT]]
    items = [(inv, cents) for inv, cents in items if 0 < cents <= target]
    running = 0
    for count, (_, cents) in enumerate(items, start=1):
        running += cents
        if running == target and count >= 2:
            return tuple(inv for inv, _ in items[:count])
        if running > target:
            break
    suffix = [0] * (len(items) + 1)
    for i in range(len(items) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + items[i][1]
    budget = _SUBSET_BUDGET
    chosen: list[int] = []

    def search(start: int, left: int) -> bool:
        nonlocal budget
        for i in range(start, len(items)):
            budget -= 1
            if budget <= 0 or suffix[i] < left:
                return False
            cents = items[i][1]
            if cents > left:
                continue
            chosen.append(i)
            if cents == left and len(chosen) >= 2:
                return True
            if cents < left and search(i + 1, left - cents):
                return True
            chosen.pop()
        return False

    if search(0, target):
        return tuple(items[i][0] for i in chosen)
    return None


_FITTING: Final = ("amount_fits", "exact_amount_only")


def _fits(candidate: Candidate) -> bool:
    return any(r in _FITTING or r.startswith("sum_of_") for r in candidate.reasons)


def _amount_candidates(
    amount: Money,
    on: date,
    facts: MatchFacts,
    opens: _Opens,
    *,
    tolerance: Money,
    pinned: str | None = None,
) -> list[Candidate]:
    """Tier 3: the possible payers' open invoices scored by amount, payer and date."""
    currency = amount.currency.code
    out: list[Candidate] = []
    hits = list(facts.customers)
    if pinned is not None and all(hit.customer_id != pinned for hit in hits):
        hits.insert(0, CustomerHit(pinned, "invoice", 1.0))
    for hit in hits:
        identity = (
            1.0 if hit.via in ("iban", "invoice") else 0.85 * max(0.0, hit.similarity - 0.6) / 0.4
        )
        who = hit.via if hit.via != "name" else f"name {hit.similarity:.2f}"
        invoices = sorted(
            (
                i
                for i in facts.open_by_customer.get(hit.customer_id, ())
                if _applicable(i, currency)
            ),
            key=_due_key,
        )
        for invoice in invoices:
            fits = amount_fits(invoice, amount, on, tolerance=tolerance, open_amount=opens(invoice))
            score = 0.9 * (0.55 * fits + 0.30 * identity + 0.15 * _date_score(invoice, on))
            reasons = (who, "amount_fits" if fits else "amount_differs")
            out.append(
                Candidate((invoice.id,), hit.customer_id, opens(invoice), _q(score), reasons)
            )
        subset = _subset(invoices, amount.minor_units, opens) if len(invoices) >= 2 else None
        if subset is not None:
            dates = sum(_date_score(i, on) for i in subset) / len(subset)
            score = 0.9 * (0.55 * 0.9 + 0.30 * identity + 0.15 * dates)
            out.append(
                Candidate(
                    tuple(i.id for i in subset),
                    hit.customer_id,
                    amount,
                    _q(score),
                    (who, f"sum_of_{len(subset)}"),
                )
            )
    known = {c.invoice_ids for c in out}
    for invoice in sorted(facts.same_amount, key=_due_key):
        if (invoice.id,) in known or not _applicable(invoice, currency):
            continue
        if opens(invoice) != amount:
            continue
        score = 0.9 * (0.55 + 0.15 * _date_score(invoice, on))
        out.append(
            Candidate(
                (invoice.id,),
                invoice.customer_id,
                opens(invoice),
                _q(score),
                ("exact_amount_only",),
            )
        )
    out.sort(key=lambda c: (-c.confidence, len(c.invoice_ids), c.invoice_ids))
    if len(out) >= 2 and out[0].confidence == out[1].confidence and _fits(out[0]):
        penalised = _q(out[0].confidence * Decimal("0.8"))
        ties = [c for c in out if c.confidence == out[0].confidence]
        rest = out[len(ties) :]
        out = [
            Candidate(c.invoice_ids, c.customer_id, c.amount, penalised, (*c.reasons, "ambiguous"))
            for c in ties
        ] + rest
    return out


def _plan_for(
    candidate: Candidate, invoices: Mapping[str, Invoice], amount: Money, opens: _Opens
) -> tuple[tuple[str, Money], ...]:
    return _greedy((invoices[i] for i in candidate.invoice_ids), amount, opens)


def _all_invoices(facts: MatchFacts) -> dict[str, Invoice]:
    found: dict[str, Invoice] = {}
    for group in (
        *facts.by_reference.values(),
        *facts.by_number.values(),
        *facts.open_by_customer.values(),
        facts.same_amount,
    ):
        for invoice in group:
            found.setdefault(invoice.id, invoice)
    return found


def decide(
    amount: Money,
    on: date,
    clues: EntryClues,
    facts: MatchFacts,
    *,
    threshold: Decimal,
    tolerance: Money,
) -> Decision:
    """Decide how to apply a received *amount* booked *on* a day, from its clues and facts.

    Never plans more than *amount*, nor more than an invoice's open amount, nor the same
    invoice twice; whatever the plan leaves is the customer's credit (unapplied).

    Args:
        amount: The amount received (positive).
        on: The booking date (for the discount window and date proximity).
        clues: The entry's clues ([clues_of][s2c_core.services.matching.clues_of]).
        facts: What storage knows about those clues.
        threshold: Minimum confidence to apply without a person (``Policy.match_threshold``).
        tolerance: Underpayment written off by rule (``Policy.payment_tolerance``).
    """
    if not amount.is_positive():
        return Decision(MatchMethod.NONE, Decimal("0.00"), reason="not_a_credit")
    everything = _all_invoices(facts)
    opens = _Opens(facts.open_amounts)
    # 1. structured references
    referenced = _unique(
        i
        for ref in clues.references
        for i in facts.by_reference.get(ref, ())
        if i.kind == "invoice"
    )
    if referenced:
        return _decide_known(
            MatchMethod.REFERENCE,
            referenced,
            amount,
            on,
            facts,
            opens,
            threshold=threshold,
            tolerance=tolerance,
        )
    # 2. invoice numbers in the text
    numbered = _unique(
        i
        for number in clues.numbers
        for i in facts.by_number.get(number, ())
        if i.kind == "invoice"
    )
    if numbered:
        return _decide_known(
            MatchMethod.INVOICE_NUMBER,
            numbered,
            amount,
            on,
            facts,
            opens,
            threshold=threshold,
            tolerance=tolerance,
        )
    # 3. amount and payer
    candidates = _amount_candidates(amount, on, facts, opens, tolerance=tolerance)
    candidates = candidates[:MAX_CANDIDATES]
    payer = next((hit.customer_id for hit in facts.customers if hit.via == "iban"), None)
    if candidates and candidates[0].confidence >= threshold:
        best = candidates[0]
        return Decision(
            MatchMethod.AMOUNT,
            best.confidence,
            _plan_for(best, everything, amount, opens),
            candidates,
            best.customer_id,
        )
    best_confidence = candidates[0].confidence if candidates else Decimal("0.00")
    reason = "below_threshold" if candidates else "no_candidate"
    return Decision(MatchMethod.NONE, best_confidence, (), candidates, payer, reason)


def _decide_known(
    method: MatchMethod,
    invoices: list[Invoice],
    amount: Money,
    on: date,
    facts: MatchFacts,
    opens: _Opens,
    *,
    threshold: Decimal,
    tolerance: Money,
) -> Decision:
    """Tiers 1 and 2: the entry names its invoices."""
    currency = amount.currency.code
    customer_id = invoices[0].customer_id
    open_ones = [i for i in invoices if _applicable(i, currency)]
    if method is MatchMethod.REFERENCE:
        confidence = REFERENCE_CONFIDENCE
    else:
        total = sum(opens(i).minor_units for i in open_ones)
        fits = bool(open_ones) and (
            total == amount.minor_units
            or (
                len(open_ones) == 1
                and amount_fits(
                    open_ones[0], amount, on, tolerance=tolerance, open_amount=opens(open_ones[0])
                )
            )
        )
        confidence = NUMBER_CONFIDENCE if fits else NUMBER_MISFIT_CONFIDENCE
    named = Candidate(
        tuple(i.id for i in open_ones) or tuple(i.id for i in invoices),
        customer_id,
        Money.from_minor(sum(opens(i).minor_units for i in open_ones), currency)
        if open_ones
        else Money.zero(currency),
        confidence,
        (str(method),),
    )
    if open_ones and confidence >= threshold:
        return Decision(
            method, confidence, _greedy(open_ones, amount, opens), (named,), customer_id
        )
    # named invoices already settled (a second payment), disputed, or amount does not fit:
    # keep the money as the customer's credit and let a person choose.
    others = _amount_candidates(amount, on, facts, opens, tolerance=tolerance, pinned=customer_id)
    capped = [
        Candidate(
            c.invoice_ids,
            c.customer_id,
            c.amount,
            min(c.confidence, _q(threshold) - _CENT),
            c.reasons,
        )
        for c in others
        if c.invoice_ids != named.invoice_ids
    ]
    ranked = ([named] if open_ones else []) + capped
    ranked.sort(key=lambda c: -c.confidence)
    reason = "amount_differs" if open_ones else "invoice_not_open"
    return Decision(
        MatchMethod.NONE,
        confidence if open_ones else Decimal("0.00"),
        (),
        ranked[:MAX_CANDIDATES],
        customer_id,
        reason,
    )
