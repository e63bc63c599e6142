"""Time is injected: a [Clock][s2c_core.clock.Clock] is passed to the application.

Nothing in the domain reads the system time; services ask their clock, entities receive
``at=``/``as_of=`` arguments. All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable

from s2c_core.errors import ValidationError

__all__ = ["Clock", "FixedClock", "SystemClock", "ensure_aware"]


def ensure_aware(moment: datetime, *, field: str = "at") -> datetime:
    """Return *moment* in UTC; naive datetimes are refused (their zone is unknowable)."""
    if not isinstance(moment, datetime):
        raise ValidationError(
            f"{field} must be a datetime, got {type(moment).__name__}", field=field, value=moment
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            f"{field} must be timezone-aware, got naive {moment.isoformat()}",
            field=field,
            value=moment,
        )
    return moment.astimezone(UTC)


@runtime_checkable
class Clock(Protocol):
    """Tells the current time. The only way the library learns what time it is."""

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """The current calendar date (UTC)."""
        ...


class SystemClock:
    """The real clock: ``datetime.now(UTC)``."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date in UTC."""
        return self.now().date()


class FixedClock:
    """A clock that stands still until told to move: for tests, simulations and replays.

    Examples:
        >>> from datetime import datetime, UTC, timedelta
        >>> clock = FixedClock(datetime(2026, 1, 1, 9, tzinfo=UTC))
        >>> clock.advance(days=1).isoformat()
        '2026-01-02T09:00:00+00:00'
    """

    def __init__(self, start: datetime) -> None:
        self._now = ensure_aware(start, field="start")

    def now(self) -> datetime:
        """The clock's current moment."""
        return self._now

    def today(self) -> date:
        """The clock's current date."""
        return self._now.date()

    def set(self, moment: datetime) -> datetime:
        """Move to *moment* (forwards or backwards) and return it."""
        self._now = ensure_aware(moment, field="moment")
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by *delta* or ``timedelta(**kwargs)`` and return the new moment."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValidationError(
                "a FixedClock only advances; use set() to go back", field="delta", value=step
            )
        self._now = self._now + step
        return self._now
