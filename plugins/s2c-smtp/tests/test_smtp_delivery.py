"""SMTP delivery against a real SMTP server (aiosmtpd) started by the tests."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from s2c_smtp import SentLog, SmtpConfig, SmtpNotifier, SmtpPlugin
from s2c_smtp import plugin as entry_point

from s2c_core import S2C, BackendError, Company, FixedClock, Line, Money, Notification, Policy
from s2c_core.entities import ProductId
from s2c_core.ports import Attachment


class _Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Server:
    """Start and stop an SMTP server on a fixed local port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = _Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(_free_port())
    yield srv
    srv.stop()


@pytest.fixture
def config(server: _Server, tmp_path: Path) -> SmtpConfig:
    return SmtpConfig(
        "127.0.0.1",
        server.port,
        from_address="accounts@peeters.example",
        timeout=5,
        state_dir=tmp_path / "state",
    )


def _notification(key: str = "dunning:inv_1:2", **changes: Any) -> Notification:
    context = {
        "customer": {"id": "cus_1", "name": "Brasserie Dupont"},
        "company": {"name": "Groothandel Peeters BV", "iban": "BE71096123456769"},
        "invoice": {
            "id": "inv_1",
            "number": "INV-2026-000001",
            "issue_date": "2026-03-02",
            "due_date": "2026-04-01",
            "total": {"amount": "1149.50", "currency": "EUR"},
            "open_amount": {"amount": "1149.50", "currency": "EUR"},
            "payment_reference": "+++202/6000/00192+++",
        },
        "days_overdue": 3,
        "broken_promise": False,
        "interest": None,
        "charges_total": {"amount": "0.00", "currency": "EUR"},
        "total_claimed": {"amount": "1149.50", "currency": "EUR"},
    }
    values: dict[str, Any] = {
        "key": key,
        "channel": "email",
        "template": "payment_reminder",
        "language": "nl",
        "recipient": "compta@dupont.example",
        "context": context,
    }
    values.update(changes)
    return Notification(**values)


def test_a_notification_arrives_as_text_with_an_html_alternative(
    server: _Server, config: SmtpConfig
) -> None:
    server.start()
    SmtpNotifier(config).send(_notification())
    (message,) = server.inbox.messages
    assert message["To"] == "compta@dupont.example"
    assert message["Subject"] == "Betalingsherinnering: factuur INV-2026-000001"
    assert "Groothandel Peeters BV" in message["From"]
    assert message["Content-Language"] == "nl"
    assert message["X-S2C-Key"] == "dunning:inv_1:2"
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "€\xa01.149,50" in text.get_content()  # Babel nl_BE, no-break space
    assert "+++202/6000/00192+++" in html.get_content()


