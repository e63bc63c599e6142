"""ISO 11649:2009 structured creditor reference (``RF18 5390 0754 7034``).

An RF reference is ``RF``, two check digits and a base of 1 to 21 letters or digits chosen by
the creditor. The check digits follow ISO 7064 MOD 97-10, like an IBAN: move ``RF`` and the
check digits to the end, read letters as numbers (A = 10 ... Z = 35) and the result modulo 97
must be 1. It is printed in groups of four characters. Checks are delegated to
``stdnum.iso11649`` and ``stdnum.iso7064.mod_97_10``.

Examples:
    >>> validate("rf18 5390 0754 7034")
    'RF18539007547034'
    >>> format("RF18539007547034")
    'RF18 5390 0754 7034'
    >>> from_reference("539007547034")
    'RF18539007547034'
"""

from __future__ import annotations

from typing import Final

from stdnum import iso11649 as _rf
from stdnum.iso7064 import mod_97_10 as _mod_97_10

from s2c_core.errors import InvalidReferenceError
from s2c_core.references import _stdnum

__all__ = [
    "KIND",
    "MAX_BASE_LENGTH",
    "calc_check_digits",
    "compact",
    "format",
    "from_reference",
    "is_valid",
    "validate",
]

KIND: Final = "rf_creditor"
"""The ``kind`` attribute of errors raised by this module."""

MAX_BASE_LENGTH: Final = 21
"""The longest base: 25 characters in all, minus ``RF`` and the two check digits."""


def compact(number: str) -> str:
    """Upper-case *number* and strip blanks and punctuation; no check is made.

    Examples:
        >>> compact("rf18 5390-0754.7034")
        'RF18539007547034'
    """
    result: str = _stdnum.call(KIND, number, _rf.compact)
    return result


def _clean_base(base: str | int) -> str:
    if isinstance(base, bool) or not isinstance(base, str | int):
        raise _stdnum.invalid(KIND, base, "format", "the base must be a str or an int")
    if isinstance(base, int):
        if base < 0:
            raise _stdnum.invalid(KIND, base, "format", "the base must not be negative")
        base = str(base)
    clean = compact(base)
    if not clean or len(clean) > MAX_BASE_LENGTH:
        raise _stdnum.invalid(KIND, base, "length", f"a base has 1 to {MAX_BASE_LENGTH} characters")
    if not (clean.isascii() and clean.isalnum()):
        raise _stdnum.invalid(KIND, base, "format", "a base has only letters A-Z and digits")
    return clean


def calc_check_digits(base: str | int) -> str:
    """Return the two ISO 11649 check digits for *base*: ``98 - (base + "RF00") mod 97``.

    Examples:
        >>> calc_check_digits("539007547034")
        '18'
    """
    result: str = _mod_97_10.calc_check_digits(_clean_base(base) + "RF")
    return result


def validate(number: str) -> str:
    """Return the compact reference, or raise InvalidReferenceError.

    Raises:
        InvalidReferenceError: not ``RF`` + 2 digits + 1-21 letters or digits, or the check
            digits do not match (``reason="checksum"``).

    Examples:
        >>> validate("RF17 5390 0754 7034")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        s2c_core.errors.InvalidReferenceError: rf_creditor '...' has a wrong check digit
    """
    clean = compact(number)
    if not (clean.isascii() and clean.isalnum()) or not clean[2:4].isdigit():
        raise _stdnum.invalid(KIND, number, "format")
    result: str = _stdnum.call(KIND, number, _rf.validate, clean)
    return result


def is_valid(number: object) -> bool:
    """True when *number* is a valid RF creditor reference; never raises.

    Examples:
        >>> is_valid("RF18 5390 0754 7034"), is_valid("RF18 5390 0754 7035"), is_valid(42)
        (True, False, False)
    """
    try:
        validate(number)  # type: ignore[arg-type]
    except InvalidReferenceError:
        return False
    return True


def format(number: str) -> str:
    """Return a valid *number* in groups of four characters (the last may be shorter).

    Examples:
        >>> format("RF712348231")
        'RF71 2348 231'
    """
    result: str = _rf.format(validate(number))
    return result


def from_reference(base: str | int) -> str:
    """Generate the compact RF reference for *base* (1-21 letters or digits, or an int).

    Examples:
        >>> from_reference("2348231")
        'RF712348231'
        >>> format(from_reference("INV 2024 0042"))
        'RF74 INV2 0240 042'
    """
    clean = _clean_base(base)
    return "RF" + calc_check_digits(clean) + clean
