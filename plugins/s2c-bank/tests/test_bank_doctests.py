"""The examples in the s2c_bank docstrings run (CI runs doctests for core only)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "s2c_bank",
    "s2c_bank.camt",
    "s2c_bank.coda",
    "s2c_bank.mt940",
    "s2c_bank.pain008",
    "s2c_bank.statements",
    "s2c_bank.testing",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
