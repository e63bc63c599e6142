"""The transmission port for Peppol access-point providers, and a folder-based reference.

An access point (AP) is the Peppol network service that delivers a UBL document to the
receiver's AP (the "four-corner model" of Peppol BIS Billing 3.0). Providers differ (REST
APIs, SFTP drops, AS4 gateways), so core code talks to a
[Transmitter][s2c_peppol.transmit.Transmitter]: ``submit`` hands a document over, ``status``
tells where it is. Each document follows one lifecycle, checked by a shared
[Flow][s2c_core.lifecycle._flow.Flow] table:

```
draft --submit--> submitted --deliver--> delivered
                  submitted --fail-----> failed --retry--> retried --deliver--> delivered
                                                           retried --fail-----> failed
```

[FolderTransmitter][s2c_peppol.transmit.FolderTransmitter] is the reference implementation:
it writes documents to an outbox folder that a provider's client (or a test) picks up, and
reads the provider's acknowledgements from a receipts folder. It needs no network.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from attrs import evolve, frozen

from s2c_core.clock import Clock, SystemClock
from s2c_core.errors import BackendError, NotFoundError, ValidationError
from s2c_core.lifecycle._flow import Flow
from s2c_peppol.identifiers import split_electronic_address
from s2c_peppol.parse import _parse_xml

__all__ = [
    "TRANSMISSION_FLOW",
    "FolderTransmitter",
    "TransmissionReceipt",
    "TransmissionState",
    "Transmitter",
]


class TransmissionState(StrEnum):
    """Where a document is on its way to the receiver."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETRIED = "retried"


_S = TransmissionState
TRANSMISSION_FLOW: Final = Flow[TransmissionState](
    "transmission",
    TransmissionState,
    [
        ("submit", _S.DRAFT, _S.SUBMITTED),
        ("deliver", (_S.SUBMITTED, _S.RETRIED), _S.DELIVERED),
        ("fail", (_S.SUBMITTED, _S.RETRIED), _S.FAILED),
        ("retry", _S.FAILED, _S.RETRIED),
    ],
    initial=_S.DRAFT,
    final=[_S.DELIVERED],
)


@frozen
class TransmissionReceipt:
    """What the access point said about one document.

    Attributes:
        document_id: The caller's id of the document (e.g. the invoice id).
        receiver: Peppol participant id of the receiver, ``scheme:id``.
        state: Lifecycle state.
        at: When the state was reached (timezone-aware).
        attempts: How many times the document was handed over.
        transmission_id: The provider's id of the last hand-over.
        message: The provider's message, e.g. a failure reason.
    """

    document_id: str
    receiver: str
    state: TransmissionState
    at: datetime
    attempts: int = 1
    transmission_id: str = ""
    message: str = ""


@runtime_checkable
class Transmitter(Protocol):
    """Hands UBL documents to a Peppol access point and reports their delivery."""

    name: str

    def submit(self, document_id: str, xml: bytes, receiver: str) -> TransmissionReceipt:
        """Hand *xml* over for delivery to *receiver* (``scheme:id``).

        Submitting a failed document again retries it; submitting the same bytes again while
        submitted is a no-op that returns the current receipt.

        Raises:
            ValidationError: *receiver* is not a Peppol id, or *xml* is not a UBL document.
            InvalidTransitionError: The document was already delivered, or different bytes
                are submitted while a hand-over is pending.
            BackendError: The provider could not take the document; nothing was recorded.
        """
        ...

    def status(self, document_id: str) -> TransmissionReceipt:
        """The latest receipt of *document_id*; ``NotFoundError`` if never submitted."""
        ...


_SAFE_ID: Final = re.compile(r"[^A-Za-z0-9._-]")


