"""Sales use cases: customers, leads, catalogue and stock, quotes, orders and shipments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from s2c_core.entities import (
    Address,
    Approval,
    Customer,
    CustomerId,
    Lead,
    LeadId,
    Line,
    Order,
    OrderId,
    OrderLine,
    Product,
    ProductId,
    Quote,
    QuoteId,
    Shipment,
    ShipmentId,
    ShipmentLine,
    StockLevel,
)
from s2c_core.entities.common import as_decimal, new_id, positive_quantity, replace
from s2c_core.errors import BusinessRuleError, InvalidTransitionError, ValidationError
from s2c_core.lifecycle import (
    CUSTOMER_FLOW,
    LEAD_FLOW,
    ORDER_FLOW,
    QUOTE_FLOW,
    SHIPMENT_FLOW,
    CustomerState,
    OrderState,
    QuoteState,
)
from s2c_core.money import Money
from s2c_core.policy import InvoiceTrigger, ShortagePolicy
from s2c_core.services._base import Context, Tx
from s2c_core.services.credit import decide_credit
from s2c_core.services.invoicing import invoice_order_lines

__all__ = [
    "CatalogService",
    "CustomerService",
    "LeadService",
    "LineItem",
    "OrderService",
    "QuoteService",
]


@frozen
class LineItem:
    """What a caller asks for on a quote or order line.

    Attributes:
        product_id: A product in the catalogue.
        quantity: Above zero.
        discount_percent: Line discount; beyond the policy's bounds the quote needs approval.
        unit_price: Override of the list price (below the price list needs approval).
        description: Override of the product name.
    """

    product_id: str
    quantity: Decimal = field(converter=as_decimal, validator=positive_quantity)
    discount_percent: Decimal = field(default=Decimal(0), converter=as_decimal)
    unit_price: Money | None = None
    description: str = ""


class CustomerService:
    """Customer accounts."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def register(
        self,
        name: str,
        *,
        customer_id: str | None = None,
        segment: str = "default",
        language: str = "en",
        country: str = "BE",
        email: str = "",
        vat_number: str = "",
        enterprise_number: str = "",
        iban: str = "",
        electronic_address: str = "",
        address: Address | None = None,
        credit_limit: Money | None = None,
        payment_term: str = "net30",
        dunning_plan: str | None = None,
        channels: Sequence[str] = ("email",),
        is_consumer: bool = False,
        currency: str | None = None,
    ) -> Customer:
        """Create a customer (state ``prospect`` until the first accepted quote or order)."""
        customer = Customer(
            id=CustomerId(customer_id or new_id("cus")),
            name=name,
            segment=segment,
            language=language,
            country=country,
            currency=currency or self._ctx.policy.currency,
            email=email,
            vat_number=vat_number,
            enterprise_number=enterprise_number,
            iban=iban,
            electronic_address=electronic_address,
            address=address or Address(country=country),
            credit_limit=credit_limit,
            payment_term=payment_term,
            dunning_plan=dunning_plan,
            channels=tuple(channels),
            is_consumer=is_consumer,
            created_at=self._ctx.clock.now(),
        )
        self._check_term(payment_term)

        def body(tx: Tx) -> Customer:
            stored = tx.add("customer", customer)
            tx.record(
                "customer",
                customer.id,
                "registered",
                to_state=str(customer.status),
                case_id=customer.id,
                data={"segment": segment},
            )
            return stored

        return self._ctx.run(body)

    def _check_term(self, code: str) -> None:
        from s2c_core.services.invoicing import resolve_term

        resolve_term(self._ctx.policy, code)

    def get(self, customer_id: str) -> Customer:
        """The customer; ``NotFoundError`` if unknown."""
        result: Customer = self._ctx.load("customer", customer_id)
        return result

    def list(self, **criteria: Any) -> list[Customer]:
        """Customers matching indexed criteria (``status``, ``segment``)."""
        with self._ctx.tx() as tx:
            return tx.uow.repo("customer").query(**criteria)

    def set_credit_limit(self, customer_id: str, limit: Money | None) -> Customer:
        """Change the credit limit (None = rules only)."""
        if limit is not None and limit.is_negative():
            raise ValidationError(
                "credit limit must not be negative", field="credit_limit", value=limit
            )

        def body(tx: Tx) -> Customer:
            customer: Customer = tx.get("customer", customer_id)
            saved = tx.save("customer", replace(customer, credit_limit=limit))
            tx.record(
                "customer",
                customer_id,
                "credit_limit_changed",
                case_id=customer_id,
                data={"limit": limit},
            )
            return saved

        return self._ctx.run(body)

    def hold(self, customer_id: str, reason: str, *, actor: str = "") -> Customer:
        """Put the customer on credit hold: new orders are held until released."""

        def body(tx: Tx) -> Customer:
            customer: Customer = tx.get("customer", customer_id)
            return tx.move(
                "customer",
                customer,
                CUSTOMER_FLOW,
                "hold",
                case_id=customer_id,
                data={"reason": reason},
                hold_reason=reason,
            )

        return self._ctx.run(body, actor=actor)

    def release(self, customer_id: str, *, actor: str = "") -> Customer:
        """Release a credit hold."""

        def body(tx: Tx) -> Customer:
            customer: Customer = tx.get("customer", customer_id)
            return tx.move(
                "customer", customer, CUSTOMER_FLOW, "release", case_id=customer_id, hold_reason=""
            )

        return self._ctx.run(body, actor=actor)


