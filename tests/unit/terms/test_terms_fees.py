"""Late-payment compensation: EUR 40, the Dutch WIK scale, the Belgian consumer caps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from s2c_core.errors import NotFoundError, ValidationError
from s2c_core.money import Money
from s2c_core.terms import (
    BelgianFeePolicy,
    DebtorKind,
    DutchFeePolicy,
    EuDirectiveFeePolicy,
    FeePolicy,
    belgian_consumer_damages_cap,
    fee_policy,
    register_fee_policy,
    registered_fee_countries,
    wik_collection_costs,
)

BUSINESS = DebtorKind.BUSINESS
CONSUMER = DebtorKind.CONSUMER


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


@pytest.mark.parametrize(
    ("principal", "fee"),
    [
        ("100.00", "40.00"),  # 15 % = 15.00, below the EUR 40 minimum
        ("266.67", "40.00"),
        ("1000.00", "150.00"),
        ("2500.00", "375.00"),  # 15 % of 2,500
        ("5000.00", "625.00"),  # 375 + 10 % of 2,500
        ("10000.00", "875.00"),  # 625 + 5 % of 5,000
        ("200000.00", "2775.00"),  # 875 + 1 % of 190,000
        ("1000000.00", "6775.00"),  # 2775 + 0.5 % of 800,000 = the maximum
        ("5000000.00", "6775.00"),
    ],
)
def test_wik_scale(principal: str, fee: str) -> None:
    """Besluit vergoeding voor buitengerechtelijke incassokosten art. 2 (Stb. 2012, 141)."""
    result = wik_collection_costs(eur(principal))
    assert result.amount == eur(fee)
    assert result.vat.is_zero()


def test_wik_with_vat_when_the_creditor_cannot_recover_it() -> None:
    result = wik_collection_costs(eur("5000.00"), vat_percent=21)
    assert (result.amount, result.vat, result.total) == (
        eur("625.00"),
        eur("131.25"),
        eur("756.25"),
    )
    policy = DutchFeePolicy(creditor_recovers_vat=False)
    assert policy.collection_fee(eur("2500.00"), debtor=CONSUMER).total == eur("453.75")


@pytest.mark.parametrize(
    ("balance", "cap"),
    [
        ("50.00", "20.00"),
        ("150.00", "20.00"),
        ("150.01", "30.00"),  # 30 + 10 % × 0.01 rounds to 30.00
        ("400.00", "55.00"),
        ("500.00", "65.00"),
        ("1000.00", "90.00"),
        ("39200.00", "2000.00"),
        ("100000.00", "2000.00"),
    ],
)
def test_belgian_consumer_damages_cap(balance: str, cap: str) -> None:
    """Book XIX CEL (law of 4 May 2023): 20; 30 + 10 % over 150; 65 + 5 % over 500; max 2000."""
    assert belgian_consumer_damages_cap(eur(balance)) == eur(cap)


def test_forty_euro_per_late_commercial_invoice() -> None:
    for country in ("BE", "NL", "FR", "DE", "LU"):
        fee = fee_policy(country).collection_fee(eur("10.00"), debtor=BUSINESS)
        assert fee.amount >= eur("40.00"), country
    assert fee_policy("FR").collection_fee(eur("10000.00"), debtor=BUSINESS).amount == eur("40.00")
    assert "D441-5" in fee_policy("FR").collection_fee(eur("1.00"), debtor=BUSINESS).rule


def test_consumer_rules_per_country() -> None:
    assert fee_policy("FR").collection_fee(eur("500.00"), debtor=CONSUMER).amount.is_zero()
    assert fee_policy("DE").collection_fee(eur("500.00"), debtor=CONSUMER).amount.is_zero()
    assert fee_policy("BE").collection_fee(eur("1500.00"), debtor=CONSUMER).amount == eur("115.00")
    assert fee_policy("NL").collection_fee(eur("2500.00"), debtor=CONSUMER).amount == eur("375.00")


def test_conditions_before_charging_consumers() -> None:
    be = BelgianFeePolicy().conditions(CONSUMER)
    assert (be.reminder_required, be.first_reminder_free, be.grace_days) == (True, True, 14)
    nl = DutchFeePolicy().conditions(CONSUMER)
    assert (nl.reminder_required, nl.grace_days) == (True, 14)
    assert not fee_policy("FR").conditions(BUSINESS).reminder_required


def test_policies_satisfy_the_protocol_and_the_registry_is_by_country() -> None:
    for country in registered_fee_countries():
        assert isinstance(fee_policy(country), FeePolicy)
    assert fee_policy("be") is fee_policy("BE")
    with pytest.raises(NotFoundError):
        fee_policy("US")
    with pytest.raises(ValidationError):
        register_fee_policy(EuDirectiveFeePolicy("BE"))
    with pytest.raises(ValidationError):
        register_fee_policy(object())  # type: ignore[arg-type]


def test_a_host_can_register_a_policy() -> None:
    class Flat:
        country = "ZZ"

        def collection_fee(self, principal: Money, *, debtor: DebtorKind) -> object:
            raise NotImplementedError

        def conditions(self, debtor: DebtorKind) -> object:
            raise NotImplementedError

    policy = register_fee_policy(Flat())  # type: ignore[arg-type]
    assert fee_policy("ZZ") is policy


def test_fees_are_defined_in_euro_on_positive_amounts() -> None:
    with pytest.raises(ValidationError):
        wik_collection_costs(Money("100.00", "USD"))
    with pytest.raises(ValidationError):
        belgian_consumer_damages_cap(eur("-1.00"))
    assert wik_collection_costs(eur("0.00")).amount.is_zero()
    assert DutchFeePolicy(vat_percent=Decimal(9)).vat_percent == Decimal(9)
