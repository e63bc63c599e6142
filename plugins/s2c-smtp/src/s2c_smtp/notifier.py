"""The SMTP notifier: renders a notification and hands it to an SMTP server, once per key."""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from s2c_core import BackendError, Notification, ValidationError, hookimpl
from s2c_smtp.config import SmtpConfig
from s2c_smtp.render import Renderer
from s2c_smtp.sentlog import SentLog

__all__ = ["SmtpNotifier", "SmtpPlugin", "message_id_for"]

log = logging.getLogger(__name__)


def message_id_for(key: str, domain: str) -> str:
    """A Message-ID derived from the notification key: the same key, the same Message-ID.

    Example:
        >>> first = message_id_for("dunning:inv_1:2", "example.com")
        >>> first == message_id_for("dunning:inv_1:2", "example.com"), first[:5], first[-13:]
        (True, '<s2c.', '@example.com>')
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<s2c.{digest}@{domain}>"


class SmtpNotifier:
    """Sends ``email`` notifications through an SMTP server (stdlib ``smtplib``).

    A failure raises [BackendError][s2c_core.errors.BackendError] so the outbox keeps the
    message and retries it; a key found in the sent log is not sent again.

    Args:
        config: Server and sender settings.
        renderer: Template renderer (the built-in templates by default).
        sent_log: The sent log (``config.sent_log_path`` by default).
    """

    channels: tuple[str, ...] = ("email",)

    def __init__(
        self,
        config: SmtpConfig,
        *,
        renderer: Renderer | None = None,
        sent_log: SentLog | None = None,
    ) -> None:
        self.config = config
        self.renderer = renderer or Renderer()
        self.sent_log = sent_log or SentLog(config.sent_log_path)

    def build(self, notification: Notification, *, now: datetime | None = None) -> EmailMessage:
        """The email for *notification*: text, HTML alternative and attachments."""
        if not notification.recipient or "@" not in notification.recipient:
            raise ValidationError(
                f"notification {notification.key} has no email address: {notification.recipient!r}",
                field="recipient",
                value=notification.recipient,
            )
        rendered = self.renderer.render(notification)
        message = EmailMessage()
        company = notification.context.get("company")
        sender = company.get("name", "") if isinstance(company, Mapping) else ""
        message["From"] = formataddr((str(sender or ""), self.config.from_address))
        message["To"] = notification.recipient
        if self.config.reply_to:
            message["Reply-To"] = self.config.reply_to
        message["Subject"] = rendered.subject
        message["Date"] = format_datetime(now or datetime.now(UTC))
        message["Message-ID"] = message_id_for(notification.key, self.config.domain)
        message["X-S2C-Key"] = notification.key
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        for attachment in notification.attachments:
            maintype, _, subtype = attachment.media_type.partition("/")
            message.add_attachment(
                attachment.content,
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
        # last: set_content/add_alternative/add_attachment move Content-* headers into parts
        message["Content-Language"] = self.renderer.language_for(notification.language)
        return message

    def send(self, notification: Notification) -> None:
        """Send *notification* unless its key is in the sent log; raise on failure."""
        if self.sent_log.was_sent(notification.key):
            log.info("email %s already sent, not sending again", notification.key)
            return
        message = self.build(notification)
        try:
            self._transmit(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise BackendError(
                f"SMTP delivery of {notification.key} via {self.config.host}:"
                f"{self.config.port} failed: {exc}"
            ) from exc
        self.sent_log.record(
            notification.key,
            str(message["Message-ID"]),
            notification.recipient,
            datetime.now(UTC),
        )
        log.info("email %s sent to %s", notification.key, notification.recipient)

    def _transmit(self, message: EmailMessage) -> None:
        cfg = self.config
        client: smtplib.SMTP
        if cfg.ssl:
            client = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        try:
            client.ehlo()
            if cfg.use_starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if cfg.username:
                client.login(cfg.username, cfg.password)
            client.send_message(message)
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


class SmtpPlugin:
    """Register an explicitly configured SMTP notifier for one application.

    Example::

        app = S2C.open(url, plugins=[SmtpPlugin(SmtpConfig("mail.example.com", 587))])
    """

    def __init__(self, config: SmtpConfig, *, renderer: Renderer | None = None) -> None:
        self.notifier = SmtpNotifier(config, renderer=renderer)

    @hookimpl(tryfirst=True)
    def s2c_notifiers(self) -> list[SmtpNotifier]:
        """This plugin's notifier (called before the built-in logging notifier)."""
        return [self.notifier]
