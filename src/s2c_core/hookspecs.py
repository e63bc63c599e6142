"""Hook specifications: how plugins extend s2c_core.

Plugins implement these with the `hookimpl` marker in a module listed under
the entry-point group ``s2c_core``::

    [project.entry-points.s2c_core]
    mybackend = "my_package.plugin"

Hooks are grouped by backend role. Factory hooks (``firstresult``) return an object that
satisfies a port from [s2c_core.ports][]; broadcast hooks are called on every plugin.
Core calls each hook through one typed function in ``s2c_core.plugins`` that checks the result,
so a misbehaving plugin yields a ``BackendError`` and never corrupts data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from s2c_core._markers import hookimpl, hookspec

if TYPE_CHECKING:
    from s2c_core.clock import Clock
    from s2c_core.events import DomainEvent
    from s2c_core.ports import DocumentRenderer, Notifier, StatementParser, Storage

__all__ = [
    "hookimpl",
    "hookspec",
    "s2c_credit_decision",
    "s2c_direct_debit_writer",
    "s2c_document_renderers",
    "s2c_event_subscriptions",
    "s2c_notifiers",
    "s2c_on_event",
    "s2c_open_storage",
    "s2c_statement_parsers",
    "s2c_storage_schemes",
]

# --------------------------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def s2c_open_storage(url: str, clock: Clock) -> Storage | None:
    """Open the storage named by *url*, if this plugin understands it.

    Stops at the first non-None result: return None for URLs you do not handle.

    Args:
        url: A storage URL, e.g. ``sqlite:///books.db`` or ``memory://``.
        clock: The application's clock; use it for every timestamp you write.

    Returns:
        A ready [Storage][s2c_core.ports.Storage], or None.

    Implementing:
        Called once per application object. Raising aborts startup; nothing is written.
        Run your storage through ``s2c_core.testing.conformance.StorageContract``.
    """


@hookspec
def s2c_storage_schemes() -> Sequence[str]:
    """URL schemes this plugin's storage handles, e.g. ``["sqlite", "postgresql"]``.

    Used to list the installed backends when no backend handles a URL.

    Returns:
        The schemes (without ``://``).
    """
    return ()


# --------------------------------------------------------------------------------------------
# Invoicing and documents
# --------------------------------------------------------------------------------------------


@hookspec
def s2c_document_renderers() -> Sequence[DocumentRenderer]:
    """Document renderers this plugin provides (Peppol UBL, PDF, ...).

    Returns:
        Objects satisfying [DocumentRenderer][s2c_core.ports.DocumentRenderer]; the
        application offers them by ``name`` (e.g. ``"peppol-ubl"``, ``"pdf"``).
    """
    return ()


@hookspec(firstresult=True)
def s2c_credit_decision(context: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Decide on credit for an order, replacing the built-in rules.

    Args:
        context: Facts about the decision: ``customer`` (dict), ``order_total``,
            ``exposure``, ``open_receivables``, ``uninvoiced_orders``, ``overdue_days``,
            ``credit_limit`` (decimal strings or None), ``is_first_order`` (bool),
            ``policy`` (the credit policy as a dict).

    Returns:
        ``{"outcome": "approved" | "review" | "denied" | "held", "reasons": [str, ...]}``,
        or None to let the next plugin (ultimately the built-in rules) decide.

    Implementing:
        Must be a pure decision: do not write anything. Raising is reported as a
        ``BackendError`` and the order is left unchanged.
    """


# --------------------------------------------------------------------------------------------
# Payments and banking
# --------------------------------------------------------------------------------------------


@hookspec
def s2c_statement_parsers() -> Sequence[StatementParser]:
    """Bank statement parsers this plugin provides (camt.053, CODA, MT940 ...).

    Returns:
        Objects satisfying [StatementParser][s2c_core.ports.StatementParser]. The import
        service asks each parser's ``sniff`` in turn and uses the first that accepts a file.
    """
    return ()


@hookspec(firstresult=True)
def s2c_direct_debit_writer() -> Any:
    """A writer of SEPA direct-debit collection files (pain.008), if this plugin has one.

    Returns:
        An object with ``write(collection) -> bytes``, or None.
    """


# --------------------------------------------------------------------------------------------
# Notifications and events
# --------------------------------------------------------------------------------------------


@hookspec
def s2c_notifiers() -> Sequence[Notifier]:
    """Notifiers this plugin provides, each for the channels it names.

    Returns:
        Objects satisfying [Notifier][s2c_core.ports.Notifier]. A notification goes to the
        first notifier that handles its channel; when ``send`` raises, the message stays in
        the outbox and is retried with backoff, then parked.
    """
    return ()


@hookspec
def s2c_event_subscriptions() -> Sequence[str]:
    """Domain event names this plugin wants delivered to ``s2c_on_event`` (``"*"`` for all).

    Events nobody subscribes to are not copied to the outbox, so they cost nothing extra.

    Returns:
        Event names such as ``"InvoiceIssued"``, or ``["*"]``.
    """
    return ()


@hookspec
def s2c_on_event(event: DomainEvent) -> None:
    """Receive a committed domain event this plugin subscribed to.

    Called after commit from the outbox, with retries: raising marks the delivery failed and
    it is tried again later (then parked), so the business change is never lost or rolled
    back. Deliveries are at-least-once; use ``event.id`` to ignore a repeat.

    Args:
        event: The committed [DomainEvent][s2c_core.events.DomainEvent].
    """
