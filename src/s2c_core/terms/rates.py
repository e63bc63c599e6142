"""Published interest rates: the ECB reference rate and the statutory late-payment rates.

A [RateTable][s2c_core.terms.RateTable] is frozen data: dated entries (usually half-years) with
their rate in percent, source and whether the figure was checked against a publication. The
host adds newer figures with [RateTable.with_entry][s2c_core.terms.RateTable.with_entry] and
passes the table in; nothing here reads the network.

**ECB reference rate.** Directive 2011/7/EU, art. 2(12)(a) and (b): the "reference rate" is the
rate the ECB applies to its most recent main refinancing operations (MRO), and the rate
applicable on 1 January governs the first half-year, the rate on 1 July the second.
[ECB_MRO_CHANGES][s2c_core.terms.ECB_MRO_CHANGES] lists the MRO rate changes (effective date,
percent) from the ECB monetary policy press releases; the half-year table
[ECB_REFERENCE_RATES][s2c_core.terms.ECB_REFERENCE_RATES] is derived from it. The rates in
force on each 1 January / 1 July from 2022 to 2026H1 are cross-checked against the statutory
rates published by Belgium, the Netherlands and France (10.5 % in NL for 2023H1 means an ECB
rate of 2.50 %, and so on). Verified separately: 4.25 % effective 12 June 2024, 3.15 % after the
December 2024 decision, 2.15 % held at the September 2025 and 5 February 2026 meetings.

**Not verified:** the 2.40 % effective 17 June 2026 (a 25 bp rise) comes from a single
secondary source (a forecast-tracking site recording the ECB decision of 11 June 2026); the
2026H2 entries derived from it carry ``verified=False``. Check the ECB press release and
replace the entry if it differs.

**Statutory rates** derived from the reference rate:

* EU directive 2011/7/EU art. 2(6)/art. 3 and 4: reference rate + 8 points.
* Netherlands, *wettelijke handelsrente*, art. 6:119a BW with art. 6:120(2) BW: the ECB rate
  of the most recent MRO before the first day of the half-year + 8 points.
* Belgium, law of 2 August 2002 on late payment in commercial transactions, art. 5: reference
  rate + 8 points, rounded **up** to the next half percentage point, published each half-year
  by the FPS Finance in the Moniteur belge.
* France, Code de commerce L441-10, II: the ECB rate of its most recent refinancing operation
  + 10 points (the rate in force on 1 January for the first half-year, on 1 July for the
  second); contractual penalties may not be below three times the *taux d'intérêt légal*.

Published figures shipped for checking (tests compare them with the derivations):
[BE_PUBLISHED_RATES][s2c_core.terms.BE_PUBLISHED_RATES] (FPS Finance notices: 8 % 2022,
10.5 % 2023H1, 12 % 2023H2, 12.5 % 2024, 11.5 % 2025H1, 10.5 % 2025H2 and 2026H1) and
[NL_PUBLISHED_RATES][s2c_core.terms.NL_PUBLISHED_RATES] (8 % 2022, 10.5 % / 12 % 2023,
12.5 % / 12.25 % 2024, 11.15 % 2025H1). French *taux d'intérêt légal* (arrêtés of the
ministry of the economy, art. L313-2 and D313-1-A Code monétaire et financier):
[FR_LEGAL_RATES_PROFESSIONAL][s2c_core.terms.FR_LEGAL_RATES_PROFESSIONAL] and
[FR_LEGAL_RATES_CONSUMER][s2c_core.terms.FR_LEGAL_RATES_CONSUMER], 2022H1 to 2026H1; the 2026H2
French legal rates could not be verified and are not shipped.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Final

from attrs import evolve, field, frozen

from s2c_core.errors import NotFoundError, ValidationError
from s2c_core.money import to_decimal

__all__ = [
    "BE_PUBLISHED_RATES",
    "ECB_MRO_CHANGES",
    "ECB_REFERENCE_RATES",
    "EU_DIRECTIVE_RATES",
    "FR_LEGAL_RATES_CONSUMER",
    "FR_LEGAL_RATES_PROFESSIONAL",
    "NL_PUBLISHED_RATES",
    "RateEntry",
    "RateTable",
    "belgian_commercial_rates",
    "dutch_commercial_rates",
    "eu_directive_rates",
    "french_commercial_rates",
    "french_penalty_floor_rates",
    "half_year_start",
    "reference_rates_from_changes",
]


def _percent(value: Decimal | int | str) -> Decimal:
    return to_decimal(value, field_name="percent")


@frozen
class RateEntry:
    """One rate valid from *start* (inclusive) to *end* (exclusive).

    Attributes:
        start: First day the rate applies.
        end: First day it no longer applies (``date.max`` for open-ended).
        percent: The annual rate in percent (``Decimal("10.15")`` is 10.15 %).
        source: Where the figure comes from.
        verified: False when the figure could not be checked against a publication.

    Examples:
        >>> RateEntry(date(2025, 1, 1), date(2025, 7, 1), Decimal("3.15"), "ECB").percent
        Decimal('3.15')
    """

    start: date
    end: date
    percent: Decimal = field(converter=_percent)
    source: str = ""
    verified: bool = True

    def __attrs_post_init__(self) -> None:
        if not self.start < self.end:
            raise ValidationError(
                f"rate entry must start before it ends ({self.start} >= {self.end})",
                field="end",
                value=self.end,
            )

    def covers(self, day: date) -> bool:
        """True when *day* is in ``[start, end)``."""
        return self.start <= day < self.end


def _entries(value: Iterable[RateEntry]) -> tuple[RateEntry, ...]:
    return tuple(sorted(value, key=lambda e: e.start))


def _check_entries(instance: RateTable, attribute: object, value: tuple[RateEntry, ...]) -> None:
    for previous, current in pairwise(value):
        if current.start < previous.end:
            raise ValidationError(
                f"rate table {instance.name!r}: entry from {current.start} overlaps the entry "
                f"from {previous.start} to {previous.end}",
                field="entries",
                value=current,
            )


@frozen
class RateTable:
    """Dated rates, non-overlapping, looked up by day. Gaps are allowed (lookups fail there).

    Examples:
        >>> ECB_REFERENCE_RATES.percent_on(date(2024, 3, 1))
        Decimal('4.50')
        >>> EU_DIRECTIVE_RATES.percent_on(date(2025, 8, 1))
        Decimal('10.15')
    """

    name: str
    entries: tuple[RateEntry, ...] = field(converter=_entries, validator=_check_entries)
    description: str = ""

    @cached_property
    def _starts(self) -> tuple[date, ...]:
        return tuple(e.start for e in self.entries)

    @classmethod
    def constant(
        cls, percent: Decimal | int | str, *, name: str = "contractual", source: str = "contract"
    ) -> RateTable:
        """A table with one open-ended rate (a contractual rate).

        Examples:
            >>> RateTable.constant(12).percent_on(date(2030, 1, 1))
            Decimal('12')
        """
        return cls(name, (RateEntry(date.min, date.max, _percent(percent), source),))

    def entry_on(self, day: date) -> RateEntry:
        """The entry covering *day*; [NotFoundError][s2c_core.errors.NotFoundError] if none."""
        position = bisect_right(self._starts, day) - 1
        if position >= 0 and self.entries[position].covers(day):
            return self.entries[position]
        raise NotFoundError(f"rate in table {self.name!r}", day.isoformat())

    def percent_on(self, day: date) -> Decimal:
        """The rate in percent on *day*."""
        return self.entry_on(day).percent

    def with_entry(self, entry: RateEntry) -> RateTable:
        """A copy with *entry* added; an entry with the same start is replaced.

        Examples:
            >>> newer = ECB_REFERENCE_RATES.with_entry(
            ...     RateEntry(date(2027, 1, 1), date(2027, 7, 1), Decimal("2.40"), "ECB"))
            >>> newer.percent_on(date(2027, 2, 1))
            Decimal('2.40')
        """
        kept = [e for e in self.entries if e.start != entry.start]
        return evolve(self, entries=(*kept, entry))

    def derive(
        self,
        name: str,
        transform: Callable[[Decimal], Decimal],
        *,
        source: str,
        description: str = "",
    ) -> RateTable:
        """A table with the same periods and ``transform(percent)`` as rates."""
        return RateTable(
            name,
            tuple(
                RateEntry(
                    e.start, e.end, transform(e.percent), f"{source}; from {e.source}", e.verified
                )
                for e in self.entries
            ),
            description,
        )


def half_year_start(day: date) -> date:
    """1 January or 1 July of the half-year containing *day*.

    Examples:
        >>> half_year_start(date(2025, 9, 30))
        datetime.date(2025, 7, 1)
    """
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _half_years(first_year: int, last_year: int) -> list[tuple[date, date]]:
    periods = []
    for year in range(first_year, last_year + 1):
        periods.append((date(year, 1, 1), date(year, 7, 1)))
        periods.append((date(year, 7, 1), date(year + 1, 1, 1)))
    return periods


_ECB_PRESS = "ECB monetary policy decisions (press release)"

ECB_MRO_CHANGES: Final[tuple[tuple[date, Decimal, bool], ...]] = (
    # True: the rate is in force on a 1 January / 1 July and matches the published BE/NL/FR
    # statutory rates, or was seen in a press report. False: recalled from the ECB press
    # releases but not checked here; none of them is in force on a 1 January or 1 July, so no
    # shipped statutory rate depends on it.
    (date(2016, 3, 16), Decimal("0.00"), True),
    (date(2022, 7, 27), Decimal("0.50"), False),
    (date(2022, 9, 14), Decimal("1.25"), False),
    (date(2022, 11, 2), Decimal("2.00"), True),
    (date(2022, 12, 21), Decimal("2.50"), True),
    (date(2023, 2, 8), Decimal("3.00"), False),
    (date(2023, 3, 22), Decimal("3.50"), False),
    (date(2023, 5, 10), Decimal("3.75"), True),
    (date(2023, 6, 21), Decimal("4.00"), True),
    (date(2023, 8, 2), Decimal("4.25"), False),
    (date(2023, 9, 20), Decimal("4.50"), True),
    (date(2024, 6, 12), Decimal("4.25"), True),
    (date(2024, 9, 18), Decimal("3.65"), False),
    (date(2024, 10, 23), Decimal("3.40"), False),
    (date(2024, 12, 18), Decimal("3.15"), True),
    (date(2025, 2, 5), Decimal("2.90"), False),
    (date(2025, 3, 12), Decimal("2.65"), False),
    (date(2025, 4, 23), Decimal("2.40"), False),
    (date(2025, 6, 11), Decimal("2.15"), True),
    # Single secondary source, not checked against the ECB press release (see module doc).
    (date(2026, 6, 17), Decimal("2.40"), False),
)
"""ECB main refinancing operations rate changes: (effective date, percent, verified).

