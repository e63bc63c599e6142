"""The SQL backend passes core's storage conformance suite, unchanged, on three databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from s2c_sqlalchemy import SqlStorage, open_sql_storage

from s2c_core.ports import Storage
from s2c_core.testing.conformance import StorageContract


class TestSqliteFile(StorageContract):
    @pytest.fixture
    def storage(self, sqlite_url: str) -> Iterator[Storage]:
        with open_sql_storage(sqlite_url, create_schema=True) as storage:
            yield storage


class TestSqliteMemory(StorageContract):
    @pytest.fixture
    def storage(self) -> Iterator[Storage]:
        with open_sql_storage("sqlite://", create_schema=True) as storage:
            yield storage


@pytest.mark.postgres
class TestPostgres(StorageContract):
    @pytest.fixture
    def storage(self, pg_url: str) -> Iterator[Storage]:
        with open_sql_storage(pg_url) as storage:
            yield storage


def test_sql_storage_satisfies_the_storage_port(sqlite_url: str) -> None:
    with open_sql_storage(sqlite_url, create_schema=True) as storage:
        assert isinstance(storage, Storage)
        assert isinstance(storage, SqlStorage)
        assert storage.name == "sqlite"
