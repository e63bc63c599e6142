"""The plugin's hooks, its entry point, the parser protocol and format detection."""

from __future__ import annotations

import io
from importlib.metadata import entry_points
from pathlib import Path

import pluggy
import pytest

import s2c_bank
from s2c_bank import (
    Camt053Parser,
    Camt054Parser,
    CodaParser,
    DirectDebitWriter,
    Mt940Parser,
    StatementParser,
    find_parser,
    parse_statement_file,
)
from s2c_bank import plugin as bank_plugin
from s2c_core._markers import PROJECT


def test_entry_point_names_the_plugin_module() -> None:
    (found,) = [ep for ep in entry_points(group="s2c_core") if ep.name == "bank"]
    assert found.value == "s2c_bank.plugin"
    assert found.load() is bank_plugin


def test_hooks_return_the_parsers_and_the_writer() -> None:
    manager = pluggy.PluginManager(PROJECT)
    manager.register(bank_plugin)
    (parsers,) = manager.hook.s2c_statement_parsers()
    assert [p.name for p in parsers] == ["camt.053", "camt.054", "coda", "mt940"]
    (writer,) = manager.hook.s2c_direct_debit_writer()
    assert isinstance(writer, DirectDebitWriter)


def test_every_parser_satisfies_the_protocol() -> None:
    for parser in (Camt053Parser(), Camt054Parser(), CodaParser(), Mt940Parser()):
        assert isinstance(parser, StatementParser)


def test_core_port_protocol_when_available() -> None:
    ports = pytest.importorskip("s2c_core.ports")
    port = getattr(ports, "StatementParser", None)
    if port is None:
        pytest.skip("s2c_core.ports has no StatementParser yet")
    for parser in bank_plugin.s2c_statement_parsers():
        assert isinstance(parser, port)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("camt053_v02_structured.xml", "camt.053"),
        ("camt053_v08_structured.xml", "camt.053"),
        ("camt054_v08_notification.xml", "camt.054"),
        ("coda_structured.cod", "coda"),
        ("mt940_dialects.sta", "mt940"),
    ],
)
def test_find_parser_detects_each_format_from_the_head(
    fixtures: Path, name: str, expected: str
) -> None:
    parser = find_parser((fixtures / name).read_bytes()[:4096])
    assert parser is not None
    assert parser.name == expected


def test_non_seekable_stream_is_read_once(fixtures: Path) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data = (fixtures / "coda_structured.cod").read_bytes()
    (statement,) = parse_statement_file(Pipe(data), label="pipe")  # type: ignore[arg-type]
    assert len(statement.entries) == 5


def test_public_api_is_exported() -> None:
    for name in s2c_bank.__all__:
        assert hasattr(s2c_bank, name), name
    assert s2c_bank.__version__


def test_core_plugin_manager_loads_the_plugin_through_its_entry_point(fixtures: Path) -> None:
    core_plugins = pytest.importorskip("s2c_core.plugins")
    if not hasattr(core_plugins, "make_plugin_manager"):
        pytest.skip("s2c_core.plugins has no make_plugin_manager yet")
    manager = core_plugins.make_plugin_manager()  # check_pending() passes
    names = [p.name for p in core_plugins.statement_parsers(manager)]
    assert names[:4] == ["camt.053", "camt.054", "coda", "mt940"]
    writer = core_plugins.direct_debit_writer(manager)
    assert isinstance(writer, DirectDebitWriter)
    parser = find_parser((fixtures / "coda_structured.cod").read_bytes()[:4096],
                         core_plugins.statement_parsers(manager))  # fmt: skip
    assert parser is not None
    assert parser.name == "coda"
