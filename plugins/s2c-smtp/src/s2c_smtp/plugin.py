"""Entry point ``s2c_core: smtp``: an SMTP notifier for ``email`` when ``S2C_SMTP_HOST`` is set.

Unconfigured, it provides nothing and the built-in logging notifier keeps handling email.
The hook runs ``tryfirst`` so the SMTP notifier wins the ``email`` channel over the built-in
logging notifier, which is registered after the entry points.
"""

from __future__ import annotations

from functools import cache

from s2c_core import hookimpl
from s2c_smtp.config import SmtpConfig
from s2c_smtp.notifier import SmtpNotifier

__all__ = ["s2c_notifiers"]


@cache
def _notifier(config: SmtpConfig) -> SmtpNotifier:
    return SmtpNotifier(config)


@hookimpl(tryfirst=True)
def s2c_notifiers() -> list[SmtpNotifier]:
    """The SMTP notifier configured by ``S2C_SMTP_*`` variables, or nothing when unset."""
    config = SmtpConfig.from_env()
    return [] if config is None else [_notifier(config)]
