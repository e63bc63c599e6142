"""Plugins shipped inside core: in-memory storage and the logging notifier."""

from __future__ import annotations

from s2c_core._builtin import memory

__all__ = ["BUILTIN_PLUGINS"]

BUILTIN_PLUGINS: tuple[tuple[str, object], ...] = (("s2c_core.memory", memory),)
