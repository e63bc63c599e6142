"""The one exception hierarchy of s2c_core.

Every error the library raises on purpose derives from [S2CError][s2c_core.errors.S2CError].
Errors carry the facts as attributes (``err.state``, ``err.event``, ``err.field`` ...), so callers
never parse messages. The rule everywhere: check everything, then change; an error means nothing
was changed or stored.

```text
S2CError
├── ValidationError (also ValueError)     bad input; nothing changed
│   ├── CurrencyMismatchError
│   ├── InvalidAmountError
│   ├── InvalidReferenceError
│   └── ParseError                        a file or document could not be read safely
├── InvalidTransitionError                event not allowed from the current state
├── BusinessRuleError                     refused by policy (credit, stock, over-allocation)
├── NotFoundError (also LookupError)
├── ConflictError                         a concurrent update won; retry on fresh data
├── PluginError
│   ├── BackendNotFoundError
│   └── BackendError                      the original exception is ``__cause__``
└── ConfigurationError
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "BackendError",
    "BackendNotFoundError",
    "BusinessRuleError",
    "ConfigurationError",
    "ConflictError",
    "CurrencyMismatchError",
    "InvalidAmountError",
    "InvalidReferenceError",
    "InvalidTransitionError",
    "NotFoundError",
    "ParseError",
    "PluginError",
    "S2CError",
    "ValidationError",
]


class S2CError(Exception):
    """Base class of every error s2c_core raises on purpose.

    Attributes:
        message: The human-readable message (also ``str(err)``).
        facts: Extra facts about the error, also set as attributes on the instance.
    """

    def __init__(self, message: str, **facts: Any) -> None:
        super().__init__(message)
        self.message = message
        self.facts: Mapping[str, Any] = dict(facts)
        for key, value in facts.items():
            setattr(self, key, value)


class ValidationError(S2CError, ValueError):
    """Bad input: a value breaks a rule. Nothing was changed.

    Attributes:
        field: The name of the offending field or argument, when known.
        value: The offending value, when it is safe to keep.
    """

    def __init__(self, message: str, *, field: str | None = None, value: Any = None, **facts: Any):
        super().__init__(message, field=field, value=value, **facts)


class CurrencyMismatchError(ValidationError):
    """Two amounts in different currencies were combined.

    Attributes:
        left: Currency code of the left operand.
        right: Currency code of the right operand.
    """

    def __init__(self, left: str, right: str, *, operation: str = "combine") -> None:
        super().__init__(
            f"cannot {operation} {left} with {right}: amounts must share one currency",
            field="currency",
            value=right,
            left=left,
            right=right,
            operation=operation,
        )


class InvalidAmountError(ValidationError):
    """An amount is not acceptable: a float, not finite, finer than the minor unit, negative ..."""


class InvalidReferenceError(ValidationError):
    """A payment reference, IBAN, VAT number or other identifier fails its check."""


class ParseError(ValidationError):
    """A file or document could not be read safely; nothing from it was imported.

    Attributes:
        source: The file name or source label.
        entry: Position or identifier of the offending entry, when known.
        field: The offending field, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        entry: str | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"file {source!r}" if source else "",
                f"entry {entry}" if entry else "",
                f"field {field!r}" if field else "",
            )
            if part
        )
        full = f"{message} ({where})" if where else message
        super().__init__(full, field=field, value=value, source=source, entry=entry)


class InvalidTransitionError(S2CError):
    """A lifecycle event is not allowed from the entity's current state. Nothing changed.

    Attributes:
        entity: The aggregate type, e.g. ``"order"``.
        entity_id: The id of the entity, when known.
        state: The current state.
        event: The refused event.
        allowed: The events allowed from *state*.
    """

    def __init__(
        self,
        *,
        entity: str,
        state: str,
        event: str,
        allowed: tuple[str, ...] = (),
        entity_id: str | None = None,
    ) -> None:
        who = (
            f"{entity} {entity_id}"
            if entity_id
            else f"an {entity}"
            if entity[:1] in "aeiou"
            else f"a {entity}"
        )
        allowed_text = ", ".join(repr(a) for a in allowed) if allowed else "none"
        super().__init__(
            f"cannot {event!r} {who} in state {state!r} (allowed: {allowed_text})",
            entity=entity,
            entity_id=entity_id,
            state=state,
            event=event,
            allowed=allowed,
        )


class BusinessRuleError(S2CError):
    """Refused by a business rule or policy: credit limit, stock, over-allocation ...

    Attributes:
        rule: A short machine-readable rule name, e.g. ``"credit_limit"``.
    """

    def __init__(self, message: str, *, rule: str, **facts: Any) -> None:
        super().__init__(message, rule=rule, **facts)


class NotFoundError(S2CError, LookupError):
    """An entity with the given id does not exist.

    Attributes:
        entity: The aggregate type, e.g. ``"invoice"``.
        entity_id: The id that was looked up.
    """

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"{entity} {entity_id!r} not found", entity=entity, entity_id=entity_id)


class ConflictError(S2CError):
    """A concurrent update won; reload and retry.

    Attributes:
        entity: The aggregate type.
        entity_id: The id of the contested entity.
        expected_version: The version the writer started from.
    """

    def __init__(
        self,
        entity: str,
        entity_id: object,
        *,
        expected_version: int | None = None,
        reason: str = "",
    ) -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(
            f"{entity} {entity_id!r} was changed concurrently (expected version "
            f"{expected_version}){detail}",
            entity=entity,
            entity_id=entity_id,
            expected_version=expected_version,
        )


class PluginError(S2CError):
    """A plugin or backend failed or is missing."""


class BackendNotFoundError(PluginError):
    """No installed backend handles a URL or role.

    Attributes:
        url: The URL or role asked for.
        installed: Names of the installed plugins that were asked.
    """

    def __init__(self, message: str, *, url: str = "", installed: tuple[str, ...] = ()) -> None:
        suffix = f"; installed plugins: {', '.join(installed)}" if installed else ""
        super().__init__(message + suffix, url=url, installed=installed)


class BackendError(PluginError):
    """A backend raised; the original exception is the ``__cause__``."""


class ConfigurationError(S2CError):
    """The library or a plugin is configured inconsistently."""
