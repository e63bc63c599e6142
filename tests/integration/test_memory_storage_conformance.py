"""The built-in in-memory backend passes the storage conformance suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from s2c_core._builtin.memory import MemoryStorage
from s2c_core.ports import Storage
from s2c_core.testing.conformance import StorageContract


class TestMemoryStorage(StorageContract):
    @pytest.fixture
    def storage(self) -> Iterator[Storage]:
        return MemoryStorage()
