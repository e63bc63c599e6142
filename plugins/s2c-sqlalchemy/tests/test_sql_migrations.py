"""Migrations: created from code, idempotent, private version table, clear errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from s2c_sqlalchemy import (
    SCHEMA_REVISION,
    VERSION_TABLE,
    current_revision,
    head_revision,
    migrate,
)
from s2c_sqlalchemy.engine import make_engine
from s2c_sqlalchemy.storage import open_sql_storage
from s2c_sqlalchemy.tables import metadata
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from conftest import scalar, table_names
from s2c_core.errors import ConfigurationError

S2C_TABLES = set(metadata.tables)


def _schema_diff(url: str) -> list[object]:
    engine = create_engine(make_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
            )
            return [
                diff
                for diff in compare_metadata(context, metadata)
                if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")
            ]
    finally:
        engine.dispose()


def _host_alembic_table(url: str) -> None:
    engine = create_engine(make_url(url), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('host_rev_42')"))
    engine.dispose()


def test_the_package_needs_the_newest_shipped_revision() -> None:
    assert head_revision() == SCHEMA_REVISION


# -- SQLite -----------------------------------------------------------------------------------


def test_migrating_a_fresh_database_creates_every_table(sqlite_url: str) -> None:
    assert migrate(sqlite_url) == head_revision()
    assert table_names(sqlite_url) == S2C_TABLES | {VERSION_TABLE}


def test_migrating_twice_is_a_no_op(sqlite_url: str) -> None:
    migrate(sqlite_url)
    with open_sql_storage(sqlite_url) as storage, storage.unit_of_work() as uow:
        assert uow.counters.next("INV", 2026) == 1
        uow.commit()
    assert migrate(sqlite_url) == head_revision()
    assert table_names(sqlite_url) == S2C_TABLES | {VERSION_TABLE}
    assert scalar(sqlite_url, f"SELECT count(*) FROM {VERSION_TABLE}") == 1
    assert scalar(sqlite_url, "SELECT value FROM s2c_counters") == 1


def test_the_host_apps_alembic_history_is_untouched(sqlite_url: str) -> None:
    _host_alembic_table(sqlite_url)
    migrate(sqlite_url)
    assert scalar(sqlite_url, "SELECT version_num FROM alembic_version") == "host_rev_42"
    assert scalar(sqlite_url, "SELECT count(*) FROM alembic_version") == 1
    assert scalar(sqlite_url, f"SELECT version_num FROM {VERSION_TABLE}") == head_revision()


def test_the_migrated_schema_matches_the_tables_module(sqlite_url: str) -> None:
    migrate(sqlite_url)
    assert _schema_diff(sqlite_url) == []


def test_opening_a_database_without_the_schema_says_how_to_create_it(tmp_path: Path) -> None:
    path = tmp_path / "host.db"
    sqlite3.connect(path).close()
    url = f"sqlite:///{path}"
    with pytest.raises(ConfigurationError) as info:
        open_sql_storage(url)
    message = str(info.value)
    assert "has no s2c schema" in message
    assert f"s2c_sqlalchemy.migrate({url!r})" in message
    assert "create_schema=True" in message
    assert table_names(url) == set()  # nothing was created


def test_create_schema_flag_migrates_on_open(sqlite_url: str) -> None:
    with open_sql_storage(sqlite_url, create_schema=True) as storage:
        assert current_revision(storage.engine) == head_revision()


def test_an_outdated_schema_names_both_revisions(sqlite_url: str) -> None:
    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 's2c_0000'"))
    engine.dispose()
    with pytest.raises(ConfigurationError, match="at revision 's2c_0000'") as info:
        open_sql_storage(sqlite_url)
    assert info.value.required == head_revision()  # type: ignore[attr-defined]


def test_migrate_accepts_an_engine_and_leaves_it_usable(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM s2c_invoice")).scalar() == 0
    engine.dispose()


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_migrate_creates_the_schema_once(pg_empty_url: str) -> None:
    _host_alembic_table(pg_empty_url)
    with pytest.raises(ConfigurationError, match="has no s2c schema"):
        open_sql_storage(pg_empty_url)
    assert migrate(pg_empty_url) == head_revision()
    assert migrate(pg_empty_url) == head_revision()
    assert table_names(pg_empty_url) == S2C_TABLES | {VERSION_TABLE, "alembic_version"}
    assert scalar(pg_empty_url, "SELECT version_num FROM alembic_version") == "host_rev_42"
    assert scalar(pg_empty_url, f"SELECT count(*) FROM {VERSION_TABLE}") == 1
    assert _schema_diff(pg_empty_url) == []
    open_sql_storage(pg_empty_url).close()
