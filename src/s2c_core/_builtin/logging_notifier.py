"""The built-in notifier: logs notifications and keeps them in a list (``sent``).

It handles every channel no installed plugin handles (``letter``, ``phone_task``, ``email``
without an SMTP plugin ...), so the chain runs end to end with no plugin installed.
"""

from __future__ import annotations

import logging

from s2c_core._markers import hookimpl
from s2c_core.ports import Notification

__all__ = ["LoggingNotifier"]

log = logging.getLogger(__name__)

CHANNELS = ("email", "letter", "phone_task", "collection_agency", "sms", "webhook")


class LoggingNotifier:
    """Logs each notification at INFO and appends it to ``sent``."""

    channels: tuple[str, ...] = CHANNELS

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        """Record *notification*."""
        log.info(
            "%s to %s: %s [%s]",
            notification.channel,
            notification.recipient,
            notification.template,
            notification.key,
        )
        self.sent.append(notification)


class LoggingNotifierPlugin:
    """Plugin object holding one LoggingNotifier per application."""

    def __init__(self) -> None:
        self.notifier = LoggingNotifier()

    @hookimpl(trylast=True)
    def s2c_notifiers(self) -> list[LoggingNotifier]:
        """The logging notifier, as the fallback for every channel."""
        return [self.notifier]
