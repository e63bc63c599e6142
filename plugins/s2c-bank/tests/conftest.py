"""Fixtures of the s2c-bank tests: our own small files, and the shared external test data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_bank_dir() -> Path:
    """``shared/testdata/bank`` beside the repository, or where ``S2C_SHARED_TESTDATA`` says.

    The variable may name the ``testdata`` folder or its ``bank`` sub-folder.
    """
    configured = os.environ.get("S2C_SHARED_TESTDATA")
    if configured:
        base = Path(configured)
        return base / "bank" if (base / "bank").is_dir() else base
    return REPO_ROOT / ".." / "shared" / "testdata" / "bank"


@pytest.fixture
def fixtures() -> Path:
    """The folder of the fixtures written for these tests."""
    return FIXTURES


@pytest.fixture(scope="session")
def shared_bank() -> Path:
    """The shared bank test files; the test is skipped when they are not there."""
    folder = shared_bank_dir()
    if not (folder / "MANIFEST.md").is_file():
        pytest.skip(f"shared testdata not found at {folder.resolve()}")
    return folder
