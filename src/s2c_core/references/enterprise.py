"""Company register numbers: the Belgian enterprise number (KBO/BCE) and the Dutch KvK number.

* **Belgium** (``country="BE"``, the default): the enterprise number of the Crossroads Bank for
  Enterprises (KBO/BCE) has 10 digits, starts with 0 or 1, and its last two digits are
  ``97 - (first eight mod 97)``. It is also the VAT number without the ``BE`` prefix, so the
  check is ``stdnum.be.vat``'s. Printed ``0403.019.261``; old 9-digit numbers get a leading 0.
* **Netherlands** (``country="NL"``): the Kamer van Koophandel number has 8 digits and carries
  no check digit; python-stdnum ships no module for it (``stdnum.nl.kvk`` does not exist in the
  installed version), so only the length and digits are checked. Printed as is.

Examples:
    >>> validate("BE 0403.019.261")
    '0403019261'
    >>> format("403019261")
    '0403.019.261'
    >>> validate("6901 2345", country="NL")
    '69012345'
"""

from __future__ import annotations

from typing import Final, Literal

from stdnum.be import vat as _be_vat

from s2c_core.errors import InvalidReferenceError
from s2c_core.references import _stdnum

__all__ = [
    "KIND",
    "Country",
    "compact",
    "format",
    "is_valid",
    "validate",
]

KIND: Final = "enterprise"
"""The ``kind`` attribute of errors raised by this module."""

Country = Literal["BE", "NL"]
"""The registers this module knows: ``"BE"`` (KBO/BCE) and ``"NL"`` (KvK)."""

_KVK_SEPARATORS: Final = " .-/"


def _check_country(country: object) -> None:
    if country not in ("BE", "NL"):
        raise _stdnum.invalid(KIND, country, "component", "country must be 'BE' or 'NL'")


def _compact_kvk(number: str) -> str:
    clean = number.strip().upper()
    for sep in _KVK_SEPARATORS:
        clean = clean.replace(sep, "")
    return clean.removeprefix("KVK")


def compact(number: str, *, country: Country = "BE") -> str:
    """Strip separators (and a ``BE`` or ``KvK`` prefix); no check is made.

    Examples:
        >>> compact("BE0403.019.261")
        '0403019261'
        >>> compact("KvK 6901 2345", country="NL")
        '69012345'
    """
    _check_country(country)
    func = _be_vat.compact if country == "BE" else _compact_kvk
    result: str = _stdnum.call(KIND, number, func)
    return result


def validate(number: str, *, country: Country = "BE") -> str:
    """Return the compact number, or raise InvalidReferenceError.

    Raises:
        InvalidReferenceError: wrong length (``reason="length"``), not digits (``"format"``),
            a Belgian number not starting with 0 or 1 (``"component"``) or failing its mod-97
            check (``"checksum"``).

    Examples:
        >>> validate("0403.019.262")
        Traceback (most recent call last):
        ...
        s2c_core.errors.InvalidReferenceError: enterprise '0403.019.262' has a wrong check digit
    """
    clean = compact(number, country=country)
    if country == "BE":
        result: str = _stdnum.call(KIND, number, _be_vat.validate, clean)
        return result
    if not (clean.isascii() and clean.isdigit()) or int(clean) == 0:
        raise _stdnum.invalid(KIND, number, "format")
    if len(clean) != 8:
        raise _stdnum.invalid(KIND, number, "length", "a KvK number has 8 digits")
    return clean


def is_valid(number: object, *, country: Country = "BE") -> bool:
    """True when *number* is a valid register number of *country*; never raises.

    Examples:
        >>> is_valid("0403019261"), is_valid("0403019262"), is_valid("1234567", country="NL")
        (True, False, False)
    """
    try:
        validate(number, country=country)  # type: ignore[arg-type]
    except InvalidReferenceError:
        return False
    return True


def format(number: str, *, country: Country = "BE") -> str:
    """Return a valid number in its printed form: ``0403.019.261`` (BE), ``69012345`` (NL).

    Examples:
        >>> format("0428759497")
        '0428.759.497'
    """
    clean = validate(number, country=country)
    if country == "BE":
        return f"{clean[:4]}.{clean[4:7]}.{clean[7:]}"
    return clean