Only the rate in force on each 1 January and 1 July matters for statutory interest; those are
cross-checked against the published Belgian, Dutch and French rates (2022H1 to 2026H1). The
2026-06-17 change (2.40 %) is unverified, see the module documentation.
"""


def reference_rates_from_changes(
    changes: Iterable[tuple[date, Decimal, bool]],
    first_year: int,
    last_year: int,
    *,
    name: str = "ECB_REFERENCE",
) -> RateTable:
    """The half-year reference-rate table: the rate in force on each 1 January / 1 July.

    Directive 2011/7/EU art. 2(12): the rate applicable on the first calendar day of the
    half-year governs the whole half-year. A change effective on that very day counts.

    Args:
        changes: ``(effective date, percent, verified)`` triples, e.g.
            [ECB_MRO_CHANGES][s2c_core.terms.ECB_MRO_CHANGES] plus newer decisions.
        first_year: First calendar year of the table.
        last_year: Last calendar year of the table (both halves).
        name: Name of the table.

    Returns:
        A [RateTable][s2c_core.terms.RateTable] with one entry per half-year.

    Examples:
        >>> table = reference_rates_from_changes(ECB_MRO_CHANGES, 2023, 2023)
        >>> [str(e.percent) for e in table.entries]
        ['2.50', '4.00']
    """
    ordered = sorted(changes, key=lambda c: c[0])
    starts = [c[0] for c in ordered]
    entries = []
    for start, end in _half_years(first_year, last_year):
        position = bisect_right(starts, start) - 1
        if position < 0:
            raise ValidationError(f"no ECB rate known on {start}", field="changes", value=start)
        effective, percent, verified = ordered[position]
        entries.append(
            RateEntry(
                start,
                end,
                percent,
                f"{_ECB_PRESS}, rate effective {effective.isoformat()}",
                verified,
            )
        )
    return RateTable(
        name,
        tuple(entries),
        "ECB main refinancing operations rate in force on the first day of each "
        "half-year (Directive 2011/7/EU art. 2(12)).",
    )


ECB_REFERENCE_RATES: Final = reference_rates_from_changes(ECB_MRO_CHANGES, 2022, 2026)
"""The ECB reference rate per half-year, 2022H1 to 2026H2."""


def eu_directive_rates(reference: RateTable = ECB_REFERENCE_RATES) -> RateTable:
    """Statutory interest of Directive 2011/7/EU: reference rate + 8 points (art. 2(6)).

    Examples:
        >>> eu_directive_rates().percent_on(date(2023, 1, 15))
        Decimal('10.50')
    """
    return reference.derive(
        "EU_DIRECTIVE",
        lambda p: p + 8,
        source="Directive 2011/7/EU art. 2(6): reference rate + 8",
        description="EU statutory late-payment interest",
    )


def dutch_commercial_rates(reference: RateTable = ECB_REFERENCE_RATES) -> RateTable:
    """Dutch *wettelijke handelsrente*: ECB rate + 8 points (art. 6:119a and 6:120(2) BW).

    Examples:
        >>> dutch_commercial_rates().percent_on(date(2024, 8, 1))
        Decimal('12.25')
    """
    return reference.derive(
        "NL_HANDELSRENTE",
        lambda p: p + 8,
        source="art. 6:119a, 6:120(2) BW: ECB rate + 8",
        description="Dutch statutory commercial interest",
    )


def _round_up_half(percent: Decimal) -> Decimal:
    return Decimal(math.ceil(percent * 2)) / 2


def belgian_commercial_rates(reference: RateTable = ECB_REFERENCE_RATES) -> RateTable:
    """Belgian late-payment rate: reference + 8 points, rounded up to the next half point.

    Law of 2 August 2002 on combating late payment in commercial transactions, art. 5 (as
    amended by the law of 22 November 2013). ``ceil((ref + 8) × 2) / 2``.

    Examples:
        >>> belgian_commercial_rates().percent_on(date(2025, 3, 1))  # 3.15 + 8 = 11.15
        Decimal('11.5')
    """
    return reference.derive(
        "BE_COMMERCIAL",
        lambda p: _round_up_half(p + 8),
        source="law of 2 Aug 2002 art. 5: reference + 8, rounded up to the next half point",
        description="Belgian statutory late-payment interest (B2B)",
    )


def french_commercial_rates(reference: RateTable = ECB_REFERENCE_RATES) -> RateTable:
    """French default late-payment penalty rate: ECB rate + 10 points (C. com. L441-10, II).

    Examples:
        >>> french_commercial_rates().percent_on(date(2024, 1, 2))
        Decimal('14.50')
    """
    return reference.derive(
        "FR_COMMERCIAL",
        lambda p: p + 10,
        source="Code de commerce L441-10 II: ECB rate + 10",
        description="French late-payment penalties (B2B, default rate)",
    )


def _half_year_table(
    name: str, figures: Iterable[tuple[int, int, str]], source: str, description: str
) -> RateTable:
    entries = []
    for year, half, percent in figures:
        start = date(year, 1 if half == 1 else 7, 1)
        end = date(year, 7, 1) if half == 1 else date(year + 1, 1, 1)
        entries.append(RateEntry(start, end, Decimal(percent), source))
    return RateTable(name, tuple(entries), description)


_FR_ARRETE = "arrêté fixant le taux de l'intérêt légal (JORF), art. L313-2 CMF"

FR_LEGAL_RATES_PROFESSIONAL: Final = _half_year_table(
    "FR_LEGAL_PROFESSIONAL",
    (
        (2022, 1, "0.76"),
        (2022, 2, "0.77"),
        (2023, 1, "2.06"),
        (2023, 2, "4.22"),
        (2024, 1, "5.07"),
        (2024, 2, "4.92"),
        (2025, 1, "3.71"),
        (2025, 2, "2.76"),
        (2026, 1, "2.62"),
    ),
    _FR_ARRETE,
    "French legal interest rate, creditors other than consumers",
)
"""French *taux d'intérêt légal*, "tous les autres cas" (creditors acting professionally)."""

