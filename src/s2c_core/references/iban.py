"""International Bank Account Number (ISO 13616), e.g. ``BE71 0961 2345 6769``.

An IBAN is a country code, two ISO 7064 MOD 97-10 check digits and a country-specific BBAN
whose length and layout the IBAN registry fixes. ``stdnum.iban`` checks all three, including
the national check digits for countries python-stdnum knows (Belgium, among others).

Examples:
    >>> validate("be71 0961 2345 6769")
    'BE71096123456769'
    >>> format("BE71096123456769")
    'BE71 0961 2345 6769'
    >>> country_code("NL91ABNA0417164300")
    'NL'
"""

from __future__ import annotations

from typing import Final

from stdnum import iban as _iban

from s2c_core.errors import InvalidReferenceError
from s2c_core.references import _stdnum

__all__ = [
    "KIND",
    "compact",
    "country_code",
    "format",
    "is_valid",
    "validate",
]

KIND: Final = "iban"
"""The ``kind`` attribute of errors raised by this module."""


def compact(number: str) -> str:
    """Upper-case *number* and strip blanks and punctuation; no check is made.

    Examples:
        >>> compact(" nl91 abna 0417 1643 00 ")
        'NL91ABNA0417164300'
    """
    result: str = _stdnum.call(KIND, number, _iban.compact)
    return result


def validate(number: str) -> str:
    """Return the compact IBAN, or raise InvalidReferenceError.

    Raises:
        InvalidReferenceError: wrong length or layout for its country (``reason="length"`` or
            ``"format"``), wrong check digits (``"checksum"``), unknown country or bank part
            (``"component"``).

    Examples:
        >>> validate("BE71 0961 2345 6768")
        Traceback (most recent call last):
        ...
        s2c_core.errors.InvalidReferenceError: iban 'BE71 0961 2345 6768' has a wrong check digit
    """
    result: str = _stdnum.call(KIND, number, _iban.validate)
    return result


def is_valid(number: object) -> bool:
    """True when *number* is a valid IBAN; never raises.

    Examples:
        >>> is_valid("DE89 3704 0044 0532 0130 00"), is_valid("DE89 3704"), is_valid(None)
        (True, False, False)
    """
    try:
        validate(number)  # type: ignore[arg-type]
    except InvalidReferenceError:
        return False
    return True


def format(number: str) -> str:
    """Return a valid IBAN in the paper format: groups of four characters.

    Examples:
        >>> format("DE89370400440532013000")
        'DE89 3704 0044 0532 0130 00'
    """
    result: str = _iban.format(validate(number))
    return result


def country_code(number: str) -> str:
    """Return the ISO 3166 country code of a valid IBAN.

    Examples:
        >>> country_code("BE71 0961 2345 6769")
        'BE'
    """
    return validate(number)[:2]
