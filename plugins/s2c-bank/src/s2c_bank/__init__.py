"""s2c-bank: bank file formats for s2c_core.

Statement parsers (ISO 20022 camt.053/camt.054, Belgian CODA 2.x, SWIFT MT940) turn bank files
into core [BankStatement][s2c_core.entities.statement.BankStatement] records, refusing unsafe or
invalid input with [ParseError][s2c_core.errors.ParseError]; the pain.008 writer produces SEPA
Core direct-debit collection files. The plugin registers both through the ``s2c_core``
entry-point group (``s2c_bank.plugin``).

Example:
    >>> from s2c_bank import parse_statement_file
    >>> from s2c_bank.testing import make_camt053
    >>> statement, = parse_statement_file(make_camt053(2), label="demo.xml")
    >>> statement.format, len(statement.entries)
    ('camt.053.001.08', 2)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from s2c_bank._common import Decimals
from s2c_bank.camt import Camt053Parser, Camt054Parser
from s2c_bank.coda import CodaParser
from s2c_bank.mt940 import Mt940Parser
from s2c_bank.pain008 import Collection, Creditor, DirectDebit, DirectDebitWriter
from s2c_bank.statements import (
    StatementParser,
    default_parsers,
    find_parser,
    parse_statement_file,
)

try:
    __version__ = version("s2c-bank")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Camt053Parser",
    "Camt054Parser",
    "CodaParser",
    "Collection",
    "Creditor",
    "Decimals",
    "DirectDebit",
    "DirectDebitWriter",
    "Mt940Parser",
    "StatementParser",
    "__version__",
    "default_parsers",
    "find_parser",
    "parse_statement_file",
]
