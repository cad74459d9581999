"""Manufacturer codes (0x8A) of common ECHONET Lite makers, with English and Japanese names.

The ECHONET Consortium publishes the authoritative list; this table holds the makers whose
equipment is common in Japanese homes (codes cross-checked against two public tables; the
public-domain ECHONETLite-ObjectDatabase of Sony CSL among them).  Unknown codes are shown
as hex by :func:`manufacturer_name`.
"""

from __future__ import annotations

from typing import Final

#: code -> (English, Japanese)
MANUFACTURERS: Final[dict[int, tuple[str, str]]] = {
    0x000001: ("Hitachi", "日立製作所"),
    0x000005: ("Sharp", "シャープ"),
    0x000006: ("Mitsubishi Electric", "三菱電機"),
    0x000008: ("Daikin", "ダイキン工業"),
    0x000009: ("NEC", "日本電気"),
    0x00000B: ("Panasonic", "パナソニック"),
    0x000016: ("Toshiba", "東芝"),
    0x000017: ("Toshiba Carrier", "東芝キヤリア"),
    0x00001B: ("Toshiba Lighting & Technology", "東芝ライテック"),
    0x000022: ("Hitachi Global Life Solutions", "日立グローバルライフソリューションズ"),
    0x000025: ("LIXIL", "LIXIL"),
    0x00002F: ("Aiphone", "アイホン"),
    0x000034: ("Mitsubishi Electric Engineering", "三菱電機エンジニアリング"),
    0x000035: ("Toshiba Toko Meter Systems", "東芝東光メーターシステムズ"),
    0x00003A: ("Sekisui House", "積水ハウス"),
    0x00003B: ("Kyocera", "京セラ"),
    0x00003C: ("Denso", "デンソー"),
    0x00003D: ("Sumitomo Electric", "住友電気工業"),
    0x00004E: ("Fujitsu", "富士通"),
    0x00004F: ("Daiwa House", "大和ハウス工業"),
    0x000050: ("TOTO", "TOTO"),
    0x000052: ("Osaki Electric", "大崎電気工業"),
    0x000054: ("Noritz", "ノーリツ"),
    0x000057: ("Eliiy Power", "エリーパワー"),
    0x000059: ("Rinnai", "リンナイ"),
    0x000060: ("Sony CSL", "ソニーコンピュータサイエンス研究所"),
    0x000063: ("Kawamura Electric", "河村電器産業"),
    0x000064: ("Omron Social Solutions", "オムロン ソーシアルソリューションズ"),
    0x000067: ("Corona", "コロナ"),
    0x000068: ("Aisin", "アイシン"),
    0x000069: ("Toshiba Lifestyle", "東芝ライフスタイル"),
    0x00006C: ("Nichicon", "ニチコン"),
    0x000077: ("Kanagawa Institute of Technology", "神奈川工科大学"),
    0x000088: ("Chofu Seisakusho", "長府製作所"),
    0x00008A: ("Fujitsu General", "富士通ゼネラル"),
    0x000096: ("Azbil", "アズビル"),
    0x000099: ("TEPCO", "東京電力ホールディングス"),
    0x00009A: ("Kansai Electric Power", "関西電力"),
    0x00009B: ("Gastar", "ガスター"),
    0x00009F: ("GS Yuasa", "GSユアサ"),
    0x0000A1: ("Honda R&D", "本田技術研究所"),
    0x0000A5: ("Nichibei", "ニチベイ"),
    0x0000AD: ("Delta Electronics", "デルタ電子"),
    0x0000B6: ("Bunka Shutter", "文化シヤッター"),
    0x0000B7: ("Nitto Kogyo", "日東工業"),
    0x0000BA: ("Sankyo Tateyama", "三協立山"),
    0x0000C5: ("Sanwa Shutter", "三和シヤッター工業"),
    0x0000CB: ("Fuji Electric", "富士電機"),
    0x0000CC: ("Hitachi-Johnson Controls", "日立ジョンソンコントロールズ空調"),
    0x0000CE: ("Shindengen", "新電元工業"),
    0x0000DA: ("Panasonic Commercial Equipment", "パナソニック産機システムズ"),
    0x0000DF: ("SMA Japan", "SMAジャパン"),
    0x0000E0: ("Looop", "Looop"),
    0x0000E2: ("NextDrive", "NextDrive"),
    0x0000E8: ("Koizumi Lighting", "コイズミ照明"),
    0x0000EB: ("Nichicon (Kameoka)", "ニチコン亀岡"),
    0x0000EC: ("Toshiba Energy Systems", "東芝エネルギーシステムズ"),
    0x0000EE: ("Tessera Technology", "テセラ・テクノロジー"),
    0x0000EF: ("Toyota Industries", "豊田自動織機"),
    0x0000F5: ("Odelic", "オーデリック"),
    0x0000FE: ("Panasonic Ecology Systems", "パナソニック エコシステムズ"),
    0x0000FF: ("TEPCO Energy Partner", "東京電力エナジーパートナー"),
    0x000102: ("Nichicon (Kusatsu)", "ニチコン草津"),
    0x000105: ("Mitsubishi Electric Lighting", "三菱電機照明"),
    0x000106: ("Nature", "Nature"),
    0x000115: ("Huawei Japan", "ファーウェイ・ジャパン"),
    0x000116: ("Sungrow", "Sungrow"),
    0x000121: ("Toyota", "トヨタ自動車"),
    0x000122: ("Hanwha Q CELLS Japan", "ハンファQセルズジャパン"),
    0x000127: ("Paloma", "パロマ"),
    0x000129: ("GoodWe Japan", "GoodWe Japan"),
    0x000139: ("RATOC Systems", "ラトックシステム"),
    0x000145: ("Tesla Japan", "テスラジャパン"),
    0xFFFFFF: ("Experimental", "実験用"),
}


def manufacturer_name(code: int | None, language: str = "en") -> str | None:
    """Name of the maker with ``code`` (hex for unknown codes, None without a code)."""
    if code is None:
        return None
    names = MANUFACTURERS.get(code)
    if names is None:
        return f"0x{code:06X}"
    return names[1] if language.startswith("ja") else names[0]
