"""Every lifecycle table uses only declared states, and diagrams come from the machines."""

from __future__ import annotations

import pytest

from s2c_core.errors import InvalidTransitionError
from s2c_core.lifecycle import ALL_FLOWS, Flow


@pytest.mark.parametrize("flow", ALL_FLOWS, ids=lambda f: f.entity)
def test_every_table_uses_only_declared_states(flow: Flow) -> None:  # type: ignore[type-arg]
    declared = set(flow.states)
    for event, sources, dest in flow.table:
        assert dest in declared, f"{flow.entity}: {event} -> undeclared {dest!r}"
        for source in sources:
            assert source in declared, f"{flow.entity}: {event} from undeclared {source!r}"
    assert flow.initial in declared


@pytest.mark.parametrize("flow", ALL_FLOWS, ids=lambda f: f.entity)
def test_every_state_is_reachable_from_the_initial_state(flow: Flow) -> None:  # type: ignore[type-arg]
    seen = {flow.initial}
    frontier = [flow.initial]
    while frontier:
        state = frontier.pop()
        for event in flow.allowed(state):
            nxt = flow.next_state(state, event)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(flow.states)


@pytest.mark.parametrize("flow", ALL_FLOWS, ids=lambda f: f.entity)
def test_final_states_have_no_way_out(flow: Flow) -> None:  # type: ignore[type-arg]
    for state in flow.final:
        assert flow.allowed(state) == ()


@pytest.mark.parametrize("flow", ALL_FLOWS, ids=lambda f: f.entity)
def test_refused_events_name_entity_state_and_event(flow: Flow) -> None:  # type: ignore[type-arg]
    for state in flow.states:
        for event in flow.events:
            if not flow.can(state, event):
                with pytest.raises(InvalidTransitionError) as info:
                    flow.next_state(state, event, entity_id="x1")
                assert info.value.state == state  # type: ignore[attr-defined]
                assert info.value.event == event  # type: ignore[attr-defined]
                assert info.value.entity == flow.entity  # type: ignore[attr-defined]
                return


@pytest.mark.parametrize("flow", ALL_FLOWS, ids=lambda f: f.entity)
def test_mermaid_diagram_is_drawn_from_the_shared_machine(flow: Flow) -> None:  # type: ignore[type-arg]
    text = flow.to_mermaid()
    assert "stateDiagram-v2" in text
    edges = {}
    for line in text.splitlines():
        if "-->" in line and ":" in line:
            head, labels = line.strip().split(":", 1)
            edges[head.strip()] = {label.strip() for label in labels.split("|")}
    for event, sources, dest in flow.table:
        for source in sources:
            assert event in edges[f"{source.value} --> {dest.value}"]
