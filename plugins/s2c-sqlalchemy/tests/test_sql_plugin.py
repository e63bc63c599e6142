"""The plugin hooks: which URLs open, which create their schema, what is refused."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pluggy import PluginManager
from s2c_sqlalchemy import SqlStorage, plugin

from s2c_core import S2C, FixedClock
from s2c_core.errors import BackendNotFoundError, S2CError
from s2c_core.plugins import make_plugin_manager, open_storage

CLOCK = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def _pm() -> PluginManager:
    """A manager with core's built-ins and this plugin only (other installed plugins may be
    half-written while the repository is worked on)."""
    return make_plugin_manager(plugins=[plugin], load_entry_points=False)


def test_the_entry_point_is_installed() -> None:
    found = [ep for ep in entry_points(group="s2c_core") if ep.name == "sqlalchemy"]
    assert [ep.load() for ep in found] == [plugin]


def test_a_new_sqlite_file_is_created_with_its_schema(sqlite_url: str, tmp_path: Path) -> None:
    storage = open_storage(_pm(), sqlite_url, CLOCK)
    assert isinstance(storage, SqlStorage)
    assert (tmp_path / "books.db").exists()
    storage.close()


def test_in_memory_sqlite_opens_ready_to_use() -> None:
    storage = plugin.s2c_open_storage("sqlite://", CLOCK)
    assert storage is not None
    with storage.unit_of_work() as uow:
        assert uow.counters.next("INV", 2026) == 1
    storage.close()


def test_an_existing_file_without_schema_is_refused_with_instructions(tmp_path: Path) -> None:
    path = tmp_path / "host.db"
    sqlite3.connect(path).close()
    with pytest.raises(S2CError) as info:
        open_storage(_pm(), f"sqlite:///{path}", CLOCK)
    assert "s2c_sqlalchemy.migrate(" in str(info.value)


def test_other_schemes_are_left_to_other_plugins() -> None:
    assert plugin.s2c_open_storage("memory://", CLOCK) is None
    assert plugin.s2c_open_storage("mysql://x@y/z", CLOCK) is None


def test_an_unknown_scheme_lists_the_sql_schemes() -> None:
    with pytest.raises(BackendNotFoundError) as info:
        open_storage(_pm(), "oracle://scott@tiger/db", CLOCK)
    assert "sqlite://" in str(info.value)
    assert "postgresql://" in str(info.value)


def test_the_application_runs_on_a_sqlite_file(sqlite_url: str) -> None:
    with S2C.open(sqlite_url, clock=CLOCK, plugins=[plugin], load_entry_points=False) as app:
        customer = app.customers.register("Brasserie Dupont", customer_id="cus_dupont")
    with S2C.open(sqlite_url, clock=CLOCK, plugins=[plugin], load_entry_points=False) as app:
        assert [e.aggregate_id for e in app.events()] == [customer.id]
        with app.storage.unit_of_work() as uow:
            assert uow.repo("customer").get("cus_dupont").name == "Brasserie Dupont"


@pytest.mark.postgres
def test_postgresql_urls_open_a_migrated_database(pg_url: str) -> None:
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    storage = open_storage(_pm(), plain, CLOCK)
    assert storage.name == "postgresql"
    storage.close()
