"""s2c_core: an embeddable sales-to-cash library."""

from __future__ import annotations
