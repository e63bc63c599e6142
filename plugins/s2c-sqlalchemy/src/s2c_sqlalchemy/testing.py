"""Test helpers: a throwaway PostgreSQL server and fresh databases on it.

```python
with throwaway_postgres() as server_url:          # initdb + pg_ctl start on a free port
    with fresh_database(server_url) as url:       # CREATE DATABASE ... / DROP DATABASE
        storage = open_sql_storage(url, create_schema=True)
```

The server runs from a temporary directory with ``fsync=off`` (fast, not durable: tests only),
listens on 127.0.0.1 with trust authentication, and is stopped and deleted on exit. When the
tests run as root, PostgreSQL (which refuses to run as root) is started as the ``postgres``
system user through ``runuser``.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from s2c_core.errors import ConfigurationError

__all__ = [
    "PostgresNotFoundError",
    "find_postgres_binaries",
    "fresh_database",
    "throwaway_postgres",
]

log = logging.getLogger(__name__)


class PostgresNotFoundError(ConfigurationError):
    """``initdb``/``pg_ctl`` are not installed (nor on PATH, nor in /usr/lib/postgresql)."""


def find_postgres_binaries() -> tuple[Path, Path]:
    """Paths of ``initdb`` and ``pg_ctl``: PATH first, then the newest /usr/lib/postgresql/*.

    Raises:
        PostgresNotFoundError: Neither place has both.
    """
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb), Path(pg_ctl)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()],
        reverse=True,
    )
    for directory in candidates:
        bin_dir = Path(directory)
        if (bin_dir / "initdb").exists() and (bin_dir / "pg_ctl").exists():
            return bin_dir / "initdb", bin_dir / "pg_ctl"
    raise PostgresNotFoundError(
        "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin;"
        " install PostgreSQL (e.g. apt-get install postgresql) or set S2C_TEST_POSTGRES_URL"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresNotFoundError(
            "running as root needs runuser to start PostgreSQL as the postgres user"
        )
    return [runuser, "-u", "postgres", "--", *command]


def _run(command: list[str], *, what: str) -> None:
    done = subprocess.run(
        _as_postgres_user(command), capture_output=True, text=True, check=False, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr or done.stdout}")


def _wait_ready(url: str, *, timeout: float = 30.0) -> None:
    import psycopg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(plain, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def throwaway_postgres(*, attempts: int = 3) -> Iterator[str]:
    """Run a private PostgreSQL server for the duration of the block.

    Yields:
        ``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres`` (trust authentication).

    Raises:
        PostgresNotFoundError: The PostgreSQL binaries are not installed.
    """
    initdb, pg_ctl = find_postgres_binaries()
    workdir = Path(tempfile.mkdtemp(prefix="s2c-pg-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres", group=None)
    data = workdir / "data"
    started = False
    try:
        _run(
            [
                str(initdb),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            what="initdb",
        )
        for attempt in range(1, attempts + 1):
            port = _free_port()
            options = (
                f"-F -c fsync=off -c max_connections=100 "
                f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir}"
            )
            try:
                _run(
                    [
                        str(pg_ctl),
                        "-D",
                        str(data),
                        "-l",
                        str(workdir / "server.log"),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        options,
                        "start",
                    ],
                    what="pg_ctl start",
                )
            except RuntimeError:
                if attempt == attempts:
                    raise
                log.warning("PostgreSQL did not start on port %d, retrying", port)
                continue
            started = True
            break
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        _wait_ready(url)
        log.info("throwaway PostgreSQL at %s (data in %s)", url, data)
        yield url
    finally:
        if started:
            try:
                _run([str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"], what="pg_ctl stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                log.warning("could not stop the throwaway PostgreSQL in %s", workdir, exc_info=True)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def fresh_database(
    server_url: str, *, template: str | None = None, prefix: str = "s2c_test"
) -> Iterator[str]:
    """Create an empty database (or a copy of *template*) on a server; drop it afterwards.

    Args:
        server_url: Any URL on the server with the right to ``CREATE DATABASE``.
        template: Copy this database (e.g. one already migrated) instead of ``template1``.
        prefix: Start of the random database name.

    Yields:
        The URL of the new database.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        make_url(server_url).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    try:
        with admin.connect() as conn:
            source = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{source}'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
