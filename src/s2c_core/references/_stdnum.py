"""Bridge from python-stdnum exceptions to s2c_core.errors.InvalidReferenceError.

python-stdnum raises its own ``ValidationError`` subclasses (``InvalidFormat``,
``InvalidLength``, ``InvalidChecksum``, ``InvalidComponent``). Every public function of
:mod:`s2c_core.references` translates them here, so callers catch one error type and read
``err.kind`` and ``err.reason`` instead of parsing messages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final, TypeVar

from stdnum import exceptions as stdnum_exceptions

from s2c_core.errors import InvalidReferenceError

T = TypeVar("T")

_REASONS: Final[tuple[tuple[type[Exception], str], ...]] = (
    (stdnum_exceptions.InvalidChecksum, "checksum"),
    (stdnum_exceptions.InvalidLength, "length"),
    (stdnum_exceptions.InvalidFormat, "format"),
    (stdnum_exceptions.InvalidComponent, "component"),
)


def reason_of(exc: Exception) -> str:
    """Name the failed rule of a stdnum exception: checksum, length, format or component."""
    for exc_type, reason in _REASONS:
        if isinstance(exc, exc_type):
            return reason
    return "format"


def invalid(kind: str, value: object, reason: str, detail: str = "") -> InvalidReferenceError:
    """Build the error for *value* of *kind* that breaks *reason* (never raises itself)."""
    label = {
        "checksum": "has a wrong check digit",
        "length": "has the wrong length",
        "format": "is not well formed",
        "component": "has an invalid or unknown part",
    }.get(reason, "is invalid")
    suffix = f" ({detail})" if detail else ""
    return InvalidReferenceError(
        f"{kind} {value!r} {label}{suffix}", field=kind, value=value, kind=kind, reason=reason
    )


def call(kind: str, value: object, func: Callable[[str], T], argument: str | None = None) -> T:
    """Call ``func(argument)`` (default: *value*) translating stdnum errors (and non-strings)
    to InvalidReferenceError about *value*."""
    if not isinstance(value, str):
        raise invalid(kind, value, "format", f"expected a str, got {type(value).__name__}")
    try:
        result: T = _remembered(func, value if argument is None else argument)
    except stdnum_exceptions.ValidationError as exc:
        raise invalid(kind, value, reason_of(exc)) from None
    except (ValueError, IndexError, KeyError) as exc:  # malformed input reaching stdnum internals
        raise invalid(kind, value, "format") from exc
    return result


@lru_cache(maxsize=8192)
def _remembered(func: Callable[[str], Any], value: str) -> Any:
    # The stdnum functions used here are pure (text in, text or bool out): a bank import asks
    # about the same reference several times per entry (detect, validate, format). Failures
    # raise and are not remembered.
    return func(value)
