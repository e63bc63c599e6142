"""Helpers shared by the example scripts (not part of the library)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from s2c_core import S2C, BackendNotFoundError, Clock, Policy


def output_folder(description: str | None, argv: list[str] | None = None) -> Path:
    """Parse ``--out`` and return the (created) output folder."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    args, _ = parser.parse_known_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="s2c-example-"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def open_app(out: Path, name: str, clock: Clock, policy: Policy, **kwargs: object) -> S2C:
    """A fresh SQLite file in *out* when s2c-sqlalchemy is installed, else in memory."""
    db = out / f"{name}.db"
    if db.exists():
        db.unlink()
    try:
        return S2C.open(f"sqlite:///{db}", clock=clock, policy=policy, **kwargs)  # type: ignore[arg-type]
    except BackendNotFoundError:
        return S2C.open("memory://", clock=clock, policy=policy, **kwargs)  # type: ignore[arg-type]
