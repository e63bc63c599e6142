"""The Python examples of docs/how-to/bank-import.md run as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[3] / "docs" / "how-to" / "bank-import.md"


def blocks() -> list[str]:
    if not PAGE.is_file():
        return []
    return re.findall(r"```python\n(.*?)```", PAGE.read_text("utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("code", blocks() or [None], ids=lambda c: "example")
def test_example_runs(code: str | None) -> None:
    if code is None:
        pytest.skip(f"{PAGE} not found")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(PAGE), "exec"), {})
    assert out.getvalue()
