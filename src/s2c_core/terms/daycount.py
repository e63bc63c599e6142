"""Day-count conventions: how a number of days becomes a fraction of a year.

Used by late-payment interest ([late_interest][s2c_core.terms.late_interest]) and by the
annualised cost of an early-payment discount
([discount_cost_nominal][s2c_core.terms.discount_cost_nominal]).

Sources: the conventions are those of the ISDA 2006 Definitions, section 4.16 ("Actual/365
(Fixed)", "Actual/360", "Actual/Actual (ISDA)"). Statutory late-payment interest in Belgium,
the Netherlands and France is usually computed per calendar day on a 365-day year (ACT/365).
"""

from __future__ import annotations

import calendar
from enum import StrEnum

__all__ = ["DayCount"]


class DayCount(StrEnum):
    """A named day-count convention (ISDA 2006 Definitions, section 4.16).

    * ``ACT_365`` (Actual/365 Fixed): ``days / 365``, also in leap years.
    * ``ACT_360`` (Actual/360): ``days / 360`` (money-market and some bank conventions).
    * ``ACT_ACT`` (Actual/Actual ISDA): ``days / 366`` for days in a leap year, else ``/ 365``.

    Examples:
        >>> DayCount.ACT_360.year_days(2024)
        360
        >>> DayCount.ACT_ACT.year_days(2024)
        366
    """

    ACT_365 = "ACT/365"
    ACT_360 = "ACT/360"
    ACT_ACT = "ACT/ACT"

    def year_days(self, year: int) -> int:
        """The denominator of the convention for a period lying inside *year*.

        Args:
            year: The calendar year the days belong to (only matters for ``ACT_ACT``).

        Returns:
            365, 360, or 365/366 depending on the convention and year.
        """
        if self is DayCount.ACT_360:
            return 360
        if self is DayCount.ACT_ACT:
            return 366 if calendar.isleap(year) else 365
        return 365

    def fixed_year_days(self) -> int:
        """The year length for conventions that ignore the calendar (365 or 360).

        ``ACT_ACT`` has no fixed length; it answers 365 (a common year), which is what
        annualised rates such as the cost of a discount use.

        Examples:
            >>> DayCount.ACT_365.fixed_year_days()
            365
        """
        return 360 if self is DayCount.ACT_360 else 365
