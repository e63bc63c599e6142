"""Create and upgrade the s2c schema with Alembic, driven from code.

``migrate(url_or_engine)`` is the one call: it creates the tables on an empty database and
upgrades an older schema to the revision this package ships; on a current schema it does
nothing. The host application needs no ``alembic.ini`` and its own Alembic history is never
touched: s2c records its revision in the private table ``s2c_alembic_version`` and its
revisions form their own branch (label ``s2c_sqlalchemy``).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Engine, column, inspect, select, table
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from s2c_core.errors import ConfigurationError
from s2c_sqlalchemy.engine import READ_ONLY, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "MIGRATION_LOCK_ID",
    "SCHEMA_REVISION",
    "VERSION_TABLE",
    "current_revision",
    "head_revision",
    "migrate",
    "require_current_schema",
]

log = logging.getLogger(__name__)

VERSION_TABLE: Final = "s2c_alembic_version"
"""The private Alembic version table of s2c (the host app keeps ``alembic_version``)."""

MIGRATION_LOCK_ID: Final = 0x5332435F53514C
"""PostgreSQL advisory lock key serialising concurrent ``migrate`` calls."""

SCHEMA_REVISION: Final = "s2c_0001"
"""The schema revision this version of the package works with (the head of its scripts).

Opening a storage compares the database's revision with it by one plain ``SELECT``, without
loading Alembic; a test checks it against the scripts' head.
"""

_SCRIPTS: Final = Path(__file__).with_name("migrations")


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.set_main_option("version_table", VERSION_TABLE)
    return config


@cache
def head_revision() -> str:
    """The head of the migration scripts shipped in the package (loads Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise ConfigurationError("s2c-sqlalchemy ships no migration scripts")
    return head


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def current_revision(engine: Engine) -> str | None:
    """The s2c revision recorded in the database, or None when it has no s2c schema."""
    versions = table(VERSION_TABLE, column("version_num"))
    try:
        with engine.connect() as conn:
            conn.execution_options(**{READ_ONLY: True})
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            found = conn.execute(select(versions.c.version_num)).scalars().all()
    except SQLAlchemyError as exc:
        from s2c_sqlalchemy.session import backend_error

        raise backend_error(exc, f"reading the schema revision of {_url(engine)!r}") from exc
    return str(found[0]) if found else None


def require_current_schema(engine: Engine) -> None:
    """Raise ``ConfigurationError`` unless the database has the schema this package needs.

    The message says how to create or upgrade it.
    """
    current = current_revision(engine)
    if current == SCHEMA_REVISION:
        return
    url = _url(engine)
    if current is None:
        raise ConfigurationError(
            f"the database {url!r} has no s2c schema. Create it once with "
            f"s2c_sqlalchemy.migrate({url!r}), or open it with "
            f"open_sql_storage(url, clock, create_schema=True)",
            url=url,
            revision=None,
            required=SCHEMA_REVISION,
        )
    raise ConfigurationError(
        f"the s2c schema of {url!r} is at revision {current!r} but this version of "
        f"s2c-sqlalchemy needs {SCHEMA_REVISION!r}: run s2c_sqlalchemy.migrate({url!r})",
        url=url,
        revision=current,
        required=SCHEMA_REVISION,
    )


def migrate(url_or_engine: str | URL | Engine, *, revision: str = "heads") -> str:
    """Create or upgrade the s2c schema; a no-op when it is current.

    Runs in one transaction (DDL is transactional on PostgreSQL and SQLite), serialised
    against concurrent callers.

    Args:
        url_or_engine: A database URL or an engine (the host app's own is fine: only tables
            prefixed ``s2c_`` are created).
        revision: The target revision (default: the newest).

    Returns:
        The revision the schema is at afterwards.

    Example:
        ```python
        import s2c_sqlalchemy

        s2c_sqlalchemy.migrate("postgresql://app@db.internal/books")
        ```
    """
    if isinstance(url_or_engine, Engine):
        engine, owned = url_or_engine, False
    else:
        engine, owned = make_engine(url_or_engine), True

    from alembic import command
    from alembic.runtime.migration import MigrationContext

    try:
        config = _config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            before = MigrationContext.configure(
                conn, opts={"version_table": VERSION_TABLE}
            ).get_current_heads()
            command.upgrade(config, revision)
            after = MigrationContext.configure(
                conn, opts={"version_table": VERSION_TABLE}
            ).get_current_heads()
        if before != after:
            log.info("s2c schema of %s migrated from %s to %s", _url(engine), before, after)
        return after[0] if after else ""
    except SQLAlchemyError as exc:
        from s2c_sqlalchemy.session import backend_error

        raise backend_error(exc, f"migrating {_url(engine)!r}") from exc
    finally:
        if owned:
            engine.dispose()
