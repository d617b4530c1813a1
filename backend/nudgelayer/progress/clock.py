"""Time zones and local days: streaks and daily caps count days where the user lives.

Stored times are naive UTC. A user's zone is the ``tz`` user attribute (an IANA name such
as "Europe/Berlin"); absent or unknown, it is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_TZ = "UTC"


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo(DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone_name(name: object) -> bool:
    return isinstance(name, str) and name in _known()


def user_zone(user) -> ZoneInfo:
    attrs = user.attributes or {}
    name = attrs.get("tz")
    return zone(name if is_zone_name(name) else None)


def local_day(ts: datetime, tz: ZoneInfo) -> date:
    """The calendar day, in ``tz``, of a stored (naive UTC) time."""
    return ts.replace(tzinfo=UTC).astimezone(tz).date()


def day_start_utc(day: date, tz: ZoneInfo) -> datetime:
    """Midnight of ``day`` in ``tz``, as a stored (naive UTC) time."""
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    return local.astimezone(UTC).replace(tzinfo=None)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