def test_attachments_travel_with_the_message(server: _Server, config: SmtpConfig) -> None:
    server.start()
    pdf = Attachment("INV-2026-000001.pdf", "application/pdf", b"%PDF-1.7 fake")
    ubl = Attachment("INV-2026-000001.xml", "application/xml", b"<Invoice/>")
    SmtpNotifier(config).send(_notification(attachments=(pdf, ubl)))
    (message,) = server.inbox.messages
    assert isinstance(message, EmailMessage)
    found = {
        part.get_filename(): (part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    }
    assert found["INV-2026-000001.pdf"] == ("application/pdf", b"%PDF-1.7 fake")
    assert found["INV-2026-000001.xml"][0] == "application/xml"


def test_the_same_key_is_sent_once_even_when_send_is_called_again(
    server: _Server, config: SmtpConfig
) -> None:
    server.start()
    notifier = SmtpNotifier(config)
    notifier.send(_notification())
    notifier.send(_notification())
    SmtpNotifier(config).send(_notification())  # a new process, the same sent log
    assert len(server.inbox.messages) == 1
    log = SentLog(config.sent_log_path)
    assert log.message_id("dunning:inv_1:2") == server.inbox.messages[0]["Message-ID"]


def test_a_server_that_is_down_raises_and_records_nothing(config: SmtpConfig) -> None:
    notifier = SmtpNotifier(config)
    with pytest.raises(BackendError) as failed:
        notifier.send(_notification())
    assert "dunning:inv_1:2" in str(failed.value)
    assert not notifier.sent_log.was_sent("dunning:inv_1:2")


def test_a_notification_without_an_address_is_refused(config: SmtpConfig) -> None:
    with pytest.raises(ValueError, match="no email address"):
        SmtpNotifier(config).send(_notification(recipient="Brasserie Dupont, Gent"))


def _app(config: SmtpConfig, clock: FixedClock) -> S2C:
    policy = Policy.default_eu(
        "BE",
        company=Company("Groothandel Peeters BV", iban="BE71096123456769"),
        outbox_backoff_seconds=60,
    )
    app = S2C.open(
        "memory://",
        clock=clock,
        policy=policy,
        plugins=[SmtpPlugin(config)],
        load_entry_points=False,
    )
    return app


def test_down_then_up_delivers_once_and_never_twice(server: _Server, config: SmtpConfig) -> None:
    clock = FixedClock(datetime(2026, 4, 4, 9, tzinfo=UTC))
    app = _app(config, clock)
    customer = app.customers.register(
        "Brasserie Dupont", email="compta@dupont.example", language="fr"
    )
    line = Line(ProductId("consult"), "Consulting", Decimal(1), Money("100.00", "EUR"))
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    invoice = app.invoices.create(customer.id, [line])
    clock.set(datetime(2026, 4, 4, 9, tzinfo=UTC))

    report = app.run_due()  # server down: the reminder stays in the outbox
    assert report.dunning_notices == 1
    (pending,) = app.outbox_messages(status="pending")
    assert pending.attempts == 1
    assert "SMTP delivery" in pending.last_error
    assert app.sent_notifications == []  # the logging notifier did not take it

    server.start()
    clock.advance(timedelta(minutes=2))
    delivered = app.deliver_outbox()
    assert delivered.delivered == 1
    assert len(server.inbox.messages) == 1
    assert app.outbox_messages(status="pending") == []
    assert server.inbox.messages[0]["Subject"] == f"Rappel de paiement : facture {invoice.number}"

    clock.advance(timedelta(hours=1))
    assert app.deliver_outbox().delivered == 0
    assert app.run_due().delivery.delivered == 0
    assert len(server.inbox.messages) == 1


def test_a_redelivery_after_a_lost_outbox_update_sends_nothing(
    server: _Server, config: SmtpConfig
) -> None:
    server.start()
    notifier = SmtpNotifier(config)
    notifier.send(_notification())
    # the process died before the outbox recorded the delivery: the message is sent again
    notifier.send(_notification())
    assert len(server.inbox.messages) == 1


def test_the_entry_point_is_silent_without_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("S2C_SMTP_HOST", raising=False)
    assert entry_point.s2c_notifiers() == []
    monkeypatch.setenv("S2C_SMTP_HOST", "localhost")
    monkeypatch.setenv("S2C_SMTP_PORT", "2525")
    monkeypatch.setenv("S2C_SMTP_STATE_DIR", str(tmp_path))
    (notifier,) = entry_point.s2c_notifiers()
    assert notifier.config.port == 2525
    assert notifier.config.use_starttls is False
    assert notifier.channels == ("email",)


def test_the_entry_point_plugin_wins_email_over_the_logging_notifier(
    monkeypatch: pytest.MonkeyPatch, server: _Server, tmp_path: Path
) -> None:
    monkeypatch.setenv("S2C_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("S2C_SMTP_PORT", str(server.port))
    monkeypatch.setenv("S2C_SMTP_STATE_DIR", str(tmp_path))
    server.start()
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    app = S2C.open("memory://", clock=clock, load_entry_points=False, plugins=[entry_point])
    customer = app.customers.register("Café Central", email="info@central.example")
    line = Line(ProductId("consult"), "Consulting", Decimal(1), Money("100.00", "EUR"))
    app.invoices.create(customer.id, [line])
    clock.advance(timedelta(days=33))
    assert app.run_due().dunning_notices == 1
    assert len(server.inbox.messages) == 1
    assert app.sent_notifications == []
