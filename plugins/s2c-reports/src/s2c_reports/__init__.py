"""KPI reports for s2c_core: HTML with inline SVG charts, and OCEL 2.0 / XES event logs.

```python
from s2c_reports import export_ocel, export_xes, render_html

html = render_html(app.kpi.report())              # one self-contained page
ocel = export_ocel(app.kpi.event_log())           # dict, write with json.dump
xes = export_xes(app.kpi.event_log())             # bytes
```
"""

from __future__ import annotations

from s2c_reports.eventlog import export_ocel, export_xes
from s2c_reports.html import render_html

__all__ = ["export_ocel", "export_xes", "render_html"]
