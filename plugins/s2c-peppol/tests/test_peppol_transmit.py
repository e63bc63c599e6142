"""The transmission port: lifecycle table and the folder-based reference transmitter."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from peppol_support import BUYER, SELLER, make_invoice
from s2c_peppol import (
    TRANSMISSION_FLOW,
    FolderTransmitter,
    TransmissionState,
    Transmitter,
    render_invoice,
)

from s2c_core.clock import FixedClock
from s2c_core.errors import InvalidTransitionError, NotFoundError, ValidationError

S = TransmissionState
RECEIVER = "0208:0403019261"


@pytest.fixture
def transmitter(tmp_path: Path) -> FolderTransmitter:
    return FolderTransmitter(tmp_path / "ap", clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))


@pytest.fixture(scope="module")
def xml() -> bytes:
    return render_invoice(make_invoice(), BUYER, SELLER)


def test_flow_table_uses_only_declared_states_and_ends_in_delivered() -> None:
    used = {s for _, sources, dest in TRANSMISSION_FLOW.table for s in (*sources, dest)}
    assert used == set(TransmissionState)
    assert TRANSMISSION_FLOW.allowed(S.DELIVERED) == ()
    assert TRANSMISSION_FLOW.allowed(S.FAILED) == ("retry",)
    assert TRANSMISSION_FLOW.next_state(S.RETRIED, "deliver") is S.DELIVERED


def test_folder_transmitter_implements_the_port(transmitter: FolderTransmitter) -> None:
    assert isinstance(transmitter, Transmitter)


def test_submit_writes_the_document_and_delivery_is_acknowledged(
    transmitter: FolderTransmitter, xml: bytes
) -> None:
    receipt = transmitter.submit("inv_1", xml, RECEIVER)
    assert receipt.state is S.SUBMITTED
    assert receipt.attempts == 1
    assert transmitter.outbox_path("inv_1").read_bytes() == xml
    assert transmitter.status("inv_1").state is S.SUBMITTED
    transmitter.acknowledge("inv_1", delivered=True, message="AS4 receipt 77")
    done = transmitter.status("inv_1")
    assert done.state is S.DELIVERED
    assert done.message == "AS4 receipt 77"
    with pytest.raises(InvalidTransitionError):
        transmitter.submit("inv_1", xml + b" ", RECEIVER)


def test_failed_document_is_retried_on_the_next_submit(
    transmitter: FolderTransmitter, xml: bytes
) -> None:
    transmitter.submit("inv_2", xml, RECEIVER)
    transmitter.acknowledge("inv_2", delivered=False, message="receiver unknown in SMP")
    failed = transmitter.status("inv_2")
    assert (failed.state, failed.message) == (S.FAILED, "receiver unknown in SMP")
    retried = transmitter.submit("inv_2", xml, RECEIVER)
    assert (retried.state, retried.attempts) == (S.RETRIED, 2)
    transmitter.acknowledge("inv_2", delivered=True)
    assert transmitter.status("inv_2").state is S.DELIVERED


def test_submitting_the_same_bytes_twice_is_idempotent(
    transmitter: FolderTransmitter, xml: bytes
) -> None:
    first = transmitter.submit("inv_3", xml, RECEIVER)
    assert transmitter.submit("inv_3", xml, RECEIVER) == first
    with pytest.raises(InvalidTransitionError):
        transmitter.submit("inv_3", xml.replace(b"2026-000123", b"2026-000124"), RECEIVER)


def test_bad_receiver_document_or_id_is_refused(transmitter: FolderTransmitter, xml: bytes) -> None:
    with pytest.raises(ValidationError):
        transmitter.submit("inv_4", xml, "someone@example.com")
    with pytest.raises(ValidationError):
        transmitter.submit("inv_4", b"<!DOCTYPE x><x/>", RECEIVER)
    with pytest.raises(ValidationError):
        transmitter.submit("  ", xml, RECEIVER)
    with pytest.raises(NotFoundError):
        transmitter.status("never")
    assert list((transmitter.root / "outbox").iterdir()) == []


def test_the_lifecycle_diagram_in_the_docs_matches_the_table() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "how-to" / "peppol.md"
    if not doc.exists():
        pytest.skip("docs not in this checkout")
    text = doc.read_text("utf-8")
    diagram = text.split("stateDiagram-v2", 1)[1].split("```", 1)[0]
    edges = set()
    for row in diagram.splitlines():
        if ": " in row and "-->" in row:
            arrow, event = row.strip().split(": ")
            source, dest = (s.strip() for s in arrow.split("-->"))
            edges.add((event, source, dest))
    table = {
        (event, s.value, dest.value)
        for event, sources, dest in TRANSMISSION_FLOW.table
        for s in sources
    }
    assert edges == table