FR_LEGAL_RATES_CONSUMER: Final = _half_year_table(
    "FR_LEGAL_CONSUMER",
    (
        (2022, 1, "3.13"),
        (2022, 2, "3.15"),
        (2023, 1, "4.47"),
        (2023, 2, "6.82"),
        (2024, 1, "8.01"),
        (2024, 2, "8.16"),
        (2025, 1, "7.21"),
        (2025, 2, "6.65"),
        (2026, 1, "6.67"),
    ),
    _FR_ARRETE,
    "French legal interest rate, creditors who are natural persons not acting "
    "for professional purposes",
)
"""French *taux d'intérêt légal* for creditors who are consumers."""


def french_penalty_floor_rates(
    legal: RateTable = FR_LEGAL_RATES_PROFESSIONAL,
) -> RateTable:
    """The minimum contractual late-penalty rate in France: 3 × the legal interest rate.

    Code de commerce L441-10, II ("ce taux ne peut être inférieur à trois fois le taux
    d'intérêt légal").

    Examples:
        >>> french_penalty_floor_rates().percent_on(date(2026, 2, 1))
        Decimal('7.86')
    """
    return legal.derive(
        "FR_PENALTY_FLOOR",
        lambda p: p * 3,
        source="Code de commerce L441-10 II: 3 x legal rate",
        description="Floor of French contractual late-payment penalties",
    )


