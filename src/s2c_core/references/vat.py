"""EU VAT identification numbers (``BE0403019261``, ``NL004495445B01``, ``EL094259216``).

A VAT number is the member state prefix (``EL`` for Greece, ``XI`` for Northern Ireland)
followed by the national number, whose length and check digits each member state defines.
``stdnum.eu.vat`` dispatches to the national module (``stdnum.be.vat``, ``stdnum.nl.btw`` ...).
Only the offline syntax and check digits are verified here; whether the number is registered is
a question for VIES, which a plugin may ask.

Examples:
    >>> validate("BE 0403.019.261")
    'BE0403019261'
    >>> country_code("nl004495445b01")
    'NL'
"""

from __future__ import annotations

from typing import Final

from stdnum.eu import vat as _vat

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

KIND: Final = "vat"
"""The ``kind`` attribute of errors raised by this module."""


def compact(number: str) -> str:
    """Return *number* as prefix + national number without separators; no checksum is made.

    Raises:
        InvalidReferenceError: the prefix is not an EU member state's (``reason="component"``).

    Examples:
        >>> compact("be 0403.019.261")
        'BE0403019261'
    """
    result: str = _stdnum.call(KIND, number, _vat.compact)
    return result


def validate(number: str) -> str:
    """Return the compact VAT number, or raise InvalidReferenceError.

    Raises:
        InvalidReferenceError: unknown prefix (``reason="component"``), wrong national length
            or layout (``"length"``/``"format"``), wrong check digits (``"checksum"``).

    Examples:
        >>> validate("BE0403019262")
        Traceback (most recent call last):
        ...
        s2c_core.errors.InvalidReferenceError: vat 'BE0403019262' has a wrong check digit
    """
    result: str = _stdnum.call(KIND, number, _vat.validate)
    return result


def is_valid(number: object) -> bool:
    """True when *number* is a syntactically valid EU VAT number; never raises.

    Examples:
        >>> is_valid("NL004495445B01"), is_valid("US123"), is_valid(3)
        (True, False, False)
    """
    try:
        validate(number)  # type: ignore[arg-type]
    except InvalidReferenceError:
        return False
    return True


def format(number: str) -> str:
    """Return a valid VAT number as printed on EN 16931 invoices: prefix and digits, no blanks.

    Examples:
        >>> format("be 403 019 261")
        'BE0403019261'
    """
    return validate(number)


def country_code(number: str) -> str:
    """Return the two-letter VAT prefix of a valid number (``EL`` for Greece, not ``GR``).

    Examples:
        >>> country_code("EL094259216")
        'EL'
    """
    return validate(number)[:2]
