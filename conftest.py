"""Repository-wide fixtures, shared by core tests and every plugin's tests.

``postgres_url``: a PostgreSQL server for tests marked ``@pytest.mark.postgres``. It is the
``S2C_TEST_POSTGRES_URL`` environment variable when set; otherwise a throwaway server started
once per session from the local PostgreSQL binaries (``s2c_sqlalchemy.testing``). Without
binaries the PostgreSQL tests are skipped locally, and fail in CI (``CI=true``).

``s2c_sqlalchemy`` is imported inside the fixture only, so core's tests run without the plugin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server (database ``postgres``) the tests may create databases on."""
    configured = os.environ.get("S2C_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    in_ci = os.environ.get("CI", "").lower() == "true"
    try:
        from s2c_sqlalchemy.testing import PostgresNotFoundError, throwaway_postgres
    except ImportError as exc:
        message = f"s2c-sqlalchemy is needed to start a throwaway PostgreSQL: {exc}"
        if in_ci:
            pytest.fail(message)
        pytest.skip(message)
    try:
        server = throwaway_postgres()
        url = server.__enter__()
    except PostgresNotFoundError as exc:
        message = f"PostgreSQL binaries (initdb, pg_ctl) not found: {exc}"
        if in_ci:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield url
    finally:
        server.__exit__(None, None, None)