EU_DIRECTIVE_RATES: Final = eu_directive_rates(ECB_REFERENCE_RATES)
"""EU statutory late-payment interest per half-year (reference + 8), 2022H1 to 2026H2."""

_BE_NOTICE = "FPS Finance notice (Moniteur belge), law of 2 Aug 2002 art. 5"

BE_PUBLISHED_RATES: Final = _half_year_table(
    "BE_PUBLISHED",
    (
        (2022, 1, "8"),
        (2022, 2, "8"),
        (2023, 1, "10.5"),
        (2023, 2, "12"),
        (2024, 1, "12.5"),
        (2024, 2, "12.5"),
        (2025, 1, "11.5"),
        (2025, 2, "10.5"),
        (2026, 1, "10.5"),
    ),
    _BE_NOTICE + " (checked against Belgian professional notices)",
    "Belgian late-payment rate in commercial transactions, as published",
)
"""Belgian rates as published by the FPS Finance (checked figures only)."""

NL_PUBLISHED_RATES: Final = _half_year_table(
    "NL_PUBLISHED",
    (
        (2022, 1, "8"),
        (2022, 2, "8"),
        (2023, 1, "10.5"),
        (2023, 2, "12"),
        (2024, 1, "12.5"),
        (2024, 2, "12.25"),
        (2025, 1, "11.15"),
    ),
    "wettelijke handelsrente as published (checked against Dutch law-firm notices)",
    "Dutch statutory commercial interest, as published",
)
"""Dutch *wettelijke handelsrente* as published (checked figures only)."""
