"""Policies: the company's rules as plain data (credit, quotes, stock, invoicing, dunning).

A [Policy][s2c_core.policy.Policy] is frozen and passed to the application; services read it
and never hard-code a rule. ``Policy.default_eu("BE")`` gives sensible Belgian defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from attrs import evolve, field, frozen

from s2c_core.entities.common import as_decimal, as_tuple
from s2c_core.entities.party import Company
from s2c_core.errors import ConfigurationError
from s2c_core.money import Money

__all__ = [
    "CreditPolicy",
    "DunningPlan",
    "DunningStep",
    "InvoiceTrigger",
    "Policy",
    "QuotePolicy",
    "ShortagePolicy",
]


def _frozen_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


class InvoiceTrigger(StrEnum):
    """When invoices are issued automatically."""

    ON_ACCEPTANCE = "on_acceptance"  # when the quote is accepted (services, prepayment)
    ON_SHIPMENT = "on_shipment"  # one invoice per shipment (goods)
    ON_FULFILMENT = "on_fulfilment"  # one invoice when the whole order has shipped
    MANUAL = "manual"


class ShortagePolicy(StrEnum):
    """What to do with quantities stock cannot serve when an order is confirmed."""

    REFUSE = "refuse"
    BACKORDER = "backorder"


@frozen
class QuotePolicy:
    """Quote validity, reminders and the bounds beyond which an approval is needed.

    Attributes:
        valid_days: Default and maximum validity in days, counted from sending.
        valid_days_by_segment: Overrides of ``valid_days`` per customer segment.
        reminder_days_before: Days before expiry on which the customer is reminded.
        max_discount: Largest line discount (percent) a salesperson may give without approval.
        max_discount_by_segment: Overrides per customer segment.
        max_discount_by_role: Overrides per salesperson role (e.g. ``"manager": 25``).
        price_lists: Per segment, product id -> unit price; a lower price needs approval.
    """

    valid_days: int = 30
    valid_days_by_segment: Mapping[str, int] = field(factory=dict, converter=_frozen_map)
    reminder_days_before: tuple[int, ...] = field(default=(7, 2), converter=as_tuple)
    max_discount: Decimal = field(default=Decimal(10), converter=as_decimal)
    max_discount_by_segment: Mapping[str, Decimal] = field(factory=dict, converter=_frozen_map)
    max_discount_by_role: Mapping[str, Decimal] = field(factory=dict, converter=_frozen_map)
    price_lists: Mapping[str, Mapping[str, Money]] = field(factory=dict, converter=_frozen_map)

    def validity_for(self, segment: str) -> int:
        """Maximum validity in days for a customer *segment*."""
        return int(self.valid_days_by_segment.get(segment, self.valid_days))

    def discount_limit(self, segment: str, role: str = "") -> Decimal:
        """Largest discount allowed without approval for *segment* and *role* (the larger)."""
        limit = Decimal(self.max_discount_by_segment.get(segment, self.max_discount))
        if role and role in self.max_discount_by_role:
            limit = max(limit, Decimal(self.max_discount_by_role[role]))
        return limit


@frozen
class CreditPolicy:
    """Credit rules: the default decision when no plugin decides.

    First-time customers: approved up to ``first_order_approve_up_to``, denied above
    ``first_order_deny_above``, manual review in between. Returning customers in good standing
    are approved within their credit limit (review beyond it). Customers on credit hold, or
    with an invoice overdue more than ``hold_overdue_days``, are held.
    """

    first_order_approve_up_to: Money = Money("5000.00", "EUR")
    first_order_deny_above: Money = Money("25000.00", "EUR")
    hold_overdue_days: int = 30
    release_when_paid: bool = True


@frozen
class DunningStep:
    """One step of a dunning plan, relative to the due date.

    Attributes:
        offset_days: Days after the due date (negative = friendly reminder before it).
        channel: ``email``, ``letter``, ``phone_task`` or ``collection_agency``.
        template: Template name; the customer's language picks the translation.
        fee: Fixed fee charged with this step, if any.
        claim_interest: Whether statutory late-payment interest is claimed from here on.
        jurisdiction_fee: Claim the jurisdiction's statutory compensation (e.g. EUR 40).
    """

    offset_days: int
    channel: str = "email"
    template: str = "payment_reminder"
    fee: Money | None = None
    claim_interest: bool = False
    jurisdiction_fee: bool = False


@frozen
class DunningPlan:
    """Ordered dunning steps; level *n* is step *n* (1-based)."""

    code: str
    steps: tuple[DunningStep, ...] = field(converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        offsets = [s.offset_days for s in self.steps]
        if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
            raise ConfigurationError(f"dunning plan {self.code!r}: offsets must increase")


def _default_plans() -> Mapping[str, DunningPlan]:
    standard = DunningPlan(
        "standard",
        (
            DunningStep(-3, "email", "pre_due_reminder"),
            DunningStep(3, "email", "payment_reminder"),
            DunningStep(15, "email", "second_reminder", claim_interest=True),
            DunningStep(
                30,
                "letter",
                "final_notice",
                fee=Money("15.00", "EUR"),
                claim_interest=True,
                jurisdiction_fee=True,
            ),
            DunningStep(45, "phone_task", "call_customer", claim_interest=True),
            DunningStep(60, "collection_agency", "collection_handoff", claim_interest=True),
        ),
    )
    gentle = DunningPlan(
        "gentle",
        (
            DunningStep(-5, "email", "pre_due_reminder"),
            DunningStep(7, "email", "payment_reminder"),
            DunningStep(21, "email", "second_reminder"),
            DunningStep(45, "phone_task", "call_customer"),
        ),
    )
    return {"standard": standard, "gentle": gentle}


@frozen
class Policy:
    """Everything the services need to know about how this company sells and collects.

    Attributes:
        company: The seller.
        country: Jurisdiction for VAT, late interest and fees (``BE``, ``NL``, ``FR`` ...).
        invoice_trigger: When invoices are issued automatically.
        reference_scheme: ``ogm`` (Belgian structured communication) or ``rf`` (ISO 11649).
        payment_tolerance: Underpayments up to this amount are written off by rule.
        dunning_plans: Plans by code; ``dunning_plan_by_segment`` picks one per segment.
        terms: Payment terms by code (``net30``, ``eom``, ...); see ``s2c_core.terms``.
        outbox_max_attempts: Deliveries tried before a message is parked.
        outbox_backoff_seconds: First retry delay; doubled on each failure.
    """

    company: Company = Company("My Company")
    country: str = "BE"
    currency: str = "EUR"
    invoice_trigger: InvoiceTrigger = InvoiceTrigger.ON_SHIPMENT
    shortage: ShortagePolicy = ShortagePolicy.REFUSE
    quote: QuotePolicy = QuotePolicy()
    credit: CreditPolicy = CreditPolicy()
    reference_scheme: str = "ogm"
    payment_tolerance: Money = Money("0.05", "EUR")
    invoice_series: str = "INV"
    credit_note_series: str = "CN"
    dunning_plans: Mapping[str, DunningPlan] = field(factory=_default_plans, converter=_frozen_map)
    default_dunning_plan: str = "standard"
    dunning_plan_by_segment: Mapping[str, str] = field(factory=dict, converter=_frozen_map)
    terms: Mapping[str, Any] = field(factory=dict, converter=_frozen_map)
    outbox_max_attempts: int = 5
    outbox_backoff_seconds: int = 60
    match_threshold: Decimal = field(default=Decimal("0.80"), converter=as_decimal)

    @classmethod
    def default_eu(
        cls, country: str = "BE", *, company: Company | None = None, **changes: Any
    ) -> Policy:
        """Defaults for an EU company in *country*: OGM references in BE, RF elsewhere."""
        base = cls(
            company=company or Company("My Company"),
            country=country,
            reference_scheme="ogm" if country == "BE" else "rf",
        )
        return evolve(base, **changes) if changes else base

    def dunning_plan_for(self, segment: str, plan_code: str | None = None) -> DunningPlan:
        """The plan for a customer: its own code, else its segment's, else the default."""
        code = plan_code or self.dunning_plan_by_segment.get(segment, self.default_dunning_plan)
        try:
            return self.dunning_plans[code]
        except KeyError:
            raise ConfigurationError(f"unknown dunning plan {code!r}") from None
