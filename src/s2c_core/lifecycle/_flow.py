"""``Flow``: a lifecycle transition table checked by one shared ``transitions`` machine.

A table is data: ``(event, source state(s), destination)``. Each ``Flow`` builds exactly one
``transitions.Machine(model=None, auto_transitions=False)`` at import time; entities never own a
machine (a machine per entity costs about 35 s and 1.8 GB per 100k entities). ``next_state``
looks the move up in that machine's own event table, so the machine is the single source of
truth, and costs a dictionary lookup per transition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, Generic, TypeVar, cast

from transitions import Machine

from s2c_core.errors import ConfigurationError, InvalidTransitionError

__all__ = ["Flow"]

S = TypeVar("S", bound=StrEnum)


class Flow(Generic[S]):
    """The lifecycle of one aggregate type.

    Args:
        entity: Aggregate name used in errors and events, e.g. ``"order"``.
        states: The state enum; every state used in *table* must be one of its members.
        table: Rows ``(event, source or sources, destination)``.
        initial: The state new entities start in.
        final: States with no way out (documented; checked by the contract tests).

    Examples:
        >>> from enum import StrEnum
        >>> class Light(StrEnum):
        ...     OFF = "off"
        ...     ON = "on"
        >>> flow = Flow("light", Light, [("switch_on", Light.OFF, Light.ON)], initial=Light.OFF)
        >>> flow.next_state(Light.OFF, "switch_on")
        <Light.ON: 'on'>
        >>> flow.allowed(Light.ON)
        ()
    """

    def __init__(
        self,
        entity: str,
        states: type[S],
        table: Sequence[tuple[str, S | Iterable[S], S]],
        *,
        initial: S,
        final: Iterable[S] = (),
    ) -> None:
        self.entity = entity
        self.states = states
        self.initial = initial
        self.final = frozenset(final)
        rows: list[tuple[str, tuple[S, ...], S]] = []
        for trigger, sources, dest in table:
            srcs: tuple[S, ...] = (
                (cast(S, sources),) if isinstance(sources, str) else tuple(sources)
            )
            rows.append((trigger, srcs, dest))
        self.table: tuple[tuple[str, tuple[S, ...], S], ...] = tuple(rows)
        self._machine = Machine(
            model=None,
            states=[s.value for s in states],
            transitions=[
                {"trigger": event, "source": [s.value for s in srcs], "dest": dest.value}
                for event, srcs, dest in rows
            ],
            initial=initial.value,
            auto_transitions=False,
            send_event=False,
        )
        moves: dict[tuple[str, str], S] = {}
        for event_name, machine_event in self._machine.events.items():
            for source, transitions in machine_event.transitions.items():
                if len(transitions) != 1:
                    raise ConfigurationError(
                        f"{entity} flow: event {event_name!r} from {source!r} is ambiguous"
                    )
                dest_value = transitions[0].dest
                try:
                    moves[(source, event_name)] = states(str(dest_value))
                except ValueError:
                    raise ConfigurationError(
                        f"{entity} flow: {event_name!r} leads to undeclared state {dest_value!r}"
                    ) from None
        self._moves = moves
        allowed: dict[str, list[str]] = {s.value: [] for s in states}
        for source, event_name in moves:
            allowed.setdefault(source, []).append(event_name)
        self._allowed = {k: tuple(sorted(v)) for k, v in allowed.items()}

    @property
    def machine(self) -> Machine:
        """The shared ``transitions.Machine`` (read-only use: diagrams, introspection)."""
        return self._machine

    @property
    def events(self) -> tuple[str, ...]:
        """All event names of this lifecycle, sorted."""
        return tuple(sorted({event for event, _, _ in self.table}))

    def allowed(self, state: S | str) -> tuple[str, ...]:
        """The events allowed from *state*, sorted."""
        return self._allowed.get(str(state), ())

    def can(self, state: S | str, event: str) -> bool:
        """True when *event* is allowed from *state*."""
        return (str(state), event) in self._moves

    def next_state(self, state: S | str, event: str, *, entity_id: str | None = None) -> S:
        """The state *event* leads to from *state*; ``InvalidTransitionError`` if not allowed."""
        try:
            return self._moves[(str(state), event)]
        except KeyError:
            raise InvalidTransitionError(
                entity=self.entity,
                entity_id=entity_id,
                state=str(state),
                event=event,
                allowed=self.allowed(state),
            ) from None

    def to_mermaid(self) -> str:
        """The lifecycle as a Mermaid ``stateDiagram-v2``, drawn by transitions' GraphMachine."""
        from transitions.extensions import GraphMachine

        class _Model:
            pass

        model: Any = _Model()
        GraphMachine(
            model=model,
            states=[s.value for s in self.states],
            transitions=[
                {"trigger": event, "source": [s.value for s in srcs], "dest": dest.value}
                for event, srcs, dest in self.table
            ],
            initial=self.initial.value,
            auto_transitions=False,
            graph_engine="mermaid",
            title=f"{self.entity} lifecycle",
            show_state_attributes=False,
        )
        text: str = model.get_graph().draw(None)
        lines = [ln for ln in text.splitlines() if not ln.strip().startswith("Class ")]
        lines = [ln for ln in lines if "classDef" not in ln]
        final_lines = [f"  {s.value} --> [*]" for s in self.states if s in self.final]
        return "\n".join(lines + final_lines)