class LeadService:
    """Leads, from first contact to a customer and a first quote."""

    def __init__(self, ctx: Context, quotes: QuoteService, customers: CustomerService) -> None:
        self._ctx = ctx
        self._quotes = quotes
        self._customers = customers

    def capture(
        self,
        name: str,
        *,
        company: str = "",
        email: str = "",
        source: str = "",
        campaign: str = "",
        segment: str = "default",
        language: str = "en",
    ) -> Lead:
        """Record a first contact, with where it came from."""
        lead = Lead(
            LeadId(new_id("lead")),
            name,
            company=company,
            email=email,
            source=source,
            campaign=campaign,
            segment=segment,
            language=language,
            created_at=self._ctx.clock.now(),
        )

        def body(tx: Tx) -> Lead:
            stored = tx.add("lead", lead)
            tx.record(
                "lead",
                lead.id,
                "captured",
                to_state=str(lead.status),
                case_id=lead.id,
                data={"source": source, "campaign": campaign},
            )
            return stored

        return self._ctx.run(body)

    def _move(self, lead_id: str, event: str, **changes: object) -> Lead:
        def body(tx: Tx) -> Lead:
            lead: Lead = tx.get("lead", lead_id)
            return tx.move(
                "lead",
                lead,
                LEAD_FLOW,
                event,
                case_id=lead.id,
                data={k: v for k, v in changes.items() if isinstance(v, str)},
                **changes,
            )

        return self._ctx.run(body)

    def contact(self, lead_id: str) -> Lead:
        """Mark the lead as contacted."""
        return self._move(lead_id, "contact")

    def qualify(self, lead_id: str) -> Lead:
        """Mark the lead as qualified (a real prospect)."""
        return self._move(lead_id, "qualify")

    def disqualify(self, lead_id: str, reason: str) -> Lead:
        """Drop the lead, with a reason."""
        if not reason.strip():
            raise ValidationError("a disqualification needs a reason", field="reason")
        return self._move(lead_id, "disqualify", disqualify_reason=reason)

    def convert(
        self,
        lead_id: str,
        items: Sequence[LineItem],
        *,
        country: str = "BE",
        vat_number: str = "",
        credit_limit: Money | None = None,
        payment_term: str = "net30",
        salesperson: str = "",
    ) -> tuple[Customer, Quote]:
        """Turn a qualified lead into a customer and a first draft quote."""
        with self._ctx.tx() as tx:
            lead: Lead = tx.get("lead", lead_id)
        LEAD_FLOW.next_state(lead.status, "convert", entity_id=lead.id)
        customer = self._customers.register(
            lead.company or lead.name,
            segment=lead.segment,
            language=lead.language,
            country=country,
            email=lead.email,
            vat_number=vat_number,
            credit_limit=credit_limit,
            payment_term=payment_term,
        )
        quote = self._quotes.draft(customer.id, items, salesperson=salesperson, lead_id=lead.id)

        def body(tx: Tx) -> Lead:
            current: Lead = tx.get("lead", lead_id)
            return tx.move(
                "lead",
                current,
                LEAD_FLOW,
                "convert",
                case_id=lead.id,
                data={"customer_id": customer.id, "quote_id": quote.id},
                customer_id=customer.id,
                quote_id=quote.id,
            )

        self._ctx.run(body)
        return customer, quote


