"""Alembic environment: runs the s2c revisions on the connection ``migrate`` hands over.

There is no ``alembic.ini``: ``s2c_sqlalchemy.schema.migrate`` builds the configuration in code
and passes an open connection in ``config.attributes["connection"]``. On PostgreSQL a
transaction-level advisory lock makes concurrent ``migrate`` calls (several app instances
starting at once) run one after the other; on SQLite the ``BEGIN IMMEDIATE`` write lock does.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from s2c_sqlalchemy.schema import MIGRATION_LOCK_ID, VERSION_TABLE


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
    context.configure(
        connection=connection,
        version_table=VERSION_TABLE,
        transactional_ddl=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("run s2c migrations with s2c_sqlalchemy.migrate(url_or_engine)")
_run(_connection)
