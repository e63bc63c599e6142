"""The sent log: notification keys already handed to the SMTP server, in a small SQLite file.

Outbox delivery is at-least-once: a message whose send succeeded can still be retried when the
process stops before the outbox records the delivery. Before sending, the notifier looks the
notification's key up here and skips what was sent; right after the server accepted a message
its key is recorded. The Message-ID is derived from the key as well, so the rare duplicate
that slips through (a crash between the server's acceptance and the record) carries the same
Message-ID and mail clients fold it.

One file per state folder; several processes may share it (SQLite locks the writes).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

__all__ = ["SentLog"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sent ("
    " key TEXT PRIMARY KEY, message_id TEXT NOT NULL, recipient TEXT NOT NULL,"
    " sent_at TEXT NOT NULL)"
)


class SentLog:
    """Keys of the notifications sent, persisted in ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def was_sent(self, key: str) -> bool:
        """True when *key* was recorded as sent."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT 1 FROM sent WHERE key = ?", (key,)).fetchone()
        return row is not None

    def record(self, key: str, message_id: str, recipient: str, at: datetime) -> None:
        """Record *key* as sent (idempotent)."""
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR IGNORE INTO sent (key, message_id, recipient, sent_at) "
                "VALUES (?, ?, ?, ?)",
                (key, message_id, recipient, at.isoformat()),
            )

    def message_id(self, key: str) -> str | None:
        """The Message-ID *key* was sent with, or None."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT message_id FROM sent WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])