class CatalogService:
    """Products and stock per location."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def add_product(
        self,
        product_id: str,
        name: str,
        unit_price: Money,
        *,
        cost: Money | None = None,
        vat_rate: Decimal | int | str | None = None,
        vat_category: str = "S",
        unit_code: str = "C62",
        stocked: bool = True,
    ) -> Product:
        """Add a product (goods are ``stocked``; services are not)."""
        from s2c_core.entities import VatCategory

        product = Product(
            ProductId(product_id),
            name,
            unit_price,
            cost=cost,
            vat_category=VatCategory(vat_category),
            vat_rate=vat_rate if vat_rate is not None else (21 if vat_category == "S" else 0),
            unit_code=unit_code,
            stocked=stocked,
        )

        def body(tx: Tx) -> Product:
            return tx.add("product", product)

        return self._ctx.run(body)

    def get_product(self, product_id: str) -> Product:
        """The product; ``NotFoundError`` if unknown."""
        result: Product = self._ctx.load("product", product_id)
        return result

    def receive_stock(
        self, product_id: str, quantity: Decimal | int | str, *, location: str = "main"
    ) -> StockLevel:
        """Add *quantity* on hand at *location*."""
        qty = as_decimal(quantity)
        if qty <= 0:
            raise ValidationError(
                "received quantity must be above zero", field="quantity", value=qty
            )

        def body(tx: Tx) -> StockLevel:
            tx.get("product", product_id)
            repo = tx.uow.repo("stock")
            level = repo.find(f"{product_id}@{location}")
            if level is None:
                stored: StockLevel = repo.add(StockLevel(ProductId(product_id), location, qty))
            else:
                stored = repo.update(replace(level, on_hand=level.on_hand + qty))
            tx.record("stock", stored.id, "received", data={"quantity": qty})
            return stored

        return self._ctx.run(body)

    def stock(self, product_id: str, *, location: str = "main") -> StockLevel:
        """Stock level of a product at a location (zero when never received)."""
        with self._ctx.tx() as tx:
            tx.get("product", product_id)
            level = tx.uow.repo("stock").find(f"{product_id}@{location}")
        return level or StockLevel(ProductId(product_id), location, Decimal(0))


def build_lines(tx: Tx, customer: Customer, items: Sequence[LineItem]) -> list[Line]:
    """Resolve *items* against the catalogue: price, VAT, description. Checks before changing."""
    if not items:
        raise ValidationError("at least one line is needed", field="lines", value=[])
    products = tx.uow.repo("product").get_many([i.product_id for i in items])
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, LineItem):
            raise ValidationError(f"line {index + 1} must be a LineItem", field="lines")
        product: Product | None = products.get(item.product_id)
        if product is None:
            from s2c_core.errors import NotFoundError

            raise NotFoundError("product", item.product_id)
        price = item.unit_price if item.unit_price is not None else product.unit_price
        if price.currency.code != customer.currency:
            from s2c_core.errors import CurrencyMismatchError

            raise CurrencyMismatchError(customer.currency, price.currency.code, operation="quote")
        lines.append(
            Line(
                product.id,
                item.description or product.name,
                item.quantity,
                price,
                discount_percent=item.discount_percent,
                vat_category=product.vat_category,
                vat_rate=product.vat_rate,
                exemption_reason=_exemption(product),
                unit_code=product.unit_code,
                cost=product.cost,
            )
        )
    return lines


def _exemption(product: Product) -> str:
    reasons = {
        "E": "Exempt",
        "AE": "Reverse charge",
        "K": "Intra-community supply",
        "G": "Export outside the EU",
        "O": "Not subject to VAT",
    }
    return reasons.get(str(product.vat_category), "")


class QuoteService:
    """Quotes: draft, approve, send, accept (-> order), decline, revise, expire."""

    def __init__(self, ctx: Context, orders: OrderService) -> None:
        self._ctx = ctx
        self._orders = orders

    def _violations(
        self, tx: Tx, customer: Customer, lines: Sequence[Line], salesperson_role: str
    ) -> tuple[str, ...]:
        policy = self._ctx.policy.quote
        limit = policy.discount_limit(customer.segment, salesperson_role)
        found = []
        price_list = policy.price_lists.get(customer.segment, {})
        products = tx.uow.repo("product").get_many([ln.product_id for ln in lines])
        for n, line in enumerate(lines, start=1):
            if line.discount_percent > limit:
                found.append(f"line {n}: discount {line.discount_percent}% above {limit}%")
            floor = price_list.get(line.product_id) or products[line.product_id].unit_price
            if line.unit_price < floor:
                found.append(f"line {n}: price {line.unit_price} below list {floor}")
        return tuple(found)

    def draft(
        self,
        customer_id: str,
        items: Sequence[LineItem],
        *,
        valid_days: int | None = None,
        payment_term: str | None = None,
        salesperson: str = "",
        salesperson_role: str = "",
        lead_id: str | None = None,
    ) -> Quote:
        """Draft a quote; lines beyond the policy bounds mark it as needing approval."""

        def body(tx: Tx) -> Quote:
            customer: Customer = tx.get("customer", customer_id)
            if customer.status == CustomerState.CLOSED:
                raise BusinessRuleError(f"customer {customer_id} is closed", rule="customer_closed")
            lines = build_lines(tx, customer, items)
            max_days = self._ctx.policy.quote.validity_for(customer.segment)
            days = max_days if valid_days is None else valid_days
            if not 1 <= days <= max_days:
                raise ValidationError(
                    f"validity must be 1..{max_days} days, got {days}",
                    field="valid_days",
                    value=days,
                )
            term = payment_term or customer.payment_term
            from s2c_core.services.invoicing import resolve_term

            resolve_term(self._ctx.policy, term)
            quote = Quote(
                QuoteId(new_id("quo")),
                customer.id,
                customer.currency,
                lines,
                valid_days=days,
                payment_term=term,
                salesperson=salesperson,
                lead_id=lead_id,
                bounds_violations=self._violations(tx, customer, lines, salesperson_role),
                created_at=tx.now,
            )
            stored = tx.add("quote", quote)
            tx.record(
                "quote",
                quote.id,
                "drafted",
                to_state=str(quote.status),
                case_id=lead_id or customer.id,
                data={
                    "total": quote.totals.payable,
                    "customer_id": customer.id,
                    "needs_approval": bool(quote.bounds_violations),
                },
            )
            return stored

        return self._ctx.run(body)

    def get(self, quote_id: str) -> Quote:
        """The quote; ``NotFoundError`` if unknown."""
        result: Quote = self._ctx.load("quote", quote_id)
        return result

    def _case(self, quote: Quote) -> str:
        return quote.lead_id or quote.customer_id

    def approve(self, quote_id: str, *, by: str, reason: str) -> Quote:
        """Record an approval for a quote outside the bounds (needed before sending)."""
        if not by.strip() or not reason.strip():
            raise ValidationError("an approval needs who and why", field="by")

        def body(tx: Tx) -> Quote:
            quote: Quote = tx.get("quote", quote_id)
            if quote.status == QuoteState.DRAFT:
                quote = tx.move(
                    "quote", quote, QUOTE_FLOW, "request_approval", case_id=self._case(quote)
                )
            return tx.move(
                "quote",
                quote,
                QUOTE_FLOW,
                "approve",
                case_id=self._case(quote),
                data={"by": by, "reason": reason},
                approval=Approval(by, reason, tx.now),
            )

        return self._ctx.run(body, actor=by)

    def send(self, quote_id: str) -> Quote:
        """Send the quote: starts its validity clock. Refused while it needs approval."""

        def body(tx: Tx) -> Quote:
            quote: Quote = tx.get("quote", quote_id)
            if quote.bounds_violations and quote.approval is None:
                raise BusinessRuleError(
                    f"quote {quote_id} is outside the preset bounds and needs an approval: "
                    + "; ".join(quote.bounds_violations),
                    rule="quote_bounds",
                    violations=quote.bounds_violations,
                )
            valid_until = tx.now.date() + timedelta(days=quote.valid_days)
            return tx.move(
                "quote",
                quote,
                QUOTE_FLOW,
                "send",
                case_id=self._case(quote),
                data={"valid_until": valid_until},
                sent_at=tx.now,
                valid_until=valid_until,
            )

        return self._ctx.run(body)

    def decline(self, quote_id: str, reason: str) -> Quote:
        """The customer declined, with a reason."""

        def body(tx: Tx) -> Quote:
            quote: Quote = tx.get("quote", quote_id)
            return tx.move(
                "quote",
                quote,
                QUOTE_FLOW,
                "decline",
                case_id=self._case(quote),
                data={"reason": reason},
                decline_reason=reason,
                decided_at=tx.now,
            )

        return self._ctx.run(body)

    def revise(
        self, quote_id: str, items: Sequence[LineItem], *, salesperson_role: str = ""
    ) -> Quote:
        """A new version of the quote; the old one is superseded and can no longer be accepted."""

        def body(tx: Tx) -> Quote:
            old: Quote = tx.get("quote", quote_id)
            QUOTE_FLOW.next_state(old.status, "supersede", entity_id=old.id)
            customer: Customer = tx.get("customer", old.customer_id)
            lines = build_lines(tx, customer, items)
            new = Quote(
                QuoteId(new_id("quo")),
                old.customer_id,
                old.currency,
                lines,
                revision=old.revision + 1,
                supersedes=old.id,
                valid_days=old.valid_days,
                payment_term=old.payment_term,
                salesperson=old.salesperson,
                lead_id=old.lead_id,
                bounds_violations=self._violations(tx, customer, lines, salesperson_role),
                created_at=tx.now,
            )
            tx.move(
                "quote",
                old,
                QUOTE_FLOW,
                "supersede",
                case_id=self._case(old),
                data={"by": new.id},
                superseded_by=new.id,
            )
            stored = tx.add("quote", new)
            tx.record(
                "quote",
                new.id,
                "revised",
                to_state=str(new.status),
                case_id=self._case(new),
                data={"supersedes": old.id, "revision": new.revision},
            )
            return stored

        return self._ctx.run(body)

    def accept(self, quote_id: str) -> Order:
        """The customer accepted: create the order, decide credit, reserve stock.

        Refused (nothing changed) when the quote is expired, superseded or not sent, or its
        validity date has passed. With ``InvoiceTrigger.ON_ACCEPTANCE`` the invoice is issued.
        """

        def body(tx: Tx) -> Order:
            quote: Quote = tx.get("quote", quote_id)
            if (
                quote.status == QuoteState.SENT
                and quote.valid_until is not None
                and tx.now.date() > quote.valid_until
            ):
                raise InvalidTransitionError(
                    entity="quote", entity_id=quote.id, state="expired", event="accept"
                )
            QUOTE_FLOW.next_state(quote.status, "accept", entity_id=quote.id)
            order = Order(
                OrderId(new_id("ord")),
                quote.customer_id,
                quote.currency,
                [OrderLine.of(ln) for ln in quote.lines],
                quote_id=quote.id,
                payment_term=quote.payment_term,
                salesperson=quote.salesperson,
                allowances=quote.allowances,
                created_at=tx.now,
            )
            tx.add("order", order)
            tx.record(
                "order",
                order.id,
                "created",
                to_state=str(order.status),
                case_id=self._case(quote),
                data={"quote_id": quote.id, "total": order.totals.payable},
            )
            tx.move(
                "quote",
                quote,
                QUOTE_FLOW,
                "accept",
                case_id=self._case(quote),
                data={"order_id": order.id},
                decided_at=tx.now,
                order_id=order.id,
            )
            return self._orders.confirm_in(tx, order.id, case_id=self._case(quote))

        order = self._ctx.run(body)
        return order

    def expire_due(self, tx: Tx, today: date) -> list[Quote]:
        """Expire sent quotes whose validity ended before *today* (used by the tick)."""
        from s2c_core.entities.registry import Range

        expired = []
        for quote in tx.uow.repo("quote").query(
            status=QuoteState.SENT, valid_until=Range(None, today - timedelta(1))
        ):
            if tx.uow.actions.claim(f"quote-expiry:{quote.id}", tx.now):
                expired.append(
                    tx.move("quote", quote, QUOTE_FLOW, "expire", case_id=self._case(quote))
                )
        return expired


class OrderService:
    """Orders: confirm (credit + stock), hold, override, cancel, ship, deliver."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def get(self, order_id: str) -> Order:
        """The order; ``NotFoundError`` if unknown."""
        result: Order = self._ctx.load("order", order_id)
        return result

    def create(
        self,
        customer_id: str,
        items: Sequence[LineItem],
        *,
        payment_term: str | None = None,
        location: str = "main",
        salesperson: str = "",
    ) -> Order:
        """A direct order (no quote): created, then confirmed like an accepted quote."""

        def body(tx: Tx) -> Order:
            customer: Customer = tx.get("customer", customer_id)
            lines = build_lines(tx, customer, items)
            order = Order(
                OrderId(new_id("ord")),
                customer.id,
                customer.currency,
                [OrderLine.of(ln) for ln in lines],
                payment_term=payment_term or customer.payment_term,
                location=location,
                salesperson=salesperson,
                created_at=tx.now,
            )
            tx.add("order", order)
            tx.record(
                "order",
                order.id,
                "created",
                to_state=str(order.status),
                case_id=customer.id,
                data={"total": order.totals.payable},
            )
            return self.confirm_in(tx, order.id, case_id=customer.id)

        return self._ctx.run(body)

    def confirm_in(
        self,
        tx: Tx,
        order_id: str,
        *,
        case_id: str = "",
        decided_by: str = "rules",
        override_reason: str = "",
    ) -> Order:
        """Confirm inside *tx*: credit decision, then stock reservation (all or nothing)."""
        order: Order = tx.get("order", order_id)
        customer: Customer = tx.get("customer", order.customer_id)
        case = case_id or customer.id
        if decided_by == "rules":
            decision = decide_credit(tx, customer, order)
        else:
            decision = decide_credit(
                tx, customer, order, override_by=decided_by, override_reason=override_reason
            )
        tx.add("credit_decision", decision)
        tx.record(
            "credit_decision",
            decision.id,
            "made",
            case_id=case,
            data={
                "order_id": order.id,
                "outcome": decision.outcome,
                "reasons": list(decision.reasons),
                "exposure": decision.exposure,
                "by": decision.decided_by,
            },
        )
        if decision.outcome != "approved":
            if order.status == OrderState.DRAFT:
                return tx.move(
                    "order",
                    order,
                    ORDER_FLOW,
                    "hold",
                    case_id=case,
                    data={"reason": "; ".join(decision.reasons), "outcome": decision.outcome},
                    credit_decision_id=decision.id,
                    hold_reason=f"credit {decision.outcome}: " + "; ".join(decision.reasons),
                )
            return tx.save("order", replace(order, credit_decision_id=decision.id))
        lines = self._reserve(tx, order)
        if customer.status == CustomerState.PROSPECT:
            tx.move("customer", customer, CUSTOMER_FLOW, "activate", case_id=customer.id)
        confirmed = tx.move(
            "order",
            order,
            ORDER_FLOW,
            "confirm",
            case_id=case,
            data={"credit_decision": decision.id},
            lines=lines,
            confirmed_at=tx.now,
            credit_decision_id=decision.id,
            hold_reason="",
        )
        if self._ctx.policy.invoice_trigger == InvoiceTrigger.ON_ACCEPTANCE:
            invoice_order_lines(
                tx,
                confirmed,
                {ln_no: ln.quantity for ln_no, ln in enumerate(confirmed.lines, start=1)},
                case_id=case,
            )
            confirmed = tx.get("order", order.id)
        return confirmed

    def _reserve(self, tx: Tx, order: Order) -> list[OrderLine]:
        policy = self._ctx.policy
        products = tx.uow.repo("product").get_many([ln.product_id for ln in order.lines])
        needed: dict[str, Decimal] = {}
        for ln in order.lines:
            if products[ln.product_id].stocked:
                needed[ln.product_id] = needed.get(ln.product_id, Decimal(0)) + ln.quantity
        stock_repo = tx.uow.repo("stock")
        levels = stock_repo.get_many([f"{pid}@{order.location}" for pid in needed])
        available = {
            pid: (
                levels[f"{pid}@{order.location}"].available
                if f"{pid}@{order.location}" in levels
                else Decimal(0)
            )
            for pid in needed
        }
        short = {pid: qty - available[pid] for pid, qty in needed.items() if qty > available[pid]}
        if short and policy.shortage == ShortagePolicy.REFUSE:
            first = next(iter(short))
            raise BusinessRuleError(
                f"not enough stock of {first} at {order.location}: short by {short[first]}",
                rule="stock",
                product_id=first,
                shortage=short[first],
                location=order.location,
            )
        remaining = dict(available)
        new_lines = []
        for ln in order.lines:
            if not products[ln.product_id].stocked:
                new_lines.append(ln)
                continue
            take = min(ln.quantity, max(remaining[ln.product_id], Decimal(0)))
            remaining[ln.product_id] -= take
            new_lines.append(
                replace(ln, reserved_quantity=take, backordered_quantity=ln.quantity - take)
            )
        for pid, qty in needed.items():
            reserve = min(qty, max(available[pid], Decimal(0)))
            if reserve <= 0:
                continue
            level = levels[f"{pid}@{order.location}"]
            stock_repo.update(replace(level, reserved=level.reserved + reserve))
            tx.record(
                "stock", level.id, "reserved", data={"order_id": order.id, "quantity": reserve}
            )
        return new_lines

    def override_credit(self, order_id: str, *, by: str, reason: str) -> Order:
        """A person approves credit for a held order: records who and why, then confirms."""
        if not by.strip() or not reason.strip():
            raise ValidationError("an override needs who and why", field="by")

        def body(tx: Tx) -> Order:
            order: Order = tx.get("order", order_id)
            ORDER_FLOW.next_state(order.status, "confirm", entity_id=order.id)
            return self.confirm_in(tx, order_id, decided_by=by, override_reason=reason)

        return self._ctx.run(body, actor=by)

    def retry_confirmation(self, order_id: str) -> Order:
        """Re-run the credit rules for a held order (e.g. after a payment)."""

        def body(tx: Tx) -> Order:
            order: Order = tx.get("order", order_id)
            ORDER_FLOW.next_state(order.status, "confirm", entity_id=order.id)
            return self.confirm_in(tx, order_id)

        return self._ctx.run(body)

    def cancel(self, order_id: str, reason: str = "") -> Order:
        """Cancel an unshipped order and release its reserved stock."""

        def body(tx: Tx) -> Order:
            order: Order = tx.get("order", order_id)
            ORDER_FLOW.next_state(order.status, "cancel", entity_id=order.id)
            if any(ln.shipped_quantity > 0 for ln in order.lines):
                raise BusinessRuleError(
                    "a partly shipped order cannot be cancelled", rule="order_shipped"
                )
            stock_repo = tx.uow.repo("stock")
            for ln in order.lines:
                if ln.reserved_quantity > 0:
                    level = stock_repo.get(f"{ln.product_id}@{order.location}")
                    stock_repo.update(
                        replace(level, reserved=level.reserved - ln.reserved_quantity)
                    )
                    tx.record(
                        "stock",
                        level.id,
                        "released",
                        data={"order_id": order.id, "quantity": ln.reserved_quantity},
                    )
            lines = [replace(ln, reserved_quantity=Decimal(0)) for ln in order.lines]
            return tx.move(
                "order",
                order,
                ORDER_FLOW,
                "cancel",
                case_id=order.customer_id,
                data={"reason": reason},
                lines=lines,
                cancelled_at=tx.now,
            )

        return self._ctx.run(body)

    def ship(
        self,
        order_id: str,
        quantities: Mapping[int, Decimal | int | str] | None = None,
        *,
        carrier: str = "",
        tracking: str = "",
        promised_date: date | None = None,
    ) -> Shipment:
        """Ship open quantities (line number -> quantity; all open lines when None).

        Refused when shipping more than ordered, or more than is reserved for goods.
        With ``InvoiceTrigger.ON_SHIPMENT`` the shipped lines are invoiced at once.
        """

        def body(tx: Tx) -> Shipment:
            order: Order = tx.get("order", order_id)
            if order.status not in (OrderState.CONFIRMED, OrderState.PARTIALLY_SHIPPED):
                raise InvalidTransitionError(
                    entity="order",
                    entity_id=order.id,
                    state=str(order.status),
                    event="ship",
                    allowed=ORDER_FLOW.allowed(order.status),
                )
            wanted = self._wanted(order, quantities)
            products = tx.uow.repo("product").get_many([ln.product_id for ln in order.lines])
            stock_repo = tx.uow.repo("stock")
            # one read for every stocked line's level; later reads come from the identity map
            stock_repo.get_many(
                [
                    f"{order.lines[n - 1].product_id}@{order.location}"
                    for n in wanted
                    if products[order.lines[n - 1].product_id].stocked
                ]
            )
            new_lines = list(order.lines)
            ship_lines = []
            for line_no, qty in wanted.items():
                ln = order.lines[line_no - 1]
                if products[ln.product_id].stocked:
                    level = stock_repo.find(f"{ln.product_id}@{order.location}")
                    if ln.reserved_quantity < qty:
                        # back-ordered quantity can ship once stock arrived
                        extra = qty - ln.reserved_quantity
                        if level is None or level.available < extra:
                            raise BusinessRuleError(
                                f"line {line_no}: only {ln.reserved_quantity} reserved and not "
                                f"enough stock for the rest",
                                rule="stock",
                                line=line_no,
                            )
                        level = stock_repo.update(replace(level, reserved=level.reserved + extra))
                        ln = replace(
                            ln,
                            reserved_quantity=ln.reserved_quantity + extra,
                            backordered_quantity=max(ln.backordered_quantity - extra, Decimal(0)),
                        )
                    assert level is not None
                    stock_repo.update(
                        replace(level, on_hand=level.on_hand - qty, reserved=level.reserved - qty)
                    )
                    new_lines[line_no - 1] = replace(
                        ln,
                        reserved_quantity=ln.reserved_quantity - qty,
                        shipped_quantity=ln.shipped_quantity + qty,
                    )
                else:
                    new_lines[line_no - 1] = replace(ln, shipped_quantity=ln.shipped_quantity + qty)
                ship_lines.append(ShipmentLine(line_no, ln.product_id, qty))
            shipment = Shipment(
                ShipmentId(new_id("shp")),
                order.id,
                order.customer_id,
                ship_lines,
                location=order.location,
                carrier=carrier,
                tracking=tracking,
                created_at=tx.now,
                promised_date=promised_date,
            )
            shipment = tx.add("shipment", shipment)
            tx.record(
                "shipment",
                shipment.id,
                "planned",
                to_state=str(shipment.status),
                case_id=order.customer_id,
                data={"order_id": order.id},
            )
            shipment = tx.move(
                "shipment",
                shipment,
                SHIPMENT_FLOW,
                "ship",
                case_id=order.customer_id,
                shipped_at=tx.now,
                data={"order_id": order.id, "carrier": carrier},
            )
            done = all(ln.shipped_quantity >= ln.quantity for ln in new_lines)
            order = tx.move(
                "order",
                order,
                ORDER_FLOW,
                "fulfil" if done else "ship_part",
                case_id=order.customer_id,
                data={"shipment_id": shipment.id},
                lines=new_lines,
            )
            trigger = self._ctx.policy.invoice_trigger
            if trigger == InvoiceTrigger.ON_SHIPMENT:
                invoice_order_lines(
                    tx, order, wanted, shipment_id=shipment.id, case_id=order.customer_id
                )
            elif trigger == InvoiceTrigger.ON_FULFILMENT and done:
                rest = {
                    n: ln.quantity - ln.invoiced_quantity
                    for n, ln in enumerate(order.lines, start=1)
                    if ln.quantity > ln.invoiced_quantity
                }
                invoice_order_lines(tx, order, rest, case_id=order.customer_id)
            return shipment

        return self._ctx.run(body)

    @staticmethod
    def _wanted(
        order: Order, quantities: Mapping[int, Decimal | int | str] | None
    ) -> dict[int, Decimal]:
        if quantities is None:
            wanted = {
                n: ln.open_quantity
                for n, ln in enumerate(order.lines, start=1)
                if ln.open_quantity > 0
            }
        else:
            wanted = {}
            for line_no, raw in quantities.items():
                qty = as_decimal(raw)
                if not 1 <= line_no <= len(order.lines):
                    raise ValidationError(
                        f"order has no line {line_no}", field="line", value=line_no
                    )
                if qty <= 0:
                    raise ValidationError(
                        f"line {line_no}: quantity must be above zero", field="quantity", value=qty
                    )
                open_qty = order.lines[line_no - 1].open_quantity
                if qty > open_qty:
                    raise BusinessRuleError(
                        f"line {line_no}: cannot ship {qty}, only {open_qty} open",
                        rule="over_shipment",
                        line=line_no,
                        open_quantity=open_qty,
                    )
                wanted[line_no] = qty
        if not wanted:
            raise BusinessRuleError("nothing left to ship", rule="nothing_to_ship")
        return wanted

    def deliver(self, shipment_id: str, *, error: str = "") -> Shipment:
        """Record delivery (with a fulfilment error such as ``damaged``, if any)."""

        def body(tx: Tx) -> Shipment:
            shipment: Shipment = tx.get("shipment", shipment_id)
            return tx.move(
                "shipment",
                shipment,
                SHIPMENT_FLOW,
                "deliver",
                case_id=shipment.customer_id,
                data={"error": error},
                delivered_at=tx.now,
                error=error,
            )

        return self._ctx.run(body)
