"""The storage conformance suite: behaviour every Storage backend must show.

Subclass [StorageContract][s2c_core.testing.conformance.storage.StorageContract] as
``Test<Backend>`` and override the ``storage`` fixture; the base class is not collected by
itself because its name does not start with ``Test``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s2c_core.entities import (
    Customer,
    CustomerId,
    Installment,
    Invoice,
    InvoiceId,
    Line,
    ProductId,
)
from s2c_core.entities.common import new_id
from s2c_core.entities.registry import AGGREGATES, Range
from s2c_core.errors import ConfigurationError, ConflictError, NotFoundError
from s2c_core.events import DomainEvent, OutboxMessage, OutboxStatus
from s2c_core.lifecycle import InvoiceState
from s2c_core.money import Money
from s2c_core.ports import Storage, UnitOfWork

__all__ = ["StorageContract"]

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_invoice(
    n: int,
    *,
    customer: str = "cus_1",
    amount: str = "100.00",
    due: date = date(2026, 2, 4),
    status: InvoiceState = InvoiceState.ISSUED,
    currency: str = "EUR",
) -> Invoice:
    """A small issued invoice for storage tests."""
    price = Money(amount, currency)
    return Invoice(
        id=InvoiceId(f"inv_{n}"),
        customer_id=CustomerId(customer),
        currency=currency,
        lines=(Line(ProductId("p1"), "Widget", Decimal(1), price),),
        status=status,
        number=f"INV-2026-{n:06d}",
        issue_date=date(2026, 1, 5),
        due_date=due,
        installments=(Installment(due, price),),
        payment_reference=f"+++000/0000/{n:05d}+++",
        created_at=T0,
    )


class StorageContract:
    """Behaviour every Storage must show. Subclass as ``Test<Backend>``; override ``storage``."""

    @pytest.fixture
    def storage(self) -> Iterator[Storage]:
        """The backend under test, empty. Override in the subclass."""
        raise NotImplementedError

    # -- repositories ----------------------------------------------------------------------

    def test_saved_invoice_reads_back_equal(self, storage: Storage) -> None:
        invoice = make_invoice(1)
        with storage.unit_of_work() as uow:
            stored = uow.repo("invoice").add(invoice)
            uow.commit()
        assert stored.version == 1
        with storage.unit_of_work() as uow:
            again = uow.repo("invoice").get("inv_1")
        assert again == attrs.evolve(invoice, version=1)

    def test_failed_unit_of_work_leaves_no_trace(self, storage: Storage) -> None:
        class Boom(Exception):
            pass

        def fail_midway() -> None:
            with storage.unit_of_work() as uow:
                uow.repo("invoice").add(make_invoice(1))
                uow.events.append([_event(1)])
                uow.counters.next("INV", 2026)
                uow.actions.claim("k", T0)
                raise Boom

        with pytest.raises(Boom):
            fail_midway()
        with storage.unit_of_work() as uow:
            assert uow.repo("invoice").find("inv_1") is None
            assert uow.events.read() == []
            assert uow.counters.next("INV", 2026) == 1
            assert uow.actions.exists("k") is False

    def test_uncommitted_unit_of_work_is_rolled_back(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
        with storage.unit_of_work() as uow:
            assert uow.repo("invoice").find("inv_1") is None

    def test_unknown_id_raises_not_found(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow, pytest.raises(NotFoundError) as info:
            uow.repo("invoice").get("nope")
        assert info.value.entity_id == "nope"  # type: ignore[attr-defined]

    def test_adding_an_existing_id_conflicts(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
            uow.commit()
        with storage.unit_of_work() as uow, pytest.raises(ConflictError):
            uow.repo("invoice").add(make_invoice(1))

    def test_update_bumps_version_and_stale_update_conflicts(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            v1 = uow.repo("invoice").add(make_invoice(1))
            uow.commit()
        with storage.unit_of_work() as uow:
            v2 = uow.repo("invoice").update(attrs.evolve(v1, dunning_level=1))
            uow.commit()
        assert v2.version == 2
        with storage.unit_of_work() as uow, pytest.raises(ConflictError):
            uow.repo("invoice").update(attrs.evolve(v1, dunning_level=2))
        with storage.unit_of_work() as uow:
            assert uow.repo("invoice").get("inv_1").dunning_level == 1

    def test_update_of_missing_entity_is_not_found(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow, pytest.raises(NotFoundError):
            uow.repo("invoice").update(make_invoice(9))

    def test_query_filters_on_indexed_fields(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repo("invoice")
            repo.add(make_invoice(1, customer="a", due=date(2026, 2, 1)))
            repo.add(make_invoice(2, customer="a", due=date(2026, 3, 1), status=InvoiceState.PAID))
            repo.add(make_invoice(3, customer="b", due=date(2026, 4, 1)))
            uow.commit()
        with storage.unit_of_work() as uow:
            repo = uow.repo("invoice")
            assert [i.id for i in repo.query(customer_id="a")] == ["inv_1", "inv_2"]
            assert [i.id for i in repo.query(status=("issued", "partially_paid"))] == [
                "inv_1",
                "inv_3",
            ]
            assert [i.id for i in repo.query(status=InvoiceState.PAID)] == ["inv_2"]
            due = repo.query(due_date=Range(date(2026, 2, 15), date(2026, 4, 1)))
            assert [i.id for i in due] == ["inv_2", "inv_3"]
            assert [i.id for i in repo.query(order_by="-due_date", limit=2)] == ["inv_3", "inv_2"]
            assert repo.count(customer_id="a") == 2
            assert [i.id for i in repo.query(open_amount=Range(Money("100.00", "EUR")))] == [
                "inv_1",
                "inv_2",
                "inv_3",
            ]
            assert repo.get_many(["inv_1", "zzz"]).keys() == {"inv_1"}

    def test_index_values_are_the_index_values_of_the_query(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repo("invoice")
            repo.add(make_invoice(1, customer="a", due=date(2026, 2, 1)))
            repo.add(make_invoice(2, customer="a", due=date(2026, 3, 1), status=InvoiceState.PAID))
            repo.add(make_invoice(3, customer="b", amount="7", currency="JPY"))
            repo.add(attrs.evolve(make_invoice(4, customer="a"), due_date=None))
            uow.commit()
        fields = ["id", "customer_id", "status", "due_date", "open_amount", "dunning_level"]
        spec = AGGREGATES["invoice"]
        with storage.unit_of_work() as uow:
            repo = uow.repo("invoice")
            for criteria in (
                {"customer_id": "a", "order_by": "-due_date"},
                {"status": ("issued", "paid"), "order_by": "due_date", "limit": 2},
                {"currency": "JPY"},
                {},
            ):
                rows = repo.index_values(fields, **criteria)
                expected = [
                    (e.id, *(spec.index(f).value(e) for f in fields[1:]))
                    for e in repo.query(**criteria)
                ]
                assert rows == expected, criteria
            [row] = repo.index_values(["due_date", "open_amount", "status"], customer_id="b")
            assert row == (date(2026, 2, 4), 8, "issued")  # JPY 7 + 21 % VAT, no minor unit
            assert type(row[0]) is date
            with pytest.raises(ConfigurationError):
                repo.index_values(["colour"])

    def test_query_sees_own_uncommitted_writes(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
            assert [i.id for i in uow.repo("invoice").query(customer_id="cus_1")] == ["inv_1"]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(cents=st.integers(min_value=-(10**15), max_value=10**15))
    def test_large_amounts_round_trip_exactly(self, storage: Storage, cents: int) -> None:
        amount = Money.from_minor(cents, "EUR")
        customer = Customer(CustomerId(new_id("cus")), "Big Spender", credit_limit=amount)
        with storage.unit_of_work() as uow:
            uow.repo("customer").add(customer)
            uow.commit()
        with storage.unit_of_work() as uow:
            back = uow.repo("customer").get(customer.id)
        assert back.credit_limit == amount
        assert back.credit_limit.amount.as_tuple() == amount.amount.as_tuple()

    def test_other_currencies_keep_their_minor_unit(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1, amount="1234", currency="JPY"))
            uow.repo("invoice").add(make_invoice(2, amount="1.234", currency="BHD"))
            uow.commit()
        with storage.unit_of_work() as uow:
            jpy = uow.repo("invoice").get("inv_1")
            bhd = uow.repo("invoice").get("inv_2")
        assert jpy.total == Money("1493", "JPY")
        assert bhd.lines[0].unit_price == Money("1.234", "BHD")

    # -- event log -------------------------------------------------------------------------

    def test_event_log_is_ordered_and_numbered(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.events.append([_event(1), _event(2)])
            uow.commit()
        with storage.unit_of_work() as uow:
            uow.events.append([_event(3)])
            uow.commit()
        with storage.unit_of_work() as uow:
            events = uow.events.read()
            tail = uow.events.read(after=events[0].sequence, limit=1)
        assert [e.id for e in events] == ["ev_1", "ev_2", "ev_3"]
        assert [e.sequence for e in events] == sorted(e.sequence for e in events)
        assert len({e.sequence for e in events}) == 3
        assert [e.id for e in tail] == ["ev_2"]
        assert events[0].data == {"n": "1", "nested": {"ok": True}}
        assert events[0].at == T0

    def test_event_log_filters_by_aggregate(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.events.append([_event(1, aggregate_id="a"), _event(2, aggregate_id="b")])
            uow.commit()
        with storage.unit_of_work() as uow:
            assert [e.id for e in uow.events.read(aggregate_id="b")] == ["ev_2"]

    # -- outbox ----------------------------------------------------------------------------

    def test_outbox_skips_duplicate_keys_and_claims_due_messages(self, storage: Storage) -> None:
        later = T0 + timedelta(hours=1)
        with storage.unit_of_work() as uow:
            assert uow.outbox.put([_message(1, T0), _message(2, later)]) == 2
            assert uow.outbox.put([_message(1, T0, msg_id="other")]) == 0
            uow.commit()
        with storage.unit_of_work() as uow:
            due = uow.outbox.claim_due(T0)
            assert [m.id for m in due] == ["msg_1"]
            uow.outbox.save(
                attrs.evolve(due[0], status=OutboxStatus.DELIVERED, delivered_at=T0, attempts=1)
            )
            uow.commit()
        with storage.unit_of_work() as uow:
            assert [m.id for m in uow.outbox.claim_due(later)] == ["msg_2"]
            delivered = uow.outbox.list(status="delivered")
        assert [m.id for m in delivered] == ["msg_1"]
        assert delivered[0].payload == {"to": "x@example.com", "n": 1}

    # -- counters and actions --------------------------------------------------------------

    def test_counters_are_gapless_per_series_and_year(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert [uow.counters.next("INV", 2026) for _ in range(3)] == [1, 2, 3]
            assert uow.counters.next("CN", 2026) == 1
            assert uow.counters.next("INV", 2027) == 1
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.counters.next("INV", 2026) == 4
            # not committed: the number is given again
        with storage.unit_of_work() as uow:
            assert uow.counters.next("INV", 2026) == 4

    def test_action_keys_are_claimed_once(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.actions.claim("dunning:inv_1:1", T0) is True
            assert uow.actions.claim("dunning:inv_1:1", T0) is False
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.actions.claim("dunning:inv_1:1", T0) is False
            assert uow.actions.exists("dunning:inv_1:1") is True

    def test_action_keys_claimed_in_bulk_are_claimed_once(self, storage: Storage) -> None:
        def claim_many(uow: UnitOfWork, keys: list[str]) -> set[str]:
            bulk = getattr(uow.actions, "claim_many", None)
            if bulk is None:
                pytest.skip("optional ActionLog.claim_many not offered")
            found: set[str] = bulk(keys, T0)
            return found

        with storage.unit_of_work() as uow:
            uow.actions.claim("bank-entry:1", T0)
            uow.commit()
        with storage.unit_of_work() as uow:
            new = claim_many(uow, ["bank-entry:1", "bank-entry:2", "bank-entry:2"])
            assert new == {"bank-entry:2"}
            assert uow.actions.claim("bank-entry:2", T0) is False
            assert claim_many(uow, []) == set()
            # not committed: forgotten
        with storage.unit_of_work() as uow:
            assert uow.actions.exists("bank-entry:2") is False
            new = claim_many(uow, ["bank-entry:3", "bank-entry:2"])
            assert new == {"bank-entry:2", "bank-entry:3"}
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.actions.exists("bank-entry:3") is True


def _event(n: int, *, aggregate_id: str = "inv_1") -> DomainEvent:
    return DomainEvent(
        id=f"ev_{n}",
        name="InvoiceIssued",
        aggregate="invoice",
        aggregate_id=aggregate_id,
        at=T0,
        data={"n": str(n), "nested": {"ok": True}},
        from_state="draft",
        to_state="issued",
        actor="test",
        case_id="cus_1",
    )


def _message(n: int, due: datetime, *, msg_id: str | None = None) -> OutboxMessage:
    return OutboxMessage(
        id=msg_id or f"msg_{n}",
        key=f"key_{n}",
        topic="notification",
        payload={"to": "x@example.com", "n": n},
        created_at=T0,
        next_attempt_at=due,
    )
