"""Payment-term schedules: Tryton's worked examples, the presets, rounding and validation."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

import attrs
import pytest

from s2c_core.errors import ValidationError
from s2c_core.money import Money, Rounding
from s2c_core.terms import (
    BusinessCalendar,
    BusinessDayConvention,
    CashDiscount,
    DateStep,
    Installment,
    LineKind,
    PaymentTerm,
    TermLine,
    Weekday,
    due_on_receipt,
    end_of_month,
    end_of_month_plus_months,
    end_of_month_then_days,
    end_of_next_month,
    fixed_day_of_next_month,
    installments,
    net_days,
    net_days_then_end_of_month,
)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def plan(schedule: tuple[Installment, ...]) -> list[tuple[date, str]]:
    return [(i.due_date, str(i.amount.amount)) for i in schedule]


def tryton_test_term(fixed: str) -> PaymentTerm:
    """The term of Tryton's ``test_payment_term`` (modules/account_invoice/tests/test_module.py)."""
    return PaymentTerm(
        [
            TermLine.percent_of_remainder(25, DateStep(days=30)),
            TermLine.percent_of_total(25, DateStep(months=1)),
            TermLine.fixed(eur(fixed), DateStep(months=1, days=30)),
            TermLine.remainder(DateStep(months=2, days=30, day=15)),
        ],
        name="30 days, 1 month, 1 month + 15 days",
    )


class TestTrytonExamples:
    """Tryton account_invoice ``tests/test_module.py``: same inputs, same schedule."""

    def test_four_line_term_on_1587_35_matches_tryton(self) -> None:
        schedule = tryton_test_term("396.84").schedule(eur("1587.35"), date(2011, 10, 1))
        assert plan(schedule) == [
            (date(2011, 10, 31), "396.84"),
            (date(2011, 11, 1), "396.84"),
            (date(2011, 12, 1), "396.84"),
            (date(2012, 1, 14), "396.83"),
        ]

    def test_negative_amount_mirrors_the_invoice_as_in_tryton(self) -> None:
        schedule = tryton_test_term("4.00").schedule(eur("-10.00"), date(2011, 10, 1))
        assert plan(schedule) == [
            (date(2011, 10, 31), "-2.50"),
            (date(2011, 11, 1), "-2.50"),
            (date(2011, 12, 1), "-4.00"),
            (date(2012, 1, 14), "-1.00"),
        ]

    def test_zero_total_gives_one_zero_installment_on_the_invoice_date(self) -> None:
        remainder_only = PaymentTerm([TermLine.remainder(DateStep(months=1))])
        quarter_then_rest = PaymentTerm(
            [
                TermLine.percent_of_remainder(25, DateStep(days=1)),
                TermLine.remainder(DateStep(months=1)),
            ]
        )
        for term in (remainder_only, quarter_then_rest):
            assert plan(term.schedule(eur("0"), date(2016, 5, 17))) == [(date(2016, 5, 17), "0.00")]

    def test_a_repeating_decimal_ratio_is_accepted(self) -> None:
        term = PaymentTerm(
            [TermLine.percent_of_remainder(Decimal("33.33333333")), TermLine.remainder()]
        )
        amounts = [i.amount for i in term.schedule(eur("100.00"), date(2025, 1, 1))]
        assert [str(a.amount) for a in amounts] == ["33.33", "66.67"]


