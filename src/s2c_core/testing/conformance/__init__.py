"""Conformance suites shipped for backend authors (subclass them in your plugin's tests)."""

from __future__ import annotations

from s2c_core.testing.conformance.storage import StorageContract

__all__ = ["StorageContract"]
