"""s2c-smtp: email notifications for s2c_core over SMTP.

Configure with ``S2C_SMTP_*`` environment variables (the entry point picks them up) or pass
``SmtpPlugin(SmtpConfig(...))`` to ``S2C.open(..., plugins=[...])``.
"""

from __future__ import annotations

from s2c_smtp.config import SmtpConfig, default_state_dir
from s2c_smtp.notifier import SmtpNotifier, SmtpPlugin, message_id_for
from s2c_smtp.render import (
    LABELS,
    LOCALES,
    TEMPLATE_NAMES,
    RenderedMessage,
    Renderer,
    format_day,
    format_money,
)
from s2c_smtp.sentlog import SentLog

__all__ = [
    "LABELS",
    "LOCALES",
    "TEMPLATE_NAMES",
    "RenderedMessage",
    "Renderer",
    "SentLog",
    "SmtpConfig",
    "SmtpNotifier",
    "SmtpPlugin",
    "default_state_dir",
    "format_day",
    "format_money",
    "message_id_for",
]
