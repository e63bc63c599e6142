"""OCEL 2.0 and XES exports: structure, ordering, and pm4py reads both."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from s2c_reports import export_ocel, export_xes
from s2c_reports.eventlog import case_type

from s2c_core import S2C

XES = "{http://www.xes-standard.org/}"


def test_ocel_relates_every_event_to_declared_objects(books: S2C) -> None:
    events = list(books.kpi.event_log())
    ocel = export_ocel(events)
    assert len(ocel["events"]) == len(events)
    objects = {o["id"]: o for o in ocel["objects"]}
    object_types = {t["name"] for t in ocel["objectTypes"]}
    event_types = {t["name"]: {a["name"] for a in t["attributes"]} for t in ocel["eventTypes"]}
    assert {"invoice", "payment", "customer", "lead", "order", "shipment"} <= object_types
    for obj in ocel["objects"]:
        assert obj["type"] in object_types
        for rel in obj["relationships"]:
            assert rel["objectId"] in objects
    for event in ocel["events"]:
        assert event["type"] in event_types
        assert {a["name"] for a in event["attributes"]} <= event_types[event["type"]]
        assert event["relationships"], event
        for rel in event["relationships"]:
            assert rel["objectId"] in objects
    paid = next(e for e in ocel["events"] if e["type"] == "PaymentAllocated")
    qualifiers = {r["qualifier"] for r in paid["relationships"]}
    assert {"payment", "case"} <= qualifiers
    json.dumps(ocel)


def test_ocel_times_are_ordered_iso_utc(books: S2C) -> None:
    times = [e["time"] for e in export_ocel(books.kpi.event_log())["events"]]
    assert times == sorted(times)
    assert all(t.endswith("Z") for t in times)


def test_xes_has_one_trace_per_case_in_time_order(books: S2C) -> None:
    events = list(books.kpi.event_log())
    root = ET.fromstring(export_xes(events))
    assert root.tag == f"{XES}log"
    assert root.get("xes.version") == "1849-2016"
    traces = root.findall(f"{XES}trace")
    cases = {e.case_id or e.aggregate_id for e in events}
    assert len(traces) == len(cases)
    total = 0
    for trace in traces:
        stamps = [
            ev.find(f"{XES}date[@key='time:timestamp']").get("value")  # type: ignore[union-attr]
            for ev in trace.findall(f"{XES}event")
        ]
        assert stamps == sorted(stamps)
        total += len(stamps)
        for ev in trace.findall(f"{XES}event"):
            keys = {child.get("key") for child in ev}
            assert {"concept:name", "time:timestamp", "lifecycle:transition"} <= keys
    assert total == len(events)


def test_case_types_follow_the_id_prefixes() -> None:
    assert [case_type(c) for c in ("cus_1", "lead_1", "ord_1")] == ["customer", "lead", "case"]


def test_pm4py_reads_the_ocel_export(books: S2C, tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py", reason="pm4py is only in the test extra of s2c-reports")
    events = list(books.kpi.event_log())
    path = tmp_path / "events.ocel.json"
    path.write_text(json.dumps(export_ocel(events)), encoding="utf-8")
    ocel = pm4py.read_ocel2_json(str(path))
    assert len(ocel.events) == len(events)
    assert set(ocel.objects["ocel:type"]) >= {"invoice", "customer", "payment"}
    assert len(ocel.relations) >= len(events)


def test_pm4py_reads_the_xes_export(books: S2C, tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py", reason="pm4py is only in the test extra of s2c-reports")
    events = list(books.kpi.event_log())
    path = tmp_path / "events.xes"
    path.write_bytes(export_xes(events))
    log = pm4py.read_xes(str(path))
    assert len(log) == len(events)
    assert set(log["case:concept:name"]) == {e.case_id or e.aggregate_id for e in events}
    assert set(log["concept:name"]) == {e.name for e in events}
