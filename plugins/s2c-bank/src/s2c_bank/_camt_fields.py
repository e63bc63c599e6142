"""Where the fields of a camt entry are, and reading them: by a tree walk, or by shape.

A field is named by its path of local names (namespaces are ignored) relative to the ``Ntry``
(``"Sts/Cd"``) or to a ``TxDtls`` (``"RltdPties/Dbtr/Pty/Nm"``), and is the first element at
that path in document order; a few paths (``NtryDtls/TxDtls``, ``RmtInf/Ustrd``,
``RmtInf/Strd``) are read in full. What is read of an entry is a [Fields][] per ``Ntry`` and
per ``TxDtls``: the text of each field in the fixed order of ``ENTRY_FIELDS``/``TX_FIELDS``.

Finding the fields is a walk over the element tree (`_find`), which costs Python work per
element. Its outcome depends only on the tags and their nesting, though, and the entries of a
statement come in a handful of shapes. So each entry is also serialised (``etree.tostring``,
in C), and the first entry of each shape is turned into a regular expression: its tags
verbatim (names, prefixes, namespace declarations and attribute values, so the structure is
pinned exactly) with a capturing group where a field's text is (an empty group after a field
element written ``<X/>``), the same blanks for a text of layout blanks only, and ``[^<]*``
for any other text. A later entry whose serialised form matches that expression *is* an
entry of the same elements, nesting and attributes, and its field texts are the groups: one
C-level match instead of a walk. Attribute values (the amounts' ``Ccy``) are part of the
literal, so they are read once per shape. An entry is only tried against the shapes with as
many tags as it has (at most ``_SHAPES_PER_COUNT`` of them), and every quantifier is
possessive, so a match costs time linear in the entry's size, however hostile the file.

The serialiser writes ``&``, ``<``, ``>`` and carriage returns as references (``&amp;``...),
so a field text as written may differ from the element's text: capturing groups refuse ``&``
(``[^<&]*``), and an entry with a reference in a field matches no shape and is walked.
An empty capture stands for an element without text; callers treat "no text" and ``""``
alike, and whether a field's element is there at all is the shape's (None when it is not).
A shape is kept only when its tags serialise plainly (attribute values without ``<``, ``>``,
``&``) and the expression read back from the entry it was built from gives exactly what the
walk gave. Up to ``_SHAPES`` shapes of up to ``_SHAPE_SIZE`` elements (and
``_SHAPE_CHARACTERS`` characters of tags) are kept per file; other entries are walked each
time, with the same result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, Final, NamedTuple, TypeAlias

from attrs import frozen
from lxml import etree

from s2c_bank._xml import local_name

__all__ = [
    "CODES",
    "ENTRY_FIELDS",
    "PARTIES",
    "TX_AMOUNTS",
    "TX_FIELDS",
    "Entry",
    "Fields",
    "Shapes",
]

ENTRY_AMOUNT: Final = "Amt"
TX_AMOUNTS: Final = ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt", "AmtDtls/CntrValAmt/Amt")
"""A ``TxDtls``'s amounts, in the order they are tried."""
PARTIES: Final = {
    role: (
        f"RltdPties/{role}/Nm",
        f"RltdPties/{role}/Pty/Nm",
        f"RltdPties/{role}Acct/Id/IBAN",
        f"RltdPties/{role}Acct/Id/Othr/Id",
        f"RltdAgts/{role}Agt/FinInstnId/BIC",
        f"RltdAgts/{role}Agt/FinInstnId/BICFI",
    )
    for role in ("Dbtr", "Cdtr")
}
"""Per role: name, name from V08, IBAN, other account id, BIC, BIC from V08."""
CODES: Final = (
    "BkTxCd/Domn/Cd",
    "BkTxCd/Domn/Fmly/Cd",
    "BkTxCd/Domn/Fmly/SubFmlyCd",
    "BkTxCd/Prtry/Cd",
)
ENTRY_FIELDS: Final = (
    ENTRY_AMOUNT,
    "CdtDbtInd",
    "RvslInd",
    "AcctSvcrRef",
    "AddtlNtryInf",
    "Sts",
    "Sts/Cd",
    "BookgDt/Dt",
    "BookgDt/DtTm",
    "ValDt/Dt",
    "ValDt/DtTm",
    *CODES,
)
"""The fields of an ``Ntry``, in the order of ``Fields.texts``; the first is its amount."""
TX_FIELDS: Final = (
    *TX_AMOUNTS,
    "CdtDbtInd",
    "Refs/EndToEndId",
    "Refs/MndtId",
    "Refs/AcctSvcrRef",
    "AddtlTxInf",
    "RtrInf",
    "RtrInf/Rsn/Cd",
    "RtrInf/Rsn/Prtry",
    *CODES,
    *PARTIES["Dbtr"],
    *PARTIES["Cdtr"],
)
"""The fields of a ``TxDtls``, in the order of ``Fields.texts``; the first four are amounts."""

