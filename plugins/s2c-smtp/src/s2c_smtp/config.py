"""SMTP settings: a frozen config object, or ``S2C_SMTP_*`` environment variables.

=========================  ==========================================================
variable                   meaning (default)
=========================  ==========================================================
``S2C_SMTP_HOST``          server host name; unset = plugin disabled (logging notifier)
``S2C_SMTP_PORT``          port (25; 465 with ``S2C_SMTP_SSL``)
``S2C_SMTP_FROM``          sender address (``s2c@localhost``)
``S2C_SMTP_REPLY_TO``      Reply-To address (none)
``S2C_SMTP_USERNAME``      login name (no login)
``S2C_SMTP_PASSWORD``      login password
``S2C_SMTP_STARTTLS``      ``1``/``0``: upgrade with STARTTLS (on, except for localhost)
``S2C_SMTP_SSL``           ``1``: implicit TLS (SMTPS) instead of STARTTLS (off)
``S2C_SMTP_TIMEOUT``       socket timeout in seconds (30)
``S2C_SMTP_STATE_DIR``     folder of the sent log (``$XDG_STATE_HOME/s2c-smtp``)
=========================  ==========================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from attrs import frozen

from s2c_core import ConfigurationError

__all__ = ["SmtpConfig", "default_state_dir"]

_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the sent log lives by default: ``$XDG_STATE_HOME/s2c-smtp`` (``~/.local/state``)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "s2c-smtp"


def _flag(env: Mapping[str, str], name: str) -> bool | None:
    raw = env.get(name)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be 1 or 0, got {raw!r}")


@frozen
class SmtpConfig:
    """How to reach the SMTP server and where to keep the sent log.

    Attributes:
        host: Server host name.
        port: Server port (25 plain/STARTTLS, 587 submission, 465 implicit TLS).
        from_address: Sender address; its domain also names the Message-IDs.
        reply_to: Reply-To address, if any.
        username: Login name; no login when empty.
        password: Login password.
        starttls: Upgrade the connection with STARTTLS; None = on, except for localhost.
        ssl: Use implicit TLS (SMTPS) instead.
        timeout: Socket timeout in seconds.
        state_dir: Folder of the sent log (``sent.sqlite3``); None = ``default_state_dir()``.
    """

    host: str
    port: int = 25
    from_address: str = "s2c@localhost"
    reply_to: str = ""
    username: str = ""
    password: str = ""
    starttls: bool | None = None
    ssl: bool = False
    timeout: float = 30.0
    state_dir: Path | None = None

    @property
    def use_starttls(self) -> bool:
        """Whether STARTTLS is used: the explicit setting, else on except for localhost."""
        if self.ssl:
            return False
        if self.starttls is not None:
            return self.starttls
        return self.host not in _LOCAL_HOSTS

    @property
    def sent_log_path(self) -> Path:
        """The sent log file."""
        return (self.state_dir or default_state_dir()) / "sent.sqlite3"

    @property
    def domain(self) -> str:
        """The sender's domain (for Message-IDs)."""
        return self.from_address.rpartition("@")[2] or "localhost"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpConfig | None:
        """The config from ``S2C_SMTP_*`` variables, or None when ``S2C_SMTP_HOST`` is unset.

        Raises:
            ConfigurationError: A malformed port, timeout or flag.
        """
        env = os.environ if environ is None else environ
        host = env.get("S2C_SMTP_HOST", "").strip()
        if not host:
            return None
        ssl = bool(_flag(env, "S2C_SMTP_SSL"))
        try:
            port = int(env.get("S2C_SMTP_PORT") or (465 if ssl else 25))
            timeout = float(env.get("S2C_SMTP_TIMEOUT") or 30)
        except ValueError as exc:
            raise ConfigurationError(f"bad S2C_SMTP_PORT or S2C_SMTP_TIMEOUT: {exc}") from exc
        state = env.get("S2C_SMTP_STATE_DIR")
        return cls(
            host=host,
            port=port,
            from_address=env.get("S2C_SMTP_FROM") or "s2c@localhost",
            reply_to=env.get("S2C_SMTP_REPLY_TO", ""),
            username=env.get("S2C_SMTP_USERNAME", ""),
            password=env.get("S2C_SMTP_PASSWORD", ""),
            starttls=_flag(env, "S2C_SMTP_STARTTLS"),
            ssl=ssl,
            timeout=timeout,
            state_dir=Path(state) if state else None,
        )
