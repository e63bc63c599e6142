"""Business-day calendars and adjustment conventions (ISDA 2006 section 4.12)."""

from __future__ import annotations

from datetime import date

import pytest

from s2c_core.errors import ValidationError
from s2c_core.terms import BusinessCalendar, BusinessDayConvention

FOLLOWING = BusinessDayConvention.FOLLOWING
MODIFIED_FOLLOWING = BusinessDayConvention.MODIFIED_FOLLOWING
PRECEDING = BusinessDayConvention.PRECEDING
MODIFIED_PRECEDING = BusinessDayConvention.MODIFIED_PRECEDING


@pytest.mark.parametrize(
    ("country", "holiday"),
    [
        ("BE", date(2025, 7, 21)),  # Belgian National Day
        ("NL", date(2026, 4, 27)),  # King's Day
        ("FR", date(2025, 7, 14)),  # Bastille Day
        ("LU", date(2025, 6, 23)),  # Luxembourg National Day
        ("DE", date(2025, 10, 3)),  # German Unity Day
    ],
)
def test_national_holidays_are_not_business_days(country: str, holiday: date) -> None:
    calendar = BusinessCalendar(country)
    assert calendar.is_holiday(holiday)
    assert not calendar.is_business_day(holiday)
    assert BusinessCalendar().is_business_day(holiday)  # weekends-only calendar


def test_regional_holidays_need_the_subdivision() -> None:
    epiphany = date(2025, 1, 6)
    assert BusinessCalendar("DE", subdivision="BY").is_holiday(epiphany)
    assert not BusinessCalendar("DE").is_holiday(epiphany)


def test_extra_company_holidays_and_custom_weekends() -> None:
    closing = date(2025, 8, 14)
    assert not BusinessCalendar("BE", extra_holidays=[closing]).is_business_day(closing)
    friday_weekend = BusinessCalendar(weekend=(4, 5))
    assert not friday_weekend.is_business_day(date(2025, 6, 6))
    assert friday_weekend.is_business_day(date(2025, 6, 8))


def test_conventions_on_a_month_end_saturday() -> None:
    calendar = BusinessCalendar("BE")
    saturday = date(2025, 5, 31)
    assert calendar.adjust(saturday, FOLLOWING) == date(2025, 6, 2)
    assert calendar.adjust(saturday, MODIFIED_FOLLOWING) == date(2025, 5, 30)
    assert calendar.adjust(saturday, PRECEDING) == date(2025, 5, 30)
    assert calendar.adjust(saturday, BusinessDayConvention.UNADJUSTED) == saturday


def test_modified_preceding_stays_in_the_month() -> None:
    sunday = date(2025, 6, 1)
    calendar = BusinessCalendar("FR")
    assert calendar.adjust(sunday, PRECEDING) == date(2025, 5, 30)
    assert calendar.adjust(sunday, MODIFIED_PRECEDING) == date(2025, 6, 2)


def test_following_skips_a_run_of_holidays() -> None:
    # Easter 2025 in BE: Sunday 20 April, Monday 21 April
    assert BusinessCalendar("BE").adjust(date(2025, 4, 19), FOLLOWING) == date(2025, 4, 22)


def test_business_days_can_be_added_and_subtracted() -> None:
    be = BusinessCalendar("BE")
    assert be.add_business_days(date(2025, 12, 24), 1) == date(2025, 12, 26)
    assert be.add_business_days(date(2025, 12, 26), -1) == date(2025, 12, 24)
    assert be.add_business_days(date(2025, 12, 24), 0) == date(2025, 12, 24)


def test_unknown_countries_and_bad_weekends_are_refused() -> None:
    with pytest.raises(ValidationError):
        BusinessCalendar("XX")
    with pytest.raises(ValidationError):
        BusinessCalendar(weekend=(0, 1, 2, 3, 4, 5, 6))
    with pytest.raises(ValidationError):
        BusinessCalendar(weekend=(7,))
