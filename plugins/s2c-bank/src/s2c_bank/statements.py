"""Pick the parser for a bank file and read it whole: ``parse_statement_file``.

The parsers themselves stream (they yield statement after statement); this module is the
convenience for callers that want all or nothing: it collects every statement before
returning, so a file refused half-way yields no statement at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import IO, Final, Protocol, runtime_checkable

from s2c_bank._common import Decimals, PrefixedReader, Where, open_binary, source_label
from s2c_bank._xml import check_prolog, looks_like_xml
from s2c_bank.camt import Camt053Parser, Camt054Parser
from s2c_bank.coda import CodaParser
from s2c_bank.mt940 import Mt940Parser
from s2c_core.entities.statement import BankStatement

__all__ = [
    "SNIFF_BYTES",
    "StatementParser",
    "default_parsers",
    "find_parser",
    "parse_statement_file",
]

SNIFF_BYTES: Final = 4096
"""How many leading bytes ``sniff`` is given."""


@runtime_checkable
class StatementParser(Protocol):
    """The shape of a statement parser (the same members as core's ``StatementParser`` port).

    Attributes:
        name: The format name: ``camt.053``, ``camt.054``, ``coda`` or ``mt940``.
    """

    name: str

    def sniff(self, head: bytes) -> bool:
        """True when *head* (the first ~4 KB of a file) looks like this format."""
        ...

    def parse(
        self, source: IO[bytes] | bytes | str | os.PathLike[str], *, label: str | None = None
    ) -> Iterator[BankStatement]:
        """Yield the statements of *source*; ParseError naming file, entry and field."""
        ...


def default_parsers(*, decimals: Decimals | str = Decimals.EXACT_VALUE) -> list[StatementParser]:
    """One instance of every parser this plugin provides, in sniffing order.

    Args:
        decimals: How amounts with more decimals than their currency are read (see
            [Decimals][s2c_bank.Decimals]); CODA always reads them by value.
    """
    return [
        Camt053Parser(decimals=decimals),
        Camt054Parser(decimals=decimals),
        CodaParser(),
        Mt940Parser(decimals=decimals),
    ]


def find_parser(
    head: bytes, parsers: Sequence[StatementParser] | None = None
) -> StatementParser | None:
    """The first parser whose ``sniff`` accepts *head*, or None."""
    for parser in default_parsers() if parsers is None else parsers:
        if parser.sniff(head):
            return parser
    return None


def parse_statement_file(
    source: IO[bytes] | bytes | str | os.PathLike[str],
    *,
    label: str | None = None,
    parsers: Sequence[StatementParser] | None = None,
) -> list[BankStatement]:
    """Detect the format of *source* and return all its statements, or raise.

    Args:
        source: A path (``str`` is always a path), the file's bytes, or a binary file object.
        label: Name to use in errors and ``BankStatement.source`` (default: the path).
        parsers: Parsers to choose from (default: every parser of this plugin).

    Returns:
        Every statement of the file; nothing is returned unless the whole file is valid.

    Raises:
        ParseError: when no parser recognises the file, or the chosen parser refuses it. XML
            with a DOCTYPE is refused even when its first 4 KB (an entity declaration can fill
            them) name no known message.

    Example:
        >>> from s2c_bank.testing import make_camt053
        >>> [len(s.entries) for s in parse_statement_file(make_camt053(3), label="demo.xml")]
        [3]
    """
    name = source_label(source, label)
    with open_binary(source) as stream:
        start = stream.tell() if stream.seekable() else None
        head = stream.read(SNIFF_BYTES)
        parser = find_parser(head, parsers)
        if parser is None:
            where = Where(name)
            if looks_like_xml(head):
                check_prolog(PrefixedReader(head, stream), where)
                where.fail("XML file is not a camt.053 or camt.054 message")
            where.fail("unrecognised bank file format (expected camt.053/054, CODA or MT940)")
        if start is not None:
            stream.seek(start)
            return list(parser.parse(stream, label=name))
        # not seekable (a pipe, a socket): the parsers need the bytes again
        return list(parser.parse(head + stream.read(), label=name))
