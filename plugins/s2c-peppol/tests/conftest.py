"""Fixtures of the s2c-peppol tests: the official-rules validator, compiled once per session."""

from __future__ import annotations

from typing import Any

import pytest
from peppol_support import validator_or_reason


@pytest.fixture(scope="session")
def validator() -> Any:
    """The shared Validator (UBL 2.1 XSD + EN 16931 + Peppol BIS 3.0.21), or skip."""
    found, reason = validator_or_reason()
    if found is None:
        pytest.skip(reason)
    return found
