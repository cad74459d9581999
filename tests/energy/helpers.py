"""Shared helpers for the energy tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from custom_components.hems.energy import Number, Slot

JST = ZoneInfo("Asia/Tokyo")
D = Decimal


def jst(text: str) -> datetime:
    """An aware Tokyo datetime from ``YYYY-MM-DDTHH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def slot_times(start: datetime, end: datetime) -> Iterator[datetime]:
    """Slot starts in ``[start, end)``."""
    cursor = start.astimezone(UTC)
    while cursor < end:
        yield cursor.astimezone(start.tzinfo)
        cursor += timedelta(minutes=30)


def uniform_slots(start: datetime, end: datetime, purchase: Number, **other: Number) -> list[Slot]:
    """Slots in ``[start, end)`` all with the same values."""
    return [Slot.make(when, purchase=purchase, **other) for when in slot_times(start, end)]
