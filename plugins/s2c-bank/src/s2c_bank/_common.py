"""Shared machinery of the statement parsers: sources, errors, strict amounts, dates, entry keys.

Nothing here knows a file format. Amounts are checked *lexically* before any ``Decimal`` is
built, because ``Decimal`` happily accepts ``NaN``, ``Infinity``, ``1e309`` and ``-0``: the rules
are those of the ISO 20022 ``ActiveOrHistoricCurrencyAndAmount`` type (digits with an optional
fraction, at most 18 digits of which at most 5 fraction digits, no sign, no exponent), then the
ISO 4217 minor unit of the currency (no more fraction digits than the currency has, even zeros).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO, Final, NoReturn, Protocol, TypeAlias

from s2c_core.errors import ConfigurationError, ParseError, ValidationError
from s2c_core.money import Currency, Money, get_currency

__all__ = [
    "Decimals",
    "EntryKeys",
    "PrefixedReader",
    "Readable",
    "Source",
    "Where",
    "open_binary",
    "parse_decimal_amount",
    "source_label",
]

Source: TypeAlias = IO[bytes] | bytes | str | os.PathLike[str]
"""What every parser accepts: an open binary file, the file's bytes, or a path (``str`` is a
path, never content)."""

_MAX_VALUE_IN_ERROR: Final = 40


def source_label(source: object, label: str | None) -> str:
    """The name used in error messages: *label*, else the path or file name, else ``<bytes>``."""
    if label:
        return label
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    if isinstance(name, str):
        return name
    return "<bytes>"


@contextmanager
def open_binary(source: object) -> Iterator[IO[bytes]]:
    """Yield a readable binary stream for *source*; files opened here are closed on exit."""
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(bytes(source))
    elif isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as handle:
            yield handle
    elif hasattr(source, "read"):
        yield source  # type: ignore[misc]
    else:
        raise TypeError(f"expected a path, bytes or a binary file, not {type(source).__name__}")


class Readable(Protocol):
    """Anything with a binary ``read``."""

    def read(self, size: int = -1, /) -> bytes:
        """Read up to *size* bytes (all when negative)."""
        ...


class PrefixedReader:
    """A read-only binary stream that first returns *head*, then the rest of *stream*."""

    def __init__(self, head: bytes, stream: Readable) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._stream.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._stream.read(size)


class Decimals(StrEnum):
    """How an amount written with more decimals than its currency has is read.

    ISO 20022 amounts may carry up to 5 fraction digits while ISO 4217 gives EUR 2, and banks
    differ: some write ``18.150`` for EUR 18.15 (several published camt.053 test files do).

    * ``EXACT_VALUE`` (the default): extra decimals are accepted when they are zeros, since the
      amount is then exactly one of the currency (``18.150`` is EUR 18.15); any other extra
      digit is refused (``0.001`` EUR claims a precision EUR does not have). CODA amounts are
      always written with three decimals and are read this way whatever the option.
    * ``AS_WRITTEN``: the strict reading of the ISO 20022 rule that an amount's fraction
      digits follow ISO 4217: any decimal beyond the currency's is refused, zeros included.
    """

    EXACT_VALUE = "exact_value"
    AS_WRITTEN = "as_written"


class Where:
    """Where the parser is in a file, so every error names the file, the entry and the field.

    It also carries the file's reading options (see [Decimals][s2c_bank.Decimals]).
    """

    __slots__ = ("decimals", "entry", "source")

    def __init__(self, source: str, *, decimals: Decimals | str = Decimals.EXACT_VALUE) -> None:
        self.source = source
        self.entry: str | None = None
        self.decimals = decimals_option(decimals)

    def fail(self, message: str, *, field: str | None = None, value: object = None) -> NoReturn:
        """Raise the ParseError for *message* at the current entry."""
        shown = value
        if isinstance(value, str) and len(value) > _MAX_VALUE_IN_ERROR:
            shown = value[:_MAX_VALUE_IN_ERROR] + "..."
        raise ParseError(message, source=self.source, entry=self.entry, field=field, value=shown)


# -- amounts ----------------------------------------------------------------------------------


def decimals_option(value: Decimals | str) -> Decimals:
    """*value* as a [Decimals][s2c_bank.Decimals]; ``ConfigurationError`` naming the options."""
    try:
        return Decimals(value)
    except ValueError:
        options = ", ".join(repr(d.value) for d in Decimals)
        raise ConfigurationError(f"decimals must be one of {options}, not {value!r}") from None


_XML_DECIMAL: Final = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_MAX_TOTAL_DIGITS: Final = 18
_MAX_FRACTION_DIGITS: Final = 5


def currency_of(code: str | None, where: Where, *, field: str = "Ccy") -> Currency:
    """The registered currency for *code*; ParseError for a missing or unknown code."""
    if not code:
        where.fail("currency code is missing", field=field)
    try:
        return get_currency(code.strip())
    except ValidationError:
        where.fail(f"unknown currency {code!r}", field=field, value=code)


def check_minor_unit(
    whole: str, fraction: str, currency: Currency, where: Where, *, field: str, text: str
) -> Money:
    """Build Money from digit strings, refusing more fraction digits than *currency* has
    (zeros beyond them are accepted unless the file is read ``Decimals.AS_WRITTEN``)."""
    minor_unit = currency.minor_unit
    if len(fraction) > minor_unit:
        if where.decimals is Decimals.EXACT_VALUE and not fraction[minor_unit:].strip("0"):
            fraction = fraction[:minor_unit]  # 18.150 is EUR 18.15 exactly
        else:
            where.fail(
                f"amount {text!r} has {len(fraction)} decimals but {currency.code} has "
                f"{minor_unit}",
                field=field,
                value=text,
            )
    # Written out to exactly the currency's exponent, the Decimal is what Money's checked
    # constructor would have kept (digits only, so never negative, never "-0"): the checks
    # above are Money's own, so it is built without repeating them.
    exact = f"{whole}.{fraction.ljust(minor_unit, '0')}" if minor_unit else whole
    return Money._trusted(Decimal(exact), currency)


_AT_EXPONENT: Final = {
    0: re.compile(r"[0-9]{1,15}"),
    **{digits: re.compile(rf"[0-9]{{1,13}}\.[0-9]{{{digits}}}") for digits in range(1, 5)},
}
"""Per minor unit: amounts written exactly at the currency's exponent, with at most 17 digits.
Every such text passes all the checks of ``parse_decimal_amount`` unchanged, so it is read
as written (the common case, checked with one match)."""
_trusted_money: Final = Money._trusted


def parse_decimal_amount(
    text: str | None, currency: Currency, where: Where, *, field: str = "Amt"
) -> Money:
    """Parse an unsigned ISO 20022 amount (``123.45``), strictly.

    Refused: empty, a sign, an exponent, ``NaN``/``Infinity``, separators other than one dot,
    more than 18 digits, more than 5 fraction digits, or more fraction digits than the
    currency's minor unit: ``8.855`` is refused in EUR (the file claims a precision the currency
    does not have); ``8.850`` is EUR 8.85 unless the file is read ``Decimals.AS_WRITTEN``.
    Surrounding XML whitespace is allowed (XSD ``collapse``).
    """
    plain = _AT_EXPONENT.get(currency.minor_unit)
    if plain is not None and text is not None and plain.fullmatch(text) is not None:
        return _trusted_money(Decimal(text), currency)  # what check_minor_unit would build
    raw = "" if text is None else text
    match = _XML_DECIMAL.fullmatch(raw.strip(" \t\r\n"))
    if match is None:
        where.fail(f"amount {raw!r} is not an unsigned decimal number", field=field, value=raw)
    whole, fraction = match.group(1), match.group(2) or ""
    digits = len(whole.lstrip("0") or "0") + len(fraction)
    if digits > _MAX_TOTAL_DIGITS or len(whole) > 40:
        where.fail(f"amount {raw!r} has more than 18 digits", field=field, value=raw)
    if len(fraction) > _MAX_FRACTION_DIGITS:
        where.fail(f"amount {raw!r} has more than 5 decimals", field=field, value=raw)
    return check_minor_unit(whole, fraction, currency, where, field=field, text=raw)


# -- dates ------------------------------------------------------------------------------------

_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")
_DATETIME: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def parse_iso_date(text: str | None, where: Where, *, field: str) -> date:
    """Parse an ISO date (``2026-11-22``, an ``xs:date`` offset is allowed and ignored)."""
    match = _DATE.fullmatch((text or "").strip())
    if match is None:
        where.fail(f"date {text!r} is not YYYY-MM-DD", field=field, value=text)
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        where.fail(f"date {text!r} does not exist", field=field, value=text)


def parse_iso_datetime(text: str | None, where: Where, *, field: str) -> datetime:
    """Parse an ISO date-time; without an offset it is taken as UTC (the result is aware)."""
    match = _DATETIME.fullmatch((text or "").strip())
    if match is None:
        where.fail(f"date-time {text!r} is not an ISO 8601 date-time", field=field, value=text)
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=_zone(match[8]))
    except ValueError:
        where.fail(f"date-time {text!r} does not exist", field=field, value=text)


_SIX_DIGITS: Final = re.compile(r"[0-9]{6}")


def parse_yymmdd(text: str, where: Where, *, field: str, order: str = "ymd") -> date:
    """Parse a six-digit date, ``YYMMDD`` (MT940) or ``DDMMYY`` (CODA, *order* ``"dmy"``).

    Two-digit years 00-79 are 2000-2079, 80-99 are 1980-1999.
    """
    if not _SIX_DIGITS.fullmatch(text):
        where.fail(f"date {text!r} is not six digits", field=field, value=text)
    first, mid, last = int(text[0:2]), int(text[2:4]), int(text[4:6])
    yy, month, day = (first, mid, last) if order == "ymd" else (last, mid, first)
    year = 2000 + yy if yy < 80 else 1900 + yy
    try:
        return date(year, month, day)
    except ValueError:
        where.fail(f"date {text!r} does not exist", field=field, value=text)


# -- entry keys -------------------------------------------------------------------------------


def _digest(parts: tuple[object, ...]) -> str:
    canonical = "\x1f".join(["" if p is None else str(p) for p in parts])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class EntryKeys:
    """Computes ``BankEntry.entry_key`` values for one statement.

    Two kinds of key, both SHA-256 hex digests so they have one length and no odd characters:

    * with a bank reference that the format defines as unique (camt ``AcctSvcrRef``): over
      (account, reference, batch item index); should a bank repeat a reference inside one
      statement the repeats are numbered, so nothing is merged;
    * otherwise a fingerprint over (account, booking date, amount, counterparty, references,
      text) plus the number of identical fingerprints seen before in the same statement, so two
      identical coffees on one day stay two entries and re-reading the file gives the same keys.
    """

    def __init__(self, account: str) -> None:
        self._account = account
        self._seen: dict[str, int] = {}
        self._by_reference = hashlib.sha256(f"ref\x1f{account}\x1f".encode())

    def _numbered(self, kind: str, parts: tuple[object, ...]) -> str:
        return self._count(_digest((kind, self._account, *parts)))

    def _count(self, base: str) -> str:
        occurrence = self._seen.get(base, 0)
        self._seen[base] = occurrence + 1
        return base if occurrence == 0 else _digest((base, occurrence))

    def by_reference(self, reference: str, item: int | None) -> str:
        """Key from the bank's unique reference (and the batch item index, if any)."""
        digest = self._by_reference.copy()  # the digest of ("ref", account, reference, item)
        digest.update(f"{reference}\x1f{'' if item is None else item}".encode())
        return self._count(digest.hexdigest())

    def by_fingerprint(self, *fields: object) -> str:
        """Key from the entry's content and its occurrence number in the statement."""
        return self._numbered("fp", fields)