_ENTRY_ITEMS: Final = "NtryDtls/TxDtls"
_STRUCTURED: Final = "RmtInf/Strd"
_UNSTRUCTURED: Final = "RmtInf/Ustrd"
_PART_PARENTS: Final = {"Ref": "CdtrRefInf", "Issr": "Tp", "AddtlRmtInf": None}
"""The parts of a ``Strd`` that are read, and the parent each must have (None: any)."""

_SHAPES: Final = 64
_SHAPES_PER_COUNT: Final = 8
_SHAPE_SIZE: Final = 512
_SHAPE_CHARACTERS: Final = 32_768

_FIRST: Final = 0
_EVERY: Final = 1
_Node: TypeAlias = tuple[str, int, "dict[str, _Node] | None"]
"""One step of a schema, by local name: the path recorded there (``""`` when none), how
(``_FIRST`` or ``_EVERY`` element) and the steps below it (None: nothing below is read)."""


def _schema(first: tuple[str, ...], every: tuple[str, ...]) -> dict[str, _Node]:
    """The steps to the given paths."""
    tree: dict[str, Any] = {}
    for kind, paths in ((_FIRST, first), (_EVERY, every)):
        for path in paths:
            level = tree
            steps = path.split("/")
            for depth, step in enumerate(steps, start=1):
                node = level.setdefault(step, {"path": "", "kind": -1, "below": {}})
                if depth == len(steps):
                    node["path"], node["kind"] = path, kind
                level = node["below"]

    def compiled(level: dict[str, Any]) -> dict[str, _Node]:
        steps: dict[str, _Node] = {}
        for name, node in level.items():
            steps[name] = (node["path"], node["kind"], compiled(node["below"]) or None)
        return steps

    return compiled(tree)


_ENTRY_STEPS: Final = _schema(ENTRY_FIELDS, (_ENTRY_ITEMS,))
_ITEM_STEPS: Final = _schema(TX_FIELDS, (_STRUCTURED, _UNSTRUCTURED))


def _find(
    element: etree._Element, steps: dict[str, _Node]
) -> tuple[dict[str, etree._Element], dict[str, list[etree._Element]]]:
    """The first element of each path of *steps* below *element*, and every element of the
    paths read in full.

    Only the branches that lead to a path are visited, breadth first: the elements of one path
    are all at one depth, so each path still sees its elements in document order.
    """
    first: dict[str, etree._Element] = {}
    every: dict[str, list[etree._Element]] = {}
    queue = [(element, steps)]
    for parent, level in queue:
        for child in parent:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            node = level.get(tag[tag.find("}") + 1 :])
            if node is None:
                continue
            path, kind, below = node
            if kind == _FIRST:
                if path not in first:
                    first[path] = child
            elif kind == _EVERY:
                every.setdefault(path, []).append(child)
            if below is not None:
                queue.append((child, below))
    return first, every


class Fields(NamedTuple):
    """What one ``Ntry`` or one ``TxDtls`` says, field by field.

    Attributes:
        texts: Per path of ``ENTRY_FIELDS`` (entry) or ``TX_FIELDS`` (item): None when there
            is no such element, else its text, a string (``""`` when it has none).
        currencies: Per amount path (the first paths of *texts*): its ``Ccy`` attribute.
        unstructured: The texts of every ``RmtInf/Ustrd``, in document order (None or ``""``
            when one has none).
        structured: Per ``RmtInf/Strd``: the names (``"Ref" | "Issr" | "AddtlRmtInf"``) and
            the texts of its ``CdtrRefInf/Ref``, ``Tp/Issr`` and ``AddtlRmtInf``, in document
            order at any depth.
    """

    texts: tuple[str | None, ...]
    currencies: tuple[str | None, ...]
    unstructured: tuple[str | None, ...]
    structured: tuple[tuple[tuple[str, ...], tuple[str | None, ...]], ...]


