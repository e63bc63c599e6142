"""Late-payment interest and the published rate tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from s2c_core.errors import NotFoundError, ValidationError
from s2c_core.money import Money, Rounding
from s2c_core.terms import (
    BE_PUBLISHED_RATES,
    ECB_REFERENCE_RATES,
    EU_DIRECTIVE_RATES,
    FR_LEGAL_RATES_CONSUMER,
    FR_LEGAL_RATES_PROFESSIONAL,
    NL_PUBLISHED_RATES,
    Capitalisation,
    DayCount,
    Jurisdiction,
    RateEntry,
    RateTable,
    belgian_commercial_rates,
    dutch_commercial_rates,
    french_commercial_rates,
    french_penalty_floor_rates,
    half_year_start,
    late_interest,
    statutory_interest,
    statutory_rate_table,
)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


class TestRateTables:
    @pytest.mark.parametrize(
        ("day", "percent"),
        [
            (date(2022, 3, 1), "0.00"),
            (date(2022, 9, 1), "0.00"),  # 0.50 from 27 July 2022, after 1 July
            (date(2023, 3, 1), "2.50"),
            (date(2023, 9, 1), "4.00"),
            (date(2024, 3, 1), "4.50"),
            (date(2024, 9, 1), "4.25"),
            (date(2025, 3, 1), "3.15"),
            (date(2025, 9, 1), "2.15"),
            (date(2026, 3, 1), "2.15"),
        ],
    )
    def test_ecb_reference_rate_is_the_rate_on_the_first_day_of_the_half_year(
        self, day: date, percent: str
    ) -> None:
        assert ECB_REFERENCE_RATES.percent_on(day) == Decimal(percent)
        assert ECB_REFERENCE_RATES.entry_on(day).verified

    def test_the_2026h2_ecb_figure_is_flagged_unverified(self) -> None:
        entry = ECB_REFERENCE_RATES.entry_on(date(2026, 9, 1))
        assert entry.percent == Decimal("2.40")
        assert not entry.verified
        assert not EU_DIRECTIVE_RATES.entry_on(date(2026, 9, 1)).verified

    def test_belgian_formula_reproduces_the_published_fps_finance_rates(self) -> None:
        derived = belgian_commercial_rates()
        for entry in BE_PUBLISHED_RATES.entries:
            assert derived.percent_on(entry.start) == entry.percent, entry.start

    def test_belgian_rate_rounds_up_to_the_next_half_point(self) -> None:
        # 2016H1 was published at 8.5 % with an ECB rate of 0.05 % (schoups.com notice)
        reference = RateTable(
            "old", [RateEntry(date(2016, 1, 1), date(2016, 7, 1), Decimal("0.05"))]
        )
        assert belgian_commercial_rates(reference).percent_on(date(2016, 2, 1)) == Decimal("8.5")

    def test_dutch_formula_reproduces_the_published_handelsrente(self) -> None:
        derived = dutch_commercial_rates()
        for entry in NL_PUBLISHED_RATES.entries:
            assert derived.percent_on(entry.start) == entry.percent, entry.start

    def test_french_rates(self) -> None:
        assert french_commercial_rates().percent_on(date(2025, 1, 1)) == Decimal("13.15")
        # legifiscal.fr: floor 3 × 2.62 = 7.86 % (2026H1), 8.28 % in 2025H2
        floor = french_penalty_floor_rates()
        assert floor.percent_on(date(2026, 1, 1)) == Decimal("7.86")
        assert floor.percent_on(date(2025, 7, 1)) == Decimal("8.28")
        # capeb09.fr: floor 12.66 % in 2023H2
        assert floor.percent_on(date(2023, 7, 1)) == Decimal("12.66")
        assert FR_LEGAL_RATES_CONSUMER.percent_on(date(2024, 1, 1)) == Decimal("8.01")
        with pytest.raises(NotFoundError):  # 2026H2 not verified, not shipped
            FR_LEGAL_RATES_PROFESSIONAL.percent_on(date(2026, 7, 1))

    def test_hosts_add_newer_figures_without_touching_the_shipped_table(self) -> None:
        newer = ECB_REFERENCE_RATES.with_entry(
            RateEntry(date(2027, 1, 1), date(2027, 7, 1), Decimal("2.65"), "ECB press release")
        )
        assert statutory_rate_table(Jurisdiction.NL, reference=newer).percent_on(
            date(2027, 5, 1)
        ) == Decimal("10.65")
        with pytest.raises(NotFoundError):
            ECB_REFERENCE_RATES.percent_on(date(2027, 5, 1))

    def test_overlapping_entries_are_refused(self) -> None:
        with pytest.raises(ValidationError):
            RateTable(
                "bad",
                [
                    RateEntry(date(2025, 1, 1), date(2025, 7, 1), Decimal(1)),
                    RateEntry(date(2025, 6, 1), date(2025, 12, 1), Decimal(2)),
                ],
            )

    def test_half_year_start(self) -> None:
        assert half_year_start(date(2025, 6, 30)) == date(2025, 1, 1)
        assert half_year_start(date(2025, 7, 1)) == date(2025, 7, 1)


class TestLateInterest:
    def test_nothing_is_due_when_paid_on_or_before_the_due_date(self) -> None:
        for paid in (date(2025, 1, 31), date(2025, 1, 1)):
            result = late_interest(eur("1000.00"), due=date(2025, 1, 31), paid=paid, rate=12)
            assert result.total == eur("0.00")
            assert result.periods == ()

    def test_one_day_late_is_one_day_of_interest(self) -> None:
        result = late_interest(
            eur("36500.00"), due=date(2025, 1, 31), paid=date(2025, 2, 1), rate=10
        )
        assert (result.days, result.total) == (1, eur("10.00"))
        assert result.periods[0].start == result.periods[0].end == date(2025, 2, 1)

    def test_periods_split_at_half_years_each_with_its_own_rate(self) -> None:
        # 10,000 overdue through 2024H2 and 2025H1 at the Belgian rates 12.5 % and 11.5 %
        result = statutory_interest(
            eur("10000.00"),
            due=date(2024, 6, 30),
            paid=date(2025, 6, 30),
            jurisdiction=Jurisdiction.BE,
        )
        assert [(p.start, p.end, p.days, p.percent, p.interest) for p in result.periods] == [
            (date(2024, 7, 1), date(2024, 12, 31), 184, Decimal("12.5"), eur("630.14")),
            (date(2025, 1, 1), date(2025, 6, 30), 181, Decimal("11.5"), eur("570.27")),
        ]
        assert result.total == eur("1200.41")
        assert result.verified

    def test_dutch_interest_is_capitalised_after_each_year(self) -> None:
        """Art. 6:119(2) BW: after each year the year's interest joins the principal.

        1,000 due 31 Dec 2022, paid 31 Dec 2024. Year 1: 1000 × 10.5 % × 181/365 = 52.07 and
        1000 × 12 % × 184/365 = 60.49. Year 2 on 1,112.56: × 12.5 % × 182/365 = 69.34 and
        × 12.25 % × 184/365 = 68.70.
        """
        result = statutory_interest(
            eur("1000.00"),
            due=date(2022, 12, 31),
            paid=date(2024, 12, 31),
            jurisdiction=Jurisdiction.NL,
        )
        assert result.capitalisation is Capitalisation.YEARLY
        assert [(p.base, p.interest) for p in result.periods] == [
            (eur("1000.00"), eur("52.07")),
            (eur("1000.00"), eur("60.49")),
            (eur("1112.56"), eur("69.34")),
            (eur("1112.56"), eur("68.70")),
        ]
        assert result.total == eur("250.60")

    def test_capitalisation_anniversary_inside_a_half_year_splits_the_period(self) -> None:
        result = late_interest(
            eur("1000.00"),
            due=date(2024, 3, 14),
            paid=date(2025, 4, 30),
            rate=10,
            capitalisation=Capitalisation.YEARLY,
        )
        starts = [p.start for p in result.periods]
        assert date(2025, 3, 15) in starts  # first anniversary of the first day of delay
        assert result.periods[-1].base > eur("1000.00")

    def test_a_contractual_rate_overrides_the_table(self) -> None:
        result = statutory_interest(
            eur("1000.00"),
            due=date(2025, 1, 31),
            paid=date(2025, 3, 2),
            jurisdiction=Jurisdiction.BE,
            contractual_percent=Decimal("12"),
        )
        assert [p.percent for p in result.periods] == [Decimal("12")]
        assert result.total == eur("9.86")  # 1000 × 12 % × 30 / 365

    def test_french_contractual_rate_is_raised_to_three_times_the_legal_rate(self) -> None:
        result = statutory_interest(
            eur("10000.00"),
            due=date(2025, 3, 31),
            paid=date(2025, 8, 31),
            jurisdiction=Jurisdiction.FR,
            contractual_percent=5,
        )
        assert [p.percent for p in result.periods] == [Decimal("11.13"), Decimal("8.28")]

    def test_french_default_is_ecb_plus_ten(self) -> None:
        result = statutory_interest(
            eur("1000.00"),
            due=date(2025, 7, 31),
            paid=date(2025, 8, 30),
            jurisdiction=Jurisdiction.FR,
        )
        assert result.periods[0].percent == Decimal("12.15")

    def test_day_count_conventions_are_named(self) -> None:
        kwargs = {"due": date(2024, 1, 31), "paid": date(2024, 3, 1), "rate": Decimal(10)}
        act365 = late_interest(eur("36000.00"), day_count=DayCount.ACT_365, **kwargs)  # type: ignore[arg-type]
        act360 = late_interest(eur("36000.00"), day_count=DayCount.ACT_360, **kwargs)  # type: ignore[arg-type]
        actact = late_interest(eur("36000.00"), day_count=DayCount.ACT_ACT, **kwargs)  # type: ignore[arg-type]
        assert act360.total == eur("300.00")  # 36000 × 10 % × 30 / 360
        assert act365.total == eur("295.89")
        assert actact.total == eur("295.08")  # 2024 is a leap year: / 366

    def test_rounding_happens_once_per_period_with_the_named_mode(self) -> None:
        up = late_interest(
            eur("100.00"), due=date(2025, 1, 1), paid=date(2025, 1, 2), rate=Decimal("1.825")
        )
        down = late_interest(
            eur("100.00"),
            due=date(2025, 1, 1),
            paid=date(2025, 1, 2),
            rate=Decimal("1.825"),
            rounding=Rounding.DOWN,
        )
        # 100 × 1.825 % / 365 = 0.005 exactly
        assert (up.total, down.total) == (eur("0.01"), eur("0.00"))

    def test_missing_rates_and_negative_principals_are_refused(self) -> None:
        with pytest.raises(NotFoundError):
            statutory_interest(
                eur("100.00"),
                due=date(2021, 12, 1),
                paid=date(2022, 2, 1),
                jurisdiction=Jurisdiction.EU,
            )
        with pytest.raises(ValidationError):
            late_interest(eur("-1.00"), due=date(2025, 1, 1), paid=date(2025, 2, 1), rate=5)

    def test_eu_directive_rate_for_2025h2(self) -> None:
        result = statutory_interest(
            eur("1000.00"),
            due=date(2025, 8, 31),
            paid=date(2025, 9, 30),
            jurisdiction=Jurisdiction.EU,
        )
        assert result.periods[0].percent == Decimal("10.15")
        assert result.total == eur("8.34")  # 1000 × 10.15 % × 30 / 365


def test_a_negative_contractual_rate_is_refused() -> None:
    with pytest.raises(ValidationError):
        late_interest(eur("100.00"), due=date(2025, 1, 1), paid=date(2025, 2, 1), rate=-1)
