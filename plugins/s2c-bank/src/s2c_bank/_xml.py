"""Safe, streaming XML reading for bank files.

Rules (see the README of the shared hostile test files, and the OWASP XXE prevention sheet):

* any document type declaration is refused *before parsing starts*: the prolog (everything
  before the root element) is scanned first, and ``<!DOCTYPE`` or any other ``<!`` markup
  other than a comment raises ``ParseError``. Entities can only be declared inside a DOCTYPE,
  so XXE, parameter entities, billion laughs and quadratic blow-up never reach libxml2;
* the parser is also configured defensively (``resolve_entities=False``, ``no_network=True``,
  ``load_dtd=False``, ``huge_tree=False``), and the document info is checked again once the
  root element is seen;
* an undeclared entity reference in the body is a well-formedness error, so it is refused too;
* parsing is incremental (``lxml.etree.iterparse``) so callers can clear what they processed
  and keep memory flat.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from typing import Final

from lxml import etree

from s2c_bank._common import PrefixedReader, Readable, Where

__all__ = ["iter_xml_events", "local_name", "looks_like_xml"]

_CHUNK: Final = 8192
_MAX_PROLOG: Final = 1 << 20


def _decoder_name(head: bytes) -> str:
    """The encoding to scan the prolog with: UTF-16/32 when marked, else ASCII-compatible."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"\x00<\x00"):
        return "utf-16-be"
    if head.startswith(b"<\x00") and head[2:3] != b"\x00":
        return "utf-16-le"
    return "latin-1"


def _root_offset(text: str) -> int | None:
    """Index of the root element's ``<`` in *text*, None if more input is needed.

    Raises ValueError with a reason for a DOCTYPE, other ``<!`` markup or stray text.
    """
    pos = 1 if text.startswith("\ufeff") else 0
    if text.startswith("ï»¿"):  # a UTF-8 BOM seen through latin-1
        pos = 3
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text) or (len(text) - pos < 4 and text[pos] == "<"):
            return None
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end < 0:
                return None
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                return None
            pos = end + 3
        elif text.startswith("<!", pos):
            kind = "DOCTYPE" if text.startswith("<!DOCTYPE", pos) else "markup declaration"
            raise ValueError(f"XML {kind} refused: DTDs and entity declarations are not allowed")
        elif text[pos] == "<":
            return pos
        else:
            raise ValueError("not an XML document: text before the root element")


def looks_like_xml(head: bytes) -> bool:
    """True when *head* starts (after a BOM and blanks) with ``<``."""
    text = head[:512].decode(_decoder_name(head), errors="replace").lstrip("\ufeffï»¿ \t\r\n")
    return text.startswith("<")


def check_prolog(stream: Readable, where: Where) -> bytes:
    """Read *stream* up to its root element, refusing any DTD; return the bytes read."""
    head = b""
    while True:
        chunk = stream.read(_CHUNK)
        head += chunk
        try:
            found = _root_offset(head.decode(_decoder_name(head), errors="replace"))
        except ValueError as exc:
            where.fail(str(exc), field="DOCTYPE" if "refused" in str(exc) else None)
        if found is not None:
            return head
        if not chunk:
            if head.strip().startswith(b"<"):
                return head  # a tiny document: let the parser judge it
            where.fail("not an XML document: no root element")
        if len(head) > _MAX_PROLOG:
            where.fail("XML prolog is longer than 1 MiB")


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace."""
    return str(element.tag).rpartition("}")[2]  # comments and PIs are removed at parse


def iter_xml_events(
    stream: Readable, where: Where, *, tags: Sequence[str] | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """Yield ``("start"|"end", element)`` events of a DTD-free XML document.

    *tags* (``"{*}Ntry"`` matches any namespace) limits the events to those elements, which
    saves a Python round trip per element. Errors (a DTD, a well-formedness error such as a
    truncated file or an undeclared entity) raise ParseError naming ``where.source`` and
    ``where.entry``.
    """
    head = check_prolog(stream, where)
    context = etree.iterparse(
        PrefixedReader(head, stream),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        tag=tags,
    )
    try:
        for event, element in context:
            info = element.getroottree().docinfo
            if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
                where.fail(
                    "XML DOCTYPE refused: DTDs and entity declarations are not allowed",
                    field="DOCTYPE",
                )
            yield event, element
            break
        yield from context  # the rest, passed on without a Python step per event
    except etree.XMLSyntaxError as exc:
        where.fail(f"not well-formed XML: {exc.msg}")