Entry: TypeAlias = tuple[Fields, tuple[Fields, ...]]
"""An entry's own fields and those of each of its ``TxDtls``."""


def _same(one: Entry, other: Entry) -> bool:
    """True when *one* and *other* read the same, "no text" and ``""`` taken alike."""

    def normal(fields: Fields) -> tuple[object, ...]:
        return (
            tuple(None if text is None else text or "" for text in fields.texts),
            fields.currencies,
            tuple(text or "" for text in fields.unstructured),
            tuple((names, tuple(t or "" for t in texts)) for names, texts in fields.structured),
        )

    return [normal(f) for f in (one[0], *one[1])] == [normal(f) for f in (other[0], *other[1])]


@frozen
class _Plan:
    """Where the fields of an ``Ntry`` or a ``TxDtls`` are, as indices into a sequence: of the
    entry's elements in document order (walked), or of a shape's groups (matched). The index
    ``-1`` is "no such element"."""

    texts: tuple[int, ...]
    currencies: tuple[str | None, ...]
    unstructured: tuple[int, ...]
    structured: tuple[tuple[tuple[str, int], ...], ...]


def _plan(
    element: etree._Element,
    steps: dict[str, _Node],
    paths: tuple[str, ...],
    amounts: int,
    position: dict[etree._Element, int],
) -> tuple[_Plan, list[etree._Element]]:
    """Find the fields of *element* (an ``Ntry`` or a ``TxDtls``); also return its items."""
    first, every = _find(element, steps)
    texts = tuple(position[first[path]] if path in first else -1 for path in paths)
    currencies = tuple(
        first[path].get("Ccy") if path in first else None for path in paths[:amounts]
    )
    structured = []
    for strd in every.get(_STRUCTURED, ()):
        # every part at any depth, as banks nest them in more than one way
        parts = []
        for part in strd.iter():
            name = local_name(part)
            if name in _PART_PARENTS:
                parent = _PART_PARENTS[name]
                if parent is None or local_name(part.getparent()) == parent:  # type: ignore[arg-type]
                    parts.append((name, position[part]))
        structured.append(tuple(parts))
    plan = _Plan(
        texts=texts,
        currencies=currencies,
        unstructured=tuple(position[found] for found in every.get(_UNSTRUCTURED, ())),
        structured=tuple(structured),
    )
    return plan, every.get(_ENTRY_ITEMS, [])


def _walk(ntry: etree._Element) -> tuple[list[etree._Element], _Plan, list[_Plan]]:
    """The entry's elements in document order, and the plans of the entry and its items."""
    nodes = list(ntry.iter())
    position = {node: i for i, node in enumerate(nodes)}
    entry, items = _plan(ntry, _ENTRY_STEPS, ENTRY_FIELDS, 1, position)
    return (
        nodes,
        entry,
        [_plan(item, _ITEM_STEPS, TX_FIELDS, len(TX_AMOUNTS), position)[0] for item in items],
    )


def _read_walked(plan: _Plan, nodes: Sequence[etree._Element]) -> Fields:
    """The fields of *plan*, read from the walked elements."""

    def text(i: int) -> str | None:
        return nodes[i].text if i >= 0 else None

    return Fields(
        tuple(None if i < 0 else nodes[i].text or "" for i in plan.texts),
        plan.currencies,
        tuple(map(text, plan.unstructured)),
        tuple(
            (tuple(name for name, _ in parts), tuple(text(i) for _, i in parts))
            for parts in plan.structured
        ),
    )


_Getter: TypeAlias = Callable[[tuple[str | None, ...]], tuple[str | None, ...]]


def _getter(indices: Sequence[int]) -> _Getter:
    """``lambda values: tuple(values[i] for i in indices)``, in C where it can."""
    if not indices:
        return lambda values: ()
    if len(indices) == 1:
        (only,) = indices
        return lambda values: (values[only],)
    return itemgetter(*indices)


_Item: TypeAlias = tuple[
    _Getter, tuple[str | None, ...], _Getter, tuple[tuple[tuple[str, ...], _Getter], ...]
]
"""How a shape reads one ``TxDtls``: getters of its texts and ``Ustrd`` texts, its
currencies, and per ``Strd`` the names of its parts and their getter."""


