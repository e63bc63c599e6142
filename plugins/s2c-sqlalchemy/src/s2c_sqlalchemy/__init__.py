"""SQL storage for s2c_core: SQLite (the embedded default) and PostgreSQL, on SQLAlchemy 2 Core.

Installed, it handles ``sqlite://`` and ``postgresql://`` storage URLs for ``S2C.open``::

    app = S2C.open("sqlite:///books.db")                # file created and migrated on first use
    s2c_sqlalchemy.migrate("postgresql://app@db/books")  # once per deployment / upgrade
    app = S2C.open("postgresql://app@db/books")

Or use it directly::

    with open_sql_storage("sqlite:///books.db", create_schema=True) as storage:
        storage.queries.aging(date.today(), currency="EUR")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from s2c_sqlalchemy.engine import make_engine
from s2c_sqlalchemy.queries import (
    CustomerBalance,
    GroupTotal,
    PeriodSales,
    SalesPeriod,
    SqlQueries,
)
from s2c_sqlalchemy.schema import (
    SCHEMA_REVISION,
    VERSION_TABLE,
    current_revision,
    head_revision,
    migrate,
)
from s2c_sqlalchemy.storage import SqlStorage, SqlUnitOfWork, open_sql_storage

try:
    __version__ = version("s2c-sqlalchemy")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "SCHEMA_REVISION",
    "VERSION_TABLE",
    "CustomerBalance",
    "GroupTotal",
    "PeriodSales",
    "SalesPeriod",
    "SqlQueries",
    "SqlStorage",
    "SqlUnitOfWork",
    "__version__",
    "current_revision",
    "head_revision",
    "make_engine",
    "migrate",
    "open_sql_storage",
]
