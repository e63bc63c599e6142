"""The composition root: ``S2C.open(...)`` wires storage, clock, policy, plugins and services.

Examples:
    >>> from datetime import datetime, UTC
    >>> from s2c_core import S2C, FixedClock
    >>> app = S2C.open("memory://", clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
    ...                load_entry_points=False)
    >>> app.customers.register("Brasserie Dupont", customer_id="cus_dupont").status
    <CustomerState.PROSPECT: 'prospect'>
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from s2c_core._builtin.logging_notifier import LoggingNotifier, LoggingNotifierPlugin
from s2c_core.clock import Clock, SystemClock
from s2c_core.errors import ConfigurationError
from s2c_core.events import DomainEvent, OutboxMessage
from s2c_core.plugins import event_subscriptions, make_plugin_manager, open_storage
from s2c_core.policy import Policy
from s2c_core.ports import Storage
from s2c_core.services._base import Context
from s2c_core.services.bank import BankService
from s2c_core.services.direct_debit import DirectDebitService
from s2c_core.services.invoicing import InvoiceService
from s2c_core.services.kpi import KpiService
from s2c_core.services.outbox import DeliveryReport, OutboxDispatcher
from s2c_core.services.payments import PaymentService
from s2c_core.services.receivables import ReceivableService
from s2c_core.services.sales import (
    CatalogService,
    CustomerService,
    LeadService,
    OrderService,
    QuoteService,
)
from s2c_core.services.tick import TickReport, run_due

__all__ = ["S2C"]


class S2C:
    """One embedded sales-to-cash application: open it, call its services, close it.

    Services are grouped by area: ``customers``, ``leads``, ``catalog``, ``quotes``,
    ``orders``, ``invoices``, ``payments``, ``bank`` (statement import and cash application),
    ``direct_debit`` (SEPA mandates and collections), ``receivables`` (disputes, promises,
    write-offs, statements of account) and ``kpi`` (DSO, aging, CEI, forecast, reports);
    ``run_due()`` does all the time-driven work.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Clock,
        policy: Policy,
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
        auto_deliver: bool = True,
    ) -> None:
        self._logging = LoggingNotifierPlugin()
        self.pm = make_plugin_manager(
            plugins=[self._logging, *plugins], load_entry_points=load_entry_points
        )
        self.storage = storage
        self.clock = clock
        self.policy = policy
        self.ctx = Context(
            storage, clock, policy, self.pm, subscriptions=event_subscriptions(self.pm)
        )
        self.outbox = OutboxDispatcher(self.ctx)
        if auto_deliver:
            self.ctx.after_commit.append(self._deliver_quietly)
        self.customers = CustomerService(self.ctx)
        self.catalog = CatalogService(self.ctx)
        self.orders = OrderService(self.ctx)
        self.quotes = QuoteService(self.ctx, self.orders)
        self.leads = LeadService(self.ctx, self.quotes, self.customers)
        self.invoices = InvoiceService(self.ctx)
        self.payments = PaymentService(self.ctx)
        self.bank = BankService(self.ctx, self.payments)
        self.direct_debit = DirectDebitService(self.ctx)
        self.receivables = ReceivableService(self.ctx)
        self.kpi = KpiService(self.ctx)
        self._delivering = False

    @classmethod
    def open(
        cls,
        storage: str | Storage = "memory://",
        *,
        clock: Clock | None = None,
        policy: Policy | None = None,
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
        auto_deliver: bool = True,
    ) -> S2C:
        """Open an application on a storage URL (or a ready Storage object).

        Args:
            storage: ``memory://``, ``sqlite:///books.db``, ``postgresql://...`` (backends
                come from plugins), or a Storage object.
            clock: The clock; ``SystemClock()`` by default. Tests pass a ``FixedClock``.
            policy: The company's rules; ``Policy.default_eu("BE")`` by default.
            plugins: Extra plugin objects (e.g. a notifier) registered for this app only.
            load_entry_points: Load plugins installed under the ``s2c_core`` entry point.
            auto_deliver: Deliver outbox messages right after each commit that wrote some.
        """
        clock = clock or SystemClock()
        policy = policy or Policy.default_eu("BE")
        plugins = list(plugins)
        if isinstance(storage, str):
            pm = make_plugin_manager(plugins=plugins, load_entry_points=load_entry_points)
            opened = open_storage(pm, storage, clock)
        else:
            opened = storage
        if not isinstance(opened, Storage):
            raise ConfigurationError(f"{type(opened).__name__} is not a Storage")
        return cls(
            opened,
            clock=clock,
            policy=policy,
            plugins=plugins,
            load_entry_points=load_entry_points,
            auto_deliver=auto_deliver,
        )

    # -- time-driven work ----------------------------------------------------------------

    def run_due(self, now: datetime | None = None) -> TickReport:
        """Do every time-based action due at *now* (default: the clock), each exactly once.

        Quote reminders and expiry, pre-due reminders, dunning with fees and interest,
        promise-to-pay checks, credit holds and releases, outbox redelivery; see
        [tick][s2c_core.services.tick]. Safe to run twice, late, or from several workers.
        """
        return run_due(self.ctx, self.quotes, now=now)

    def deliver_outbox(self) -> DeliveryReport:
        """Deliver due outbox messages now (also done after commits and by ``run_due``)."""
        return self.outbox.deliver_due()

    def _deliver_quietly(self) -> None:
        if self._delivering:
            return
        self._delivering = True
        try:
            self.outbox.deliver_due()
        finally:
            self._delivering = False

    # -- inspection ----------------------------------------------------------------------

    def events(
        self, *, after: int = 0, limit: int = 1000, aggregate_id: str | None = None
    ) -> list[DomainEvent]:
        """Committed domain events in order (the audit trail)."""
        with self.storage.unit_of_work() as uow:
            return uow.events.read(after=after, limit=limit, aggregate_id=aggregate_id)

    def outbox_messages(self, *, status: str | None = None) -> list[OutboxMessage]:
        """Outbox messages, optionally with one status (``pending``, ``delivered``, ``parked``)."""
        with self.storage.unit_of_work() as uow:
            return uow.outbox.list(status=status)

    @property
    def sent_notifications(self) -> list[Any]:
        """Notifications handled by the built-in logging notifier (channels without a plugin)."""
        notifier: LoggingNotifier = self._logging.notifier
        return list(notifier.sent)

    def close(self) -> None:
        """Close the storage."""
        self.storage.close()

    def __enter__(self) -> S2C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
