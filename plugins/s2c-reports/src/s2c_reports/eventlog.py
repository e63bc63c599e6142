"""The domain event log as process-mining files: OCEL 2.0 JSON and IEEE 1849-2016 XES.

Both read core's [DomainEvent][s2c_core.events.DomainEvent]s (``app.kpi.event_log()`` or
``app.events()``) and are written with the standard library only (``json``,
``xml.etree.ElementTree``).

**OCEL 2.0** (object-centric event log, ocel-standard.org, JSON serialisation):

* objects: every aggregate that appears in the log (type = the aggregate, e.g. ``invoice``)
  and every case (``customer`` for ``cus_...`` ids, ``lead`` for ``lead_...``, else ``case``);
  an aggregate's ``status`` attribute changes over time with its lifecycle events; an
  aggregate is related to its case object (qualifier ``case``);
* events: one per domain event (type = the event name), related to its aggregate (qualifier =
  the aggregate type), to its case (``case``) and to any other known object whose id appears
  in its data (qualifier = the data key, e.g. ``payment_id``); attributes are the actor, the
  states before and after, and the scalar data (money as its decimal amount).

**XES** (IEEE 1849-2016): one trace per ``case_id`` (events without a case form a trace per
aggregate), ordered by time; every event has ``concept:name`` (the event name),
``time:timestamp`` (ISO 8601 with offset), ``lifecycle:transition`` (``complete``), and
``org:resource`` when an actor is known, plus ``s2c:*`` attributes (aggregate, ids, states).

Examples:
    >>> from datetime import datetime, UTC
    >>> from s2c_core.events import DomainEvent
    >>> event = DomainEvent("evt_1", "InvoiceIssued", "invoice", "inv_1",
    ...                     datetime(2026, 1, 5, 9, tzinfo=UTC), case_id="cus_1",
    ...                     to_state="issued")
    >>> ocel = export_ocel([event])
    >>> [o["type"] for o in ocel["objects"]], ocel["events"][0]["time"]
    (['invoice', 'customer'], '2026-01-05T09:00:00Z')
    >>> b"<trace>" in export_xes([event])
    True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from s2c_core.events import DomainEvent

__all__ = ["OCEL_VERSION", "case_type", "export_ocel", "export_xes"]

OCEL_VERSION: Final = "2.0"
"""The OCEL version written by [export_ocel][s2c_reports.eventlog.export_ocel]."""

_XES_NS: Final = "http://www.xes-standard.org/"
_EXTENSIONS: Final = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)
_CASE_PREFIXES: Final = (("cus_", "customer"), ("lead_", "lead"))


def case_type(case_id: str) -> str:
    """The object type of a case id: ``customer``, ``lead`` or ``case``.

    Examples:
        >>> case_type("cus_42"), case_type("lead_7"), case_type("x")
        ('customer', 'lead', 'case')
    """
    for prefix, name in _CASE_PREFIXES:
        if case_id.startswith(prefix):
            return name
    return "case"


def _time(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _scalar(value: Any) -> str | None:
    """The attribute value of a data item: scalars as text, money as its amount, else None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, Mapping) and set(value) == {"amount", "currency"}:
        return str(value["amount"])
    return None


def _attributes(event: DomainEvent) -> dict[str, str]:
    found: dict[str, str] = {}
    if event.actor:
        found["actor"] = event.actor
    if event.from_state:
        found["from_state"] = event.from_state
    if event.to_state:
        found["to_state"] = event.to_state
    for key, value in event.data.items():
        text = _scalar(value)
        if text is not None and text != "":
            found[f"data.{key}"] = text
    return found


