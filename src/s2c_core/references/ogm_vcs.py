"""Belgian structured communication: OGM (Dutch) / VCS (French), ``+++123/4567/89002+++``.

The Febelfin banking standard for structured communication defines 12 digits: a 10-digit base
number chosen by the creditor followed by two check digits, the base modulo 97 (``97`` when the
remainder is 0). It is printed as ``+++ddd/dddd/ddddd+++``; some banks and printers use
``***`` instead of ``+++``. Checks are delegated to ``stdnum.be.ogm_vcs``, except for the
two forms the library itself writes and reads back on every invoice and payment: twelve ASCII
digits, and the printed ``+++ddd/dddd/ddddd+++`` (or ``***``). For those the same rule is
applied directly (about ten times faster); ``tests/unit/references`` proves the two paths give
the same answer for every such input, and anything else goes to python-stdnum.

Examples:
    >>> validate("+++010/8068/17183+++")
    '010806817183'
    >>> format("010806817183")
    '+++010/8068/17183+++'
    >>> from_number(108068171)
    '010806817183'
"""

from __future__ import annotations

import builtins
import re
from typing import Final

from stdnum.be import ogm_vcs as _ogm

from s2c_core.errors import InvalidReferenceError
from s2c_core.references import _stdnum

__all__ = [
    "KIND",
    "MAX_BASE",
    "calc_check_digits",
    "compact",
    "format",
    "from_number",
    "is_valid",
    "validate",
]

KIND: Final = "ogm_vcs"
"""The ``kind`` attribute of errors raised by this module."""

MAX_BASE: Final = 9_999_999_999
"""The largest base number: the base has 10 digits."""


_CANONICAL: Final = re.compile(
    r"(?:\+\+\+|\*\*\*)?([0-9]{3})/?([0-9]{4})/?([0-9]{5})(?:\+\+\+|\*\*\*)?"
)


def _canonical_valid(number: object) -> str | None:
    """The 12 digits of a valid *number* written in a canonical form, else None (no verdict).

    Same rule as ``stdnum.be.ogm_vcs.validate``: digits only, above zero, 12 long, and the last
    two are the first ten modulo 97 (97 for 0).
    """
    if not isinstance(number, str):
        return None
    found = _CANONICAL.fullmatch(number)
    if found is None:
        return None
    digits = "".join(found.groups())
    if int(digits) > 0 and int(digits[10:]) == (int(digits[:10]) % 97 or 97):
        return digits
    return None


def compact(number: str) -> str:
    """Strip the ``+++``/``***`` delimiters, slashes, dots and blanks; no check is made.

    Examples:
        >>> compact("***010/8068/17183***")
        '010806817183'
    """
    return _stdnum.call(KIND, number, _compact)


def _compact(number: str) -> str:
    result: str = _ogm.compact(number.replace("*", "").replace(".", ""))
    return result


def calc_check_digits(base: str) -> str:
    """Return the two check digits of a 10-digit base: ``base mod 97``, or ``97`` when 0.

    Examples:
        >>> calc_check_digits("0108068171")
        '83'
        >>> calc_check_digits("0000000097")
        '97'
    """
    if isinstance(base, str) and len(base) == 10 and base.isascii() and base.isdigit():
        return f"{int(base) % 97 or 97:02d}"
    clean = compact(base)
    if not clean.isdigit() or len(clean) != 10:
        raise _stdnum.invalid(KIND, base, "length", "a base number has 10 digits")
    result: str = _ogm.calc_check_digits(clean)
    return result


def validate(number: str) -> str:
    """Return the 12 clean digits of *number*, or raise InvalidReferenceError.

    Raises:
        InvalidReferenceError: not 12 digits (``reason="length"``/``"format"``) or the
            check digits do not match (``reason="checksum"``).

    Examples:
        >>> validate("010/8068/17180")
        Traceback (most recent call last):
        ...
        s2c_core.errors.InvalidReferenceError: ogm_vcs '010/8068/17180' has a wrong check digit
    """
    fast = _canonical_valid(number)
    if fast is not None:
        return fast
    clean = compact(number)
    result: str = _stdnum.call(KIND, number, _ogm.validate, clean)
    return result


def is_valid(number: object) -> bool:
    """True when *number* is a valid structured communication; never raises.

    Examples:
        >>> is_valid("+++010/8068/17183+++"), is_valid("+++010/8068/17184+++"), is_valid(None)
        (True, False, False)
    """
    try:
        validate(number)  # type: ignore[arg-type]
    except InvalidReferenceError:
        return False
    return True


def format(number: str) -> str:
    """Return the printed form ``+++ddd/dddd/ddddd+++`` of a valid *number*.

    Examples:
        >>> format("  010806817183 ")
        '+++010/8068/17183+++'
    """
    digits = validate(number)
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def from_number(base: int) -> str:
    """Generate the 12-digit structured communication for an integer *base* (1 to 9 999 999 999).

    The base is left-padded with zeros to 10 digits and followed by its check digits, so one
    invoice number (or customer number) always gives the same reference.

    Raises:
        InvalidReferenceError: *base* is not an int in range.

    Examples:
        >>> from_number(1)
        '000000000101'
        >>> format(from_number(97))
        '+++000/0000/09797+++'
    """
    if isinstance(base, bool) or not isinstance(base, int) or not 1 <= base <= MAX_BASE:
        raise _stdnum.invalid(KIND, base, "format", f"the base must be an int from 1 to {MAX_BASE}")
    digits = builtins.format(base, "010d")
    return digits + calc_check_digits(digits)