class TestScheduleRules:
    def test_a_fixed_line_larger_than_the_total_takes_the_remainder_and_ends_the_schedule(
        self,
    ) -> None:
        term = PaymentTerm(
            [
                TermLine.fixed(eur("100.00"), DateStep(days=10)),
                TermLine.percent_of_total(50, DateStep(days=20)),
                TermLine.remainder(DateStep(days=30)),
            ]
        )
        assert plan(term.schedule(eur("60.00"), date(2025, 1, 1))) == [(date(2025, 1, 11), "60.00")]

    def test_zero_shares_produce_no_installment(self) -> None:
        term = PaymentTerm([TermLine.percent_of_total(1), TermLine.remainder(DateStep(days=30))])
        schedule = term.schedule(eur("0.40"), date(2025, 1, 1))  # 1 % of 0.40 rounds to 0.00
        assert plan(schedule) == [(date(2025, 1, 31), "0.40")]
        assert schedule[0].line == 1

    def test_rounding_mode_is_named_and_changes_only_the_split(self) -> None:
        term = PaymentTerm([TermLine.percent_of_total(50), TermLine.remainder(DateStep(days=30))])
        even = term.schedule(eur("0.05"), date(2025, 1, 1), rounding=Rounding.HALF_EVEN)
        up = term.schedule(eur("0.05"), date(2025, 1, 1), rounding=Rounding.HALF_UP)
        assert [str(i.amount.amount) for i in even] == ["0.02", "0.03"]  # Tryton
        assert [str(i.amount.amount) for i in up] == ["0.03", "0.02"]  # Odoo

    @pytest.mark.parametrize(
        ("currency", "total", "expected"),
        [("JPY", "1001", ["300", "701"]), ("BHD", "1.001", ["0.300", "0.701"])],
    )
    def test_minor_units_follow_the_currency(
        self, currency: str, total: str, expected: list[str]
    ) -> None:
        term = installments((30, 0), (70, 60))
        schedule = term.schedule(Money(total, currency), date(2025, 1, 1))
        assert [str(i.amount.amount) for i in schedule] == expected
        assert all(i.amount.currency.code == currency for i in schedule)

    def test_installments_are_ordinary_money_values(self) -> None:
        schedule = net_days(30).schedule(eur("12.30"), date(2025, 1, 1))
        amount = schedule[0].amount
        assert amount == Money("12.3", "EUR")
        assert hash(amount) == hash(Money("12.30", "EUR"))
        assert repr(amount) == "Money('12.30', 'EUR')"
        assert amount + eur("0.70") == eur("13.00")

    def test_a_fixed_amount_in_another_currency_is_refused_naming_the_line(self) -> None:
        term = PaymentTerm([TermLine.fixed(Money("10.00", "USD")), TermLine.remainder()])
        with pytest.raises(ValidationError) as info:
            term.schedule(eur("100.00"), date(2025, 1, 1))
        assert info.value.line == 0
        assert info.value.problem == "currency_mismatch"

    def test_a_due_date_beyond_year_9999_is_refused_naming_the_line(self) -> None:
        term = PaymentTerm([TermLine.remainder(DateStep(months=1200))])
        with pytest.raises(ValidationError) as info:
            term.schedule(eur("1.00"), date(9950, 1, 1))
        assert info.value.line == 0
        assert info.value.problem == "date_out_of_range"


class TestDateSteps:
    def test_steps_of_one_line_apply_in_order(self) -> None:
        days_first = PaymentTerm([TermLine.remainder(DateStep(days=45), DateStep(day=31))])
        month_end_first = PaymentTerm([TermLine.remainder(DateStep(day=31), DateStep(days=45))])
        assert days_first.due_dates(date(2025, 3, 10)) == (date(2025, 4, 30),)
        assert month_end_first.due_dates(date(2025, 3, 10)) == (date(2025, 5, 15),)

    def test_one_step_follows_relativedelta_order_month_then_day_then_days(self) -> None:
        # relativedelta(months=2, days=30, day=15) from 1 Oct 2011: 15 Dec, then + 30 days
        assert DateStep(months=2, days=30, day=15).apply(date(2011, 10, 1)) == date(2012, 1, 14)

    def test_set_month_and_weeks_and_next_weekday(self) -> None:
        assert DateStep(month=2, day=31).apply(date(2024, 11, 5)) == date(2024, 2, 29)
        assert DateStep(weeks=2).apply(date(2025, 1, 1)) == date(2025, 1, 15)
        # a Monday stays a Monday; a Tuesday goes to the next Monday
        assert DateStep(weekday=Weekday.MONDAY).apply(date(2025, 6, 2)) == date(2025, 6, 2)
        assert DateStep(weekday=Weekday.MONDAY).apply(date(2025, 6, 3)) == date(2025, 6, 9)


