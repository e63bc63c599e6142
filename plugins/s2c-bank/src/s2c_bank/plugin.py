"""The ``s2c_core`` hooks of s2c-bank (found through the ``s2c_core`` entry-point group).

Only thin factories live here; see [s2c_bank.statements][] and [s2c_bank.pain008][].
"""

from __future__ import annotations

from s2c_bank.pain008 import DirectDebitWriter
from s2c_bank.statements import StatementParser, default_parsers
from s2c_core._markers import hookimpl

__all__ = ["s2c_direct_debit_writer", "s2c_statement_parsers"]


@hookimpl
def s2c_statement_parsers() -> list[StatementParser]:
    """The camt.053, camt.054, CODA and MT940 parsers, in sniffing order."""
    return default_parsers()


@hookimpl
def s2c_direct_debit_writer() -> DirectDebitWriter:
    """The SEPA Core direct-debit writer (pain.008.001.02)."""
    return DirectDebitWriter()
