"""The plugin system: per-app managers, typed hook calls, failing plugins lose nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from s2c_core import (
    S2C,
    BackendError,
    BackendNotFoundError,
    DomainEvent,
    FixedClock,
    LineItem,
    Notification,
    Policy,
    hookimpl,
)
from s2c_core.plugins import make_plugin_manager


def test_unknown_storage_url_lists_installed_backends(clock: FixedClock) -> None:
    with pytest.raises(BackendNotFoundError) as info:
        S2C.open("nosuch://x", clock=clock, load_entry_points=False)
    assert "memory://" in info.value.installed  # type: ignore[attr-defined]
    assert "memory://" in str(info.value)


def test_each_application_has_its_own_plugin_manager(clock: FixedClock) -> None:
    a = S2C.open("memory://", clock=clock, load_entry_points=False)
    b = S2C.open("memory://", clock=clock, load_entry_points=False)
    assert a.pm is not b.pm
    assert make_plugin_manager(load_entry_points=False) is not a.pm


class Recorder:
    def __init__(self, fail_times: int = 0) -> None:
        self.events: list[DomainEvent] = []
        self.fail_times = fail_times

    @hookimpl
    def s2c_event_subscriptions(self) -> list[str]:
        return ["InvoiceIssued"]

    @hookimpl
    def s2c_on_event(self, event: DomainEvent) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("webhook down")
        self.events.append(event)


def _issue_one(app: S2C) -> None:
    app.catalog.add_product(
        "consult", "Consulting hour", app.policy.payment_tolerance * 1900, stocked=False
    )
    customer = app.customers.register("Agency client")
    order = app.orders.create(customer.id, [LineItem("consult", 2)])
    app.orders.ship(order.id)


def test_subscribed_events_are_delivered_after_commit(clock: FixedClock) -> None:
    recorder = Recorder()
    app = S2C.open("memory://", clock=clock, plugins=[recorder], load_entry_points=False)
    _issue_one(app)
    assert [e.name for e in recorder.events] == ["InvoiceIssued"]


def test_a_failing_plugin_never_loses_the_change_and_is_retried_then_parked(
    clock: FixedClock,
) -> None:
    recorder = Recorder(fail_times=10)
    policy = Policy.default_eu("BE", outbox_max_attempts=3, outbox_backoff_seconds=60)
    app = S2C.open(
        "memory://", clock=clock, policy=policy, plugins=[recorder], load_entry_points=False
    )
    _issue_one(app)
    assert app.invoices.list(kind="invoice")[0].status == "issued"
    (message,) = app.outbox_messages()
    assert message.attempts == 1
    assert message.status == "pending"
    assert "webhook down" in message.last_error
    clock.advance(seconds=61)
    app.deliver_outbox()
    clock.advance(seconds=121)
    app.deliver_outbox()
    (message,) = app.outbox_messages()
    assert message.status == "parked"
    assert message.attempts == 3
    assert recorder.events == []


def test_retry_after_recovery_delivers_exactly_once(clock: FixedClock) -> None:
    recorder = Recorder(fail_times=1)
    app = S2C.open("memory://", clock=clock, plugins=[recorder], load_entry_points=False)
    _issue_one(app)
    clock.advance(minutes=5)
    app.deliver_outbox()
    app.deliver_outbox()
    assert len(recorder.events) == 1
    assert app.outbox_messages()[0].status == "delivered"


class Vetoer:
    @hookimpl
    def s2c_credit_decision(self, context: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return {"outcome": "denied", "reasons": [f"blocked {context['customer']['name']}"]}


def test_credit_decision_hook_replaces_the_default_rules(clock: FixedClock) -> None:
    app = S2C.open("memory://", clock=clock, plugins=[Vetoer()], load_entry_points=False)
    _issue_one_order = app.catalog.add_product(
        "x", "X", app.policy.payment_tolerance, stocked=False
    )
    customer = app.customers.register("Blocked Ltd")
    order = app.orders.create(customer.id, [LineItem(_issue_one_order.id, 1)])
    assert order.status == "on_hold"
    assert "blocked Blocked Ltd" in order.hold_reason


class BrokenNotifier:
    channels = ("email",)

    def send(self, notification: Notification) -> None:
        raise ConnectionError("smtp down")


class BrokenNotifierPlugin:
    @hookimpl
    def s2c_notifiers(self) -> list[BrokenNotifier]:
        return [BrokenNotifier()]


class BadStorage:
    @hookimpl
    def s2c_open_storage(self, url: str, clock: object) -> object | None:
        return object() if url == "bad://" else None

    @hookimpl
    def s2c_storage_schemes(self) -> list[str]:
        return ["bad"]


def test_a_backend_returning_the_wrong_type_is_a_backend_error(clock: FixedClock) -> None:
    with pytest.raises(BackendError):
        S2C.open("bad://", clock=clock, plugins=[BadStorage()], load_entry_points=False)


def test_notifications_stay_in_the_outbox_while_the_notifier_fails(clock: FixedClock) -> None:
    app = S2C.open(
        "memory://", clock=clock, plugins=[BrokenNotifierPlugin()], load_entry_points=False
    )
    with app.ctx.tx() as tx:
        tx.notify(
            Notification(
                key="k1", channel="email", template="t", language="nl", recipient="a@example.com"
            )
        )
        tx.commit()
    (message,) = app.outbox_messages()
    assert message.status == "pending"
    assert "smtp down" in message.last_error