class TestPresets:
    """Worked examples of the French "45 jours fin de mois" readings (CEPC, both accepted)."""

    def test_days_then_end_of_month(self) -> None:
        # 10 March + 45 days = 24 April -> 30 April (fnaseph.org example of the first method)
        assert net_days_then_end_of_month(45).due_dates(date(2025, 3, 10)) == (date(2025, 4, 30),)
        # 15 April + 45 = 30 May -> 31 May; 17 April + 45 = 1 June -> 30 June (mecadyn example)
        assert net_days_then_end_of_month(45).due_dates(date(2025, 4, 15)) == (date(2025, 5, 31),)
        assert net_days_then_end_of_month(45).due_dates(date(2025, 4, 17)) == (date(2025, 6, 30),)

    def test_end_of_month_then_days(self) -> None:
        # 10 March -> 31 March + 45 days = 15 May (fnaseph.org example of the second method)
        assert end_of_month_then_days(45).due_dates(date(2025, 3, 10)) == (date(2025, 5, 15),)

    def test_preset_names_say_which_reading(self) -> None:
        assert "days first" in net_days_then_end_of_month(45).name
        assert "end of month first" in end_of_month_then_days(45).name

    def test_simple_presets(self) -> None:
        invoice = date(2025, 1, 31)
        assert due_on_receipt().due_dates(invoice) == (invoice,)
        assert net_days(30).due_dates(invoice) == (date(2025, 3, 2),)
        assert end_of_month().due_dates(date(2025, 1, 5)) == (invoice,)
        assert end_of_next_month().due_dates(invoice) == (date(2025, 2, 28),)
        assert end_of_month_plus_months(0).due_dates(date(2025, 1, 5)) == (invoice,)
        assert end_of_month_plus_months(3).due_dates(invoice) == (date(2025, 4, 30),)
        assert fixed_day_of_next_month(10).due_dates(date(2025, 1, 20)) == (date(2025, 2, 10),)
        assert fixed_day_of_next_month(31).due_dates(invoice) == (date(2025, 2, 28),)

    def test_installments_30_now_70_at_60_days(self) -> None:
        term = installments((30, 0), (70, 60))
        assert term.name == "30 % now, 70 % at 60 days"
        schedule = term.schedule(eur("999.99"), date(2025, 1, 1))
        assert plan(schedule) == [(date(2025, 1, 1), "300.00"), (date(2025, 3, 2), "699.99")]
        assert [line.kind for line in term.lines] == [LineKind.PERCENT_OF_TOTAL, LineKind.REMAINDER]

    def test_installments_must_add_up_to_100(self) -> None:
        with pytest.raises(ValidationError):
            installments((30, 0), (60, 60))

    def test_two_ten_net_thirty_carries_its_discount(self) -> None:
        term = net_days(30, discounts=[CashDiscount(Decimal(2), 10)])
        offer = term.early_payment_offers(eur("1000.00"), date(2025, 1, 1))[0]
        assert offer.deadline == date(2025, 1, 11)
        assert offer.payable == eur("980.00")


class TestBusinessDays:
    def test_due_dates_move_off_holidays_with_the_named_convention(self) -> None:
        term = PaymentTerm([TermLine.remainder(DateStep(days=30))])
        invoice = date(2025, 11, 25)  # + 30 days = Thursday 25 December 2025
        be = BusinessCalendar("BE")
        following = term.schedule(
            eur("1.00"), invoice, calendar=be, convention=BusinessDayConvention.FOLLOWING
        )
        preceding = term.schedule(
            eur("1.00"), invoice, calendar=be, convention=BusinessDayConvention.PRECEDING
        )
        assert following[0].due_date == date(2025, 12, 26)
        assert preceding[0].due_date == date(2025, 12, 24)

    def test_the_term_can_carry_its_convention_and_defaults_to_weekends_only(self) -> None:
        term = end_of_month(business_day=BusinessDayConvention.MODIFIED_FOLLOWING)
        # 31 May 2025 is a Saturday; following would leave May, so modified goes back
        assert term.schedule(eur("1.00"), date(2025, 5, 2))[0].due_date == date(2025, 5, 30)
        assert term.due_dates(date(2025, 5, 2)) == (date(2025, 5, 31),)  # unadjusted view


