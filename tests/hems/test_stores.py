"""Durable stores through a real Home Assistant and real files (custom_components/hems/storage.py).

The test harness keeps stores in memory; these tests put Home Assistant's own file handling back
(``real_storage``), so that a truncated file is a truncated file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hems.blueprints import parse_stored as parse_blueprints
from custom_components.hems.const import DOMAIN, ENERGY_STORE_KEY
from custom_components.hems.energy import Ledger
from custom_components.hems.energy.feed import LedgerFeed
from custom_components.hems.energy.slots import Slot, slot_floor
from custom_components.hems.home.dashboard import parse_stored as parse_dashboard
from custom_components.hems.home.runtime import parse_stored as parse_energy
from custom_components.hems.meter.coordinator import parse_stored as parse_meter
from custom_components.hems.storage import (
    ISSUE_LOST,
    ISSUE_REPAIRED,
    ISSUE_RESTORED,
    DurableStore,
    StoreUnreadable,
)

from .test_energy_support import energy_entry, runtime_of

# Home Assistant's own file handling, before the harness replaces it for each test.
_REAL = {
    name: getattr(Store, name) for name in ("_async_load", "_async_write_data", "async_remove")
}


@pytest.fixture
def real_storage(hass: HomeAssistant, tmp_path: Path) -> Iterator[Path]:
    """Stores in real files under a fresh configuration folder; yields the .storage folder."""
    hass.config.config_dir = str(tmp_path)
    with (
        patch.object(Store, "_async_load", _REAL["_async_load"]),
        patch.object(Store, "_async_write_data", _REAL["_async_write_data"]),
        patch.object(Store, "async_remove", _REAL["async_remove"]),
    ):
        yield tmp_path / ".storage"


def _write(path: Path, key: str, data: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": 1, "minor_version": 1, "key": key, "data": data})
    path.write_text(text, encoding="utf-8")
    return text


def _ledger_data(days: int = 3) -> tuple[dict[str, Any], list[Slot]]:
    """A feed with ``days`` whole days of slots before today (purchase, sale, generation)."""
    tz = dt_util.get_time_zone("Asia/Tokyo")
    assert tz is not None
    today = dt_util.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    feed = LedgerFeed(Ledger("Asia/Tokyo"))
    slots = []
    for day in range(days, 0, -1):
        start = today - timedelta(days=day)
        for index in range(48):
            slot = Slot.make(
                slot_floor(start + timedelta(minutes=30 * index)),
                purchase=Decimal("0.2"),
                sale=Decimal("0.1") * (index % 3),
                generation=Decimal("0.3"),
            )
            slots.append(slot)
    feed.ledger.set_slots(slots)
    data = {**feed.to_dict(dt_util.utcnow(), timedelta(days=3)), "notified": {"eco": "x"}}
    return data, slots


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _glob(folder: Path, pattern: str) -> list[Path]:
    return list(folder.glob(pattern))


def _issue(hass: HomeAssistant, entry_id: str) -> ir.IssueEntry:
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"store_{ENERGY_STORE_KEY}.{entry_id}")
    assert issue is not None
    return issue


async def _setup(hass: HomeAssistant, entry: Any) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_one_invalid_field_keeps_everything_else(
    hass: HomeAssistant, real_storage: Path
) -> None:
    """A slot with an unreadable sale value and a day summary with an unreadable total: the
    rest of the ledger is kept, the day keeps its stored totals, the file is copied first."""
    entry = energy_entry()
    key = f"{ENERGY_STORE_KEY}.{entry.entry_id}"
    data, slots = _ledger_data()
    bad_slot = data["ledger"]["slots"][10]
    bad_slot[2] = "not a number"
    data["ledger"]["days"][1]["totals"]["sale"] = "garbage"
    path = real_storage / key
    original = _write(path, key, data)

    await _setup(hass, entry)
    ledger = runtime_of(entry).ledger
    kept = [slot for index, slot in enumerate(slots) if index != 10]
    assert ledger.slots() == kept
    first, second, third = (slot.start.date() for slot in (slots[0], slots[48], slots[96]))
    # The day of the dropped slot keeps the summary computed when the slot was whole.
    summary = ledger.day(first)
    assert summary is not None and summary.slot_count == 48
    assert summary.totals.sale == sum((slot.sale for slot in slots[:48]), Decimal(0))
    # The unreadable summary is computed again from the day's slots.
    summary = ledger.day(second)
    assert summary is not None
    assert summary.totals.sale == sum((slot.sale for slot in slots[48:96]), Decimal(0))
    assert summary.totals.generation == Decimal("14.4")
    assert ledger.day(third) is not None
    assert runtime_of(entry).notified == {"eco": "x"}

    issue = _issue(hass, entry.entry_id)
    assert issue.translation_key == ISSUE_REPAIRED
    placeholders = issue.translation_placeholders or {}
    assert "not a number" in placeholders["details"]
    assert "garbage" in placeholders["details"]
    copy = Path(placeholders["copy"])
    assert _text(copy) == original

    # Unloading writes the repaired store; the copy of the original stays.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    written = json.loads(_text(path))["data"]
    assert len(written["ledger"]["slots"]) == len(kept)
    assert _text(copy) == original


async def test_a_truncated_file_restores_the_previous_version(
    hass: HomeAssistant, real_storage: Path
) -> None:
    entry = energy_entry()
    key = f"{ENERGY_STORE_KEY}.{entry.entry_id}"
    data, slots = _ledger_data()
    path = real_storage / key
    text = _write(path, key, data)
    _write(real_storage / f"{key}.previous", f"{key}.previous", data)
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # cut mid-write

    await _setup(hass, entry)
    assert runtime_of(entry).ledger.slots() == slots
    issue = _issue(hass, entry.entry_id)
    assert issue.translation_key == ISSUE_RESTORED
    placeholders = issue.translation_placeholders or {}
    # The truncated file is kept (Home Assistant renamed it), never overwritten.
    corrupt = Path(placeholders["copy"])
    assert corrupt.name.startswith(f"{key}.corrupt.")
    assert _text(corrupt) == text[: len(text) // 2]

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    written = json.loads(_text(path))["data"]
    assert len(written["ledger"]["slots"]) == len(slots)


async def test_the_previous_version_is_kept_and_removed_with_the_entry(
    hass: HomeAssistant, real_storage: Path
) -> None:
    """A store that loads cleanly is copied as the previous version (no issue); removing the
    entry deletes both."""
    entry = energy_entry()
    key = f"{ENERGY_STORE_KEY}.{entry.entry_id}"
    data, _slots = _ledger_data(days=1)
    _write(real_storage / key, key, data)
    await _setup(hass, entry)
    previous = real_storage / f"{key}.previous"
    assert json.loads(_text(previous))["data"] == data
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"store_{key}") is None

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not (real_storage / key).exists()
    assert not previous.exists()


async def test_a_new_store_gets_its_previous_version_when_first_written(
    hass: HomeAssistant, real_storage: Path
) -> None:
    entry = energy_entry()
    key = f"{ENERGY_STORE_KEY}.{entry.entry_id}"
    await _setup(hass, entry)
    assert not (real_storage / key).exists()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    current = json.loads(_text(real_storage / key))
    previous = json.loads(_text(real_storage / f"{key}.previous"))
    assert previous["data"] == current["data"]


async def test_unusable_data_without_a_previous_version_is_lost_but_kept_aside(
    hass: HomeAssistant, real_storage: Path
) -> None:
    entry = energy_entry()
    key = f"{ENERGY_STORE_KEY}.{entry.entry_id}"
    path = real_storage / key
    text = _write(path, key, ["not", "a", "ledger"])
    await _setup(hass, entry)
    assert runtime_of(entry).ledger.slots() == []
    issue = _issue(hass, entry.entry_id)
    assert issue.translation_key == ISSUE_LOST
    assert issue.severity is ir.IssueSeverity.ERROR
    copy = Path((issue.translation_placeholders or {})["copy"])
    assert copy.name.startswith(f"{key}.unreadable.")
    assert _text(copy) == text
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert _text(copy) == text  # never overwritten


async def test_a_store_version_this_code_cannot_read(
    hass: HomeAssistant, real_storage: Path
) -> None:
    """A newer major version (a downgrade): set aside, the previous version restored."""
    key = "hems.test"
    path = real_storage / key
    path.parent.mkdir(parents=True)
    newer = json.dumps({"version": 9, "minor_version": 1, "key": key, "data": {"a": "1"}})
    path.write_text(newer, encoding="utf-8")
    _write(real_storage / f"{key}.previous", f"{key}.previous", {"a": "0", "b": 2})
    store = DurableStore(hass, 1, key, name="Test", parse=parse_blueprints)
    loaded = await store.async_load()
    # The previous version is read field by field too.
    assert loaded.value == {"a": "0"}
    assert loaded.outcome == ISSUE_RESTORED
    issue = ir.async_get(hass).async_get_issue(DOMAIN, store.issue_id)
    assert issue is not None
    details = (issue.translation_placeholders or {})["details"]
    assert "hash of b left out" in details
    kept = _glob(real_storage, f"{key}.unreadable.*")
    assert [_text(item) for item in kept] == [newer]


async def test_a_missing_file_with_a_previous_version_is_restored(
    hass: HomeAssistant, real_storage: Path
) -> None:
    key = "hems.test"
    when = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)
    _write(real_storage / f"{key}.previous", f"{key}.previous", {"last_live": when.isoformat()})
    store = DurableStore(hass, 1, key, name="Test", parse=parse_meter)
    loaded = await store.async_load()
    assert loaded.outcome == ISSUE_RESTORED
    assert loaded.value == when
    # A previous version that holds nothing yet is restored as such (not "lost").
    _write(real_storage / f"{key}.previous", f"{key}.previous", {"last_live": None})
    assert (await store.async_load()).outcome == ISSUE_RESTORED


async def test_an_unreadable_previous_version_is_set_aside_too(
    hass: HomeAssistant, real_storage: Path
) -> None:
    key = "hems.test"
    _write(real_storage / key, key, "nothing")
    _write(real_storage / f"{key}.previous", f"{key}.previous", "nothing either")
    store = DurableStore(hass, 1, key, name="Test", parse=parse_blueprints)
    loaded = await store.async_load()
    assert loaded == type(loaded)(None, ISSUE_LOST)
    assert len(_glob(real_storage, f"{key}.unreadable.*")) == 1
    assert len(_glob(real_storage, f"{key}.previous.unreadable.*")) == 1
    # Written data becomes the new previous version (the unreadable one stays aside).
    await store.async_save({"x": "1"})
    await hass.async_block_till_done()
    previous = json.loads(_text(real_storage / f"{key}.previous"))
    assert previous["data"] == {"x": "1"}


async def test_the_previous_version_follows_writes_at_most_hourly(
    hass: HomeAssistant, real_storage: Path
) -> None:
    key = "hems.test"
    store = DurableStore(hass, 1, key, name="Test", parse=parse_blueprints)
    assert (await store.async_load()) == type(await store.async_load())(None)
    store.async_delay_save(lambda: {"v": "1"}, 0)
    for _ in range(3):  # the write, then the previous version's
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    previous = real_storage / f"{key}.previous"
    assert json.loads(_text(previous))["data"] == {"v": "1"}
    await store.async_save({"v": "2"})
    await hass.async_block_till_done()
    # Within the hour: the current file moves on, the previous version stays.
    assert json.loads(_text(real_storage / key))["data"] == {"v": "2"}
    assert json.loads(_text(previous))["data"] == {"v": "1"}


def test_meter_store_fields() -> None:
    problems: list[str] = []
    when = datetime(2026, 5, 20, 1, 0, tzinfo=UTC)
    assert parse_meter({"last_live": when.isoformat()}, problems) == when
    assert parse_meter({"last_live": "yesterday"}, problems) is None
    assert parse_meter({"last_live": 5}, problems) is None
    assert parse_meter({}, problems) is None
    assert problems == ["last reading 'yesterday' left out", "last reading 5 left out"]
    with pytest.raises(StoreUnreadable):
        parse_meter([], problems)
    with pytest.raises(StoreUnreadable):
        parse_blueprints([], problems)


async def test_notices_sent_are_read_item_by_item(hass: HomeAssistant, real_storage: Path) -> None:
    entry = energy_entry()
    key = f"{ENERGY_STORE_KEY}.{entry.entry_id}"
    data, slots = _ledger_data(days=1)
    data["notified"] = {"target_warning": "2026-05", "eco_record": 7}
    _write(real_storage / key, key, data)
    await _setup(hass, entry)
    assert runtime_of(entry).notified == {"target_warning": "2026-05"}
    assert runtime_of(entry).ledger.slots() == slots
    assert (
        "notice eco_record left out"
        in (_issue(hass, entry.entry_id).translation_placeholders or {})["details"]
    )


async def test_notices_that_are_not_a_mapping(hass: HomeAssistant, real_storage: Path) -> None:
    key = "hems.test"
    data, slots = _ledger_data(days=1)
    _write(real_storage / key, key, {**data, "notified": ["x"]})
    store = DurableStore(hass, 1, key, name="Test", parse=parse_energy)
    loaded = await store.async_load()
    assert loaded.outcome == ISSUE_REPAIRED
    assert loaded.value is not None
    feed, notified = loaded.value
    assert feed.ledger.slots() == slots
    assert notified == {}


async def test_an_issue_lists_the_first_problems_and_counts_the_rest(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Also with Home Assistant's storage kept in memory (no file to copy): the issue says so."""
    key = "hems.test"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {f"blueprint{index}.yaml": index for index in range(8)},
    }
    store = DurableStore(hass, 1, key, name="Test", parse=parse_blueprints)
    loaded = await store.async_load()
    assert loaded == type(loaded)({}, ISSUE_REPAIRED)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, store.issue_id)
    assert issue is not None
    placeholders = issue.translation_placeholders or {}
    assert placeholders["copy"] == "-"
    lines = placeholders["details"].splitlines()
    assert len(lines) == 6
    assert lines[-1] == "- ... (3 more in the log)"


def test_dashboard_store_fields() -> None:
    problems: list[str] = []
    saved = parse_dashboard({"id": "abc", "fingerprint": 5, "offered": ["e1", 2]}, problems)
    assert saved == {"id": "abc", "offered": ["e1"]}
    assert problems == [
        "dashboard fingerprint left out",
        "an entry the dashboard was offered for left out",
    ]
    assert parse_dashboard({"offered": "e1"}, problems) == {}
    with pytest.raises(StoreUnreadable):
        parse_dashboard(None, problems)


def test_energy_data_without_a_ledger_is_unreadable() -> None:
    """Counters without the ledger they feed are no use: the previous version is restored."""
    with pytest.raises(StoreUnreadable, match="not a mapping"):
        parse_energy({"counters": {}, "notified": {}}, [])
