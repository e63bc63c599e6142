"""Remembered decodes: a read returns what decoding the stored text gives, never stale data.

The mapper keeps the entities of the last (document text, version) pairs it wrote or read
(``s2c_sqlalchemy.mapping``). These tests pin what a caller can rely on: a read after a write
is equal to a fresh decode of the row, and a row changed behind the library's back (same
version, other text; or another version) is read as it is now stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import attrs
import pytest
from s2c_sqlalchemy import open_sql_storage
from s2c_sqlalchemy.storage import SqlStorage
from sqlalchemy import text

from s2c_core.codec import load
from s2c_core.entities import Invoice
from s2c_core.testing.conformance.storage import make_invoice


@pytest.fixture
def storage(url: str) -> Iterator[SqlStorage]:
    opened = open_sql_storage(url)
    yield opened
    opened.close()


def _stored_row(storage: SqlStorage, invoice_id: str) -> tuple[str, int]:
    with storage.engine.connect() as conn:
        row = conn.execute(
            text("SELECT data, version FROM s2c_invoice WHERE id = :id"), {"id": invoice_id}
        ).one()
    return str(row[0]), int(row[1])


def _fresh_decode(storage: SqlStorage, invoice_id: str) -> Invoice:
    import json

    data, version = _stored_row(storage, invoice_id)
    document = json.loads(data)
    document["version"] = version
    return load(Invoice, document)


def test_a_read_after_a_write_equals_a_fresh_decode_of_the_row(storage: SqlStorage) -> None:
    with storage.unit_of_work() as uow:
        added = uow.repo("invoice").add(make_invoice(1))
        uow.commit()
    with storage.unit_of_work() as uow:
        changed = uow.repo("invoice").update(attrs.evolve(added, dunning_level=2))
        uow.commit()
    with storage.unit_of_work() as uow:
        read = uow.repo("invoice").get(added.id)
    assert read == changed == _fresh_decode(storage, added.id)
    assert read.version == 2
    assert read.dunning_level == 2


def test_a_row_changed_by_hand_at_the_same_version_is_read_as_stored(
    storage: SqlStorage,
) -> None:
    with storage.unit_of_work() as uow:
        added = uow.repo("invoice").add(make_invoice(2, due=date(2026, 2, 4)))
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repo("invoice").get(added.id).due_date == date(2026, 2, 4)
    data, version = _stored_row(storage, added.id)
    edited = data.replace('"due_date":"2026-02-04"', '"due_date":"2026-03-09"')
    assert edited != data
    with storage.engine.begin() as conn:
        conn.execute(
            text("UPDATE s2c_invoice SET data = :data WHERE id = :id"),
            {"data": edited, "id": added.id},
        )
    with storage.unit_of_work() as uow:
        read = uow.repo("invoice").get(added.id)
    assert read.due_date == date(2026, 3, 9)
    assert read.version == version
    assert read == _fresh_decode(storage, added.id)


def test_a_version_bumped_by_hand_is_read_with_that_version(storage: SqlStorage) -> None:
    with storage.unit_of_work() as uow:
        added = uow.repo("invoice").add(make_invoice(3))
        uow.commit()
    with storage.engine.begin() as conn:
        conn.execute(text("UPDATE s2c_invoice SET version = 7 WHERE id = :id"), {"id": added.id})
    with storage.unit_of_work() as uow:
        assert uow.repo("invoice").get(added.id).version == 7