class TestValidation:
    """Malformed terms raise ValidationError naming the line and the problem."""

    @pytest.mark.parametrize(
        ("lines", "line", "problem"),
        [
            ([TermLine.percent_of_total(50)], 0, "no_remainder"),
            ([TermLine.remainder(), TermLine.percent_of_total(10)], 1, "line_after_remainder"),
            ([TermLine.percent_of_total(120), TermLine.remainder()], 0, "percent_out_of_range"),
            ([TermLine.percent_of_remainder(0), TermLine.remainder()], 0, "percent_out_of_range"),
            (
                [
                    TermLine.percent_of_total(60),
                    TermLine.percent_of_total(50),
                    TermLine.remainder(),
                ],
                1,
                "percent_over_100",
            ),
            ([TermLine.remainder(DateStep(day=32))], 0, "invalid_day"),
            ([TermLine.remainder(DateStep(day=0))], 0, "invalid_day"),
            (
                [TermLine.percent_of_total(10), TermLine.remainder(DateStep(month=13))],
                1,
                "invalid_month",
            ),
            ([TermLine.remainder(DateStep(days=10**6))], 0, "invalid_days"),
            ([TermLine.fixed(eur("0.00")), TermLine.remainder()], 0, "invalid_amount"),
            (
                [TermLine(LineKind.REMAINDER, Decimal(5)), TermLine.remainder()],
                0,
                "unexpected_percent",
            ),
        ],
    )
    def test_malformed_terms_name_the_line(
        self, lines: list[TermLine], line: int, problem: str
    ) -> None:
        with pytest.raises(ValidationError) as info:
            PaymentTerm(lines)
        assert info.value.line == line
        assert info.value.problem == problem
        assert f"line {line}" in str(info.value)

    def test_an_empty_term_is_refused(self) -> None:
        with pytest.raises(ValidationError) as info:
            PaymentTerm([])
        assert info.value.problem == "no_lines"

    def test_an_impossible_step_names_the_step_too(self) -> None:
        with pytest.raises(ValidationError) as info:
            PaymentTerm([TermLine.remainder(DateStep(days=1), DateStep(day=32))])
        assert (info.value.line, info.value.step, info.value.field) == (0, 1, "day")


class TestTermsAreData:
    def test_a_term_is_a_frozen_attrs_record_of_simple_fields(self) -> None:
        term = net_days(30, discounts=[CashDiscount(Decimal(2), 10)])
        data = attrs.asdict(term)
        assert set(data) == {"lines", "name", "description", "discounts", "business_day"}
        assert data["lines"][0]["steps"][0]["days"] == 30
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            term.name = "other"  # type: ignore[misc]

    def test_equal_terms_are_equal_and_hash_alike_and_evolve_revalidates(self) -> None:
        assert net_days(30) == net_days(30)
        assert hash(net_days(30)) == hash(net_days(30))
        with pytest.raises(ValidationError):
            attrs.evolve(net_days(30), lines=[TermLine.percent_of_total(10)])

    def test_a_term_rebuilt_from_its_fields_schedules_the_same(self) -> None:
        term = installments((30, 0), (70, 60))
        rebuilt = PaymentTerm(
            [
                TermLine(
                    line.kind,
                    line.percent,
                    line.amount,
                    [DateStep(**attrs.asdict(s)) for s in line.steps],
                )
                for line in term.lines
            ],
            name=term.name,
        )
        assert rebuilt.schedule(eur("10.00"), date(2025, 1, 1)) == term.schedule(
            eur("10.00"), date(2025, 1, 1)
        )


def test_schedule_inputs_are_checked() -> None:
    from datetime import datetime

    with pytest.raises(ValidationError):
        net_days(30).schedule(Decimal("10.00"), date(2025, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        net_days(30).schedule(eur("10.00"), datetime(2025, 1, 1, tzinfo=UTC))


def test_an_unknown_line_kind_is_refused_naming_the_line() -> None:
    with pytest.raises(ValidationError) as info:
        PaymentTerm([TermLine("bogus"), TermLine.remainder()])  # type: ignore[arg-type]
    assert (info.value.line, info.value.problem) == (0, "invalid_kind")
