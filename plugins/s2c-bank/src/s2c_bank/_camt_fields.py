"""Where the fields of a camt entry are: found once per shape of entry, then read by position.

A field is named by its path of local names (namespaces are ignored) relative to the ``Ntry``
(``"Sts/Cd"``) or to a ``TxDtls`` (``"RltdPties/Dbtr/Pty/Nm"``), and is the first element at
that path in document order; a few paths (``NtryDtls/TxDtls``, ``RmtInf/Ustrd``,
``RmtInf/Strd``) are read in full.

Finding the fields is a walk over the element tree, which costs Python work per element. Its
outcome depends only on the tags and their nesting, though, and the entries of a statement
come in a handful of shapes. So the positions of the fields among the entry's elements (in
document order, ``list(ntry.iter())``) are kept per shape, and an entry whose tags and child
counts equal an earlier entry's is read at the same positions: its texts are fetched in a few
C-level passes and nothing is walked. Up to ``_SHAPES`` shapes of up to ``_SHAPE_SIZE``
elements (and ``_SHAPE_CHARACTERS`` characters of tags) are kept per file; other entries are
walked each time, with the same result.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Final, TypeAlias

from attrs import frozen
from lxml import etree

from s2c_bank._xml import local_name

__all__ = ["CODES", "ENTRY_AMOUNT", "PARTIES", "TX_AMOUNTS", "Fields", "Shape", "Shapes"]

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

_ENTRY_TEXTS: Final = (
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
_ENTRY_ITEMS: Final = "NtryDtls/TxDtls"
_TX_TEXTS: Final = (
    "CdtDbtInd",
    "Refs/EndToEndId",
    "Refs/MndtId",
    "Refs/AcctSvcrRef",
    "AddtlTxInf",
    "RtrInf",
    "RtrInf/Rsn/Cd",
    "RtrInf/Rsn/Prtry",
    *CODES,
    *(path for paths in PARTIES.values() for path in paths),
)
_STRUCTURED: Final = "RmtInf/Strd"
_PART_PARENTS: Final = {"Ref": "CdtrRefInf", "Issr": "Tp", "AddtlRmtInf": None}
"""The parts of a ``Strd`` that are read, and the parent each must have (None: any)."""
_TX_EVERY: Final = (_STRUCTURED, "RmtInf/Ustrd")

_SHAPES: Final = 64
_SHAPE_SIZE: Final = 512
_SHAPE_CHARACTERS: Final = 32_768
_TAG: Final = attrgetter("tag")
_TEXT: Final = attrgetter("text")

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


@frozen
class _Layout:
    """Where the fields of an entry, or of one of its ``TxDtls``, are: positions in the list
    of the entry's elements in document order."""

    texts: tuple[str, ...]
    text_positions: tuple[int, ...]
    elements: tuple[str, ...]
    element_positions: tuple[int, ...]
    every: tuple[tuple[str, tuple[int, ...]], ...]
    structured: tuple[tuple[tuple[str, int], ...], ...]


def _layout(
    element: etree._Element,
    steps: dict[str, _Node],
    as_elements: tuple[str, ...],
    position: dict[etree._Element, int],
) -> _Layout:
    """Find the fields of *element* (an ``Ntry`` or a ``TxDtls``) and note their positions;
    the paths in *as_elements* are kept as elements, the others are read as text."""
    first, every = _find(element, steps)
    texts = [(path, position[found]) for path, found in first.items() if path not in as_elements]
    elements = [(path, position[found]) for path, found in first.items() if path in as_elements]
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
    return _Layout(
        texts=tuple(path for path, _ in texts),
        text_positions=tuple(at for _, at in texts),
        elements=tuple(path for path, _ in elements),
        element_positions=tuple(at for _, at in elements),
        every=tuple(
            (path, tuple(position[found] for found in all_)) for path, all_ in every.items()
        ),
        structured=tuple(structured),
    )


@frozen
class Shape:
    """The layout of an entry and of each of its ``TxDtls``, shared by entries of one shape."""

    tags: tuple[object, ...]
    """The tag of each element of the entry in document order: with the elements' child
    counts, this is the shape."""
    entry: _Layout
    items: tuple[_Layout, ...]


class Fields:
    """The fields of an entry or of one ``TxDtls``, read at the positions of its layout.

    Attributes:
        texts: The text of each field found (None for an empty element): ``path in texts``
            tells whether the element is there at all.
        elements: The amount elements found (their ``Ccy`` is read too).
        every: The elements of the paths read in full (``RmtInf/Ustrd``), in document order.
        structured: Per ``RmtInf/Strd``: ``("Ref" | "Issr" | "AddtlRmtInf", text)`` of its
            ``CdtrRefInf/Ref``, ``Tp/Issr`` and ``AddtlRmtInf``, in document order at any depth.
    """

    __slots__ = ("elements", "every", "structured", "texts")

    def __init__(self, layout: _Layout, nodes: list[etree._Element]) -> None:
        at = nodes.__getitem__
        self.texts: dict[str, str | None] = dict(
            zip(layout.texts, map(_TEXT, map(at, layout.text_positions)))
        )
        self.elements: dict[str, etree._Element] = dict(
            zip(layout.elements, map(at, layout.element_positions))
        )
        self.every: dict[str, list[etree._Element]] = (
            {path: list(map(at, found)) for path, found in layout.every} if layout.every else {}
        )
        self.structured: list[list[tuple[str, str | None]]] = (
            [[(name, at(i).text) for name, i in parts] for parts in layout.structured]
            if layout.structured
            else []
        )


_ENTRY_STEPS: Final = _schema((ENTRY_AMOUNT, *_ENTRY_TEXTS), (_ENTRY_ITEMS,))
_ITEM_STEPS: Final = _schema((*TX_AMOUNTS, *_TX_TEXTS), _TX_EVERY)


class Shapes:
    """The shapes of the entries of one file."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, ...], list[Shape]] = {}
        self._count = 0

    def of(self, ntry: etree._Element) -> tuple[Shape, list[etree._Element]]:
        """The entry's elements in document order, and where its fields are among them."""
        nodes = list(ntry.iter())
        tags: tuple[object, ...] = ()
        counts = None
        if len(nodes) <= _SHAPE_SIZE:
            counts = tuple(map(len, nodes))
            tags = tuple(map(_TAG, nodes))
            for shape in self._known.get(counts, ()):
                if shape.tags == tags:
                    return shape, nodes
        position = {node: i for i, node in enumerate(nodes)}
        entry = _layout(ntry, _ENTRY_STEPS, (ENTRY_AMOUNT,), position)
        items = dict(entry.every).get(_ENTRY_ITEMS, ())
        shape = Shape(
            tags, entry, tuple(_layout(nodes[i], _ITEM_STEPS, TX_AMOUNTS, position) for i in items)
        )
        if (
            counts is not None
            and self._count < _SHAPES
            and sum(len(str(tag)) for tag in tags) <= _SHAPE_CHARACTERS
        ):
            self._known.setdefault(counts, []).append(shape)
            self._count += 1
        return shape, nodes
