"""Hook implementations: open ``sqlite://`` and ``postgresql://`` storage URLs.

Which databases get their schema created on open:

* ``sqlite://`` (in memory): always (the database is new by definition);
* ``sqlite:///path`` when the file does not exist yet: created and migrated;
* everything else (an existing SQLite file, any PostgreSQL database): the schema must be
  current, else ``ConfigurationError`` tells to run ``s2c_sqlalchemy.migrate(url)`` once
  (deployments migrate explicitly, as with any schema change).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from s2c_core import hookimpl
from s2c_core.clock import Clock
from s2c_sqlalchemy.engine import is_memory_sqlite, normalise_url
from s2c_sqlalchemy.storage import SqlStorage, open_sql_storage

__all__ = ["SCHEMES", "s2c_open_storage", "s2c_storage_schemes"]

SCHEMES: Final = ("sqlite", "postgresql", "postgresql+psycopg", "postgres")
"""URL schemes this plugin opens."""


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else ""


@hookimpl
def s2c_open_storage(url: str, clock: Clock) -> SqlStorage | None:
    """Open SQLite and PostgreSQL URLs; None for any other scheme."""
    if _scheme(url) not in SCHEMES:
        return None
    parsed = normalise_url(url)
    create = False
    if parsed.get_backend_name() == "sqlite":
        create = is_memory_sqlite(parsed) or not Path(str(parsed.database)).exists()
    return open_sql_storage(parsed, clock, create_schema=create)


@hookimpl
def s2c_storage_schemes() -> list[str]:
    """The schemes of the SQL backend."""
    return list(SCHEMES)
