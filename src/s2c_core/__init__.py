"""s2c_core: an embeddable sales-to-cash library, from first contact to cash.

Open an application on a storage URL with a clock and a policy, then call its services::

    from s2c_core import S2C, FixedClock, Policy
    app = S2C.open("sqlite:///books.db", policy=Policy.default_eu("BE"))

Everything importable from here is public API; deeper modules are documented in the
reference but names not re-exported here may change.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from s2c_core._markers import hookimpl
from s2c_core._markers import hookspec
from s2c_core.app import S2C
from s2c_core.clock import Clock
from s2c_core.clock import FixedClock
from s2c_core.clock import SystemClock
from s2c_core.entities import Address
from s2c_core.entities import Company
from s2c_core.entities import Customer
from s2c_core.entities import Invoice
from s2c_core.entities import Line
from s2c_core.entities import Order
from s2c_core.entities import Payment
from s2c_core.entities import Quote
from s2c_core.entities import Shipment
from s2c_core.entities import VatCategory
from s2c_core.errors import BackendError
from s2c_core.errors import BackendNotFoundError
from s2c_core.errors import BusinessRuleError
from s2c_core.errors import ConfigurationError
from s2c_core.errors import ConflictError
from s2c_core.errors import CurrencyMismatchError
from s2c_core.errors import InvalidAmountError
from s2c_core.errors import InvalidReferenceError
from s2c_core.errors import InvalidTransitionError
from s2c_core.errors import NotFoundError
from s2c_core.errors import ParseError
from s2c_core.errors import PluginError
from s2c_core.errors import S2CError
from s2c_core.errors import ValidationError
from s2c_core.events import DomainEvent
from s2c_core.money import EUR
from s2c_core.money import Currency
from s2c_core.money import Money
from s2c_core.money import Rounding
from s2c_core.money import sum_money
from s2c_core.policy import CreditPolicy
from s2c_core.policy import DunningPlan
from s2c_core.policy import DunningStep
from s2c_core.policy import InvoiceTrigger
from s2c_core.policy import Policy
from s2c_core.policy import QuotePolicy
from s2c_core.policy import ShortagePolicy
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
    "QuotePolicy",
    "Quote",
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