_TOKEN: Final = re.compile(r"(<[^>]*>)")
_PLAIN_TAG: Final = re.compile(
    r'</[^\s<>/"\'=&]+>|<[^\s<>/"\'=&]+(?:\s+[^\s<>/"\'=&]+="[^"<>&]*")*\s*/?>'
)
_CAPTURED: Final = "([^<&]*+)"
_SKIPPED: Final = "[^<]*+"
"""Possessive: a text runs to the next ``<``, so nothing is ever given back."""


@frozen
class _Shape:
    """The expression that entries of one shape match, and how to read their groups: the
    groups, then None (what fields without an element read)."""

    pattern: re.Pattern[str]
    texts: _Getter
    currencies: tuple[str | None, ...]
    items: tuple[_Item, ...]

    def read(self, match: re.Match[str]) -> Entry:
        """The fields of the entry that *match*ed."""
        values = match.groups() + _ABSENT
        return Fields(self.texts(values), self.currencies, (), ()), tuple(
            [
                Fields(
                    texts(values),
                    currencies,
                    unstructured(values),
                    tuple([(names, get(values)) for names, get in parts]) if parts else (),
                )
                for texts, currencies, unstructured, parts in self.items
            ]
        )


_ABSENT: Final = (None,)


def _shape(serialised: str, nodes: int, entry: _Plan, items: list[_Plan]) -> _Shape | None:
    """The shape of an entry serialised as *serialised*, with *nodes* elements and its fields
    where the plans say; None when its tags do not serialise plainly."""
    wanted = {i for plan in (entry, *items) for i in _indices(plan) if i >= 0}
    parts = _TOKEN.split(serialised)
    pattern: list[str] = []
    group_of: dict[int, int] = {}
    node = -1
    characters = 0
    for number, part in enumerate(parts):
        if number % 2 == 0:
            if part and number == 0:
                return None  # text before the root tag: not an element's serialisation
            continue
        if _PLAIN_TAG.fullmatch(part) is None:
            return None
        characters += len(part)
        pattern.append(re.escape(part))
        text = parts[number + 1]
        # a text that is not a field's: any text, or (the common case: no text, or layout
        # blanks) exactly the same, which is cheaper to match
        follows = re.escape(text) if not text.strip() else _SKIPPED
        if not part.startswith("</"):
            node += 1
            if node in wanted:
                group_of[node] = len(group_of)
                if part.endswith("/>"):
                    pattern.append("()")  # a field without text: its tail follows
                else:
                    follows = _CAPTURED
        pattern.append(follows)
    if node + 1 != nodes or characters > _SHAPE_CHARACTERS:
        return None
    try:
        compiled = re.compile("".join(pattern))
    except (re.error, RecursionError, OverflowError):  # pragma: no cover - defensive
        return None
    absent = len(group_of)

    def get(indices: Sequence[int]) -> _Getter:
        return _getter([absent if i < 0 else group_of[i] for i in indices])

    return _Shape(
        compiled,
        get(entry.texts),
        entry.currencies,
        tuple(
            (
                get(item.texts),
                item.currencies,
                get(item.unstructured),
                tuple(
                    (tuple(name for name, _ in part), get([i for _, i in part]))
                    for part in item.structured
                ),
            )
            for item in items
        ),
    )


def _indices(plan: _Plan) -> list[int]:
    return [
        *plan.texts,
        *plan.unstructured,
        *(i for parts in plan.structured for _, i in parts),
    ]


class Shapes:
    """The shapes of the entries of one file, and reading entries with them."""

    def __init__(self) -> None:
        self._known: dict[int, list[_Shape]] = {}
        self._count = 0

    def read(self, ntry: etree._Element) -> Entry:
        """The fields of the entry and of each of its ``TxDtls``."""
        serialised: str = etree.tostring(ntry, encoding=str, with_tail=False)
        tags = serialised.count("<")
        for known in self._known.get(tags, ()):
            match = known.pattern.fullmatch(serialised)
            if match is not None:
                return known.read(match)
        nodes, entry_plan, item_plans = _walk(ntry)
        read = (
            _read_walked(entry_plan, nodes),
            tuple(_read_walked(plan, nodes) for plan in item_plans),
        )
        alike = self._known.setdefault(tags, [])
        if self._count < _SHAPES and len(alike) < _SHAPES_PER_COUNT and len(nodes) <= _SHAPE_SIZE:
            shape = _shape(serialised, len(nodes), entry_plan, item_plans)
            match = None if shape is None else shape.pattern.fullmatch(serialised)
            if shape is not None and match is not None and _same(shape.read(match), read):
                alike.append(shape)
                self._count += 1
        return read
