"""Criteria shapes: the short paths (a plain str, a one-of kept for its very tuple) change nothing.

``criteria_shape`` takes a short path for a plain ``str`` value and keeps the fitting values of
a tuple or frozenset of immutable values for that very object. These tests compare it, called
twice (the second call finds what the first kept), with the rules written out plainly, value
types included; and check that a list, or a tuple holding a mutable value, is read afresh.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from s2c_sqlalchemy.criteria import _ANY_OF, criteria_shape, plain_value

from s2c_core.entities.registry import AGGREGATES, IndexKind
from s2c_core.lifecycle import InvoiceState
from s2c_core.money import Money

SPEC = AGGREGATES["invoice"]
FIELDS = [index.name for index in SPEC.indexes]


def _fits(kind: IndexKind, value: Any) -> bool:
    if kind is IndexKind.TEXT:
        return isinstance(value, str)
    if kind is IndexKind.DATE:
        return isinstance(value, date)
    return isinstance(value, int)


def _plainly(criteria: dict[str, Any]) -> tuple[Any, list[Any]]:
    """The shape and values by the rules, for values and one-of collections."""
    shape: list[tuple[str, str, int]] = []
    values: list[Any] = []
    for name, wanted in criteria.items():
        kind = SPEC.index(name).kind
        if isinstance(wanted, (tuple, list, set, frozenset)):
            plain = [plain_value(w) for w in wanted]
            fitting = {v for v in plain if v is not None and _fits(kind, v)}
            with_null = None in plain
            if fitting:
                shape.append((name, "in_or_null" if with_null else "in", len(fitting)))
                values += sorted(fitting, key=repr)
            else:
                shape.append((name, "null" if with_null else "false", 0))
            continue
        value = plain_value(wanted)
        if value is None:
            shape.append((name, "null", 0))
        elif _fits(kind, value):
            shape.append((name, "eq", 1))
            values.append(value)
        else:
            shape.append((name, "false", 0))
    return tuple(shape), values


def _typed(result: tuple[Any, list[Any]]) -> Any:
    shape, values = result
    return shape, [(type(v), v) for v in values]


_VALUES = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.sampled_from(list(InvoiceState)),
    st.integers(-5, 5),
    st.booleans(),
    st.dates(date(2026, 1, 1), date(2026, 1, 9)),
    st.integers(0, 900).map(lambda units: Money(units, "EUR")),
)
_WANTED = st.one_of(
    _VALUES,
    st.lists(_VALUES, max_size=4).map(tuple),
    st.lists(_VALUES, max_size=4),
    st.frozensets(_VALUES, max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(criteria=st.dictionaries(st.sampled_from(FIELDS), _WANTED, max_size=3))
def test_criteria_shapes_follow_the_rules_on_every_call(criteria: dict[str, Any]) -> None:
    expected = _typed(_plainly(criteria))
    assert _typed(criteria_shape(SPEC, criteria)) == expected
    assert _typed(criteria_shape(SPEC, criteria)) == expected  # what the first call kept


def test_a_list_is_read_afresh_on_every_call() -> None:
    wanted = [InvoiceState.ISSUED]
    assert criteria_shape(SPEC, {"status": wanted})[1] == ["issued"]
    wanted.append(InvoiceState.PAID)
    assert criteria_shape(SPEC, {"status": wanted})[1] == ["issued", "paid"]


def test_only_tuples_and_frozensets_of_immutable_values_are_kept() -> None:
    class Box:
        text = "a"

    _ANY_OF.clear()
    criteria_shape(SPEC, {"status": [InvoiceState.ISSUED]})  # a list may change
    criteria_shape(SPEC, {"status": (Box(), "b")})  # so may what a tuple holds
    criteria_shape(SPEC, {"status": ({"x": 1}.keys(), "b")})
    assert not _ANY_OF
    kept = (InvoiceState.ISSUED, "b", None, 3, date(2026, 1, 1), Money(1, "EUR"))
    criteria_shape(SPEC, {"status": kept})
    criteria_shape(SPEC, {"status": frozenset(kept)})
    assert [entry[0] for entry in _ANY_OF.values()] == [kept, frozenset(kept)]
