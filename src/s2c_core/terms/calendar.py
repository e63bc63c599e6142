"""Business days: national holiday calendars and due-date adjustment conventions.

A due date that falls on a weekend or a public holiday can be moved to a business day. The
conventions are the ones of the ISDA 2006 Definitions, section 4.12 ("Business Day
Convention"):

* **following**: the next business day;
* **modified following**: the next business day, unless that is in the next calendar month,
  in which case the previous business day;
* **preceding**: the previous business day;
* **modified preceding**: the previous business day, unless that is in the previous calendar
  month, in which case the next business day.

Public holidays come from the [holidays](https://pypi.org/project/holidays/) package (national
calendars such as BE, NL, FR, LU, DE, optionally a subdivision such as ``DE``/``BY``). Saturdays
and Sundays are non-business days by default. No I/O: the package computes the dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

import holidays
from attrs import field, frozen

from s2c_core.errors import ValidationError

__all__ = ["BusinessCalendar", "BusinessDayConvention"]

_ONE_DAY = timedelta(days=1)
_MAX_SHIFT = 366  # no calendar has a year of holidays in a row


class BusinessDayConvention(StrEnum):
    """How a due date on a non-business day is moved (ISDA 2006 Definitions, section 4.12).

    Examples:
        >>> BusinessDayConvention("modified_following").name
        'MODIFIED_FOLLOWING'
    """

    UNADJUSTED = "unadjusted"
    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"
    MODIFIED_PRECEDING = "modified_preceding"


@lru_cache(maxsize=64)
def _national_holidays(country: str, subdivision: str) -> Any:
    """The ``holidays`` calendar of *country*, expanding to any year on lookup (cached)."""
    try:
        return holidays.country_holidays(country, subdiv=subdivision or None)
    except (NotImplementedError, KeyError) as exc:
        raise ValidationError(
            f"no holiday calendar for country {country!r}"
            + (f" subdivision {subdivision!r}" if subdivision else "")
            + f": {exc}",
            field="country",
            value=country,
        ) from None


def _as_dates(value: Iterable[date]) -> tuple[date, ...]:
    return tuple(value)


def _as_weekdays(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _check_country(instance: BusinessCalendar, attribute: object, value: str) -> None:
    if not isinstance(value, str):
        raise ValidationError("country must be a string", field="country", value=value)


def _check_weekend(instance: BusinessCalendar, attribute: object, value: tuple[int, ...]) -> None:
    if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in value):
        raise ValidationError(
            f"weekend days must be ints 0 (Monday) .. 6 (Sunday), got {value!r}",
            field="weekend",
            value=value,
        )
    if len(set(value)) >= 7:
        raise ValidationError(
            "a week needs at least one business day", field="weekend", value=value
        )


@frozen
class BusinessCalendar:
    """Which days are business days: not a weekend day, not a public or extra holiday.

    Attributes:
        country: ISO 3166-1 alpha-2 code of a national calendar of the ``holidays`` package
            (``"BE"``, ``"NL"``, ``"FR"``, ``"LU"``, ``"DE"`` ...); ``""`` for weekends only.
        subdivision: Optional region code (e.g. ``"BY"`` for Bavaria); ``""`` for national.
        extra_holidays: Company closing days added to the public holidays.
        weekend: Weekday numbers that are never business days (Monday is 0); default
            Saturday and Sunday.

    Examples:
        >>> be = BusinessCalendar("BE")
        >>> be.is_business_day(date(2025, 12, 25))  # Christmas
        False
        >>> be.adjust(date(2025, 5, 31), BusinessDayConvention.FOLLOWING)  # a Saturday
        datetime.date(2025, 6, 2)
        >>> be.adjust(date(2025, 5, 31), BusinessDayConvention.MODIFIED_FOLLOWING)
        datetime.date(2025, 5, 30)
    """

    country: str = field(default="", validator=_check_country)
    subdivision: str = ""
    extra_holidays: tuple[date, ...] = field(default=(), converter=_as_dates)
    weekend: tuple[int, ...] = field(
        default=(5, 6), converter=_as_weekdays, validator=_check_weekend
    )

    def __attrs_post_init__(self) -> None:
        if self.country:
            _national_holidays(self.country.upper(), self.subdivision)  # validates the code

    def is_holiday(self, day: date) -> bool:
        """True when *day* is a public holiday of the calendar or an extra holiday.

        Examples:
            >>> BusinessCalendar("FR").is_holiday(date(2025, 7, 14))
            True
        """
        if day in self.extra_holidays:
            return True
        if not self.country:
            return False
        return bool(day in _national_holidays(self.country.upper(), self.subdivision))

    def is_business_day(self, day: date) -> bool:
        """True when *day* is neither a weekend day nor a holiday.

        Examples:
            >>> BusinessCalendar().is_business_day(date(2025, 6, 1))  # a Sunday
            False
        """
        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def _step(self, day: date, step: timedelta) -> date:
        for _ in range(_MAX_SHIFT):
            day += step
            if self.is_business_day(day):
                return day
        raise ValidationError(  # pragma: no cover - needs a year of holidays
            f"no business day within {_MAX_SHIFT} days of {day}", field="day", value=day
        )

    def next_business_day(self, day: date) -> date:
        """*day* itself if it is a business day, else the first business day after it."""
        return day if self.is_business_day(day) else self._step(day, _ONE_DAY)

    def previous_business_day(self, day: date) -> date:
        """*day* itself if it is a business day, else the last business day before it."""
        return day if self.is_business_day(day) else self._step(day, -_ONE_DAY)

    def adjust(self, day: date, convention: BusinessDayConvention) -> date:
        """Move *day* to a business day with the named *convention*.

        Formula (ISDA 2006, 4.12): following = first business day ≥ day; preceding = last
        business day ≤ day; the *modified* variants fall back to the other direction when the
        move would leave the calendar month of *day*.

        Args:
            day: The unadjusted date.
            convention: The business-day convention; ``UNADJUSTED`` returns *day*.

        Returns:
            The adjusted date.

        Examples:
            >>> nl = BusinessCalendar("NL")
            >>> nl.adjust(date(2026, 4, 27), BusinessDayConvention.PRECEDING)  # King's Day
            datetime.date(2026, 4, 24)
        """
        convention = BusinessDayConvention(convention)
        if convention is BusinessDayConvention.UNADJUSTED or self.is_business_day(day):
            return day
        if convention is BusinessDayConvention.FOLLOWING:
            return self._step(day, _ONE_DAY)
        if convention is BusinessDayConvention.PRECEDING:
            return self._step(day, -_ONE_DAY)
        if convention is BusinessDayConvention.MODIFIED_FOLLOWING:
            moved = self._step(day, _ONE_DAY)
            return moved if moved.month == day.month else self._step(day, -_ONE_DAY)
        moved = self._step(day, -_ONE_DAY)
        return moved if moved.month == day.month else self._step(day, _ONE_DAY)

    def add_business_days(self, day: date, count: int) -> date:
        """The date *count* business days after (or before, if negative) *day*.

        Examples:
            >>> BusinessCalendar("BE").add_business_days(date(2025, 12, 24), 1)
            datetime.date(2025, 12, 26)
        """
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValidationError("count must be an int", field="count", value=count)
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        for _ in range(abs(count)):
            day = self._step(day, step)
        return day
