"""Public test kit: conformance suites, hypothesis strategies and fakes for host apps and plugins.

Importing this package needs pytest and hypothesis (the ``test`` extra).
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("s2c_core.testing.conformance")

__all__: list[str] = []
