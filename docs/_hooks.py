"""mkdocs hook: replace ``<!-- lifecycle: NAME -->`` with a Mermaid diagram of that flow.

The diagrams are drawn by ``transitions``' GraphMachine from the same tables the library
enforces, so the docs cannot drift from the code.
"""

from __future__ import annotations

import re
from typing import Any

_MARK = re.compile(r"<!--\s*lifecycle:\s*(\w+)\s*-->")


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    if "lifecycle:" not in markdown:
        return markdown
    from s2c_core.lifecycle import ALL_FLOWS

    flows = {flow.entity: flow for flow in ALL_FLOWS}

    def draw(match: re.Match[str]) -> str:
        flow = flows[match.group(1)]
        return f"```mermaid\n{flow.to_mermaid()}\n```"

    return _MARK.sub(draw, markdown)
