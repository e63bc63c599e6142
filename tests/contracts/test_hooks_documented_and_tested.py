"""Every hook spec is documented (Args/Returns like pytest's) and exercised by some test."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from s2c_core import hookspecs

ROOT = Path(__file__).resolve().parents[2]
SPECS = [name for name in hookspecs.__all__ if name.startswith("s2c_")]


@pytest.mark.parametrize("name", SPECS)
def test_hook_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert len(doc.splitlines()) >= 3, f"{name} needs a real docstring"
    assert "Returns:" in doc or "Args:" in doc, f"{name} docstring lacks Args/Returns"


@pytest.mark.parametrize("name", SPECS)
def test_hook_is_used_by_some_test_or_plugin(name: str) -> None:
    places = [
        *ROOT.glob("tests/**/*.py"),
        *ROOT.glob("plugins/*/src/**/*.py"),
        *ROOT.glob("plugins/*/tests/**/*.py"),
    ]
    users = [
        p for p in places if p.name != Path(__file__).name and name in p.read_text(encoding="utf-8")
    ]
    assert users, f"no test or plugin implements or calls {name}"
