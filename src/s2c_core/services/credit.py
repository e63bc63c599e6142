"""Credit decisions: exposure and the default rules (a plugin may replace them).

Exposure = open receivables + confirmed but uninvoiced orders + the order at hand (gross).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from s2c_core.codec import dump
from s2c_core.entities import CreditDecision, CreditOutcome, Customer, Order
from s2c_core.entities.common import new_id
from s2c_core.entities.registry import Range
from s2c_core.lifecycle import CustomerState, InvoiceState, OrderState
from s2c_core.money import Money, sum_money
from s2c_core.plugins import credit_decision as plugin_decision
from s2c_core.plugins import decides_credit
from s2c_core.policy import CreditPolicy
from s2c_core.services._base import Tx

__all__ = ["decide_credit", "default_rules"]

_OPEN = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.DISPUTED)
# module constants: the SQL backend keeps what a criterion's tuple compiles to per tuple object
_UNINVOICED = (OrderState.CONFIRMED, OrderState.PARTIALLY_SHIPPED)


def default_rules(
    *,
    customer: Customer,
    order_total: Money,
    exposure: Money,
    overdue_days: int,
    is_first_order: bool,
    policy: CreditPolicy,
) -> tuple[CreditOutcome, list[str]]:
    """The built-in credit rules, in order; returns the outcome and its reasons."""
    if customer.status == CustomerState.ON_HOLD:
        return CreditOutcome.HELD, [f"customer on credit hold: {customer.hold_reason}"]
    if overdue_days > policy.hold_overdue_days:
        return CreditOutcome.HELD, [
            f"invoice overdue {overdue_days} days (threshold {policy.hold_overdue_days})"
        ]
    limit = customer.credit_limit
    if is_first_order:
        if (
            order_total.currency == policy.first_order_deny_above.currency
            and order_total > policy.first_order_deny_above
        ):
            return CreditOutcome.DENIED, [
                f"first order {order_total} above {policy.first_order_deny_above}"
            ]
        if (
            order_total.currency == policy.first_order_approve_up_to.currency
            and order_total <= policy.first_order_approve_up_to
        ) and (limit is None or exposure <= limit):
            return CreditOutcome.APPROVED, [
                f"first order {order_total} within {policy.first_order_approve_up_to}"
            ]
        return CreditOutcome.REVIEW, ["first order needs manual review"]
    if limit is not None and exposure > limit:
        return CreditOutcome.REVIEW, [f"exposure {exposure} above credit limit {limit}"]
    return CreditOutcome.APPROVED, [
        "returning customer in good standing"
        + (f", exposure {exposure} within {limit}" if limit else "")
    ]


def decide_credit(
    tx: Tx, customer: Customer, order: Order, *, override_by: str = "", override_reason: str = ""
) -> CreditDecision:
    """Compute exposure and decide (plugin hook first, then the default rules)."""
    currency = order.currency
    today = tx.now.date()
    # the open invoices' index columns are all the rules read: no invoice document is decoded
    invoices = tx.uow.repo("invoice").index_values(
        ("open_amount", "currency", "kind", "due_date", "status", "issue_date"),
        customer_id=customer.id,
        status=_OPEN,
    )
    open_units = sum(
        units or 0 for units, cur, kind, *_ in invoices if cur == currency and kind == "invoice"
    )
    open_ar = Money.from_minor(open_units, currency)
    orders = tx.uow.repo("order").query(customer_id=customer.id, status=_UNINVOICED)
    uninvoiced = sum_money(
        (o.uninvoiced_total for o in orders if o.id != order.id and o.currency == currency),
        currency,
    )
    order_total = order.totals.payable
    exposure = open_ar + uninvoiced + order_total
    overdue_days = max(
        (
            (today - due).days
            for *_, due, status, _issued in invoices
            if due is not None and due < today and status != InvoiceState.DISPUTED
        ),
        default=0,
    )
    if orders or any(issued is not None and issued <= today for *_, issued in invoices):
        is_first = False  # no need to count the customer's invoices
    else:
        previous = tx.uow.repo("invoice").count(
            customer_id=customer.id, issue_date=Range(None, today)
        )
        is_first = previous == 0
    reasons: list[str]
    verdict: Mapping[str, Any] | None = None
    if not override_by and decides_credit(tx.ctx.pm):
        context: dict[str, Any] = {
            "customer": dump(customer),
            "order_total": str(order_total.amount),
            "exposure": str(exposure.amount),
            "open_receivables": str(open_ar.amount),
            "uninvoiced_orders": str(uninvoiced.amount),
            "overdue_days": overdue_days,
            "credit_limit": str(customer.credit_limit.amount) if customer.credit_limit else None,
            "is_first_order": is_first,
            "policy": dump(tx.ctx.policy.credit),
            "currency": currency,
        }
        verdict = plugin_decision(tx.ctx.pm, context)
    if override_by:
        outcome, reasons = CreditOutcome.APPROVED, [f"manual override: {override_reason}"]
    elif verdict is not None:
        outcome = CreditOutcome(verdict["outcome"])
        reasons = [str(r) for r in verdict.get("reasons", ())] or ["decided by plugin"]
    else:
        outcome, reasons = default_rules(
            customer=customer,
            order_total=order_total,
            exposure=exposure,
            overdue_days=overdue_days,
            is_first_order=is_first,
            policy=tx.ctx.policy.credit,
        )
    return CreditDecision(
        id=new_id("crd"),
        customer_id=customer.id,
        order_id=order.id,
        outcome=outcome,
        reasons=tuple(reasons),
        exposure=exposure,
        decided_at=tx.now,
        decided_by=override_by or "rules",
        override_reason=override_reason,
    )
