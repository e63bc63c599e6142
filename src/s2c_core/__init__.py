"""s2c_core: an embeddable sales-to-cash library, from first contact to cash.

Open an application on a storage URL with a clock and a policy, then call its services::

    from s2c_core import S2C, FixedClock, Policy
    app = S2C.open("sqlite:///books.db", policy=Policy.default_eu("BE"))

Everything importable from here is public API; deeper modules are documented in the
reference but names not re-exported here may change.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from s2c_core._markers import hookimpl, hookspec
from s2c_core.app import S2C
from s2c_core.clock import Clock, FixedClock, SystemClock
from s2c_core.entities import (
    Address,
    Company,
    Customer,
    Invoice,
    Line,
    Order,
    Payment,
    Quote,
    Shipment,
    VatCategory,
)
from s2c_core.errors import (
    BackendError,
    BackendNotFoundError,
    BusinessRuleError,
    ConfigurationError,
    ConflictError,
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidReferenceError,
    InvalidTransitionError,
    NotFoundError,
    ParseError,
    PluginError,
    S2CError,
    ValidationError,
)
from s2c_core.events import DomainEvent
from s2c_core.money import EUR, Currency, Money, Rounding, sum_money
from s2c_core.policy import (
    CreditPolicy,
    DunningPlan,
    DunningStep,
    InvoiceTrigger,
    Policy,
    QuotePolicy,
    ShortagePolicy,
)
from s2c_core.ports import Notification
from s2c_core.services.sales import LineItem

try:
    __version__ = version("s2c-core")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "EUR",
    "S2C",
    "Address",
    "BackendError",
    "BackendNotFoundError",
    "BusinessRuleError",
    "Clock",
    "Company",
    "ConfigurationError",
    "ConflictError",
    "CreditPolicy",
    "Currency",
    "CurrencyMismatchError",
    "Customer",
    "DomainEvent",
    "DunningPlan",
    "DunningStep",
    "FixedClock",
    "InvalidAmountError",
    "InvalidReferenceError",
    "InvalidTransitionError",
    "Invoice",
    "InvoiceTrigger",
    "Line",
    "LineItem",
    "Money",
    "NotFoundError",
    "Notification",
    "Order",
    "ParseError",
    "Payment",
    "PluginError",
    "Policy",
    "Quote",
    "QuotePolicy",
    "Rounding",
    "S2CError",
    "Shipment",
    "ShortagePolicy",
    "SystemClock",
    "ValidationError",
    "VatCategory",
    "__version__",
    "hookimpl",
    "hookspec",
    "sum_money",
]
