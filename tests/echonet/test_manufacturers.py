"""Maker names shown on device pages (echonet.manufacturers)."""

from __future__ import annotations

from custom_components.hems.echonet.manufacturers import manufacturer_name


def test_maker_names_in_both_languages_and_unknown_codes() -> None:
    assert manufacturer_name(0x00000B) == "Panasonic"
    assert manufacturer_name(0x00000B, "ja") == "パナソニック"
    assert manufacturer_name(0x000008, "ja-JP") == "ダイキン工業"
    # A code nobody registered (or a typo in a device): shown as the code, never guessed.
    assert manufacturer_name(0x123456) == "0x123456"
    assert manufacturer_name(0x123456, "ja") == "0x123456"
    assert manufacturer_name(None) is None