class FolderTransmitter:
    """Reference transmitter: an outbox folder out, a receipts folder in.

    Layout under *root*: ``outbox/<id>.xml`` (the document, written atomically),
    ``state/<id>.json`` (the receipt), and ``receipts/<id>.ok`` or ``receipts/<id>.err``
    (written by the provider's client; an ``.err`` file holds the failure reason).

    Args:
        root: The folder; created when missing.
        clock: Clock for receipt times (default: the system clock).
    """

    name = "folder"

    def __init__(self, root: str | os.PathLike[str], *, clock: Clock | None = None) -> None:
        self.root = Path(root)
        self.clock: Clock = clock or SystemClock()
        for sub in ("outbox", "state", "receipts"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def _key(self, document_id: str) -> str:
        if not document_id or not document_id.strip():
            raise ValidationError("document id must not be empty", field="document_id")
        safe = _SAFE_ID.sub("_", document_id)
        digest = hashlib.sha256(document_id.encode()).hexdigest()[:8]
        return f"{safe}-{digest}"

    def _load(self, key: str) -> tuple[TransmissionReceipt, str] | None:
        path = self.root / "state" / f"{key}.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text("utf-8"))
        receipt = TransmissionReceipt(
            document_id=data["document_id"],
            receiver=data["receiver"],
            state=TransmissionState(data["state"]),
            at=datetime.fromisoformat(data["at"]),
            attempts=int(data["attempts"]),
            transmission_id=data["transmission_id"],
            message=data["message"],
        )
        return receipt, str(data["sha256"])

    def _save(self, key: str, receipt: TransmissionReceipt, sha256: str) -> None:
        data = {
            "document_id": receipt.document_id,
            "receiver": receipt.receiver,
            "state": receipt.state.value,
            "at": receipt.at.isoformat(),
            "attempts": receipt.attempts,
            "transmission_id": receipt.transmission_id,
            "message": receipt.message,
            "sha256": sha256,
        }
        _atomic_write(self.root / "state" / f"{key}.json", json.dumps(data).encode())

    def submit(self, document_id: str, xml: bytes, receiver: str) -> TransmissionReceipt:
        """Write *xml* to the outbox; see [Transmitter][s2c_peppol.transmit.Transmitter]."""
        key = self._key(document_id)
        scheme, ident = split_electronic_address(receiver)
        _parse_xml(xml, document_id)  # well-formed, no DTD
        sha256 = hashlib.sha256(xml).hexdigest()
        now = self.clock.now()
        stored = self._load(key)
        if stored is None:
            state = TRANSMISSION_FLOW.next_state(_S.DRAFT, "submit", entity_id=document_id)
            attempts = 1
        else:
            receipt, old_sha = stored
            receipt = self._apply_acknowledgement(key, receipt, old_sha)
            if receipt.state in (_S.SUBMITTED, _S.RETRIED) and old_sha == sha256:
                return receipt
            state = TRANSMISSION_FLOW.next_state(receipt.state, "retry", entity_id=document_id)
            attempts = receipt.attempts + 1
        receipt = TransmissionReceipt(
            document_id=document_id,
            receiver=f"{scheme}:{ident}",
            state=state,
            at=now,
            attempts=attempts,
            transmission_id=f"{key}#{attempts}",
        )
        try:
            _atomic_write(self.root / "outbox" / f"{key}.xml", xml)
            for suffix in ("ok", "err"):
                (self.root / "receipts" / f"{key}.{suffix}").unlink(missing_ok=True)
        except OSError as exc:
            raise BackendError(f"cannot write {document_id!r} to the outbox") from exc
        self._save(key, receipt, sha256)
        return receipt

    def status(self, document_id: str) -> TransmissionReceipt:
        """The receipt, after applying any acknowledgement found in ``receipts/``."""
        key = self._key(document_id)
        stored = self._load(key)
        if stored is None:
            raise NotFoundError("transmission", document_id)
        receipt, sha256 = stored
        return self._apply_acknowledgement(key, receipt, sha256)

    def _apply_acknowledgement(
        self, key: str, receipt: TransmissionReceipt, sha256: str
    ) -> TransmissionReceipt:
        if receipt.state not in (_S.SUBMITTED, _S.RETRIED):
            return receipt
        ok = self.root / "receipts" / f"{key}.ok"
        err = self.root / "receipts" / f"{key}.err"
        if ok.exists():
            event, message = "deliver", ok.read_text("utf-8").strip()
        elif err.exists():
            event, message = "fail", err.read_text("utf-8").strip() or "rejected"
        else:
            return receipt
        state = TRANSMISSION_FLOW.next_state(receipt.state, event, entity_id=receipt.document_id)
        receipt = evolve(receipt, state=state, at=self.clock.now(), message=message)
        self._save(key, receipt, sha256)
        return receipt

    def acknowledge(self, document_id: str, *, delivered: bool, message: str = "") -> None:
        """Write the provider's acknowledgement (what a provider client or a test does)."""
        key = self._key(document_id)
        suffix = "ok" if delivered else "err"
        _atomic_write(self.root / "receipts" / f"{key}.{suffix}", message.encode())

    def outbox_path(self, document_id: str) -> Path:
        """Where the document of *document_id* is (or would be) written."""
        return self.root / "outbox" / f"{self._key(document_id)}.xml"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
