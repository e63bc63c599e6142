"""Never oversold: concurrent confirmations for the last units on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from s2c_core import S2C, BusinessRuleError, FixedClock, LineItem, Money, Policy

pytest.importorskip("s2c_sqlalchemy")

from s2c_sqlalchemy import migrate
from s2c_sqlalchemy import plugin as sql_plugin
from s2c_sqlalchemy.testing import fresh_database

pytestmark = pytest.mark.postgres

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _open(url: str) -> S2C:
    return S2C.open(
        url,
        clock=FixedClock(START),
        policy=Policy.default_eu("BE"),
        plugins=[sql_plugin],
        load_entry_points=False,
    )


@pytest.mark.parametrize(("stock", "buyers"), [(1, 2), (3, 6)])
def test_concurrent_confirmations_never_oversell(
    postgres_url: str, stock: int, buyers: int
) -> None:
    with fresh_database(postgres_url) as url:
        migrate(url)
        setup = _open(url)
        setup.catalog.add_product("last", "Last crate", Money("10.00", "EUR"))
        setup.catalog.receive_stock("last", stock)
        customers = [setup.customers.register(f"Buyer {n}").id for n in range(buyers)]
        setup.close()
        apps = [_open(url) for _ in range(buyers)]
        barrier = threading.Barrier(buyers)
        outcomes: list[str] = []
        lock = threading.Lock()

        def buy(app: S2C, customer_id: str) -> None:
            barrier.wait()
            try:
                order = app.orders.create(customer_id, [LineItem("last", 1)])
                result = order.status
            except BusinessRuleError as err:
                result = f"refused:{err.rule}"  # type: ignore[attr-defined]
            with lock:
                outcomes.append(result)

        threads = [
            threading.Thread(target=buy, args=(app, cid))
            for app, cid in zip(apps, customers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        level = apps[0].catalog.stock("last")
        for app in apps:
            app.close()
    assert sorted(outcomes).count("confirmed") == stock
    assert outcomes.count("refused:stock") == buyers - stock
    assert level.reserved == stock
    assert level.on_hand == stock