def export_ocel(events: Iterable[DomainEvent]) -> dict[str, Any]:
    """The OCEL 2.0 JSON document of *events* (see the module docstring).

    Returns:
        A JSON-safe dict with ``objectTypes``, ``eventTypes``, ``objects`` and ``events``;
        write it with ``json.dump``.
    """
    ordered = sorted(events, key=lambda e: (e.at, e.sequence, e.id))
    types: dict[str, str] = {}
    for event in ordered:
        types.setdefault(event.aggregate_id, event.aggregate)
    for event in ordered:
        if event.case_id:
            types.setdefault(event.case_id, case_type(event.case_id))
    objects: dict[str, dict[str, Any]] = {
        oid: {"id": oid, "type": kind, "attributes": [], "relationships": []}
        for oid, kind in types.items()
    }
    linked: set[tuple[str, str]] = set()
    event_types: dict[str, set[str]] = {}
    out_events: list[dict[str, Any]] = []
    for event in ordered:
        attributes = _attributes(event)
        event_types.setdefault(event.name, set()).update(attributes)
        relations = [(event.aggregate_id, event.aggregate)]
        if event.case_id and event.case_id != event.aggregate_id:
            relations.append((event.case_id, "case"))
            if (event.aggregate_id, event.case_id) not in linked:
                linked.add((event.aggregate_id, event.case_id))
                objects[event.aggregate_id]["relationships"].append(
                    {"objectId": event.case_id, "qualifier": "case"}
                )
        for key, value in event.data.items():
            if isinstance(value, str) and value in types and value != event.aggregate_id:
                relations.append((value, key))
        seen: set[str] = set()
        relationships = []
        for oid, qualifier in relations:
            if oid not in seen:
                seen.add(oid)
                relationships.append({"objectId": oid, "qualifier": qualifier})
        if event.to_state:
            objects[event.aggregate_id]["attributes"].append(
                {"name": "status", "time": _time(event.at), "value": event.to_state}
            )
        out_events.append(
            {
                "id": event.id,
                "type": event.name,
                "time": _time(event.at),
                "attributes": [{"name": k, "value": v} for k, v in attributes.items()],
                "relationships": relationships,
            }
        )
    object_types: dict[str, bool] = {}
    for obj in objects.values():
        object_types[obj["type"]] = object_types.get(obj["type"], False) or bool(obj["attributes"])
    return {
        "objectTypes": [
            {
                "name": name,
                "attributes": [{"name": "status", "type": "string"}] if has_status else [],
            }
            for name, has_status in sorted(object_types.items())
        ],
        "eventTypes": [
            {"name": name, "attributes": [{"name": a, "type": "string"} for a in sorted(names)]}
            for name, names in sorted(event_types.items())
        ],
        "objects": list(objects.values()),
        "events": out_events,
    }


def _attr(parent: ET.Element, tag: str, key: str, value: str) -> None:
    ET.SubElement(parent, tag, {"key": key, "value": value})


def _xes_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def export_xes(events: Iterable[DomainEvent], *, name: str = "s2c event log") -> bytes:
    """The XES (IEEE 1849-2016) document of *events*: one trace per case, UTF-8 bytes.

    Args:
        events: Domain events, in any order (each trace is sorted by time).
        name: The log's ``concept:name``.
    """
    traces: dict[str, list[DomainEvent]] = {}
    for event in events:
        traces.setdefault(event.case_id or event.aggregate_id, []).append(event)
    log = ET.Element(
        "log",
        {"xes.version": "1849-2016", "xes.features": "", "xmlns": _XES_NS},
    )
    for ext_name, prefix, uri in _EXTENSIONS:
        ET.SubElement(log, "extension", {"name": ext_name, "prefix": prefix, "uri": uri})
    trace_global = ET.SubElement(log, "global", {"scope": "trace"})
    _attr(trace_global, "string", "concept:name", "__INVALID__")
    event_global = ET.SubElement(log, "global", {"scope": "event"})
    _attr(event_global, "string", "concept:name", "__INVALID__")
    _attr(event_global, "date", "time:timestamp", "1970-01-01T00:00:00.000+00:00")
    _attr(event_global, "string", "lifecycle:transition", "complete")
    ET.SubElement(log, "classifier", {"name": "Activity", "keys": "concept:name"})
    _attr(log, "string", "concept:name", name)
    for case_id in sorted(traces):
        trace = ET.SubElement(log, "trace")
        _attr(trace, "string", "concept:name", case_id)
        _attr(trace, "string", "s2c:case_type", case_type(case_id))
        for event in sorted(traces[case_id], key=lambda e: (e.at, e.sequence, e.id)):
            node = ET.SubElement(trace, "event")
            _attr(node, "string", "concept:name", event.name)
            _attr(node, "date", "time:timestamp", _xes_time(event.at))
            _attr(node, "string", "lifecycle:transition", "complete")
            if event.actor:
                _attr(node, "string", "org:resource", event.actor)
            _attr(node, "string", "s2c:event_id", event.id)
            _attr(node, "string", "s2c:aggregate", event.aggregate)
            _attr(node, "string", "s2c:aggregate_id", event.aggregate_id)
            if event.from_state:
                _attr(node, "string", "s2c:from_state", event.from_state)
            if event.to_state:
                _attr(node, "string", "s2c:to_state", event.to_state)
    ET.indent(log)
    body: bytes = ET.tostring(log, encoding="utf-8", xml_declaration=True)
    return body
