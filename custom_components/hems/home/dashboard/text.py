"""The words of the HEMS dashboard, in English and Japanese (AiSEG2's screen names).

Entity names come from Home Assistant (the entities' own translations); these are only the
titles and buttons the dashboard adds around them.  Languages other than Japanese get English.
"""

from __future__ import annotations

from typing import Final

TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "dashboard": "HEMS",
        "home": "My home",
        "flow": "Power flow",
        "graph": "Graphs",
        "control": "Device control",
        "security": "Lock-up",
        "air": "Air",
        "meter": "Smart meter",
        "notices": "Notices",
        "today": "Today",
        "month": "This month",
        "rooms": "Rooms",
        "locks": "Locks and windows",
        "prices": "Prices",
        "targets": "Targets",
        "power": "Power now",
        "by_day": "Last 48 hours",
        "by_week": "This week",
        "by_month": "This month",
        "by_year": "This year",
        "circuits": "Circuits",
        "all_off": "All off",
        "lights_off": "All lights off",
        "close_all": "Close all",
        "confirm": "Are you sure?",
        "other": "Other",
        "history": "Last 24 hours",
        "buying": "Buying and selling",
        "peak": "Peak 30-minute demand, last 12 months",
        "faults": "Device status",
        "log": "Notices and alarms",
        "energy": "Energy",
        "generation": "Generation and storage",
        "hot_water": "Hot water",
        "covers": "Shutters and windows",
        "month_word": "Month",
        "planner": "Solar planner",
        "when": "When",
    },
    "ja": {
        "dashboard": "HEMS",
        "home": "マイホーム",
        "flow": "電気の流れ",
        "graph": "グラフ",
        "control": "機器コントロール",
        "security": "戸締り",
        "air": "空気環境",
        "meter": "スマートメーター",
        "notices": "お知らせ",
        "today": "今日",
        "month": "今月",
        "rooms": "部屋",
        "locks": "鍵と窓",
        "prices": "料金",
        "targets": "目標",
        "power": "現在の電力",
        "by_day": "48時間",
        "by_week": "今週",
        "by_month": "今月",
        "by_year": "今年",
        "circuits": "回路",
        "all_off": "一括停止",
        "lights_off": "一括消灯",
        "close_all": "一括閉",
        "confirm": "実行しますか?",
        "other": "その他",
        "history": "24時間",
        "buying": "買電・売電",
        "peak": "最大需要電力(30分)、過去12か月",
        "faults": "機器の状態",
        "log": "お知らせと警報",
        "energy": "エネルギー",
        "generation": "発電・蓄電",
        "hot_water": "給湯",
        "covers": "シャッター・窓",
        "month_word": "月",
        "planner": "太陽光活用",
        "when": "日時",
    },
}


def words(language: str | None) -> dict[str, str]:
    """The dashboard's words in ``language`` (Japanese for ``ja*``, else English)."""
    return TEXT["ja"] if (language or "").lower().startswith("ja") else TEXT["en"]
